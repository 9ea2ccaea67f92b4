//! Records to and from table rows, the same for every backend: times as unix
//! milliseconds, credentials as the JSON that gets sealed, and what each sealed column
//! is bound to (so a sealed value copied to another row or column does not open).

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use secrecy::zeroize::Zeroizing;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::crypto::LiveKeys;
use crate::{Credentials, KeyId, KeyRing, OAuth2Tokens, StoreError};

pub(crate) mod accounts;
pub(crate) mod auth_configs;
pub(crate) mod links;
pub(crate) mod logs;
pub(crate) mod outbox;
pub(crate) mod projects;
pub(crate) mod sessions;
pub(crate) mod subscriptions;
pub(crate) mod triggers;

/// What decoding a row needs from its backend: the key ring that opens sealed columns,
/// and the backend's error for a value this build cannot read (it names the database).
///
/// Each record kind has a row type in a child module (`rows::projects::ProjectRow`):
/// plain columns a backend reads its own way, and one `decode` both backends share.
pub(crate) trait RowCx {
    /// The database's name, for messages (a file's path, a URL without its password).
    fn database(&self) -> &str;
    /// The key ring sealed columns open with.
    fn keys(&self) -> &LiveKeys;
    /// The error for column `column` of row `id` of `table`, which `problem`s.
    fn corrupt(&self, table: &str, id: &str, column: &str, problem: &str) -> StoreError;
}

/// The error for a row this build cannot read, in `database`: its column `column`
/// `problem`s.
pub(crate) fn corrupt_row(database: &str, table: &str, id: &str, column: &str, problem: &str) -> StoreError {
    StoreError::Database {
        path: database.to_owned(),
        message: format!("row `{id}` of {table}: {column} {problem}; the database was changed outside toolsmith"),
        source: None,
    }
}

/// Unix milliseconds; times before 1970 are negative.
pub(crate) fn to_ms(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_millis()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_millis()).map_or(i64::MIN, |ms| -ms),
    }
}

/// The time `ms` unix milliseconds denote.
pub(crate) fn from_ms(ms: i64) -> SystemTime {
    let magnitude = Duration::from_millis(ms.unsigned_abs());
    if ms >= 0 {
        UNIX_EPOCH.checked_add(magnitude).unwrap_or(UNIX_EPOCH)
    } else {
        UNIX_EPOCH.checked_sub(magnitude).unwrap_or(UNIX_EPOCH)
    }
}

/// What a sealed client secret is bound to.
pub(crate) fn auth_config_context(id: &str) -> Vec<u8> {
    format!("auth_configs.client_secret:{id}").into_bytes()
}

/// What sealed credentials are bound to.
pub(crate) fn account_context(id: &str) -> Vec<u8> {
    format!("connected_accounts.credentials:{id}").into_bytes()
}

/// What a trigger instance's sealed secrets are bound to.
pub(crate) fn trigger_context(id: &str) -> Vec<u8> {
    format!("trigger_instances.secrets:{id}").into_bytes()
}

/// What a webhook subscription's sealed signing secret is bound to.
pub(crate) fn subscription_context(id: &str) -> Vec<u8> {
    format!("webhook_subscriptions.secret:{id}").into_bytes()
}

/// What a sealed value is bound to, from its row's id.
pub(crate) type SealContext = fn(&str) -> Vec<u8>;

/// The sealed columns: table, column, and what each value is bound to (its row's id).
pub(crate) const SEALED_COLUMNS: [(&str, &str, SealContext); 4] = [
    ("auth_configs", "client_secret", auth_config_context),
    ("connected_accounts", "credentials", account_context),
    ("trigger_instances", "secrets", trigger_context),
    ("webhook_subscriptions", "secret", subscription_context),
];

/// `value` as JSON text, for a text column.
pub(crate) fn json_text(cx: &impl RowCx, value: &impl Serialize) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Database {
        path: cx.database().to_owned(),
        message: format!("could not encode JSON: {e}"),
        source: Some(Box::new(e)),
    })
}

/// The query of every sealed value of the database, one column (`sealed`) of text.
pub(crate) fn sealed_values_query() -> String {
    let selects: Vec<String> = SEALED_COLUMNS
        .iter()
        .map(|(table, column, _)| format!("SELECT {column} AS sealed FROM {table} WHERE {column} IS NOT NULL"))
        .collect();
    selects.join(" UNION ALL ")
}

/// How many of the sealed `values` each key sealed, from the values' headers.
pub(crate) fn count_keys(values: impl IntoIterator<Item = String>) -> Result<BTreeMap<KeyId, usize>, StoreError> {
    let mut counts = BTreeMap::new();
    for value in values {
        *counts.entry(KeyRing::sealed_key_id(&value)?).or_insert(0) += 1;
    }
    Ok(counts)
}

/// `sealed` (bound to `context`) sealed again with `ring`'s current key; `None` when that
/// key sealed it already.
pub(crate) fn reseal(
    cx: &impl RowCx,
    ring: &KeyRing,
    sealed: &str,
    context: &[u8],
) -> Result<Option<String>, StoreError> {
    if KeyRing::sealed_key_id(sealed)? == *ring.current() {
        return Ok(None);
    }
    let opened = cx.keys().open(sealed, context)?;
    Ok(Some(ring.seal_with_context(opened.expose_secret(), context)?))
}

#[derive(Serialize)]
struct CredentialsOut<'a> {
    secrets: BTreeMap<&'a str, &'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    oauth2: Option<TokensOut<'a>>,
}

#[derive(Serialize)]
struct TokensOut<'a> {
    access_token: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<&'a str>,
    token_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_at: Option<i64>,
    scopes: &'a [String],
}

#[derive(Deserialize)]
struct CredentialsIn {
    #[serde(default)]
    secrets: BTreeMap<String, String>,
    #[serde(default)]
    oauth2: Option<TokensIn>,
}

#[derive(Deserialize)]
struct TokensIn {
    access_token: String,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default = "bearer")]
    token_type: String,
    #[serde(default)]
    expires_at: Option<i64>,
    #[serde(default)]
    scopes: Vec<String>,
}

fn bearer() -> String {
    "Bearer".to_owned()
}

/// The JSON of `credentials`, the plaintext that gets sealed. The buffer is sized up
/// front (JSON escapes at most sextuple a character) so that it never reallocates and
/// leaves a copy behind, and it is wiped when dropped.
pub(crate) fn encode_credentials(credentials: &Credentials) -> Result<Zeroizing<Vec<u8>>, serde_json::Error> {
    let secrets: BTreeMap<&str, &str> =
        credentials.secrets.iter().map(|(name, value)| (name.as_str(), value.expose_secret())).collect();
    let oauth2 = credentials.oauth2.as_ref().map(|t| TokensOut {
        access_token: t.access_token.expose_secret(),
        refresh_token: t.refresh_token.as_ref().map(|r| r.expose_secret()),
        token_type: &t.token_type,
        expires_at: t.expires_at.map(to_ms),
        scopes: &t.scopes,
    });
    let text_len: usize = secrets.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>()
        + oauth2.as_ref().map_or(0, |t| {
            t.access_token.len()
                + t.refresh_token.map_or(0, str::len)
                + t.token_type.len()
                + t.scopes.iter().map(|s| s.len() + 3).sum::<usize>()
        });
    let mut buffer = Zeroizing::new(Vec::with_capacity(text_len * 6 + 32 * secrets.len() + 256));
    serde_json::to_writer(&mut *buffer, &CredentialsOut { secrets, oauth2 })?;
    Ok(buffer)
}

/// Credentials from their JSON (opened from the sealed column).
pub(crate) fn decode_credentials(json: &[u8]) -> Result<Credentials, serde_json::Error> {
    let parsed: CredentialsIn = serde_json::from_slice(json)?;
    Ok(Credentials {
        secrets: parsed.secrets.into_iter().map(|(name, value)| (name, SecretString::from(value))).collect(),
        oauth2: parsed.oauth2.map(|t| OAuth2Tokens {
            access_token: SecretString::from(t.access_token),
            refresh_token: t.refresh_token.map(SecretString::from),
            token_type: t.token_type,
            expires_at: t.expires_at.map(from_ms),
            scopes: t.scopes,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_at_millisecond_precision() {
        for ms in [0, 1, 1_700_000_000_123, -86_400_000] {
            assert_eq!(to_ms(from_ms(ms)), ms);
        }
        let now = SystemTime::now();
        let back = from_ms(to_ms(now));
        assert!(now.duration_since(back).unwrap() < Duration::from_millis(1));
    }

    #[test]
    fn credentials_round_trip_through_json() {
        let credentials = Credentials {
            secrets: [("api_key".to_owned(), SecretString::from("k-\"quoted\"\n"))].into(),
            oauth2: Some(OAuth2Tokens {
                access_token: SecretString::from("at"),
                refresh_token: None,
                token_type: "Bearer".to_owned(),
                expires_at: Some(from_ms(1_700_000_000_000)),
                scopes: vec!["repo".to_owned()],
            }),
        };
        let json = encode_credentials(&credentials).unwrap();
        let back = decode_credentials(&json).unwrap();
        assert_eq!(back.secret("api_key"), Some("k-\"quoted\"\n"));
        let tokens = back.oauth2.unwrap();
        assert_eq!(tokens.access_token.expose_secret(), "at");
        assert!(tokens.refresh_token.is_none());
        assert_eq!(tokens.expires_at, Some(from_ms(1_700_000_000_000)));
        assert_eq!(tokens.scopes, ["repo"]);
        let empty = decode_credentials(&encode_credentials(&Credentials::default()).unwrap()).unwrap();
        assert!(empty.secrets.is_empty() && empty.oauth2.is_none());
    }
}
