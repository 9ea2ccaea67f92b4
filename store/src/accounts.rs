//! Connected accounts (`ca_…`): one user's credentials for one toolkit.

use std::collections::BTreeMap;
use std::fmt;
use std::time::SystemTime;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use toolsmith_core::{AuthConfigId, ConnectedAccountId, UserId};
use toolsmith_spec::ToolkitSlug;

use crate::StoreError;

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

/// Which connected accounts [`ConnectedAccounts::accounts`] returns; empty fields match all.
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

/// The connected accounts of a deployment. [`Credentials`] are sealed at rest; callers
/// see them decrypted, in `secrecy` types.
#[async_trait::async_trait]
pub trait ConnectedAccounts: Send + Sync + fmt::Debug {
    /// Inserts or replaces a connected account; [`StoreError::Missing`] when its auth
    /// config does not exist, [`StoreError::Conflict`] when its user already has an
    /// account of the toolkit with the same alias.
    async fn put_account(&self, account: &ConnectedAccount) -> Result<(), StoreError>;
    /// A connected account by id.
    async fn account(&self, id: &ConnectedAccountId) -> Result<Option<ConnectedAccount>, StoreError>;
    /// The connected accounts matching `filter`, oldest first.
    async fn accounts(&self, filter: &AccountFilter) -> Result<Vec<ConnectedAccount>, StoreError>;
    /// Deletes a connected account (and its refresh lease and Connect Links); `false` when
    /// there was none.
    async fn delete_account(&self, id: &ConnectedAccountId) -> Result<bool, StoreError>;
    /// A counter that grows after every write to the connected accounts made through this
    /// store value (put, delete, finish_refresh with an account). Writes by other processes
    /// sharing the database are not seen: waiters re-read at a slow interval too.
    ///
    /// ```
    /// use toolsmith_store::{ConnectedAccounts, KeyRing, SqliteStore};
    ///
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let store = SqliteStore::in_memory(KeyRing::generate()?)?;
    /// let mut changes = store.account_changes();
    /// let before = *changes.borrow_and_update();
    /// // … a task waits with `changes.changed().await`, then re-reads the accounts.
    /// assert!(!changes.has_changed()?);
    /// # let _ = before;
    /// # Ok::<(), Box<dyn std::error::Error>>(()) }).unwrap();
    /// ```
    fn account_changes(&self) -> tokio::sync::watch::Receiver<u64>;
}
