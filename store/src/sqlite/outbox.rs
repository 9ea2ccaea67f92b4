//! [`TriggerEvents`] on SQLite: events, the outbox of their deliveries (one row per event
//! and subscription, written in the transaction that records the event) and the
//! deliveries' attempts.
//!
//! Order per instance is kept by the claim: the pending deliveries of one subscription
//! and one instance (events without an instance form a group of their own) are taken in
//! recording order, as a prefix that stops at the first one that is not due or is
//! claimed by another worker. One query ranks every pending delivery and one update
//! claims what it returns, in one `IMMEDIATE` transaction, so a claim of 100 returns up
//! to 100 deliveries across and within instances.
//!
//! An event keeps its instance's id when the instance is deleted (the column has no
//! foreign key): what it recorded is still delivered, in order. A delivery's first
//! attempt is due at the event's time; `finish` keeps a delivery that another worker
//! already finished (after this one's claim expired) as it is, unless it now succeeded.

use std::time::{Duration, SystemTime};

use rusqlite::types::Value as Sql;
use rusqlite::{params, params_from_iter, Connection, OptionalExtension, Row, TransactionBehavior};
use serde_json::Value;
use toolsmith_core::{TriggerEventId, TriggerInstanceId, WebhookSubscriptionId};

use super::context::Cx;
use super::queries::{collect, json_text, push_in_conditions};
use super::subscriptions;
use super::SqliteStore;
use crate::rows::outbox::{
    after_attempt, blocked_column, delivery_conditions, group, int, missing_delivery, missing_state_instance,
    pending_delivery, recorded_event, AttemptRow, DeliveryRow, EventRow, ATTEMPT_COLUMNS, DELIVERY_COLUMNS,
    EVENT_COLUMNS,
};
use crate::rows::to_ms;
use crate::{
    DeliveryAttempt, DeliveryFilter, DeliveryNext, DeliveryRecord, NewTriggerEvent, PendingDelivery, StoreError,
    TriggerEvent, TriggerEvents,
};

/// The pending deliveries a claim at `?1` may take, at most `?2`: for each subscription
/// and instance, those before the first that is not due or is claimed, oldest events
/// first.
fn claimable() -> String {
    format!(
        "WITH ranked AS (
             SELECT event, subscription, seq, attempts, first_due, {}
             FROM trigger_deliveries WHERE status = 'pending'
         )
         SELECT r.subscription, r.attempts, r.first_due, e.seq, e.id, e.type, e.instance, e.dedupe_key, e.envelope,
                e.created_at
         FROM ranked r JOIN trigger_events e ON e.id = r.event
         WHERE r.blocked = 0
         ORDER BY r.seq, r.subscription
         LIMIT ?2",
        blocked_column("?1")
    )
}

fn record(
    conn: &mut Connection,
    cx: &Cx<'_>,
    events: &[NewTriggerEvent],
    state: Option<&(TriggerInstanceId, Value)>,
) -> Result<Vec<TriggerEvent>, StoreError> {
    let what = || format!("record {} trigger event(s)", events.len());
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| cx.db(what(), e))?;
    if let Some((instance, value)) = state {
        // Not `updated_at`: the state is the store's bookkeeping, not a change by the user.
        let moved = tx
            .execute(
                "UPDATE trigger_instances SET state = ?1 WHERE id = ?2",
                params![json_text(cx, value)?, instance.as_str()],
            )
            .map_err(|e| cx.db(what(), e))?;
        if moved == 0 {
            return Err(missing_state_instance(instance, events.len()));
        }
    }
    let takers = subscriptions::takers(&tx, cx)?;
    let mut recorded = Vec::with_capacity(events.len());
    {
        let mut insert_event = tx
            .prepare_cached(
                "INSERT INTO trigger_events (id, type, instance, dedupe_key, envelope, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
            )
            .map_err(|e| cx.db(what(), e))?;
        let mut insert_delivery = tx
            .prepare_cached(
                "INSERT INTO trigger_deliveries (event, subscription, seq, grp, status, attempts, first_due, next_attempt_at)
                 VALUES (?1, ?2, ?3, ?4, 'pending', 0, ?5, ?5)",
            )
            .map_err(|e| cx.db(what(), e))?;
        for event in events {
            let at = to_ms(event.at);
            let inserted = insert_event
                .execute(params![
                    event.id.as_str(),
                    event.kind.as_str(),
                    event.instance.as_ref().map(TriggerInstanceId::as_str),
                    event.dedupe_key,
                    json_text(cx, &event.envelope)?,
                    at,
                ])
                .map_err(|e| cx.db(format!("record trigger event {}", event.id), e))?;
            if inserted == 0 {
                continue; // A duplicate, by id or by instance and key.
            }
            let seq = tx.last_insert_rowid();
            for (subscription, types) in &takers {
                if types.contains(&event.kind) {
                    insert_delivery
                        .execute(params![event.id.as_str(), subscription, seq, group(event.instance.as_ref()), at])
                        .map_err(|e| cx.db(format!("queue the delivery of trigger event {}", event.id), e))?;
                }
            }
            recorded.push(recorded_event(event, seq));
        }
    }
    tx.commit().map_err(|e| cx.db(what(), e))?;
    Ok(recorded)
}

/// An event from [`EVENT_COLUMNS`] read from column `at` on.
fn read_event(row: &Row<'_>, at: usize) -> rusqlite::Result<EventRow> {
    Ok(EventRow {
        seq: row.get(at)?,
        id: row.get(at + 1)?,
        kind: row.get(at + 2)?,
        instance: row.get(at + 3)?,
        dedupe_key: row.get(at + 4)?,
        envelope: row.get(at + 5)?,
        created_at: row.get(at + 6)?,
    })
}

fn events_after(
    conn: &Connection,
    cx: &Cx<'_>,
    after: Option<u64>,
    limit: usize,
) -> Result<Vec<TriggerEvent>, StoreError> {
    let sql = format!("SELECT {EVENT_COLUMNS} FROM trigger_events e WHERE e.seq > ?1 ORDER BY e.seq LIMIT ?2");
    let after = after.map_or(-1, int);
    let rows = collect(conn, cx, &sql, params![after, int(limit)], |r| read_event(r, 0), "list trigger events")?;
    rows.into_iter().map(|row| row.decode(cx)).collect()
}

fn claim(
    conn: &mut Connection,
    cx: &Cx<'_>,
    now: SystemTime,
    lease: Duration,
    limit: usize,
) -> Result<Vec<PendingDelivery>, StoreError> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    let what = "claim trigger deliveries";
    let now_ms = to_ms(now);
    let until = now_ms.saturating_add(int(lease.as_millis()));
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| cx.db(what, e))?;
    let read = |r: &Row<'_>| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?, read_event(r, 3)?));
    let rows = collect(&tx, cx, &claimable(), params![now_ms, int(limit)], read, what)?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let subscriptions = subscriptions::by_id(&tx, cx)?;
    let mut claimed = Vec::with_capacity(rows.len());
    {
        let mut mark = tx
            .prepare_cached("UPDATE trigger_deliveries SET claimed_until = ?1 WHERE event = ?2 AND subscription = ?3")
            .map_err(|e| cx.db(what, e))?;
        for (subscription, attempts, first_due, event) in rows {
            mark.execute(params![until, event.id, subscription]).map_err(|e| cx.db(what, e))?;
            claimed.push(pending_delivery(cx, &subscriptions, &subscription, attempts, first_due, event)?);
        }
    }
    tx.commit().map_err(|e| cx.db(what, e))?;
    Ok(claimed)
}

fn finish(
    conn: &mut Connection,
    cx: &Cx<'_>,
    event: &TriggerEventId,
    subscription: &WebhookSubscriptionId,
    attempt: &DeliveryAttempt,
    next: DeliveryNext,
) -> Result<(), StoreError> {
    let what = || format!("record an attempt at delivering {event} to {subscription}");
    let key = params![event.as_str(), subscription.as_str()];
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| cx.db(what(), e))?;
    let current: Option<(String, i64)> = tx
        .query_row("SELECT status, attempts FROM trigger_deliveries WHERE event = ?1 AND subscription = ?2", key, |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()
        .map_err(|e| cx.db(what(), e))?;
    let Some((status, attempts)) = current else {
        return Err(missing_delivery(event, subscription));
    };
    let n = attempts.saturating_add(1);
    let (at, status_code, duration) =
        (to_ms(attempt.at), attempt.status.map(i64::from), int(attempt.duration.as_millis()));
    tx.execute(
        "INSERT INTO trigger_delivery_attempts (event, subscription, n, at, status, error, duration_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![event.as_str(), subscription.as_str(), n, at, status_code, attempt.error, duration],
    )
    .map_err(|e| cx.db(what(), e))?;
    let (status, next_at) = after_attempt(&status, next);
    tx.execute(
        "UPDATE trigger_deliveries SET status = ?3, attempts = ?4, next_attempt_at = ?5, claimed_until = NULL,
             last_at = ?6, last_status = ?7, last_error = ?8, last_duration_ms = ?9
         WHERE event = ?1 AND subscription = ?2",
        params![event.as_str(), subscription.as_str(), status, n, next_at, at, status_code, attempt.error, duration],
    )
    .map_err(|e| cx.db(what(), e))?;
    tx.commit().map_err(|e| cx.db(what(), e))
}

fn release(
    conn: &mut Connection,
    cx: &Cx<'_>,
    deliveries: &[(TriggerEventId, WebhookSubscriptionId)],
) -> Result<(), StoreError> {
    let what = "release claimed trigger deliveries";
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| cx.db(what, e))?;
    {
        let mut release = tx
            .prepare_cached("UPDATE trigger_deliveries SET claimed_until = NULL WHERE event = ?1 AND subscription = ?2")
            .map_err(|e| cx.db(what, e))?;
        for (event, subscription) in deliveries {
            release.execute(params![event.as_str(), subscription.as_str()]).map_err(|e| cx.db(what, e))?;
        }
    }
    tx.commit().map_err(|e| cx.db(what, e))
}

fn deliveries(conn: &Connection, cx: &Cx<'_>, filter: &DeliveryFilter) -> Result<Vec<DeliveryRecord>, StoreError> {
    let mut sql = format!(
        "SELECT {DELIVERY_COLUMNS} FROM trigger_deliveries d JOIN trigger_events e ON e.id = d.event WHERE 1 = 1"
    );
    let mut args: Vec<Sql> = Vec::new();
    let conditions = delivery_conditions(filter);
    push_in_conditions(&mut sql, &mut args, conditions);
    args.push(Sql::Integer(filter.limit.map_or(-1, int)));
    sql.push_str(&format!(" ORDER BY d.seq DESC, d.subscription DESC LIMIT ?{}", args.len()));
    let rows = collect(conn, cx, &sql, params_from_iter(args), read_delivery, "list trigger deliveries")?;
    rows.into_iter().map(|row| row.decode(cx)).collect()
}

fn read_delivery(row: &Row<'_>) -> rusqlite::Result<DeliveryRow> {
    let last_at: Option<i64> = row.get(8)?;
    let last = match last_at {
        Some(at) => Some(AttemptRow {
            at,
            status: row.get(9)?,
            error: row.get(10)?,
            duration_ms: row.get::<_, Option<i64>>(11)?.unwrap_or_default(),
        }),
        None => None,
    };
    Ok(DeliveryRow {
        event: row.get(0)?,
        kind: row.get(1)?,
        instance: row.get(2)?,
        subscription: row.get(3)?,
        status: row.get(4)?,
        attempts: row.get(5)?,
        next_attempt_at: row.get(6)?,
        created_at: row.get(7)?,
        last,
    })
}

fn attempts_of(conn: &Connection, cx: &Cx<'_>, event: &TriggerEventId) -> Result<Vec<DeliveryAttempt>, StoreError> {
    let sql = format!("SELECT {ATTEMPT_COLUMNS} FROM trigger_delivery_attempts WHERE event = ?1 ORDER BY at, rowid");
    let read =
        |r: &Row<'_>| Ok(AttemptRow { at: r.get(0)?, status: r.get(1)?, error: r.get(2)?, duration_ms: r.get(3)? });
    let rows = collect(conn, cx, &sql, [event.as_str()], read, "list delivery attempts")?;
    rows.into_iter().map(|row| row.decode(cx, "trigger_delivery_attempts", event.as_str())).collect()
}

#[async_trait::async_trait]
impl TriggerEvents for SqliteStore {
    async fn record_trigger_events(
        &self,
        events: &[NewTriggerEvent],
        state: Option<(&TriggerInstanceId, &Value)>,
    ) -> Result<Vec<TriggerEvent>, StoreError> {
        let events = events.to_vec();
        let state = state.map(|(id, value)| (id.clone(), value.clone()));
        self.write(move |conn, cx| record(conn, cx, &events, state.as_ref())).await
    }

    async fn trigger_events_after(&self, after: Option<u64>, limit: usize) -> Result<Vec<TriggerEvent>, StoreError> {
        self.read(move |conn, cx| events_after(conn, cx, after, limit)).await
    }

    async fn claim_deliveries(
        &self,
        now: SystemTime,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<PendingDelivery>, StoreError> {
        self.write(move |conn, cx| claim(conn, cx, now, lease, limit)).await
    }

    async fn finish_delivery(
        &self,
        event: &TriggerEventId,
        subscription: &WebhookSubscriptionId,
        attempt: &DeliveryAttempt,
        next: DeliveryNext,
    ) -> Result<(), StoreError> {
        let (event, subscription, attempt) = (event.clone(), subscription.clone(), attempt.clone());
        self.write(move |conn, cx| finish(conn, cx, &event, &subscription, &attempt, next)).await
    }

    async fn release_deliveries(
        &self,
        deliveries: &[(TriggerEventId, WebhookSubscriptionId)],
    ) -> Result<(), StoreError> {
        let deliveries = deliveries.to_vec();
        self.write(move |conn, cx| release(conn, cx, &deliveries)).await
    }

    async fn deliveries(&self, filter: &DeliveryFilter) -> Result<Vec<DeliveryRecord>, StoreError> {
        let filter = filter.clone();
        self.read(move |conn, cx| deliveries(conn, cx, &filter)).await
    }

    async fn delivery_attempts(&self, event: &TriggerEventId) -> Result<Vec<DeliveryAttempt>, StoreError> {
        let event = event.clone();
        self.read(move |conn, cx| attempts_of(conn, cx, &event)).await
    }
}
