//! [`RefreshLeases`] in PostgreSQL: one server of the cluster refreshes an account's
//! tokens at a time. The lease is taken with one statement and timed by the database's
//! clock, so servers whose clocks differ still agree on when it expires.

use std::time::Duration;

use toolsmith_core::ConnectedAccountId;

use super::accounts::write_account;
use super::context::sql;
use super::handle::PgStore;
use super::notify::notify_accounts;
use crate::rows::accounts::{wrong_refreshed_account, AccountRow};
use crate::{ConnectedAccount, RefreshLeases, StoreError};

/// The database's clock, in unix milliseconds (`clock_timestamp`, not the transaction's
/// start).
const DB_NOW_MS: &str = "(extract(epoch from clock_timestamp()) * 1000)::bigint";

/// The longest lease, in milliseconds: `now + ttl` stays far from overflowing a bigint.
const MAX_TTL_MS: i64 = 1 << 52;

#[async_trait::async_trait]
impl RefreshLeases for PgStore {
    /// One statement takes the lease when it is free, expired or already `holder`'s: of
    /// racing servers, one gets a row back.
    async fn try_lock_refresh(&self, id: &ConnectedAccountId, holder: &str, ttl: Duration) -> Result<bool, StoreError> {
        let cx = self.cx();
        let what = || format!("take the refresh lease of connected account {id}");
        let ttl_ms = i64::try_from(ttl.as_millis()).unwrap_or(MAX_TTL_MS).min(MAX_TTL_MS);
        let query = format!(
            "INSERT INTO refresh_leases AS l (account, holder, expires_at)
             SELECT id, $2, {DB_NOW_MS} + $3 FROM connected_accounts WHERE id = $1 AND project = $4
             ON CONFLICT (account) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
             WHERE l.expires_at <= {DB_NOW_MS} OR l.holder = excluded.holder
             RETURNING holder"
        );
        let taken = sqlx::query(sql(query))
            .bind(id.as_str())
            .bind(holder)
            .bind(ttl_ms)
            .bind(&*self.project)
            .fetch_optional(self.pool())
            .await;
        let missing = || StoreError::Missing(format!("connected account {id}"));
        match taken {
            Ok(Some(_)) => Ok(true),
            // The account was there a moment ago and is gone.
            Err(e) if e.as_database_error().is_some_and(|d| d.is_foreign_key_violation()) => Err(missing()),
            Err(e) => Err(cx.db(what(), e)),
            Ok(None) => {
                let exists = sqlx::query("SELECT 1 FROM connected_accounts WHERE id = $1 AND project = $2")
                    .bind(id.as_str())
                    .bind(&*self.project)
                    .fetch_optional(self.pool())
                    .await
                    .map_err(|e| cx.db(what(), e))?;
                match exists {
                    Some(_) => Ok(false),
                    None => Err(missing()),
                }
            }
        }
    }

    /// One transaction deletes `holder`'s lease and writes the account: when another
    /// server took the lease meanwhile, nothing is written ([`StoreError::LockLost`]). An
    /// expired lease that nobody took is still `holder`'s: nobody else refreshed.
    async fn finish_refresh(
        &self,
        id: &ConnectedAccountId,
        holder: &str,
        account: Option<&ConnectedAccount>,
    ) -> Result<(), StoreError> {
        let cx = self.cx();
        let row = match account {
            Some(account) if account.id != *id => return Err(wrong_refreshed_account(&cx, id, account)),
            Some(account) => Some(AccountRow::encode(account, &cx)?),
            None => None,
        };
        let what = || format!("finish the refresh of connected account {id}");
        let mut tx = self.pool().begin().await.map_err(|e| cx.db(what(), e))?;
        let released = sqlx::query(
            "DELETE FROM refresh_leases WHERE account = $1 AND holder = $2
                 AND account IN (SELECT id FROM connected_accounts WHERE id = $1 AND project = $3)",
        )
        .bind(id.as_str())
        .bind(holder)
        .bind(&*self.project)
        .execute(&mut *tx)
        .await
        .map_err(|e| cx.db(what(), e))?;
        if released.rows_affected() == 0 {
            return Err(StoreError::LockLost(id.clone()));
        }
        let (Some(account), Some(row)) = (account, row) else {
            return tx.commit().await.map_err(|e| cx.db(what(), e));
        };
        write_account(&mut tx, self, account, row).await?;
        notify_accounts(&mut tx, self, what()).await?;
        tx.commit().await.map_err(|e| cx.db(what(), e))?;
        self.accounts_changed();
        Ok(())
    }
}
