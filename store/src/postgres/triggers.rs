//! [`TriggerInstances`] in PostgreSQL: upserted by `(project, identity)`, secrets sealed
//! and bound to the instance's id, and the next poll claimed by one server with one
//! conditional update.

use std::time::SystemTime;

use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};
use toolsmith_core::{AuthConfigId, ConnectedAccountId, TriggerInstanceId};

use super::context::sql;
use super::handle::PgStore;
use crate::rows::to_ms;
use crate::rows::triggers::{filter_conditions, json, missing_account, seal_secrets, InstanceRow, INSTANCE_COLUMNS};
use crate::{StoreError, TriggerFilter, TriggerInstance, TriggerInstances};

fn instance_row(row: &PgRow) -> InstanceRow {
    InstanceRow {
        id: row.get(0),
        trigger: row.get(1),
        toolkit: row.get(2),
        user_id: row.get(3),
        account: row.get(4),
        auth_config: row.get(5),
        config: row.get(6),
        secrets: row.get(7),
        enabled: row.get(8),
        state: row.get(9),
        created_at: row.get(10),
        updated_at: row.get(11),
    }
}

/// Appends ` AND column = ANY($n::text[])` to `query` for each condition with values,
/// numbering the parameters after the `bound` ones; returns the lists to bind, in order.
pub(super) fn any_conditions<'a>(
    query: &mut String,
    bound: usize,
    conditions: impl IntoIterator<Item = (&'a str, Vec<&'a str>)>,
) -> Vec<Vec<&'a str>> {
    let mut lists = Vec::new();
    for (column, values) in conditions {
        if !values.is_empty() {
            lists.push(values);
            query.push_str(&format!(" AND {column} = ANY(${}::text[])", bound + lists.len()));
        }
    }
    lists
}

impl PgStore {
    /// Writes `instance` in `tx`: the instance with its identity gets its secrets, enabled
    /// flag and auth config (id, state and creation kept); else it is inserted. `None`
    /// when another server inserted the identity meanwhile (the caller tries again).
    async fn write_instance(
        &self,
        tx: &mut PgConnection,
        instance: &TriggerInstance,
        identity: &str,
        what: &str,
    ) -> Result<Option<String>, StoreError> {
        let db = |e| self.cx().db(what, e);
        let existing: Option<String> =
            sqlx::query_scalar("SELECT id FROM trigger_instances WHERE project = $1 AND identity = $2 FOR UPDATE")
                .bind(&*self.project)
                .bind(identity)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?;
        let auth_config = instance.auth_config.as_ref().map(AuthConfigId::as_str);
        if let Some(id) = existing {
            let secrets = seal_secrets(&self.cx(), &id, instance)?;
            sqlx::query(
                "UPDATE trigger_instances SET secrets = $1, enabled = $2, auth_config = $3, updated_at = $4
                 WHERE id = $5",
            )
            .bind(secrets)
            .bind(instance.enabled)
            .bind(auth_config)
            .bind(to_ms(instance.updated_at))
            .bind(&id)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
            return Ok(Some(id));
        }
        let id = instance.id.as_str();
        let secrets = seal_secrets(&self.cx(), id, instance)?;
        let inserted = sqlx::query(sql(format!(
            "INSERT INTO trigger_instances ({INSTANCE_COLUMNS}, identity, project)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
             ON CONFLICT (project, identity) DO NOTHING"
        )))
        .bind(id)
        .bind(instance.trigger.as_str())
        .bind(instance.toolkit.as_str())
        .bind(instance.user_id.as_str())
        .bind(instance.account.as_ref().map(ConnectedAccountId::as_str))
        .bind(auth_config)
        .bind(json(&serde_json::Value::Object(instance.config.clone())))
        .bind(secrets)
        .bind(instance.enabled)
        .bind(json(&instance.state))
        .bind(to_ms(instance.created_at))
        .bind(to_ms(instance.updated_at))
        .bind(identity)
        .bind(&*self.project)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        Ok((inserted.rows_affected() > 0).then(|| id.to_owned()))
    }

    /// The instance `id` of this project, read in `conn`.
    async fn read_instance(&self, conn: &mut PgConnection, id: &str) -> Result<Option<TriggerInstance>, StoreError> {
        let query = format!("SELECT {INSTANCE_COLUMNS} FROM trigger_instances WHERE id = $1 AND project = $2");
        let row = sqlx::query(sql(query))
            .bind(id)
            .bind(&*self.project)
            .fetch_optional(conn)
            .await
            .map_err(|e| self.cx().db(format!("read trigger instance {id}"), e))?;
        row.map(|row| instance_row(&row).decode(&self.cx())).transpose()
    }
}

#[async_trait::async_trait]
impl TriggerInstances for PgStore {
    /// One transaction; the account's row is locked against a delete meanwhile. Of two
    /// servers upserting one identity, one inserts and the other updates what it inserted.
    async fn upsert_trigger_instance(&self, instance: &TriggerInstance) -> Result<TriggerInstance, StoreError> {
        let what = format!("save trigger instance {} ({})", instance.id, instance.trigger);
        let db = |e| self.cx().db(&what, e);
        let mut tx = self.pool().begin().await.map_err(db)?;
        if let Some(account) = &instance.account {
            let found = sqlx::query("SELECT 1 FROM connected_accounts WHERE id = $1 AND project = $2 FOR KEY SHARE")
                .bind(account.as_str())
                .bind(&*self.project)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db)?;
            if found.is_none() {
                return Err(missing_account(instance, account));
            }
        }
        let identity = instance.identity();
        let id = match self.write_instance(&mut tx, instance, &identity, &what).await? {
            Some(id) => id,
            // Inserted by another server after our look: now it is there to update.
            None => {
                self.write_instance(&mut tx, instance, &identity, &what).await?.ok_or_else(|| StoreError::Busy {
                    path: self.cx().name.to_owned(),
                    message: format!("could not {what}: it was saved and deleted meanwhile; try again"),
                    source: None,
                })?
            }
        };
        let stored = self.read_instance(&mut tx, &id).await?;
        tx.commit().await.map_err(db)?;
        stored.ok_or_else(|| StoreError::Missing(format!("trigger instance {id} right after saving it")))
    }

    async fn trigger_instance(&self, id: &TriggerInstanceId) -> Result<Option<TriggerInstance>, StoreError> {
        let mut conn =
            self.pool().acquire().await.map_err(|e| self.cx().db(format!("read trigger instance {id}"), e))?;
        self.read_instance(&mut conn, id.as_str()).await
    }

    async fn trigger_instances(&self, filter: &TriggerFilter) -> Result<Vec<TriggerInstance>, StoreError> {
        let mut query = format!("SELECT {INSTANCE_COLUMNS} FROM trigger_instances WHERE project = $1");
        let lists = any_conditions(&mut query, 1, filter_conditions(filter));
        if !filter.include_disabled {
            query.push_str(" AND enabled");
        }
        query.push_str(" ORDER BY created_at, seq");
        let mut select = sqlx::query(sql(query)).bind(&*self.project);
        for values in lists {
            select = select.bind(values);
        }
        let rows = select.fetch_all(self.pool()).await.map_err(|e| self.cx().db("list trigger instances", e))?;
        rows.iter().map(|row| instance_row(row).decode(&self.cx())).collect()
    }

    async fn set_trigger_enabled(
        &self,
        id: &TriggerInstanceId,
        enabled: bool,
        at: SystemTime,
    ) -> Result<bool, StoreError> {
        let changed =
            sqlx::query("UPDATE trigger_instances SET enabled = $1, updated_at = $2 WHERE id = $3 AND project = $4")
                .bind(enabled)
                .bind(to_ms(at))
                .bind(id.as_str())
                .bind(&*self.project)
                .execute(self.pool())
                .await
                .map_err(|e| self.cx().db(format!("enable or disable trigger instance {id}"), e))?;
        Ok(changed.rows_affected() > 0)
    }

    async fn delete_trigger_instance(&self, id: &TriggerInstanceId) -> Result<bool, StoreError> {
        let deleted = sqlx::query("DELETE FROM trigger_instances WHERE id = $1 AND project = $2")
            .bind(id.as_str())
            .bind(&*self.project)
            .execute(self.pool())
            .await
            .map_err(|e| self.cx().db(format!("delete trigger instance {id}"), e))?;
        Ok(deleted.rows_affected() > 0)
    }

    /// One conditional update: of servers claiming together, the others wait for the
    /// winner's row lock, then find the claim taken.
    async fn claim_poll(
        &self,
        id: &TriggerInstanceId,
        holder: &str,
        now: SystemTime,
        until: SystemTime,
    ) -> Result<bool, StoreError> {
        let claimed = sqlx::query(
            "UPDATE trigger_instances SET poll_holder = $1, poll_until = $2
             WHERE id = $3 AND project = $5 AND (poll_until IS NULL OR poll_until <= $4 OR poll_holder = $1)",
        )
        .bind(holder)
        .bind(to_ms(until))
        .bind(id.as_str())
        .bind(to_ms(now))
        .bind(&*self.project)
        .execute(self.pool())
        .await
        .map_err(|e| self.cx().db(format!("claim the next poll of trigger instance {id}"), e))?;
        Ok(claimed.rows_affected() > 0)
    }
}
