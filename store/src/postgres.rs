//! The store in a PostgreSQL database, shared by several servers (feature `postgres`).
//!
//! One database holds every project: [`PgStore::connect`] opens the default project's
//! records and [`PgStore::for_project`] another project's over the same pool. Secrets are
//! sealed with the [`KeyRing`] exactly as in SQLite, so a dump of the database holds no
//! secret. Writes to connected accounts `NOTIFY` the other servers, whose
//! [`account_changes`](crate::ConnectedAccounts::account_changes) then move: their
//! account caches drop what they held and `WAIT_FOR_CONNECTIONS` wakes wherever it waits.

mod accounts;
mod auth_configs;
mod context;
mod handle;
mod leases;
mod links;
mod logs;
mod mcp_sessions;
mod migrations;
mod notify;
mod outbox;
mod projects;
mod rotation;
mod sessions;
mod subscriptions;
mod triggers;

use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;
use tokio::sync::watch;

use self::context::{db_error, redacted};
pub use self::handle::PgStore;
use self::handle::Shared;
pub use self::migrations::SchemaStatus;
use crate::crypto::LiveKeys;
use crate::{KeyRing, Project, StoreError, DEFAULT_PROJECT};

/// How [`PgStore::connect_with`] connects.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct PgOptions {
    /// The most connections the pool opens (default 16).
    pub max_connections: u32,
    /// How long a call waits for a free connection before failing with
    /// [`StoreError::Busy`] (default 10 s).
    pub acquire_timeout: Duration,
    /// Whether connecting migrates the schema (default `true`); without it, a database
    /// whose schema is not this build's is refused (`toolsmith db migrate` first).
    pub migrate: bool,
}

impl Default for PgOptions {
    fn default() -> Self {
        PgOptions { max_connections: 16, acquire_timeout: Duration::from_secs(10), migrate: true }
    }
}

impl PgStore {
    /// The schema version this build writes.
    pub const SCHEMA_VERSION: u32 = migrations::SCHEMA_VERSION;

    /// Connects to the database at `url` (`postgres://user:password@host:port/database`)
    /// with [`PgOptions::default`], migrates it, and opens the main handle: the default
    /// project's records ([`DEFAULT_PROJECT`]), and the projects and API keys of all.
    pub async fn connect(url: &str, keys: KeyRing) -> Result<PgStore, StoreError> {
        PgStore::connect_with(url, keys, PgOptions::default()).await
    }

    /// [`connect`](PgStore::connect) with options.
    pub async fn connect_with(url: &str, keys: KeyRing, options: PgOptions) -> Result<PgStore, StoreError> {
        let name = redacted(url);
        let pool = PgStore::open_pool(url, &name, &options).await?;
        if options.migrate {
            migrations::migrate(&pool, &name).await?;
        } else {
            let status = migrations::status(&pool, &name).await?;
            if status.current() != Self::SCHEMA_VERSION {
                return Err(StoreError::Database {
                    path: name,
                    message: format!(
                        "the database has schema version {}, this toolsmith needs {}: run `toolsmith db migrate`",
                        status.current(),
                        Self::SCHEMA_VERSION
                    ),
                    source: None,
                });
            }
        }
        let account_changes = watch::Sender::new(0);
        let listener = tokio::spawn(notify::listen(pool.clone(), name.clone(), account_changes.clone())).abort_handle();
        let shared = Arc::new(Shared { name, pool, keys: LiveKeys::new(keys), account_changes, listener });
        Ok(PgStore { shared, project: Arc::from(DEFAULT_PROJECT) })
    }

    /// Migrates the database at `url` to [`SCHEMA_VERSION`](PgStore::SCHEMA_VERSION);
    /// returns the versions it applied (none when it was up to date). Servers starting
    /// together migrate it once.
    pub async fn migrate(url: &str) -> Result<Vec<u32>, StoreError> {
        let name = redacted(url);
        let pool = PgStore::open_pool(url, &name, &PgOptions { max_connections: 1, ..PgOptions::default() }).await?;
        let applied = migrations::migrate(&pool, &name).await;
        pool.close().await;
        applied
    }

    /// The schema of the database at `url`, read without changing it.
    pub async fn schema_status(url: &str) -> Result<SchemaStatus, StoreError> {
        let name = redacted(url);
        let pool = PgStore::open_pool(url, &name, &PgOptions { max_connections: 1, ..PgOptions::default() }).await?;
        let status = migrations::status(&pool, &name).await;
        pool.close().await;
        status
    }

    async fn open_pool(url: &str, name: &str, options: &PgOptions) -> Result<PgPool, StoreError> {
        PgPoolOptions::new()
            .max_connections(options.max_connections)
            .acquire_timeout(options.acquire_timeout)
            .connect(url)
            .await
            .map_err(|e| db_error(name, "connect to the database", e))
    }

    /// The records of `project`, over this handle's pool: the default project's
    /// ([`DEFAULT_PROJECT`]) are the main handle's own, as in SQLite's main file.
    pub fn for_project(&self, project: &Project) -> PgStore {
        let scope = if project.name == DEFAULT_PROJECT { DEFAULT_PROJECT } else { project.id.as_str() };
        PgStore { shared: Arc::clone(&self.shared), project: Arc::from(scope) }
    }

    /// How messages name the database at `url`: the URL without its password (or query
    /// string, which may hold one).
    ///
    /// ```
    /// let shown = toolsmith_store::PgStore::display_url("postgres://ts:hunter2@db:5432/toolsmith");
    /// assert_eq!(shown, "postgres://ts@db:5432/toolsmith");
    /// ```
    pub fn display_url(url: &str) -> String {
        redacted(url)
    }

    /// The database's URL without its password.
    pub fn name(&self) -> &str {
        &self.shared.name
    }
}
