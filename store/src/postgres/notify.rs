//! Telling other servers: writes to connected accounts `NOTIFY` a channel, and each
//! server's listener turns notifications into moves of its `account_changes`.

use std::fmt;
use std::time::Duration;

use sqlx::postgres::PgListener;
use sqlx::PgPool;
use tokio::sync::watch;

use super::handle::PgStore;
use crate::StoreError;

/// The `NOTIFY` channel of writes to connected accounts; the payload is the project id.
const ACCOUNTS_CHANNEL: &str = "toolsmith_accounts";

/// Sends the accounts notification inside the transaction `tx`: other servers receive it
/// when (and only if) the transaction commits.
pub(super) async fn notify_accounts(
    tx: &mut sqlx::PgConnection,
    store: &PgStore,
    what: impl fmt::Display,
) -> Result<(), StoreError> {
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(ACCOUNTS_CHANNEL)
        .bind(&*store.project)
        .execute(tx)
        .await
        .map(drop)
        .map_err(|e| store.cx().db(what, e))
}

/// Listens for other servers' account notifications and bumps `changes` on each, and once
/// after every reconnection (notifications sent meanwhile are lost). Runs until aborted.
pub(super) async fn listen(pool: PgPool, name: String, changes: watch::Sender<u64>) {
    let bump = || changes.send_modify(|count| *count = count.wrapping_add(1));
    loop {
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(listener) => listener,
            Err(e) => {
                tracing_warn(&name, &e);
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if let Err(e) = listener.listen(ACCOUNTS_CHANNEL).await {
            tracing_warn(&name, &e);
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        }
        bump();
        // `try_recv` answers `None` when the connection was lost; `recv` would reconnect
        // silently, hiding that notifications may have been missed.
        loop {
            match listener.try_recv().await {
                Ok(Some(_)) => bump(),
                Ok(None) => break,
                Err(e) => {
                    tracing_warn(&name, &e);
                    break;
                }
            }
        }
    }
}

fn tracing_warn(name: &str, e: &sqlx::Error) {
    tracing::warn!(database = name, error = %e, "listening for other servers' account changes failed; retrying in 1 s");
}
