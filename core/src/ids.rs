//! Identifiers of runtime records, with Composio's prefixes: auth configs `ac_…`,
//! connected accounts `ca_…`, execution logs `log_…`, sessions `trs_…`, projects `prj_…`,
//! API keys `ak_…`, trigger instances `ti_…`.
//!
//! Every id is checked where it enters: [`FromStr`](std::str::FromStr), `parse` and
//! deserialization all refuse a malformed one, so a JSON body over HTTP cannot make
//! any string a [`ConnectedAccountId`].

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a text is not an id of the kind asked for.
///
/// ```
/// let err = "ac_x".parse::<toolsmith_core::ConnectedAccountId>().unwrap_err();
/// assert_eq!(err.kind, "ConnectedAccountId");
/// assert!(err.to_string().contains("starts with `ca_`"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a {kind} id: it starts with `{prefix}` followed by 1 to 64 letters, digits, `-` or `_`")]
pub struct IdError {
    /// The text that was given.
    pub text: String,
    /// The id type, `ConnectedAccountId`.
    pub kind: &'static str,
    /// The prefix ids of this kind start with.
    pub prefix: &'static str,
}

macro_rules! prefixed_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(into = "String", try_from = "String")]
        pub struct $name(String);

        impl TryFrom<String> for $name {
            type Error = IdError;

            fn try_from(id: String) -> Result<Self, IdError> {
                if Self::is_valid(&id) {
                    Ok(Self(id))
                } else {
                    Err(IdError { text: id, kind: stringify!($name), prefix: $prefix })
                }
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl $name {
            /// The prefix every id of this kind starts with.
            pub const PREFIX: &'static str = $prefix;

            /// A new random id: the prefix and 20 characters of lower-case base 32
            /// (100 random bits).
            pub fn generate() -> Self {
                Self(format!("{}{}", $prefix, random_suffix()))
            }

            /// Wraps an id read from a store or typed by a user; `None` unless it starts
            /// with the prefix and the rest is 1–64 ASCII letters, digits, `-` or `_`.
            pub fn parse(id: &str) -> Option<Self> {
                Self::is_valid(id).then(|| Self(id.to_owned()))
            }

            fn is_valid(id: &str) -> bool {
                id.strip_prefix($prefix).is_some_and(|rest| {
                    (1..=64).contains(&rest.len())
                        && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                })
            }

            /// The id as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = IdError;

            fn from_str(s: &str) -> Result<Self, IdError> {
                Self::try_from(s.to_owned())
            }
        }
    };
}

prefixed_id!(
    /// An auth config: how one toolkit authenticates in this deployment (scheme, OAuth
    /// client, scopes).
    ///
    /// ```
    /// use toolsmith_core::AuthConfigId;
    /// let id = AuthConfigId::generate();
    /// assert!(id.as_str().starts_with("ac_"));
    /// assert_eq!(AuthConfigId::parse(id.as_str()), Some(id));
    /// assert!(AuthConfigId::parse("ca_123").is_none());
    /// ```
    AuthConfigId,
    "ac_"
);

prefixed_id!(
    /// A connected account: one user's credentials for one toolkit.
    ///
    /// ```
    /// let id: toolsmith_core::ConnectedAccountId = "ca_abc123".parse().unwrap();
    /// assert_eq!(id.to_string(), "ca_abc123");
    /// ```
    ConnectedAccountId,
    "ca_"
);

prefixed_id!(
    /// One execution's log entry.
    ///
    /// ```
    /// assert!(toolsmith_core::LogId::generate().as_str().starts_with("log_"));
    /// ```
    LogId,
    "log_"
);

prefixed_id!(
    /// A session ("tool router session"): a user, the toolkits and accounts the agent may
    /// use, and what the agent learned so far.
    ///
    /// ```
    /// let id = toolsmith_core::SessionId::generate();
    /// assert!(id.as_str().starts_with("trs_"));
    /// assert!(toolsmith_core::SessionId::parse("ca_1").is_none());
    /// ```
    SessionId,
    "trs_"
);

prefixed_id!(
    /// A project: the unit of isolation of a server. Auth configs, connected accounts,
    /// sessions and logs belong to one; an API key opens exactly one.
    ///
    /// ```
    /// assert!(toolsmith_core::ProjectId::generate().as_str().starts_with("prj_"));
    /// ```
    ProjectId,
    "prj_"
);

prefixed_id!(
    /// An API key's record (not the key itself, which is a secret shown once).
    ///
    /// ```
    /// assert!(toolsmith_core::ApiKeyId::generate().as_str().starts_with("ak_"));
    /// ```
    ApiKeyId,
    "ak_"
);

prefixed_id!(
    /// A trigger instance: one trigger of a toolkit, enabled for one connected account
    /// (or user) with its configuration.
    ///
    /// ```
    /// let id = toolsmith_core::TriggerInstanceId::generate();
    /// assert!(id.as_str().starts_with("ti_"));
    /// assert!(toolsmith_core::TriggerInstanceId::parse("ca_1").is_none());
    /// ```
    TriggerInstanceId,
    "ti_"
);

prefixed_id!(
    /// A trigger event: one thing that happened (a provider's webhook, a new item found
    /// by a poll, an account that expired), recorded once and delivered to the app with
    /// this id as its `webhook-id`.
    ///
    /// ```
    /// assert!(toolsmith_core::TriggerEventId::generate().as_str().starts_with("msg_"));
    /// ```
    TriggerEventId,
    "msg_"
);

prefixed_id!(
    /// A project's webhook subscription: the URL its trigger events are delivered to.
    ///
    /// ```
    /// assert!(toolsmith_core::WebhookSubscriptionId::generate().as_str().starts_with("whs_"));
    /// ```
    WebhookSubscriptionId,
    "whs_"
);

impl LogId {
    /// A new id without a system call: a random 10-character prefix drawn once per
    /// process, then a counter (executions are logged at tens of thousands per second).
    ///
    /// ```
    /// let (a, b) = (toolsmith_core::LogId::next(), toolsmith_core::LogId::next());
    /// assert_ne!(a, b);
    /// assert!(toolsmith_core::LogId::parse(a.as_str()).is_some());
    /// ```
    pub fn next() -> Self {
        use std::sync::atomic::{AtomicU64, Ordering};
        use std::sync::OnceLock;
        static PREFIX: OnceLock<String> = OnceLock::new();
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let prefix = PREFIX.get_or_init(|| random_suffix()[..10].to_owned());
        let mut n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let mut counter = [b'a'; 10];
        for c in counter.iter_mut().rev() {
            *c = ALPHABET[(n % 32) as usize];
            n /= 32;
        }
        let counter = std::str::from_utf8(&counter).unwrap_or("aaaaaaaaaa");
        LogId(format!("log_{prefix}{counter}"))
    }
}

/// Lower-case base 32.
const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";

/// 20 characters of lower-case base 32 from the operating system's random source.
fn random_suffix() -> String {
    let mut bytes = [0u8; 20];
    // The OS random source only fails on exotic platforms; ids then fall back to the
    // clock and a counter, which stay unique within a process.
    if getrandom::fill(&mut bytes).is_err() {
        use std::sync::atomic::{AtomicU64, Ordering};
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let mixed = nanos ^ u128::from(COUNTER.fetch_add(1, Ordering::Relaxed)) << 64;
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = (mixed >> ((i % 16) * 8)) as u8 ^ i as u8;
        }
    }
    bytes.iter().map(|b| ALPHABET[usize::from(b % 32)] as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_are_distinct_and_parse() {
        let ids: std::collections::HashSet<_> = (0..1000).map(|_| ConnectedAccountId::generate()).collect();
        assert_eq!(ids.len(), 1000);
        for id in ids {
            assert_eq!(id.as_str().len(), 3 + 20);
            assert_eq!(ConnectedAccountId::parse(id.as_str()).as_ref(), Some(&id));
        }
    }

    #[test]
    fn malformed_ids_are_refused_with_a_reason() {
        assert!(LogId::parse("log_").is_none());
        assert!(LogId::parse("log_a b").is_none());
        let err = "ac_x".parse::<ConnectedAccountId>().unwrap_err();
        assert!(err.to_string().contains("starts with `ca_`"), "{err}");
    }

    #[test]
    fn deserialization_checks_the_id() {
        let id: ConnectedAccountId = serde_json::from_str("\"ca_abc\"").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"ca_abc\"");
        let err = serde_json::from_str::<ConnectedAccountId>("\"ac_abc\"").unwrap_err();
        assert!(err.to_string().contains("is not a ConnectedAccountId id"), "{err}");
        assert!(serde_json::from_str::<AuthConfigId>("\"ac_../x\"").is_err());
        assert!(serde_json::from_str::<LogId>("\"log_\"").is_err());
    }
}
