//! Taking an account's secrets out of whatever a call returns, logs or stores.
//!
//! APIs echo credentials back: a 401 body that repeats the `Authorization` header, an
//! error that quotes the request URL with its `?key=`. The executor knows every secret
//! it sends, so it builds a [`Redactor`] for the call and runs the response data, the
//! error and the dry run through it before anyone sees them.

use std::borrow::Cow;
use std::fmt;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use secrecy::zeroize::Zeroizing;
use secrecy::ExposeSecret;
use serde_json::{Map, Value};
use toolsmith_spec::AuthScheme;
use toolsmith_store::ConnectedAccount;

use crate::inject::{basic_credentials, REDACTED};

/// Secrets shorter than this are not searched for: replacing every `a` or `12` in a body
/// would destroy it. Connecting refuses blank credentials; real keys are far longer.
pub const MIN_REDACTED_LEN: usize = 4;

/// The secrets of one call in every form they take on the wire (as written,
/// URL-encoded, base64, JSON-escaped), replaced by [`REDACTED`] wherever they appear.
///
/// ```
/// let mut redactor = toolsmith_auth::Redactor::default();
/// redactor.add("s3cr3t key");
/// assert_eq!(redactor.redact("bad key s3cr3t key"), "bad key [REDACTED]");
/// assert_eq!(redactor.redact("GET /x?key=s3cr3t+key"), "GET /x?key=[REDACTED]");
/// assert_eq!(redactor.redact("czNjcjN0IGtleQ== was refused"), "[REDACTED] was refused");
/// ```
#[derive(Clone, Default)]
pub struct Redactor {
    /// Every form of every secret, longest first (so that a longer form is replaced
    /// before a shorter one inside it).
    needles: Vec<Zeroizing<String>>,
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redactor").field("forms", &self.needles.len()).finish()
    }
}

impl Redactor {
    /// A redactor for every secret of `account`: its secret connection fields and its
    /// OAuth 2.0 tokens.
    pub fn of_account(account: &ConnectedAccount) -> Redactor {
        let mut redactor = Redactor::default();
        redactor.add_account(account);
        redactor
    }

    /// A redactor for a call made with `account` over `scheme`: the account's secrets,
    /// and for basic auth the encoded `user:password` pair the header carries.
    pub fn of_call(scheme: &AuthScheme, account: &ConnectedAccount) -> Redactor {
        let mut redactor = Redactor::of_account(account);
        if let Ok(encoded) = basic_credentials(scheme, account) {
            redactor.add(&encoded);
        }
        redactor
    }

    /// Adds every secret of `account` (after a token refresh, the new tokens).
    pub fn add_account(&mut self, account: &ConnectedAccount) {
        for secret in account.credentials.secrets.values() {
            self.add(secret.expose_secret());
        }
        if let Some(tokens) = &account.credentials.oauth2 {
            self.add(tokens.access_token.expose_secret());
            if let Some(refresh) = &tokens.refresh_token {
                self.add(refresh.expose_secret());
            }
        }
    }

    /// Adds a secret, in every form it can take on the wire.
    pub fn add(&mut self, secret: &str) {
        if secret.chars().count() < MIN_REDACTED_LEN {
            return;
        }
        let form: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        let json = serde_json::to_string(secret).unwrap_or_default();
        let forms = [
            secret.to_owned(),
            form.replace('+', "%20"),
            form,
            STANDARD.encode(secret),
            URL_SAFE_NO_PAD.encode(secret),
            json.get(1..json.len().saturating_sub(1)).unwrap_or_default().to_owned(),
        ];
        for form in forms {
            if form.chars().count() >= MIN_REDACTED_LEN && !self.needles.iter().any(|n| **n == form) {
                self.needles.push(Zeroizing::new(form));
            }
        }
        self.needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
    }

    /// Whether there is nothing to redact.
    pub fn is_empty(&self) -> bool {
        self.needles.is_empty()
    }

    /// `text` with every secret replaced by [`REDACTED`].
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(text);
        for needle in &self.needles {
            if out.contains(needle.as_str()) {
                out = Cow::Owned(out.replace(needle.as_str(), REDACTED));
            }
        }
        out
    }

    /// Redacts `text` in place.
    pub fn redact_string(&self, text: &mut String) {
        if let Cow::Owned(redacted) = self.redact(text) {
            *text = redacted;
        }
    }

    /// Redacts every string of a JSON value in place, object keys included.
    ///
    /// ```
    /// let mut redactor = toolsmith_auth::Redactor::default();
    /// redactor.add("tok-123456");
    /// let mut data = serde_json::json!({ "echo": { "authorization": "Bearer tok-123456" } });
    /// redactor.redact_value(&mut data);
    /// assert_eq!(data["echo"]["authorization"], "Bearer [REDACTED]");
    /// ```
    pub fn redact_value(&self, value: &mut Value) {
        if self.is_empty() {
            return;
        }
        match value {
            Value::String(text) => self.redact_string(text),
            Value::Array(items) => items.iter_mut().for_each(|item| self.redact_value(item)),
            Value::Object(map) => {
                let entries = std::mem::take(map);
                let mut out = Map::with_capacity(entries.len());
                for (key, mut item) in entries {
                    self.redact_value(&mut item);
                    out.insert(self.redact(&key).into_owned(), item);
                }
                *map = out;
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_wire_form_is_replaced_and_short_secrets_are_left() {
        let mut redactor = Redactor::default();
        redactor.add("p@ss/word \"q\"");
        redactor.add("abc");
        let text = "raw p@ss/word \"q\" form p%40ss%2Fword+%22q%22 pct p%40ss%2Fword%20%22q%22 \
                    b64 cEBzcy93b3JkICJxIg== url cEBzcy93b3JkICJxIg json p@ss/word \\\"q\\\" abc";
        assert_eq!(
            redactor.redact(text),
            "raw [REDACTED] form [REDACTED] pct [REDACTED] b64 [REDACTED] url [REDACTED] json [REDACTED] abc"
        );
        assert!(format!("{redactor:?}").contains("forms"));
        assert!(!format!("{redactor:?}").contains("word"));
    }

    #[test]
    fn keys_and_nested_values_are_redacted() {
        let mut redactor = Redactor::default();
        redactor.add("k-0123456789");
        let mut value = serde_json::json!({ "k-0123456789": ["x k-0123456789 y", 1, null] });
        redactor.redact_value(&mut value);
        assert_eq!(value, serde_json::json!({ "[REDACTED]": ["x [REDACTED] y", 1, null] }));
    }
}
