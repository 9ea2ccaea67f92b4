//! [`WebhookSubscriptions`] in PostgreSQL: one subscription per project (the `project`
//! column is unique), its signing secret sealed and bound to the subscription's id.

use std::collections::HashMap;

use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};
use toolsmith_core::WebhookSubscriptionId;

use super::context::sql;
use super::handle::PgStore;
use crate::rows::subscriptions::{
    event_types, events_json, seal, second_subscription, SubscriptionRow, SUBSCRIPTION_COLUMNS,
};
use crate::rows::to_ms;
use crate::{StoreError, TriggerEventType, WebhookSubscription, WebhookSubscriptions};

fn subscription_row(row: &PgRow) -> SubscriptionRow {
    SubscriptionRow {
        id: row.get(0),
        url: row.get(1),
        secret: row.get(2),
        version: row.get(3),
        enabled_events: row.get(4),
        created_at: row.get(5),
        updated_at: row.get(6),
    }
}

impl PgStore {
    /// Every subscription of this project, oldest first, read in `conn`.
    pub(super) async fn subscriptions_in(
        &self,
        conn: &mut PgConnection,
    ) -> Result<Vec<WebhookSubscription>, StoreError> {
        let query = format!(
            "SELECT {SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions WHERE project = $1 ORDER BY created_at, id"
        );
        let rows = sqlx::query(sql(query))
            .bind(&*self.project)
            .fetch_all(conn)
            .await
            .map_err(|e| self.cx().db("list webhook subscriptions", e))?;
        rows.iter().map(|row| subscription_row(row).decode(&self.cx())).collect()
    }

    /// Every subscription by id, secrets opened: what a claim hands out with each delivery.
    pub(super) async fn subscriptions_by_id(
        &self,
        conn: &mut PgConnection,
    ) -> Result<HashMap<String, WebhookSubscription>, StoreError> {
        Ok(self.subscriptions_in(conn).await?.into_iter().map(|s| (s.id.as_str().to_owned(), s)).collect())
    }

    /// The event types each subscription takes, by id (no secret opened): whom a new
    /// event is delivered to.
    pub(super) async fn subscription_takers(
        &self,
        conn: &mut PgConnection,
    ) -> Result<Vec<(String, Vec<TriggerEventType>)>, StoreError> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT id, enabled_events FROM webhook_subscriptions WHERE project = $1 ORDER BY created_at, id",
        )
        .bind(&*self.project)
        .fetch_all(conn)
        .await
        .map_err(|e| self.cx().db("read the webhook subscriptions' event types", e))?;
        rows.into_iter()
            .map(|(id, events)| Ok((event_types(&self.cx(), &id, &events)?, id)))
            .map(|r| r.map(|(t, id)| (id, t)))
            .collect()
    }

    /// The id of this project's subscription, if it has one.
    async fn existing_subscription(&self, what: &str) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar("SELECT id FROM webhook_subscriptions WHERE project = $1")
            .bind(&*self.project)
            .fetch_optional(self.pool())
            .await
            .map_err(|e| self.cx().db(what, e))
    }
}

#[async_trait::async_trait]
impl WebhookSubscriptions for PgStore {
    /// The unique `project` column keeps a second one out, even from another server at the
    /// same moment.
    async fn create_webhook_subscription(&self, subscription: &WebhookSubscription) -> Result<(), StoreError> {
        let what = format!("create webhook subscription {}", subscription.id);
        let conflict = |existing: String| StoreError::Conflict {
            path: self.cx().name.to_owned(),
            message: second_subscription(subscription, &existing),
            source: None,
        };
        if let Some(existing) = self.existing_subscription(&what).await? {
            return Err(conflict(existing));
        }
        let written = sqlx::query(sql(format!(
            "INSERT INTO webhook_subscriptions ({SUBSCRIPTION_COLUMNS}, project) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        )))
        .bind(subscription.id.as_str())
        .bind(subscription.url.as_str())
        .bind(seal(&self.cx(), subscription)?)
        .bind(&subscription.version)
        .bind(events_json(subscription))
        .bind(to_ms(subscription.created_at))
        .bind(to_ms(subscription.updated_at))
        .bind(&*self.project)
        .execute(self.pool())
        .await;
        match written.map_err(|e| self.cx().db(&what, e)) {
            Ok(_) => Ok(()),
            Err(StoreError::Conflict { path, message, source }) => match self.existing_subscription(&what).await? {
                Some(existing) if existing != subscription.id.as_str() => Err(conflict(existing)),
                _ => Err(StoreError::Conflict { path, message, source }),
            },
            Err(e) => Err(e),
        }
    }

    async fn webhook_subscription(
        &self,
        id: &WebhookSubscriptionId,
    ) -> Result<Option<WebhookSubscription>, StoreError> {
        let query = format!("SELECT {SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions WHERE id = $1 AND project = $2");
        let row = sqlx::query(sql(query))
            .bind(id.as_str())
            .bind(&*self.project)
            .fetch_optional(self.pool())
            .await
            .map_err(|e| self.cx().db(format!("read webhook subscription {id}"), e))?;
        row.map(|row| subscription_row(&row).decode(&self.cx())).transpose()
    }

    async fn webhook_subscriptions(&self) -> Result<Vec<WebhookSubscription>, StoreError> {
        let mut conn = self.pool().acquire().await.map_err(|e| self.cx().db("list webhook subscriptions", e))?;
        self.subscriptions_in(&mut conn).await
    }

    async fn update_webhook_subscription(&self, subscription: &WebhookSubscription) -> Result<bool, StoreError> {
        let changed = sqlx::query(
            "UPDATE webhook_subscriptions SET url = $1, secret = $2, version = $3, enabled_events = $4, updated_at = $5
             WHERE id = $6 AND project = $7",
        )
        .bind(subscription.url.as_str())
        .bind(seal(&self.cx(), subscription)?)
        .bind(&subscription.version)
        .bind(events_json(subscription))
        .bind(to_ms(subscription.updated_at))
        .bind(subscription.id.as_str())
        .bind(&*self.project)
        .execute(self.pool())
        .await
        .map_err(|e| self.cx().db(format!("update webhook subscription {}", subscription.id), e))?;
        Ok(changed.rows_affected() > 0)
    }

    /// Deletes it and its pending deliveries (their attempts go with them) in one
    /// transaction; delivered and failed ones stay as history.
    async fn delete_webhook_subscription(&self, id: &WebhookSubscriptionId) -> Result<bool, StoreError> {
        let what = format!("delete webhook subscription {id}");
        let db = |e| self.cx().db(&what, e);
        let mut tx = self.pool().begin().await.map_err(db)?;
        sqlx::query("DELETE FROM trigger_deliveries WHERE project = $1 AND subscription = $2 AND status = 'pending'")
            .bind(&*self.project)
            .bind(id.as_str())
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        let deleted = sqlx::query("DELETE FROM webhook_subscriptions WHERE id = $1 AND project = $2")
            .bind(id.as_str())
            .bind(&*self.project)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(deleted.rows_affected() > 0)
    }
}
