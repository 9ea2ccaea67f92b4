//! Why a call failed: [`Error`], its [`ErrorKind`] (what a server maps to a status) and
//! its [`Remedy`] (what the caller can do, as data each front end words its own way).

use std::fmt;

use crate::{ConnectedAccountId, UserId};

/// A boxed error kept as the source of an [`Error`].
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What kind of failure an [`Error`] is: the one thing a front end needs to choose an
/// HTTP status, an MCP error code or an exit code.
///
/// ```
/// use toolsmith_core::{Error, ErrorKind};
/// assert_eq!(Error::UnknownTool("X_Y".into()).kind(), ErrorKind::NotFound);
/// assert_eq!(Error::handler("X_Y", "boom").kind(), ErrorKind::Internal);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A tool, toolkit, version or record that does not exist.
    NotFound,
    /// Arguments (or a cursor, an id) that do not fit what was asked for.
    InvalidArguments,
    /// The call needs a connected account: none, several without a choice, or one that
    /// must be reconnected.
    NeedsAccount,
    /// The request clashes with the state of a record (in use, already there).
    Conflict,
    /// Refused by policy before anything was sent (an address outside the toolkit's base
    /// URL, an internal host).
    Forbidden,
    /// The upstream API answered with an error, or with something unreadable.
    Upstream,
    /// The upstream API asked to slow down (HTTP 429).
    RateLimited,
    /// The upstream API or the network did not answer in time.
    Timeout,
    /// A fault of this deployment: a broken spec, a store failure, a tool's own bug.
    Internal,
}

impl ErrorKind {
    /// The kind in snake case, as front ends put it on the wire (`needs_account`).
    ///
    /// ```
    /// assert_eq!(toolsmith_core::ErrorKind::RateLimited.as_str(), "rate_limited");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::NotFound => "not_found",
            ErrorKind::InvalidArguments => "invalid_arguments",
            ErrorKind::NeedsAccount => "needs_account",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::Upstream => "upstream",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Internal => "internal",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the caller can do about an [`Error`], as data: the CLI words it as a command,
/// a server as a Connect Link or an API call.
///
/// ```
/// use toolsmith_core::{Remedy, UserId};
/// let remedy = Remedy::ConnectAccount { user: UserId::new("ada"), toolkit: "github".into() };
/// assert_eq!(remedy.to_string(), "connect an account of toolkit `github` for user `ada`");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Remedy {
    /// Connect an account of the toolkit for the user.
    ConnectAccount {
        /// The user.
        user: UserId,
        /// The toolkit slug.
        toolkit: String,
    },
    /// Choose one of the user's accounts for the call.
    ChooseAccount {
        /// The accounts to choose from.
        accounts: Vec<ConnectedAccountId>,
    },
    /// Connect the account again (its credentials expired or were revoked).
    ReconnectAccount {
        /// The user.
        user: UserId,
        /// The toolkit slug.
        toolkit: String,
        /// The account that stopped working.
        account: ConnectedAccountId,
    },
    /// Give the account (or connect one with) the connection fields the toolkit needs.
    SetConnectionFields {
        /// The toolkit slug.
        toolkit: String,
        /// The missing fields.
        fields: Vec<String>,
    },
    /// Look the tool up: the slug is misspelled or its toolkit is not loaded.
    ListTools,
    /// Fix the toolkit's spec (`toolsmith validate` finds most such problems).
    FixSpec,
    /// Try again later.
    RetryLater,
}

impl fmt::Display for Remedy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Remedy::ConnectAccount { user, toolkit } => {
                write!(f, "connect an account of toolkit `{toolkit}` for user `{user}`")
            }
            Remedy::ChooseAccount { accounts } => {
                let list: Vec<&str> = accounts.iter().map(ConnectedAccountId::as_str).collect();
                write!(f, "choose one of the accounts {}", list.join(", "))
            }
            Remedy::ReconnectAccount { toolkit, account, .. } => {
                write!(f, "reconnect account {account} of toolkit `{toolkit}`")
            }
            Remedy::SetConnectionFields { toolkit, fields } => {
                write!(f, "set the connection fields {} of toolkit `{toolkit}`", fields.join(", "))
            }
            Remedy::ListTools => f.write_str("list the available tools and use one of their slugs"),
            Remedy::FixSpec => f.write_str("fix the toolkit's spec"),
            Remedy::RetryLater => f.write_str("try again later"),
        }
    }
}

/// Why a tool call failed.
///
/// Messages name the tool and say what to do; they never contain a secret. Front ends
/// branch on [`Error::kind`] and word [`Error::remedy`] themselves; the `Display` text is
/// for logs and the command line.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No tool with this slug is registered.
    #[error("unknown tool `{0}`; list tools with `toolsmith tools list`")]
    UnknownTool(String),
    /// No toolkit with this slug is loaded.
    #[error("unknown toolkit `{slug}`; known toolkits: {}", .known.join(", "))]
    UnknownToolkit {
        /// The slug asked for.
        slug: String,
        /// The loaded toolkits.
        known: Vec<String>,
    },
    /// A pinned toolkit version that is not loaded; no other version is used instead.
    #[error("unknown tool `{slug}` at version {version}; loaded versions of toolkit `{toolkit}`: {}", .loaded.join(", "))]
    UnknownVersion {
        /// The tool.
        slug: String,
        /// The version asked for.
        version: String,
        /// The tool's toolkit.
        toolkit: String,
        /// The versions loaded, newest first.
        loaded: Vec<String>,
    },
    /// A listing cursor that names no tool (from another catalog, or edited).
    #[error("the cursor `{0}` names no tool of this catalog; start again without a cursor")]
    InvalidCursor(String),
    /// The arguments do not match the tool's input schema. Each entry is
    /// `(JSON path, what is wrong)`, e.g. `("/title", "is required")` or
    /// `("/labels/0", "value is not of type \"string\"")`; messages never repeat the value.
    #[error("invalid arguments for {slug}: {}", .problems.iter().map(|(p, m)| format!("{}: {m}", if p.is_empty() { "(root)" } else { p })).collect::<Vec<_>>().join("; "))]
    InvalidArguments {
        /// The tool.
        slug: String,
        /// Every violation: JSON path and message.
        problems: Vec<(String, String)>,
    },
    /// The request could not be built or sent (bad URL, connection refused…).
    #[error("{slug}: request failed: {message}")]
    Request {
        /// The tool.
        slug: String,
        /// What went wrong.
        message: String,
        /// The underlying failure.
        #[source]
        source: Option<BoxError>,
    },
    /// The API or the network did not answer in time.
    #[error("{slug}: request failed: {message}")]
    Timeout {
        /// The tool.
        slug: String,
        /// What timed out, and where.
        message: String,
        /// The underlying failure.
        #[source]
        source: Option<BoxError>,
    },
    /// The request was refused before sending (e.g. a host outside the toolkit's base URL).
    #[error("{slug}: refused: {reason}")]
    Refused {
        /// The tool.
        slug: String,
        /// Why.
        reason: String,
    },
    /// The tool's spec cannot be turned into a request (an input schema that does not
    /// compile, a path placeholder without a parameter, an invalid header name): fix the
    /// spec; `toolsmith validate` reports most of these.
    #[error("{slug}: the tool's spec is broken: {message}")]
    Spec {
        /// The tool.
        slug: String,
        /// What is wrong.
        message: String,
    },
    /// The call has no usable credentials: no connected account, several without a
    /// choice, an expired one that must be reconnected, a failed token refresh.
    #[error("{slug}: {message}")]
    Auth {
        /// The tool.
        slug: String,
        /// What is wrong and how to fix it.
        message: String,
        /// What the caller can do, when known.
        remedy: Option<Box<Remedy>>,
        /// The underlying failure (a token endpoint's refusal, a store error).
        #[source]
        source: Option<BoxError>,
    },
    /// The store of accounts and logs failed.
    #[error("{slug}: {message}")]
    Store {
        /// The tool.
        slug: String,
        /// What failed.
        message: String,
        /// The store's error.
        #[source]
        source: Option<BoxError>,
    },
    /// The API answered with an error status.
    #[error("{slug}: the API answered {status}: {body}")]
    Api {
        /// The tool.
        slug: String,
        /// HTTP status code.
        status: u16,
        /// The response body (truncated), for the caller to read.
        body: String,
    },
    /// The response could not be read as the tool's output type.
    #[error("{slug}: unexpected response: {message}")]
    Decode {
        /// The tool.
        slug: String,
        /// What did not match.
        message: String,
    },
    /// A generated toolkit's embedded spec does not load: toolsmith-codegen and
    /// toolsmith are of different versions.
    #[error("compiled toolkit `{toolkit}` does not load ({message}); regenerate it with the toolsmith-codegen matching this toolsmith")]
    CompiledToolkit {
        /// The toolkit.
        toolkit: String,
        /// The parse error.
        message: String,
    },
    /// A hand-written tool failed.
    #[error("{slug}: {message}")]
    Handler {
        /// The tool.
        slug: String,
        /// What went wrong.
        message: String,
        /// The tool's own error, when it gave one.
        #[source]
        source: Option<BoxError>,
    },
}

impl Error {
    /// A failure of a hand-written tool, for [`crate::Handler`] implementations.
    ///
    /// ```
    /// let e = toolsmith_core::Error::handler("MATH_DIVIDE", "division by zero");
    /// assert_eq!(e.to_string(), "MATH_DIVIDE: division by zero");
    /// ```
    pub fn handler(slug: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Handler { slug: slug.into(), message: message.into(), source: None }
    }

    /// A failure of a hand-written tool caused by another error, which is kept as the
    /// source.
    ///
    /// ```
    /// let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
    /// let e = toolsmith_core::Error::handler_source("FILES_READ", io);
    /// assert_eq!(e.to_string(), "FILES_READ: no such file");
    /// assert!(std::error::Error::source(&e).is_some());
    /// ```
    pub fn handler_source(slug: impl Into<String>, source: impl Into<BoxError>) -> Self {
        let source = source.into();
        Error::Handler { slug: slug.into(), message: source.to_string(), source: Some(source) }
    }

    /// What kind of failure this is.
    ///
    /// ```
    /// use toolsmith_core::{Error, ErrorKind};
    /// let api = |status| Error::Api { slug: "X_Y".into(), status, body: String::new() };
    /// assert_eq!(api(429).kind(), ErrorKind::RateLimited);
    /// assert_eq!(api(500).kind(), ErrorKind::Upstream);
    /// ```
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::UnknownTool(_) | Error::UnknownToolkit { .. } | Error::UnknownVersion { .. } => ErrorKind::NotFound,
            Error::InvalidCursor(_) | Error::InvalidArguments { .. } => ErrorKind::InvalidArguments,
            Error::Request { .. } | Error::Decode { .. } => ErrorKind::Upstream,
            Error::Timeout { .. } => ErrorKind::Timeout,
            Error::Refused { .. } => ErrorKind::Forbidden,
            Error::Auth { remedy: None, source: Some(_), .. } => ErrorKind::Upstream,
            Error::Auth { .. } => ErrorKind::NeedsAccount,
            Error::Api { status: 429, .. } => ErrorKind::RateLimited,
            Error::Api { .. } => ErrorKind::Upstream,
            Error::Spec { .. } | Error::Store { .. } | Error::CompiledToolkit { .. } | Error::Handler { .. } => {
                ErrorKind::Internal
            }
        }
    }

    /// What the caller can do about it, when there is something.
    ///
    /// ```
    /// use toolsmith_core::{Error, Remedy};
    /// assert_eq!(Error::UnknownTool("X_Y".into()).remedy(), Some(Remedy::ListTools));
    /// ```
    pub fn remedy(&self) -> Option<Remedy> {
        match self {
            Error::UnknownTool(_) => Some(Remedy::ListTools),
            Error::Auth { remedy, .. } => remedy.as_deref().cloned(),
            Error::Spec { .. } => Some(Remedy::FixSpec),
            Error::Api { status: 429 | 502 | 503 | 504, .. } | Error::Timeout { .. } => Some(Remedy::RetryLater),
            _ => None,
        }
    }

    /// The tool the error is about, when it is about one.
    ///
    /// ```
    /// assert_eq!(toolsmith_core::Error::handler("MATH_ADD", "x").tool(), Some("MATH_ADD"));
    /// ```
    pub fn tool(&self) -> Option<&str> {
        match self {
            Error::UnknownTool(slug)
            | Error::UnknownVersion { slug, .. }
            | Error::InvalidArguments { slug, .. }
            | Error::Request { slug, .. }
            | Error::Timeout { slug, .. }
            | Error::Refused { slug, .. }
            | Error::Spec { slug, .. }
            | Error::Auth { slug, .. }
            | Error::Store { slug, .. }
            | Error::Api { slug, .. }
            | Error::Decode { slug, .. }
            | Error::Handler { slug, .. } => Some(slug),
            Error::UnknownToolkit { .. } | Error::InvalidCursor(_) | Error::CompiledToolkit { .. } => None,
        }
    }
}
