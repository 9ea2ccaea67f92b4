//! [`AuthConfigs`] in PostgreSQL: the auth configs of this handle's project.

use sqlx::postgres::PgRow;
use sqlx::Row;
use toolsmith_core::AuthConfigId;
use toolsmith_spec::ToolkitSlug;

use super::context::sql;
use super::handle::PgStore;
use crate::rows::auth_configs::{config_in_use, AuthConfigRow, AUTH_CONFIG_COLUMNS, AUTH_CONFIG_UPDATE};
use crate::{AuthConfig, AuthConfigs, StoreError};

fn auth_config_row(row: &PgRow) -> AuthConfigRow {
    AuthConfigRow {
        id: row.get(0),
        toolkit: row.get(1),
        name: row.get(2),
        scheme: row.get(3),
        client_id: row.get(4),
        client_secret: row.get(5),
        scopes: row.get(6),
        disabled: row.get(7),
        created_at: row.get(8),
    }
}

#[async_trait::async_trait]
impl AuthConfigs for PgStore {
    /// One statement; an auth config of another project with the same id is left alone
    /// (and the write refused).
    async fn put_auth_config(&self, config: &AuthConfig) -> Result<(), StoreError> {
        let id = &config.id;
        let row = AuthConfigRow::encode(config, &self.cx())?;
        let query = format!(
            "INSERT INTO auth_configs (project, {AUTH_CONFIG_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (id) DO UPDATE SET {AUTH_CONFIG_UPDATE} WHERE auth_configs.project = excluded.project"
        );
        let written = sqlx::query(sql(query))
            .bind(&*self.project)
            .bind(row.id)
            .bind(row.toolkit)
            .bind(row.name)
            .bind(row.scheme)
            .bind(row.client_id)
            .bind(row.client_secret)
            .bind(row.scopes)
            .bind(row.disabled)
            .bind(row.created_at)
            .execute(self.pool())
            .await
            .map_err(|e| self.cx().db(format!("save auth config {id}"), e))?;
        if written.rows_affected() == 0 {
            return Err(StoreError::Conflict {
                path: self.cx().name.to_owned(),
                message: format!(
                    "could not save auth config {id}: another project has an auth config with this id; \
                     generate a new id (`AuthConfigId::generate`)"
                ),
                source: None,
            });
        }
        Ok(())
    }

    async fn auth_config(&self, id: &AuthConfigId) -> Result<Option<AuthConfig>, StoreError> {
        let query = format!("SELECT {AUTH_CONFIG_COLUMNS} FROM auth_configs WHERE id = $1 AND project = $2");
        let row = sqlx::query(sql(query))
            .bind(id.as_str())
            .bind(&*self.project)
            .fetch_optional(self.pool())
            .await
            .map_err(|e| self.cx().db(format!("read auth config {id}"), e))?;
        row.map(|row| auth_config_row(&row).decode(&self.cx())).transpose()
    }

    async fn auth_configs(&self, toolkit: Option<&ToolkitSlug>) -> Result<Vec<AuthConfig>, StoreError> {
        let query = format!(
            "SELECT {AUTH_CONFIG_COLUMNS} FROM auth_configs WHERE project = $1 AND ($2::text IS NULL OR toolkit = $2)
             ORDER BY created_at, seq"
        );
        let rows = sqlx::query(sql(query))
            .bind(&*self.project)
            .bind(toolkit.map(ToolkitSlug::as_str))
            .fetch_all(self.pool())
            .await
            .map_err(|e| self.cx().db("list auth configs", e))?;
        rows.iter().map(|row| auth_config_row(row).decode(&self.cx())).collect()
    }

    /// In one transaction that locks the config first: an account being saved with it
    /// meanwhile either is counted or finds it gone.
    async fn delete_auth_config(&self, id: &AuthConfigId) -> Result<bool, StoreError> {
        let what = || format!("delete auth config {id}");
        let cx = self.cx();
        let mut tx = self.pool().begin().await.map_err(|e| cx.db(what(), e))?;
        let found = sqlx::query("SELECT 1 FROM auth_configs WHERE id = $1 AND project = $2 FOR UPDATE")
            .bind(id.as_str())
            .bind(&*self.project)
            .fetch_optional(&mut *tx)
            .await
            .map_err(|e| cx.db(what(), e))?;
        if found.is_none() {
            return Ok(false);
        }
        let count: i64 = sqlx::query_scalar("SELECT count(*) FROM connected_accounts WHERE auth_config = $1")
            .bind(id.as_str())
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| cx.db(what(), e))?;
        if count > 0 {
            return Err(config_in_use(id, count));
        }
        sqlx::query("DELETE FROM auth_configs WHERE id = $1 AND project = $2")
            .bind(id.as_str())
            .bind(&*self.project)
            .execute(&mut *tx)
            .await
            .map_err(|e| cx.db(what(), e))?;
        tx.commit().await.map_err(|e| cx.db(what(), e))?;
        Ok(true)
    }
}
