//! [`WebhookSubscriptions`] on SQLite: one subscription per project (the store's file),
//! its signing secret sealed with the key ring and bound to the subscription's id, like
//! a trigger instance's secrets.

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};
use toolsmith_core::WebhookSubscriptionId;

use super::context::Cx;
use super::queries::collect;
use super::SqliteStore;
use crate::rows::subscriptions::{
    event_types, events_json, seal, second_subscription, SubscriptionRow, SUBSCRIPTION_COLUMNS,
};
use crate::rows::to_ms;
use crate::{StoreError, TriggerEventType, WebhookSubscription, WebhookSubscriptions};

fn create(conn: &mut Connection, cx: &Cx<'_>, subscription: &WebhookSubscription) -> Result<(), StoreError> {
    let what = || format!("create webhook subscription {}", subscription.id);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| cx.db(what(), e))?;
    let existing: Option<String> = tx
        .query_row("SELECT id FROM webhook_subscriptions ORDER BY created_at, rowid LIMIT 1", [], |r| r.get(0))
        .optional()
        .map_err(|e| cx.db(what(), e))?;
    if let Some(existing) = existing {
        return Err(StoreError::Conflict {
            path: cx.path.to_owned(),
            message: second_subscription(subscription, &existing),
            source: None,
        });
    }
    tx.execute(
        &format!("INSERT INTO webhook_subscriptions ({SUBSCRIPTION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
        params![
            subscription.id.as_str(),
            subscription.url.as_str(),
            seal(cx, subscription)?,
            subscription.version,
            events_json(subscription),
            to_ms(subscription.created_at),
            to_ms(subscription.updated_at),
        ],
    )
    .map_err(|e| cx.db(what(), e))?;
    tx.commit().map_err(|e| cx.db(what(), e))
}

fn update(conn: &mut Connection, cx: &Cx<'_>, subscription: &WebhookSubscription) -> Result<bool, StoreError> {
    let changed = conn
        .execute(
            "UPDATE webhook_subscriptions SET url = ?1, secret = ?2, version = ?3, enabled_events = ?4, updated_at = ?5
             WHERE id = ?6",
            params![
                subscription.url.as_str(),
                seal(cx, subscription)?,
                subscription.version,
                events_json(subscription),
                to_ms(subscription.updated_at),
                subscription.id.as_str(),
            ],
        )
        .map_err(|e| cx.db(format!("update webhook subscription {}", subscription.id), e))?;
    Ok(changed > 0)
}

/// Deletes the subscription and its pending deliveries (their attempts go with them);
/// delivered and failed ones stay as history.
fn delete(conn: &mut Connection, cx: &Cx<'_>, id: &WebhookSubscriptionId) -> Result<bool, StoreError> {
    let what = || format!("delete webhook subscription {id}");
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| cx.db(what(), e))?;
    tx.execute("DELETE FROM trigger_deliveries WHERE subscription = ?1 AND status = 'pending'", [id.as_str()])
        .map_err(|e| cx.db(what(), e))?;
    let deleted =
        tx.execute("DELETE FROM webhook_subscriptions WHERE id = ?1", [id.as_str()]).map_err(|e| cx.db(what(), e))?;
    tx.commit().map_err(|e| cx.db(what(), e))?;
    Ok(deleted > 0)
}

fn one(conn: &Connection, cx: &Cx<'_>, id: &WebhookSubscriptionId) -> Result<Option<WebhookSubscription>, StoreError> {
    let row = conn
        .query_row(
            &format!("SELECT {SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions WHERE id = ?1"),
            [id.as_str()],
            read_subscription,
        )
        .optional()
        .map_err(|e| cx.db(format!("read webhook subscription {id}"), e))?;
    row.map(|row| row.decode(cx)).transpose()
}

/// Every subscription, oldest first.
fn all(conn: &Connection, cx: &Cx<'_>) -> Result<Vec<WebhookSubscription>, StoreError> {
    let sql = format!("SELECT {SUBSCRIPTION_COLUMNS} FROM webhook_subscriptions ORDER BY created_at, rowid");
    let rows = collect(conn, cx, &sql, [], read_subscription, "list webhook subscriptions")?;
    rows.into_iter().map(|row| row.decode(cx)).collect()
}

/// Every subscription by id, secrets opened: what the claim hands out with each delivery
/// (a project has one or a few, so each secret is opened once per claim).
pub(super) fn by_id(conn: &Connection, cx: &Cx<'_>) -> Result<HashMap<String, WebhookSubscription>, StoreError> {
    Ok(all(conn, cx)?.into_iter().map(|s| (s.id.as_str().to_owned(), s)).collect())
}

/// The event types each subscription takes, by id (no secret opened): whom a new event
/// is delivered to.
pub(super) fn takers(conn: &Connection, cx: &Cx<'_>) -> Result<Vec<(String, Vec<TriggerEventType>)>, StoreError> {
    let sql = "SELECT id, enabled_events FROM webhook_subscriptions ORDER BY created_at, rowid";
    let rows: Vec<(String, String)> =
        collect(conn, cx, sql, [], |r| Ok((r.get(0)?, r.get(1)?)), "read the webhook subscriptions' event types")?;
    rows.into_iter()
        .map(|(id, events)| {
            let types = event_types(cx, &id, &events)?;
            Ok((id, types))
        })
        .collect()
}

fn read_subscription(row: &Row<'_>) -> rusqlite::Result<SubscriptionRow> {
    Ok(SubscriptionRow {
        id: row.get(0)?,
        url: row.get(1)?,
        secret: row.get(2)?,
        version: row.get(3)?,
        enabled_events: row.get(4)?,
        created_at: row.get(5)?,
        updated_at: row.get(6)?,
    })
}

#[async_trait::async_trait]
impl WebhookSubscriptions for SqliteStore {
    async fn create_webhook_subscription(&self, subscription: &WebhookSubscription) -> Result<(), StoreError> {
        let subscription = subscription.clone();
        self.write(move |conn, cx| create(conn, cx, &subscription)).await
    }

    async fn webhook_subscription(
        &self,
        id: &WebhookSubscriptionId,
    ) -> Result<Option<WebhookSubscription>, StoreError> {
        let id = id.clone();
        self.read(move |conn, cx| one(conn, cx, &id)).await
    }

    async fn webhook_subscriptions(&self) -> Result<Vec<WebhookSubscription>, StoreError> {
        self.read(|conn, cx| all(conn, cx)).await
    }

    async fn update_webhook_subscription(&self, subscription: &WebhookSubscription) -> Result<bool, StoreError> {
        let subscription = subscription.clone();
        self.write(move |conn, cx| update(conn, cx, &subscription)).await
    }

    async fn delete_webhook_subscription(&self, id: &WebhookSubscriptionId) -> Result<bool, StoreError> {
        let id = id.clone();
        self.write(move |conn, cx| delete(conn, cx, &id)).await
    }
}
