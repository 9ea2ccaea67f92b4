//! [`TriggerEvents`] in PostgreSQL: events, the outbox of their deliveries (one row per
//! event and subscription, written in the transaction that records the event) and the
//! deliveries' attempts, shared by every server.
//!
//! Events of a project are recorded one transaction at a time (a transaction-level
//! advisory lock per project), so their `seq` order is their commit order: a reader that
//! saw position `n` never misses a later-committed event below it, and a claim never
//! sees an instance's later event before an earlier one.
//!
//! A claim keeps SQLite's contract — for each subscription and instance, a prefix of its
//! pending deliveries in recording order, stopping at the first one that is not due or is
//! claimed — across servers: it ranks the pending deliveries as SQLite does, locks those
//! it would take with `FOR UPDATE SKIP LOCKED` (rechecking each is still pending, due and
//! unclaimed), and cuts each instance's run at the first it could not lock, which
//! another server is claiming or took since the ranking. Two servers never claim one
//! delivery, nor an instance's later delivery while another holds an earlier one.

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use serde_json::Value;
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};
use toolsmith_core::{TriggerEventId, TriggerInstanceId, WebhookSubscriptionId};

use super::context::sql;
use super::handle::PgStore;
use super::triggers::any_conditions;
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

/// The pending deliveries of project `$1` a claim at `$2` may take, at most `$3`: for each
/// subscription and instance, those before the first that is not due or is claimed,
/// oldest events first.
fn claimable() -> String {
    format!(
        "WITH ranked AS (
             SELECT event, subscription, grp, seq, {}
             FROM trigger_deliveries WHERE project = $1 AND status = 'pending'
         )
         SELECT event, subscription, grp FROM ranked WHERE blocked = 0 ORDER BY seq, subscription LIMIT $3",
        blocked_column("$2")
    )
}

/// Of the deliveries `$2`/`$3` (events, subscriptions) of project `$1`, those still
/// claimable at `$4` that no other transaction holds, locked until this one ends.
const LOCK_CLAIMABLE: &str = "
    SELECT event, subscription FROM trigger_deliveries
    WHERE project = $1 AND (event, subscription) IN (SELECT * FROM unnest($2::text[], $3::text[]))
      AND status = 'pending' AND next_attempt_at <= $4 AND (claimed_until IS NULL OR claimed_until <= $4)
    FOR UPDATE SKIP LOCKED";

/// Claims the deliveries `$2`/`$3` of project `$1` until `$4`; returns them with their
/// events (as [`EVENT_COLUMNS`] from the fourth column on).
const MARK_CLAIMED: &str = "
    UPDATE trigger_deliveries d SET claimed_until = $4 FROM trigger_events e
    WHERE d.project = $1 AND e.id = d.event
      AND (d.event, d.subscription) IN (SELECT * FROM unnest($2::text[], $3::text[]))
    RETURNING d.subscription, d.attempts, d.first_due, ";

/// A key of the advisory lock that records a project's events one transaction at a time.
const EVENTS_LOCK: &str = "SELECT pg_advisory_xact_lock(hashtextextended('toolsmith_events:' || $1, 0))";

/// An event read from [`EVENT_COLUMNS`] from column `at` on.
fn event_row(row: &PgRow, at: usize) -> EventRow {
    EventRow {
        seq: row.get(at),
        id: row.get(at + 1),
        kind: row.get(at + 2),
        instance: row.get(at + 3),
        dedupe_key: row.get(at + 4),
        envelope: row.get(at + 5),
        created_at: row.get(at + 6),
    }
}

fn delivery_row(row: &PgRow) -> DeliveryRow {
    let last_at: Option<i64> = row.get(8);
    DeliveryRow {
        event: row.get(0),
        kind: row.get(1),
        instance: row.get(2),
        subscription: row.get(3),
        status: row.get(4),
        attempts: row.get::<i32, _>(5).into(),
        next_attempt_at: row.get(6),
        created_at: row.get(7),
        last: last_at.map(|at| AttemptRow {
            at,
            status: row.get::<Option<i32>, _>(9).map(i64::from),
            error: row.get(10),
            duration_ms: row.get::<Option<i64>, _>(11).unwrap_or_default(),
        }),
    }
}

/// Of `candidates` (in recording order, with their subscription and group), those
/// `locked` up to the first of each subscription and group that is not.
fn prefixes<'a>(
    candidates: &'a [(String, String, String)],
    locked: &[(String, String)],
) -> (Vec<&'a str>, Vec<&'a str>) {
    let mut cut: Vec<(&str, &str)> = Vec::new();
    let (mut events, mut subscriptions) = (Vec::new(), Vec::new());
    for (event, subscription, grp) in candidates {
        let run = (subscription.as_str(), grp.as_str());
        if cut.contains(&run) {
            continue;
        }
        if locked.iter().any(|(e, s)| e == event && s == subscription) {
            events.push(event.as_str());
            subscriptions.push(subscription.as_str());
        } else {
            cut.push(run);
        }
    }
    (events, subscriptions)
}

impl PgStore {
    /// Queues a pending delivery of each of `events` (id, seq, instance, time) that
    /// `subscription` takes.
    async fn queue_deliveries(
        &self,
        tx: &mut PgConnection,
        subscription: &str,
        events: &[(&NewTriggerEvent, i64)],
        what: &str,
    ) -> Result<(), StoreError> {
        if events.is_empty() {
            return Ok(());
        }
        let ids: Vec<&str> = events.iter().map(|(e, _)| e.id.as_str()).collect();
        let seqs: Vec<i64> = events.iter().map(|(_, seq)| *seq).collect();
        let groups: Vec<&str> = events.iter().map(|(e, _)| group(e.instance.as_ref())).collect();
        let due: Vec<i64> = events.iter().map(|(e, _)| to_ms(e.at)).collect();
        sqlx::query(
            "INSERT INTO trigger_deliveries
                 (event, subscription, project, seq, grp, status, attempts, first_due, next_attempt_at)
             SELECT event, $2, $3, seq, grp, 'pending', 0, due, due
             FROM unnest($1::text[], $4::bigint[], $5::text[], $6::bigint[]) AS n(event, seq, grp, due)",
        )
        .bind(ids)
        .bind(subscription)
        .bind(&*self.project)
        .bind(seqs)
        .bind(groups)
        .bind(due)
        .execute(tx)
        .await
        .map_err(|e| self.cx().db(what, e))?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl TriggerEvents for PgStore {
    async fn record_trigger_events(
        &self,
        events: &[NewTriggerEvent],
        state: Option<(&TriggerInstanceId, &Value)>,
    ) -> Result<Vec<TriggerEvent>, StoreError> {
        let what = format!("record {} trigger event(s)", events.len());
        let db = |e| self.cx().db(&what, e);
        let mut tx = self.pool().begin().await.map_err(db)?;
        sqlx::query(EVENTS_LOCK).bind(&*self.project).execute(&mut *tx).await.map_err(db)?;
        if let Some((instance, value)) = state {
            // Not `updated_at`: the state is the store's bookkeeping, not a change by the user.
            let moved = sqlx::query("UPDATE trigger_instances SET state = $1 WHERE id = $2 AND project = $3")
                .bind(value.to_string())
                .bind(instance.as_str())
                .bind(&*self.project)
                .execute(&mut *tx)
                .await
                .map_err(db)?;
            if moved.rows_affected() == 0 {
                return Err(missing_state_instance(instance, events.len()));
            }
        }
        let takers = self.subscription_takers(&mut tx).await?;
        // One insert, in order: an event whose id or (instance, key) is taken, by an
        // earlier event or one of this call, is skipped.
        let inserted: Vec<(String, i64)> = sqlx::query_as(
            "INSERT INTO trigger_events (id, project, type, instance, dedupe_key, envelope, created_at)
             SELECT id, $1, type, instance, dedupe_key, envelope, created_at
             FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[]) WITH ORDINALITY
                 AS n(id, type, instance, dedupe_key, envelope, created_at, ord)
             ORDER BY ord
             ON CONFLICT DO NOTHING
             RETURNING id, seq",
        )
        .bind(&*self.project)
        .bind(events.iter().map(|e| e.id.as_str()).collect::<Vec<_>>())
        .bind(events.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>())
        .bind(events.iter().map(|e| e.instance.as_ref().map(TriggerInstanceId::as_str)).collect::<Vec<_>>())
        .bind(events.iter().map(|e| e.dedupe_key.as_deref()).collect::<Vec<_>>())
        .bind(events.iter().map(|e| e.envelope.to_string()).collect::<Vec<_>>())
        .bind(events.iter().map(|e| to_ms(e.at)).collect::<Vec<_>>())
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        let mut seqs: HashMap<String, i64> = inserted.into_iter().collect();
        // The first event with an id is the one inserted.
        let recorded: Vec<(&NewTriggerEvent, i64)> =
            events.iter().filter_map(|e| seqs.remove(e.id.as_str()).map(|seq| (e, seq))).collect();
        for (subscription, types) in &takers {
            let taken: Vec<_> = recorded.iter().filter(|(e, _)| types.contains(&e.kind)).copied().collect();
            self.queue_deliveries(&mut tx, subscription, &taken, &what).await?;
        }
        tx.commit().await.map_err(db)?;
        Ok(recorded.into_iter().map(|(event, seq)| recorded_event(event, seq)).collect())
    }

    async fn trigger_events_after(&self, after: Option<u64>, limit: usize) -> Result<Vec<TriggerEvent>, StoreError> {
        let query = format!(
            "SELECT {EVENT_COLUMNS} FROM trigger_events e WHERE e.project = $1 AND e.seq > $2 ORDER BY e.seq LIMIT $3"
        );
        let rows = sqlx::query(sql(query))
            .bind(&*self.project)
            .bind(after.map_or(-1, int))
            .bind(int(limit))
            .fetch_all(self.pool())
            .await
            .map_err(|e| self.cx().db("list trigger events", e))?;
        rows.iter().map(|row| event_row(row, 0).decode(&self.cx())).collect()
    }

    async fn claim_deliveries(
        &self,
        now: SystemTime,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<PendingDelivery>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let what = "claim trigger deliveries";
        let db = |e| self.cx().db(what, e);
        let now_ms = to_ms(now);
        let until = now_ms.saturating_add(int(lease.as_millis()));
        let mut tx = self.pool().begin().await.map_err(db)?;
        let candidates: Vec<(String, String, String)> = sqlx::query_as(sql(claimable()))
            .bind(&*self.project)
            .bind(now_ms)
            .bind(int(limit))
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?;
        if candidates.is_empty() {
            return Ok(Vec::new());
        }
        let locked: Vec<(String, String)> = sqlx::query_as(LOCK_CLAIMABLE)
            .bind(&*self.project)
            .bind(candidates.iter().map(|(e, _, _)| e.as_str()).collect::<Vec<_>>())
            .bind(candidates.iter().map(|(_, s, _)| s.as_str()).collect::<Vec<_>>())
            .bind(now_ms)
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?;
        let (events, subscriptions) = prefixes(&candidates, &locked);
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let rows = sqlx::query(sql(format!("{MARK_CLAIMED}{EVENT_COLUMNS}")))
            .bind(&*self.project)
            .bind(events)
            .bind(subscriptions)
            .bind(until)
            .fetch_all(&mut *tx)
            .await
            .map_err(db)?;
        let by_id = self.subscriptions_by_id(&mut tx).await?;
        let mut claimed = Vec::with_capacity(rows.len());
        for row in &rows {
            let (subscription, attempts): (String, i32) = (row.get(0), row.get(1));
            let event = event_row(row, 3);
            claimed.push(pending_delivery(&self.cx(), &by_id, &subscription, attempts.into(), row.get(2), event)?);
        }
        tx.commit().await.map_err(db)?;
        claimed
            .sort_by(|a, b| (a.event.seq, a.subscription.id.as_str()).cmp(&(b.event.seq, b.subscription.id.as_str())));
        Ok(claimed)
    }

    async fn finish_delivery(
        &self,
        event: &TriggerEventId,
        subscription: &WebhookSubscriptionId,
        attempt: &DeliveryAttempt,
        next: DeliveryNext,
    ) -> Result<(), StoreError> {
        let what = format!("record an attempt at delivering {event} to {subscription}");
        let db = |e| self.cx().db(&what, e);
        let mut tx = self.pool().begin().await.map_err(db)?;
        let current: Option<(String, i32)> = sqlx::query_as(
            "SELECT status, attempts FROM trigger_deliveries
             WHERE project = $1 AND event = $2 AND subscription = $3 FOR UPDATE",
        )
        .bind(&*self.project)
        .bind(event.as_str())
        .bind(subscription.as_str())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        let Some((status, attempts)) = current else {
            return Err(missing_delivery(event, subscription));
        };
        let n = attempts.saturating_add(1);
        let (at, code, duration) =
            (to_ms(attempt.at), attempt.status.map(i32::from), int(attempt.duration.as_millis()));
        let (status, next_at) = after_attempt(&status, next);
        sqlx::query(
            "WITH attempt AS (
                 INSERT INTO trigger_delivery_attempts (event, subscription, n, at, status, error, duration_ms)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
             )
             UPDATE trigger_deliveries SET status = $8, attempts = $3, next_attempt_at = $9, claimed_until = NULL,
                 last_at = $4, last_status = $5, last_error = $6, last_duration_ms = $7
             WHERE event = $1 AND subscription = $2",
        )
        .bind(event.as_str())
        .bind(subscription.as_str())
        .bind(n)
        .bind(at)
        .bind(code)
        .bind(&attempt.error)
        .bind(duration)
        .bind(status)
        .bind(next_at)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)
    }

    async fn release_deliveries(
        &self,
        deliveries: &[(TriggerEventId, WebhookSubscriptionId)],
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE trigger_deliveries SET claimed_until = NULL
             WHERE project = $1 AND (event, subscription) IN (SELECT * FROM unnest($2::text[], $3::text[]))",
        )
        .bind(&*self.project)
        .bind(deliveries.iter().map(|(e, _)| e.as_str()).collect::<Vec<_>>())
        .bind(deliveries.iter().map(|(_, s)| s.as_str()).collect::<Vec<_>>())
        .execute(self.pool())
        .await
        .map_err(|e| self.cx().db("release claimed trigger deliveries", e))?;
        Ok(())
    }

    async fn deliveries(&self, filter: &DeliveryFilter) -> Result<Vec<DeliveryRecord>, StoreError> {
        let mut query = format!(
            "SELECT {DELIVERY_COLUMNS} FROM trigger_deliveries d JOIN trigger_events e ON e.id = d.event
             WHERE d.project = $1"
        );
        let lists = any_conditions(&mut query, 2, delivery_conditions(filter));
        query.push_str(" ORDER BY d.seq DESC, d.subscription DESC LIMIT $2");
        let mut select = sqlx::query(sql(query)).bind(&*self.project).bind(filter.limit.map(int));
        for values in lists {
            select = select.bind(values);
        }
        let rows = select.fetch_all(self.pool()).await.map_err(|e| self.cx().db("list trigger deliveries", e))?;
        rows.iter().map(|row| delivery_row(row).decode(&self.cx())).collect()
    }

    async fn delivery_attempts(&self, event: &TriggerEventId) -> Result<Vec<DeliveryAttempt>, StoreError> {
        let columns = ATTEMPT_COLUMNS.split(", ").map(|c| format!("a.{c}")).collect::<Vec<_>>().join(", ");
        let query = format!(
            "SELECT {columns} FROM trigger_delivery_attempts a
             JOIN trigger_deliveries d ON d.event = a.event AND d.subscription = a.subscription
             WHERE d.project = $1 AND a.event = $2 ORDER BY a.at, a.n, a.subscription"
        );
        let rows = sqlx::query(sql(query))
            .bind(&*self.project)
            .bind(event.as_str())
            .fetch_all(self.pool())
            .await
            .map_err(|e| self.cx().db("list delivery attempts", e))?;
        rows.iter()
            .map(|row| {
                let stored = AttemptRow {
                    at: row.get(0),
                    status: row.get::<Option<i32>, _>(1).map(i64::from),
                    error: row.get(2),
                    duration_ms: row.get(3),
                };
                stored.decode(&self.cx(), "trigger_delivery_attempts", event.as_str())
            })
            .collect()
    }
}
