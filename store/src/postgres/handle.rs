//! [`PgStore`], the handle every query file implements traits on, and what those share:
//! the pool, the key ring, the project, the database's name for messages.

use std::fmt;
use std::sync::Arc;

use sqlx::PgPool;
use tokio::sync::watch;

use super::context::Cx;
use crate::crypto::LiveKeys;

/// A [`Store`](crate::Store) in a PostgreSQL database: one project's records, over a
/// connection pool that clones (and [`for_project`](PgStore::for_project) handles) share.
///
/// Times are stored as unix milliseconds, so they come back rounded down to the
/// millisecond, as from SQLite. Every write is one transaction; claims (refresh leases,
/// polls, deliveries) are made in the database, so any number of servers can share it.
///
/// ```no_run
/// use toolsmith_store::prelude::*;
/// use toolsmith_store::{KeyRing, PgStore};
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let store = PgStore::connect("postgres://toolsmith@127.0.0.1/toolsmith", KeyRing::generate()?).await?;
/// let acme = store.ensure_project("acme").await?;
/// let acme_store = store.for_project(&acme);
/// assert!(acme_store.auth_configs(None).await?.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(()) }).unwrap();
/// ```
#[derive(Clone)]
pub struct PgStore {
    pub(super) shared: Arc<Shared>,
    /// The value of the `project` column of the records this handle reads and writes:
    /// the project's id, or `default` for the default project, whose records the main
    /// handle ([`PgStore::connect`]) holds whatever its id (as SQLite's main file does).
    pub(super) project: Arc<str>,
}

pub(super) struct Shared {
    /// The database's URL without its password, for messages.
    pub(super) name: String,
    pub(super) pool: PgPool,
    pub(super) keys: LiveKeys,
    /// Bumped after each committed write to connected accounts, here or (through
    /// `NOTIFY`) on another server.
    pub(super) account_changes: watch::Sender<u64>,
    /// The task that listens for other servers' notifications, stopped when the last
    /// handle goes.
    pub(super) listener: tokio::task::AbortHandle,
}

impl Drop for Shared {
    fn drop(&mut self) {
        self.listener.abort();
    }
}

impl PgStore {
    /// The pool.
    pub(super) fn pool(&self) -> &PgPool {
        &self.shared.pool
    }

    /// The key ring.
    pub(super) fn keys(&self) -> &LiveKeys {
        &self.shared.keys
    }

    pub(super) fn cx(&self) -> Cx<'_> {
        Cx { name: &self.shared.name, keys: &self.shared.keys }
    }

    /// Tells this server's [`account_changes`](crate::ConnectedAccounts::account_changes)
    /// receivers that the accounts changed; call after the write committed (other
    /// servers learn it from the `NOTIFY` the write sent, see `notify::notify_accounts`).
    pub(super) fn accounts_changed(&self) {
        self.shared.account_changes.send_modify(|count| *count = count.wrapping_add(1));
    }
}

impl fmt::Debug for PgStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgStore")
            .field("database", &self.shared.name)
            .field("project", &self.project)
            .field("keys", &self.shared.keys)
            .finish()
    }
}
