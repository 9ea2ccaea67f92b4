//! [`ConnectedAccounts`] in PostgreSQL: the accounts of this handle's project. Each write
//! sends the accounts notification inside its transaction, so the other servers hear of
//! it once it committed, and moves this server's `account_changes` after the commit.

use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};
use toolsmith_core::{AuthConfigId, ConnectedAccountId, UserId};
use toolsmith_spec::ToolkitSlug;

use super::context::sql;
use super::handle::PgStore;
use super::notify::notify_accounts;
use crate::rows::accounts::{alias_taken, missing_config, AccountRow, ACCOUNT_COLUMNS, ACCOUNT_UPDATE};
use crate::{AccountFilter, ConnectedAccount, ConnectedAccounts, StoreError};

/// The unique index of an alias per user and toolkit (migrations).
const ALIAS_INDEX: &str = "connected_accounts_alias";

fn account_row(row: &PgRow) -> AccountRow {
    AccountRow {
        id: row.get(0),
        user_id: row.get(1),
        toolkit: row.get(2),
        auth_config: row.get(3),
        status: row.get(4),
        status_reason: row.get(5),
        alias: row.get(6),
        fields: row.get(7),
        credentials: row.get(8),
        created_at: row.get(9),
        updated_at: row.get(10),
    }
}

/// Inserts or updates `account` (encoded as `row`) in the caller's transaction `tx`:
/// [`StoreError::Missing`] when its auth config is not the project's,
/// [`StoreError::Conflict`] when its alias is taken or another project has its id.
pub(super) async fn write_account(
    tx: &mut PgConnection,
    store: &PgStore,
    account: &ConnectedAccount,
    row: AccountRow,
) -> Result<(), StoreError> {
    let cx = store.cx();
    let what = || format!("save connected account {}", account.id);
    let config = sqlx::query("SELECT 1 FROM auth_configs WHERE id = $1 AND project = $2")
        .bind(account.auth_config.as_str())
        .bind(&*store.project)
        .fetch_optional(&mut *tx)
        .await
        .map_err(|e| cx.db(what(), e))?;
    if config.is_none() {
        return Err(missing_config(account));
    }
    let query = format!(
        "INSERT INTO connected_accounts (project, {ACCOUNT_COLUMNS})
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (id) DO UPDATE SET {ACCOUNT_UPDATE} WHERE connected_accounts.project = excluded.project"
    );
    let written = sqlx::query(sql(query))
        .bind(&*store.project)
        .bind(row.id)
        .bind(row.user_id)
        .bind(row.toolkit)
        .bind(row.auth_config)
        .bind(row.status)
        .bind(row.status_reason)
        .bind(row.alias)
        .bind(row.fields)
        .bind(row.credentials)
        .bind(row.created_at)
        .bind(row.updated_at)
        .execute(&mut *tx)
        .await;
    match written {
        Ok(done) if done.rows_affected() == 0 => Err(StoreError::Conflict {
            path: cx.name.to_owned(),
            message: format!(
                "could not save connected account {}: another project has a connected account with this id; \
                 generate a new id (`ConnectedAccountId::generate`)",
                account.id
            ),
            source: None,
        }),
        Ok(_) => Ok(()),
        Err(e) => match e.as_database_error() {
            Some(d) if d.is_unique_violation() && d.constraint() == Some(ALIAS_INDEX) => {
                Err(alias_taken(&cx, account, Box::new(e)))
            }
            // The auth config was there a moment ago and is gone.
            Some(d) if d.is_foreign_key_violation() => Err(missing_config(account)),
            _ => Err(cx.db(what(), e)),
        },
    }
}

#[async_trait::async_trait]
impl ConnectedAccounts for PgStore {
    async fn put_account(&self, account: &ConnectedAccount) -> Result<(), StoreError> {
        let cx = self.cx();
        let row = AccountRow::encode(account, &cx)?;
        let what = || format!("save connected account {}", account.id);
        let mut tx = self.pool().begin().await.map_err(|e| cx.db(what(), e))?;
        write_account(&mut tx, self, account, row).await?;
        notify_accounts(&mut tx, self, what()).await?;
        tx.commit().await.map_err(|e| cx.db(what(), e))?;
        self.accounts_changed();
        Ok(())
    }

    async fn account(&self, id: &ConnectedAccountId) -> Result<Option<ConnectedAccount>, StoreError> {
        let query = format!("SELECT {ACCOUNT_COLUMNS} FROM connected_accounts WHERE id = $1 AND project = $2");
        let row = sqlx::query(sql(query))
            .bind(id.as_str())
            .bind(&*self.project)
            .fetch_optional(self.pool())
            .await
            .map_err(|e| self.cx().db(format!("read connected account {id}"), e))?;
        row.map(|row| account_row(&row).decode(&self.cx())).transpose()
    }

    async fn accounts(&self, filter: &AccountFilter) -> Result<Vec<ConnectedAccount>, StoreError> {
        let query = format!(
            "SELECT {ACCOUNT_COLUMNS} FROM connected_accounts WHERE project = $1
                 AND ($2::text IS NULL OR user_id = $2) AND ($3::text IS NULL OR toolkit = $3)
                 AND ($4::text IS NULL OR auth_config = $4) AND (cardinality($5::text[]) = 0 OR status = ANY($5))
             ORDER BY created_at, seq"
        );
        let statuses: Vec<&str> = filter.statuses.iter().map(|s| s.as_str()).collect();
        let rows = sqlx::query(sql(query))
            .bind(&*self.project)
            .bind(filter.user_id.as_ref().map(UserId::as_str))
            .bind(filter.toolkit.as_ref().map(ToolkitSlug::as_str))
            .bind(filter.auth_config.as_ref().map(AuthConfigId::as_str))
            .bind(statuses)
            .fetch_all(self.pool())
            .await
            .map_err(|e| self.cx().db("list connected accounts", e))?;
        rows.iter().map(|row| account_row(row).decode(&self.cx())).collect()
    }

    /// Its Connect Links, refresh lease and trigger instances go with it (foreign keys).
    async fn delete_account(&self, id: &ConnectedAccountId) -> Result<bool, StoreError> {
        let cx = self.cx();
        let what = || format!("delete connected account {id}");
        let mut tx = self.pool().begin().await.map_err(|e| cx.db(what(), e))?;
        let deleted = sqlx::query("DELETE FROM connected_accounts WHERE id = $1 AND project = $2")
            .bind(id.as_str())
            .bind(&*self.project)
            .execute(&mut *tx)
            .await
            .map_err(|e| cx.db(what(), e))?
            .rows_affected()
            > 0;
        if deleted {
            notify_accounts(&mut tx, self, what()).await?;
        }
        tx.commit().await.map_err(|e| cx.db(what(), e))?;
        if deleted {
            self.accounts_changed();
        }
        Ok(deleted)
    }

    fn account_changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.shared.account_changes.subscribe()
    }
}
