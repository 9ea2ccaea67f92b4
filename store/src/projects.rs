//! Projects and their API keys: who may use a server, and which project's records a
//! request sees.
//!
//! A project's records (auth configs, accounts, sessions, links, logs) live in the
//! project's own store ([`SqliteStore::open_project`](crate::SqliteStore)): a key of one
//! project cannot reach another's records because they are not in its store. The
//! projects and keys themselves live in the home's main store.

use std::fmt;
use std::time::SystemTime;

use base64::Engine as _;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use toolsmith_core::{ApiKeyId, ProjectId};

use crate::StoreError;

/// The project every home has: its records are the main store's own (what the CLI's
/// `accounts` and `auth-configs` commands work on).
pub const DEFAULT_PROJECT: &str = "default";

/// A project.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Project {
    /// Its id.
    pub id: ProjectId,
    /// Its name, unique (`default`, `acme-prod`).
    pub name: String,
    /// When it was created.
    pub created_at: SystemTime,
}

/// An API key as shown once to its creator: `tsk_` and 43 characters of base64url.
///
/// ```
/// use toolsmith_store::ApiKeySecret;
/// let key = ApiKeySecret::generate();
/// assert!(key.expose().starts_with("tsk_"));
/// assert_eq!(ApiKeySecret::from(key.expose().to_owned()).hash(), key.hash());
/// assert!(!format!("{key:?}").contains(key.expose()));
/// ```
#[derive(Clone)]
pub struct ApiKeySecret(SecretString);

impl ApiKeySecret {
    /// A new random key.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        if getrandom::fill(&mut bytes).is_err() {
            let nanos = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
            bytes = Sha256::digest(nanos.to_le_bytes()).into();
        }
        ApiKeySecret(SecretString::from(format!(
            "tsk_{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
        )))
    }

    /// The key, to show once.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// What a store keeps: the SHA-256 of the key, lower-case hex.
    pub fn hash(&self) -> String {
        Sha256::digest(self.expose().as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The first 8 characters, to tell keys apart in a list (`tsk_AbCd`).
    pub fn prefix(&self) -> String {
        self.expose().chars().take(8).collect()
    }
}

impl From<String> for ApiKeySecret {
    fn from(key: String) -> Self {
        ApiKeySecret(SecretString::from(key))
    }
}

impl fmt::Debug for ApiKeySecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKeySecret([REDACTED])")
    }
}

/// An API key as stored: never the key, only its hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiKey {
    /// Its id.
    pub id: ApiKeyId,
    /// The project it opens.
    pub project: ProjectId,
    /// A name for people (`ci`, `laptop`).
    pub name: Option<String>,
    /// [`ApiKeySecret::hash`].
    pub key_hash: String,
    /// [`ApiKeySecret::prefix`].
    pub prefix: String,
    /// When it was created.
    pub created_at: SystemTime,
    /// When it was revoked; a revoked key opens nothing.
    pub revoked_at: Option<SystemTime>,
}

/// The projects of a home and their API keys.
#[async_trait::async_trait]
pub trait Projects: Send + Sync + fmt::Debug {
    /// Stores a new project; [`StoreError::Conflict`] when its id or name is taken.
    async fn put_project(&self, project: &Project) -> Result<(), StoreError>;
    /// A project by id.
    async fn project(&self, id: &ProjectId) -> Result<Option<Project>, StoreError>;
    /// A project by name.
    async fn project_named(&self, name: &str) -> Result<Option<Project>, StoreError>;
    /// Every project, oldest first.
    async fn projects(&self) -> Result<Vec<Project>, StoreError>;
    /// Stores a new key; [`StoreError::Missing`] when its project does not exist,
    /// [`StoreError::Conflict`] when its id or hash exists.
    async fn put_api_key(&self, key: &ApiKey) -> Result<(), StoreError>;
    /// The key with this [`ApiKeySecret::hash`], revoked or not.
    async fn api_key_by_hash(&self, key_hash: &str) -> Result<Option<ApiKey>, StoreError>;
    /// The keys of a project, or of all, oldest first.
    async fn api_keys(&self, project: Option<&ProjectId>) -> Result<Vec<ApiKey>, StoreError>;
    /// Revokes a key at `at`; `false` when there was no such key or it was revoked already.
    async fn revoke_api_key(&self, id: &ApiKeyId, at: SystemTime) -> Result<bool, StoreError>;
}
