//! Rows of trigger events, their deliveries (the outbox) and the deliveries' attempts,
//! and the rules both backends apply to them.

use std::collections::HashMap;
use std::time::Duration;

use toolsmith_core::{TriggerEventId, TriggerInstanceId, WebhookSubscriptionId};

use super::{from_ms, to_ms, RowCx};
use crate::{
    DeliveryAttempt, DeliveryFilter, DeliveryNext, DeliveryRecord, DeliveryStatus, NewTriggerEvent, PendingDelivery,
    StoreError, TriggerEvent, TriggerEventType, WebhookSubscription,
};

/// The columns of `trigger_events` (as `e`) an event is read from, in [`EventRow`]'s order.
pub(crate) const EVENT_COLUMNS: &str = "e.seq, e.id, e.type, e.instance, e.dedupe_key, e.envelope, e.created_at";

/// The columns a delivery is listed with (`trigger_deliveries` as `d`, joined with its
/// event as `e`), in [`DeliveryRow`]'s order.
pub(crate) const DELIVERY_COLUMNS: &str =
    "d.event, e.type, e.instance, d.subscription, d.status, d.attempts, d.next_attempt_at, e.created_at, \
     d.last_at, d.last_status, d.last_error, d.last_duration_ms";

/// The columns of `trigger_delivery_attempts` an attempt is read from, in
/// [`AttemptRow`]'s order.
pub(crate) const ATTEMPT_COLUMNS: &str = "at, status, error, duration_ms";

/// The column `blocked` of a pending delivery at time `now` (a SQL parameter): how many
/// of its subscription's and instance's pending deliveries up to it, in recording order,
/// are not due or are claimed. A claim takes those with none.
pub(crate) fn blocked_column(now: &str) -> String {
    format!(
        "sum(CASE WHEN next_attempt_at <= {now} AND (claimed_until IS NULL OR claimed_until <= {now}) THEN 0 ELSE 1 END)
             OVER (PARTITION BY subscription, grp ORDER BY seq ROWS UNBOUNDED PRECEDING) AS blocked"
    )
}

/// The conditions of `filter` on the columns of a delivery (`d`) and its event (`e`):
/// each non-empty list is one (any of its values).
pub(crate) fn delivery_conditions(filter: &DeliveryFilter) -> [(&'static str, Vec<&str>); 3] {
    [
        ("d.event", filter.events.iter().map(TriggerEventId::as_str).collect()),
        ("e.instance", filter.instances.iter().map(TriggerInstanceId::as_str).collect()),
        ("d.status", filter.statuses.iter().map(|s| s.as_str()).collect()),
    ]
}

/// `n` as a SQL integer (saturating).
pub(crate) fn int(n: impl TryInto<i64>) -> i64 {
    n.try_into().unwrap_or(i64::MAX)
}

/// Where events without an instance are grouped for ordering (the `grp` column).
pub(crate) fn group(instance: Option<&TriggerInstanceId>) -> &str {
    instance.map_or("", TriggerInstanceId::as_str)
}

/// What a state update names and does not exist: nothing was recorded.
pub(crate) fn missing_state_instance(instance: &TriggerInstanceId, events: usize) -> StoreError {
    StoreError::Missing(format!(
        "trigger instance {instance} (whose state was to move with {events} event(s); nothing was recorded; \
         stop polling an instance once it is deleted)"
    ))
}

/// A finished attempt at a delivery that is not there.
pub(crate) fn missing_delivery(event: &TriggerEventId, subscription: &WebhookSubscriptionId) -> StoreError {
    StoreError::Missing(format!(
        "the delivery of trigger event {event} to webhook subscription {subscription} (the attempt was not \
         recorded: the subscription was deleted with its pending deliveries, or the event was never queued \
         for it)"
    ))
}

/// The status and next due time (unix ms) of a delivery whose status is `current` after
/// an attempt followed by `next`: a success always counts; otherwise a delivery already
/// finished (by a worker that took it over after this one's claim expired) stays as it is.
pub(crate) fn after_attempt(current: &str, next: DeliveryNext) -> (&'static str, Option<i64>) {
    let finished = [DeliveryStatus::Delivered, DeliveryStatus::Failed].into_iter().find(|s| s.as_str() == current);
    match (next, finished) {
        (DeliveryNext::Delivered, _) => (DeliveryStatus::Delivered.as_str(), None),
        (_, Some(status)) => (status.as_str(), None),
        (DeliveryNext::RetryAt(when), None) => (DeliveryStatus::Pending.as_str(), Some(to_ms(when))),
        (DeliveryNext::GiveUp, None) => (DeliveryStatus::Failed.as_str(), None),
    }
}

/// `event` as recorded at position `seq`.
pub(crate) fn recorded_event(event: &NewTriggerEvent, seq: i64) -> TriggerEvent {
    TriggerEvent {
        id: event.id.clone(),
        seq: u64::try_from(seq).unwrap_or_default(),
        kind: event.kind,
        instance: event.instance.clone(),
        dedupe_key: event.dedupe_key.clone(),
        envelope: event.envelope.clone(),
        created_at: from_ms(to_ms(event.at)),
    }
}

/// A claimed delivery of `event` to the subscription with id `subscription` (one of
/// `subscriptions`, by id, secrets opened), after `attempts` attempts, first due at
/// `first_due`.
pub(crate) fn pending_delivery(
    cx: &impl RowCx,
    subscriptions: &HashMap<String, WebhookSubscription>,
    subscription: &str,
    attempts: i64,
    first_due: i64,
    event: EventRow,
) -> Result<PendingDelivery, StoreError> {
    let corrupt = |column, problem| cx.corrupt("trigger_deliveries", &event.id, column, problem);
    let attempts = u32::try_from(attempts).map_err(|_| corrupt("attempts", "is out of range"))?;
    let subscription = subscriptions
        .get(subscription)
        .cloned()
        .ok_or_else(|| corrupt("subscription", "names no webhook subscription"))?;
    Ok(PendingDelivery { event: event.decode(cx)?, subscription, attempts, first_due: from_ms(first_due) })
}

/// A row of `trigger_events`.
pub(crate) struct EventRow {
    pub(crate) seq: i64,
    pub(crate) id: String,
    pub(crate) kind: String,
    pub(crate) instance: Option<String>,
    pub(crate) dedupe_key: Option<String>,
    pub(crate) envelope: String,
    pub(crate) created_at: i64,
}

impl EventRow {
    pub(crate) fn decode(self, cx: &impl RowCx) -> Result<TriggerEvent, StoreError> {
        let corrupt = |column, problem| cx.corrupt("trigger_events", &self.id, column, problem);
        Ok(TriggerEvent {
            id: TriggerEventId::parse(&self.id).ok_or_else(|| corrupt("id", "is not a `msg_` id"))?,
            seq: u64::try_from(self.seq).map_err(|_| corrupt("seq", "is negative"))?,
            kind: self.kind.parse().map_err(|_| corrupt("type", "is not an event type"))?,
            instance: match &self.instance {
                Some(i) => Some(TriggerInstanceId::parse(i).ok_or_else(|| corrupt("instance", "is not a `ti_` id"))?),
                None => None,
            },
            dedupe_key: self.dedupe_key.clone(),
            envelope: serde_json::from_str(&self.envelope).map_err(|_| corrupt("envelope", "is not JSON"))?,
            created_at: from_ms(self.created_at),
        })
    }
}

/// An attempt as stored: `at`, `status`, `error`, `duration_ms`.
pub(crate) struct AttemptRow {
    pub(crate) at: i64,
    pub(crate) status: Option<i64>,
    pub(crate) error: Option<String>,
    pub(crate) duration_ms: i64,
}

impl AttemptRow {
    /// The attempt; `table` and `id` name its row in errors.
    pub(crate) fn decode(self, cx: &impl RowCx, table: &str, id: &str) -> Result<DeliveryAttempt, StoreError> {
        let status = match self.status {
            Some(s) => Some(u16::try_from(s).map_err(|_| cx.corrupt(table, id, "status", "is not an HTTP status"))?),
            None => None,
        };
        let duration_ms =
            u64::try_from(self.duration_ms).map_err(|_| cx.corrupt(table, id, "duration_ms", "is negative"))?;
        Ok(DeliveryAttempt {
            at: from_ms(self.at),
            status,
            error: self.error,
            duration: Duration::from_millis(duration_ms),
        })
    }
}

/// A delivery as [`DELIVERY_COLUMNS`] lists it; `last` is its last attempt, if any.
pub(crate) struct DeliveryRow {
    pub(crate) event: String,
    pub(crate) kind: String,
    pub(crate) instance: Option<String>,
    pub(crate) subscription: String,
    pub(crate) status: String,
    pub(crate) attempts: i64,
    pub(crate) next_attempt_at: Option<i64>,
    pub(crate) created_at: i64,
    pub(crate) last: Option<AttemptRow>,
}

impl DeliveryRow {
    pub(crate) fn decode(self, cx: &impl RowCx) -> Result<DeliveryRecord, StoreError> {
        let corrupt = |column, problem| cx.corrupt("trigger_deliveries", &self.event, column, problem);
        let status = [DeliveryStatus::Pending, DeliveryStatus::Delivered, DeliveryStatus::Failed]
            .into_iter()
            .find(|s| s.as_str() == self.status)
            .ok_or_else(|| corrupt("status", "is not pending, delivered or failed"))?;
        let kind: TriggerEventType = self.kind.parse().map_err(|_| corrupt("type", "is not an event type"))?;
        Ok(DeliveryRecord {
            event: TriggerEventId::parse(&self.event).ok_or_else(|| corrupt("event", "is not a `msg_` id"))?,
            kind,
            instance: match &self.instance {
                Some(i) => Some(TriggerInstanceId::parse(i).ok_or_else(|| corrupt("instance", "is not a `ti_` id"))?),
                None => None,
            },
            subscription: WebhookSubscriptionId::parse(&self.subscription)
                .ok_or_else(|| corrupt("subscription", "is not a `whs_` id"))?,
            status,
            attempts: u32::try_from(self.attempts).map_err(|_| corrupt("attempts", "is out of range"))?,
            last_attempt: self.last.map(|last| last.decode(cx, "trigger_deliveries", &self.event)).transpose()?,
            next_attempt_at: self.next_attempt_at.filter(|_| status == DeliveryStatus::Pending).map(from_ms),
            created_at: from_ms(self.created_at),
        })
    }
}
