//! Where auth configs, connected accounts and execution logs live.
//!
//! [`Store`] is the interface; [`SqliteStore`] the embedded default (a SQLite file under
//! `TOOLSMITH_HOME`, WAL, migrations), and a PostgreSQL backend implements the same
//! trait. Secrets ([`Credentials`], OAuth client secrets) are encrypted at rest with
//! the [`KeyRing`] (AES-256-GCM); each ciphertext names its key so keys can be rotated.

mod crypto;
mod home;
mod sqlite;

use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, SystemTime};

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use toolsmith_spec::{ToolSlug, ToolkitSlug};

pub use crypto::{KeyError, KeyId, KeyRing, KeySource, SECRET_KEY_ENV};
pub use home::default_home;
pub use sqlite::SqliteStore;

use toolsmith_core::{AuthConfigId, ConnectedAccountId, LogId, UserId};

/// Why a store operation failed. Messages never contain a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database could not be opened, migrated, read or written.
    #[error("store {path}: {message}")]
    Database {
        /// The database file (or connection name).
        path: String,
        /// What failed.
        message: String,
    },
    /// A secret could not be decrypted: the key that sealed it is missing or wrong.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The record refers to one that does not exist (an account's auth config).
    #[error("{0} does not exist")]
    Missing(String),
    /// The record is still used (an auth config with connected accounts).
    #[error("{what} is used by {count} connected account(s); remove them first (`toolsmith accounts remove`)")]
    InUse {
        /// The record.
        what: String,
        /// How many records use it.
        count: usize,
    },
    /// The refresh lease of an account was lost (it expired and another process took it).
    #[error("the refresh lock of {0} was taken over by another process")]
    LockLost(ConnectedAccountId),
}

/// The status of a connected account (Composio's values).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AccountStatus {
    /// The connection was started (an OAuth redirect is pending).
    Initiated,
    /// Usable.
    Active,
    /// The credentials expired and cannot be refreshed: the user must reconnect.
    Expired,
    /// Connecting failed.
    Failed,
    /// The user or the provider revoked access.
    Revoked,
    /// Disabled by the application.
    Inactive,
}

impl AccountStatus {
    /// The status as Composio writes it (`ACTIVE`).
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Initiated => "INITIATED",
            AccountStatus::Active => "ACTIVE",
            AccountStatus::Expired => "EXPIRED",
            AccountStatus::Failed => "FAILED",
            AccountStatus::Revoked => "REVOKED",
            AccountStatus::Inactive => "INACTIVE",
        }
    }

    /// Parses `ACTIVE` etc. (any case).
    pub fn parse(s: &str) -> Option<Self> {
        [
            AccountStatus::Initiated,
            AccountStatus::Active,
            AccountStatus::Expired,
            AccountStatus::Failed,
            AccountStatus::Revoked,
            AccountStatus::Inactive,
        ]
        .into_iter()
        .find(|status| status.as_str().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for AccountStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How one toolkit authenticates in this deployment (`ac_…`): which of the toolkit's
/// auth schemes, and for OAuth 2.0 the client and scopes.
#[derive(Clone, Debug)]
pub struct AuthConfig {
    /// Its id.
    pub id: AuthConfigId,
    /// The toolkit.
    pub toolkit: ToolkitSlug,
    /// A name for people (`GitHub (org app)`).
    pub name: String,
    /// The scheme's name in the toolkit spec: `oauth2`, `api_key`, `bearer`, `basic`, `none`.
    pub scheme: String,
    /// OAuth 2.0 client id.
    pub client_id: Option<String>,
    /// OAuth 2.0 client secret; encrypted at rest.
    pub client_secret: Option<SecretString>,
    /// OAuth 2.0 scopes requested; the spec's defaults when empty.
    pub scopes: Vec<String>,
    /// Disabled configs connect no new accounts.
    pub disabled: bool,
    /// When it was created.
    pub created_at: SystemTime,
}

/// OAuth 2.0 tokens of a connected account.
#[derive(Clone, Debug)]
pub struct OAuth2Tokens {
    /// The access token sent with requests.
    pub access_token: SecretString,
    /// The refresh token, when the provider issued one.
    pub refresh_token: Option<SecretString>,
    /// `Bearer` unless the provider says otherwise.
    pub token_type: String,
    /// When the access token expires; `None` when the provider did not say (treated as
    /// not expiring until a 401).
    pub expires_at: Option<SystemTime>,
    /// The scopes granted.
    pub scopes: Vec<String>,
}

/// A connected account's secrets: encrypted at rest as one sealed value, never in a
/// log, an error, `Debug` output or the CLI's output.
#[derive(Clone, Debug, Default)]
pub struct Credentials {
    /// Secret connection fields by name (`api_key`, `token`, `password`, …).
    pub secrets: BTreeMap<String, SecretString>,
    /// OAuth 2.0 tokens.
    pub oauth2: Option<OAuth2Tokens>,
}

impl Credentials {
    /// A secret field's value.
    pub fn secret(&self, name: &str) -> Option<&str> {
        self.secrets.get(name).map(|s| s.expose_secret())
    }
}

/// One user's credentials for one toolkit (`ca_…`).
#[derive(Clone, Debug)]
pub struct ConnectedAccount {
    /// Its id.
    pub id: ConnectedAccountId,
    /// The user it belongs to.
    pub user_id: UserId,
    /// The toolkit.
    pub toolkit: ToolkitSlug,
    /// The auth config it was connected with.
    pub auth_config: AuthConfigId,
    /// Whether it can be used.
    pub status: AccountStatus,
    /// Why it has its status (`invalid_grant: the refresh token was revoked`), for people.
    pub status_reason: Option<String>,
    /// A name the user gave it (`work`, `personal`), unique per user and toolkit.
    pub alias: Option<String>,
    /// Non-secret connection fields (`subdomain`), used in templated base URLs.
    pub fields: BTreeMap<String, String>,
    /// The secrets.
    pub credentials: Credentials,
    /// When it was created.
    pub created_at: SystemTime,
    /// When it last changed.
    pub updated_at: SystemTime,
}

/// Which connected accounts [`Store::accounts`] returns; empty fields match all.
#[derive(Clone, Debug, Default)]
pub struct AccountFilter {
    /// Only this user's.
    pub user_id: Option<UserId>,
    /// Only this toolkit's.
    pub toolkit: Option<ToolkitSlug>,
    /// Only those of this auth config.
    pub auth_config: Option<AuthConfigId>,
    /// Only those with one of these statuses.
    pub statuses: Vec<AccountStatus>,
}

/// One execution, as logged (never with a secret or the arguments' values).
#[derive(Clone, Debug, PartialEq)]
pub struct ExecutionLog {
    /// Its id, returned with the result (`log_id`).
    pub id: LogId,
    /// The tool.
    pub tool: ToolSlug,
    /// The user.
    pub user_id: UserId,
    /// The connected account used, if any.
    pub account: Option<ConnectedAccountId>,
    /// The last HTTP status received, if a response came.
    pub status: Option<u16>,
    /// Whether the call succeeded.
    pub successful: bool,
    /// The error message when it did not.
    pub error: Option<String>,
    /// Requests sent (retries included).
    pub attempts: u32,
    /// Wall time of the whole execution, in milliseconds.
    pub duration_ms: u64,
    /// When it started.
    pub started_at: SystemTime,
}

/// Which log entries [`Store::logs`] returns: newest first.
#[derive(Clone, Debug)]
pub struct LogFilter {
    /// Only this user's.
    pub user_id: Option<UserId>,
    /// Only this tool's.
    pub tool: Option<ToolSlug>,
    /// At most this many (20 by default).
    pub limit: usize,
}

impl Default for LogFilter {
    fn default() -> Self {
        LogFilter { user_id: None, tool: None, limit: 20 }
    }
}

/// The storage of auth configs, connected accounts, refresh leases and execution logs.
///
/// Implementations encrypt [`Credentials`] and client secrets with their [`KeyRing`];
/// callers only see decrypted values in `secrecy` types.
#[async_trait::async_trait]
pub trait Store: Send + Sync + fmt::Debug {
    /// Inserts or replaces an auth config.
    async fn put_auth_config(&self, config: &AuthConfig) -> Result<(), StoreError>;
    /// An auth config by id.
    async fn auth_config(&self, id: &AuthConfigId) -> Result<Option<AuthConfig>, StoreError>;
    /// Every auth config, or a toolkit's, oldest first.
    async fn auth_configs(&self, toolkit: Option<&ToolkitSlug>) -> Result<Vec<AuthConfig>, StoreError>;
    /// Deletes an auth config; [`StoreError::InUse`] while accounts use it. `false` when
    /// there was none.
    async fn delete_auth_config(&self, id: &AuthConfigId) -> Result<bool, StoreError>;

    /// Inserts or replaces a connected account; [`StoreError::Missing`] when its auth
    /// config does not exist.
    async fn put_account(&self, account: &ConnectedAccount) -> Result<(), StoreError>;
    /// A connected account by id.
    async fn account(&self, id: &ConnectedAccountId) -> Result<Option<ConnectedAccount>, StoreError>;
    /// The connected accounts matching `filter`, oldest first.
    async fn accounts(&self, filter: &AccountFilter) -> Result<Vec<ConnectedAccount>, StoreError>;
    /// Deletes a connected account; `false` when there was none.
    async fn delete_account(&self, id: &ConnectedAccountId) -> Result<bool, StoreError>;

    /// Takes the cross-process refresh lease of an account for `ttl`: `true` when it was
    /// free, expired, or already held by `holder`.
    async fn try_lock_refresh(&self, id: &ConnectedAccountId, holder: &str, ttl: Duration) -> Result<bool, StoreError>;
    /// Releases the lease `holder` took and, in the same transaction, writes `account`
    /// (its new tokens or status) when given; [`StoreError::LockLost`] when the lease is
    /// no longer `holder`'s.
    async fn finish_refresh(
        &self,
        id: &ConnectedAccountId,
        holder: &str,
        account: Option<&ConnectedAccount>,
    ) -> Result<(), StoreError>;

    /// Appends an execution log entry.
    async fn put_log(&self, entry: &ExecutionLog) -> Result<(), StoreError>;
    /// Appends several entries; backends write them in one transaction.
    async fn put_logs(&self, entries: &[ExecutionLog]) -> Result<(), StoreError> {
        for entry in entries {
            self.put_log(entry).await?;
        }
        Ok(())
    }
    /// A log entry by id.
    async fn log(&self, id: &LogId) -> Result<Option<ExecutionLog>, StoreError>;
    /// Log entries matching `filter`, newest first.
    async fn logs(&self, filter: &LogFilter) -> Result<Vec<ExecutionLog>, StoreError>;

    /// Re-encrypts every secret with the key ring's current key; returns how many
    /// values were re-encrypted. Run after adding a key (`toolsmith keys rotate`).
    async fn reencrypt(&self) -> Result<usize, StoreError>;
}
