//! [`ConnectLinks`] in PostgreSQL. Messages name a link by its account, never by its
//! token hash.

use std::time::SystemTime;

use sqlx::postgres::PgRow;
use sqlx::Row;
use toolsmith_core::{ConnectedAccountId, SessionId};

use super::context::sql;
use super::handle::PgStore;
use crate::rows::links::{duplicate_link, missing_account, LinkRow, LINK_COLUMNS};
use crate::rows::to_ms;
use crate::{ConnectLink, ConnectLinks, StoreError};

fn link_row(row: &PgRow) -> LinkRow {
    LinkRow {
        token_hash: row.get(0),
        account: row.get(1),
        user_id: row.get(2),
        toolkit: row.get(3),
        auth_config: row.get(4),
        session: row.get(5),
        callback_url: row.get(6),
        created_at: row.get(7),
        expires_at: row.get(8),
        used_at: row.get(9),
    }
}

impl PgStore {
    /// The link the query `text` returns, if any; its `$1` is the project.
    async fn one_link(
        &self,
        text: String,
        token_hash: &str,
        now: Option<i64>,
        what: &str,
    ) -> Result<Option<ConnectLink>, StoreError> {
        let mut query = sqlx::query(sql(text)).bind(&*self.project).bind(token_hash);
        if let Some(now) = now {
            query = query.bind(now);
        }
        let row = query.fetch_optional(self.pool()).await.map_err(|e| self.cx().db(what, e))?;
        row.map(|row| link_row(&row).decode(&self.cx())).transpose()
    }
}

#[async_trait::async_trait]
impl ConnectLinks for PgStore {
    async fn put_link(&self, link: &ConnectLink) -> Result<(), StoreError> {
        let what = || format!("save a Connect Link for connected account {}", link.account);
        let db = |e| self.cx().db(what(), e);
        let mut tx = self.pool().begin().await.map_err(db)?;
        // Locked against a delete until the link is written.
        let found = sqlx::query("SELECT 1 FROM connected_accounts WHERE id = $1 AND project = $2 FOR KEY SHARE")
            .bind(link.account.as_str())
            .bind(&*self.project)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
        if found.is_none() {
            return Err(missing_account(link));
        }
        let written = sqlx::query(sql(format!(
            "INSERT INTO connect_links ({LINK_COLUMNS}, project) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        )))
        .bind(&link.token_hash)
        .bind(link.account.as_str())
        .bind(link.user_id.as_str())
        .bind(link.toolkit.as_str())
        .bind(link.auth_config.as_str())
        .bind(link.session.as_ref().map(SessionId::as_str))
        .bind(&link.callback_url)
        .bind(to_ms(link.created_at))
        .bind(to_ms(link.expires_at))
        .bind(link.used_at.map(to_ms))
        .bind(&*self.project)
        .execute(&mut *tx)
        .await;
        match written.map_err(db) {
            Ok(_) => {}
            // PostgreSQL's detail quotes the token hash: it is not passed on.
            Err(StoreError::Conflict { path, .. }) => {
                return Err(StoreError::Conflict { path, message: duplicate_link(link), source: None })
            }
            Err(e) => return Err(e),
        }
        tx.commit().await.map_err(db)
    }

    async fn link(&self, token_hash: &str) -> Result<Option<ConnectLink>, StoreError> {
        let query = format!("SELECT {LINK_COLUMNS} FROM connect_links WHERE project = $1 AND token_hash = $2");
        self.one_link(query, token_hash, None, "read a Connect Link").await
    }

    /// One statement: of two consumers, on any servers, the second waits for the first's
    /// row lock, then finds `used_at` set.
    async fn consume_link(&self, token_hash: &str, now: SystemTime) -> Result<Option<ConnectLink>, StoreError> {
        let query = format!(
            "UPDATE connect_links SET used_at = $3
             WHERE project = $1 AND token_hash = $2 AND used_at IS NULL AND expires_at > $3
             RETURNING {LINK_COLUMNS}"
        );
        self.one_link(query, token_hash, Some(to_ms(now)), "use a Connect Link").await
    }

    async fn links_of(&self, account: &ConnectedAccountId) -> Result<Vec<ConnectLink>, StoreError> {
        let query = format!(
            "SELECT {LINK_COLUMNS} FROM connect_links WHERE project = $1 AND account = $2
             ORDER BY created_at DESC, seq DESC"
        );
        let rows = sqlx::query(sql(query))
            .bind(&*self.project)
            .bind(account.as_str())
            .fetch_all(self.pool())
            .await
            .map_err(|e| self.cx().db(format!("list the Connect Links of connected account {account}"), e))?;
        rows.iter().map(|row| link_row(row).decode(&self.cx())).collect()
    }
}
