//! Where auth configs, connected accounts, refresh leases and execution logs live.
//!
//! Each aggregate has its own narrow trait: [`AuthConfigs`], [`ConnectedAccounts`],
//! [`RefreshLeases`], [`ExecutionLogs`], [`KeyRotation`], [`Sessions`] (sessions and what
//! they remember), [`ConnectLinks`] (single-use links that finish connecting an account)
//! [`Projects`] (projects and their API keys, kept as hashes) and [`TriggerInstances`]
//! (triggers enabled for an account, their secrets sealed), [`TriggerEvents`] (events and
//! the outbox that delivers them), [`WebhookSubscriptions`] and [`McpSessions`] (MCP
//! protocol sessions, so that any server can go on with them). [`Store`] is all of
//! them at once (any type that implements the twelve is a `Store`), so an `Arc<dyn Store>` serves every caller, and code that needs one aggregate
//! can ask for that trait alone. New aggregates each add a trait and a
//! bound on [`Store`].
//!
//! [`SqliteStore`] is the embedded backend (a SQLite file under `TOOLSMITH_HOME`, WAL,
//! migrations). The home's main store holds the projects and keys and the records of the
//! [`DEFAULT_PROJECT`]; every other project's records are in a file of their own
//! ([`SqliteStore::open_project`]). Secrets ([`Credentials`], OAuth client secrets) are encrypted at rest with
//! the [`KeyRing`] (AES-256-GCM); each ciphertext names its key so keys can be rotated.
//!
//! Store methods are trait methods: bring the traits into scope with
//! `use toolsmith_store::prelude::*` (a `dyn Store` needs no import).
//!
//! ```
//! use std::sync::Arc;
//! use toolsmith_store::prelude::*;
//! use toolsmith_store::{KeyRing, LogFilter, SqliteStore};
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let store: Arc<dyn Store> = Arc::new(SqliteStore::in_memory(KeyRing::generate()?)?);
//! assert!(store.auth_configs(None).await?.is_empty());
//! assert!(store.logs(&LogFilter::default()).await?.is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(()) }).unwrap();
//! ```

mod accounts;
mod auth_configs;
#[cfg(feature = "conformance")]
pub mod conformance;
mod crypto;
mod error;
mod home;
mod leases;
mod links;
mod logs;
mod mcp_sessions;
#[cfg(feature = "postgres")]
mod postgres;
mod projects;
mod rotation;
mod rows;
mod sessions;
mod sqlite;
mod trigger_events;
mod triggers;

pub use accounts::{AccountFilter, AccountStatus, ConnectedAccount, ConnectedAccounts, Credentials, OAuth2Tokens};
pub use auth_configs::{AuthConfig, AuthConfigs};
pub use crypto::{KeyError, KeyId, KeyRing, KeySource, SECRET_KEY_ENV};
pub use error::StoreError;
pub use home::default_home;
pub use leases::RefreshLeases;
pub use links::{ConnectLink, ConnectLinks, LinkToken};
pub use logs::{ExecutionLog, ExecutionLogs, LogFilter};
pub use mcp_sessions::McpSessions;
#[cfg(feature = "postgres")]
pub use postgres::{PgOptions, PgStore, SchemaStatus};
pub use projects::{ApiKey, ApiKeySecret, Project, Projects, DEFAULT_PROJECT};
pub use rotation::{prune_key_file, prune_key_file_of, KeyRotation, PruneError};
pub use sessions::{Fact, SessionRecord, Sessions};
pub use sqlite::SqliteStore;
pub use trigger_events::{
    DeliveryAttempt, DeliveryFilter, DeliveryNext, DeliveryRecord, DeliveryStatus, NewTriggerEvent, PendingDelivery,
    TriggerEvent, TriggerEventType, TriggerEvents, UnknownEventType, WebhookSubscription, WebhookSubscriptions,
};
pub use triggers::{TriggerFilter, TriggerInstance, TriggerInstances};

/// Every aggregate of the store: auth configs, connected accounts, refresh leases,
/// execution logs, key rotation, sessions, Connect Links, projects and API keys, trigger
/// instances, trigger events and their outbox, webhook subscriptions, MCP sessions.
///
/// It has no methods of its own and is implemented for every type that implements the
/// aggregate traits, so a backend implements those and gets `Store` for free.
/// Implementations encrypt [`Credentials`] and client secrets with their [`KeyRing`];
/// callers only see decrypted values in `secrecy` types.
///
/// ```
/// use std::sync::Arc;
/// use toolsmith_store::{ConnectedAccounts, KeyRing, SqliteStore, Store};
///
/// /// Needs the accounts only.
/// async fn active(accounts: &(impl ConnectedAccounts + ?Sized)) -> usize {
///     accounts.accounts(&Default::default()).await.map_or(0, |a| a.len())
/// }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let store: Arc<dyn Store> = Arc::new(SqliteStore::in_memory(KeyRing::generate()?)?);
/// assert_eq!(active(&*store).await, 0);
/// # Ok::<(), Box<dyn std::error::Error>>(()) }).unwrap();
/// ```
pub trait Store:
    AuthConfigs
    + ConnectedAccounts
    + RefreshLeases
    + ExecutionLogs
    + KeyRotation
    + Sessions
    + ConnectLinks
    + Projects
    + TriggerInstances
    + TriggerEvents
    + WebhookSubscriptions
    + McpSessions
{
}

impl<T> Store for T where
    T: AuthConfigs
        + ConnectedAccounts
        + RefreshLeases
        + ExecutionLogs
        + KeyRotation
        + Sessions
        + ConnectLinks
        + Projects
        + TriggerInstances
        + TriggerEvents
        + WebhookSubscriptions
        + McpSessions
{
}

/// The store's traits, to call their methods on a concrete store:
/// `use toolsmith_store::prelude::*`.
pub mod prelude {
    pub use crate::{
        AuthConfigs, ConnectLinks, ConnectedAccounts, ExecutionLogs, KeyRotation, McpSessions, Projects, RefreshLeases,
        Sessions, Store, TriggerEvents, TriggerInstances, WebhookSubscriptions,
    };
}
