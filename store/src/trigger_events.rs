//! Trigger events (`msg_…`), the outbox that delivers them to the app, and the
//! project's webhook subscription (`whs_…`) they are delivered to.
//!
//! An event is recorded once ([`TriggerEvents::record_trigger_events`]): in the same
//! transaction the store writes one outbox row per enabled subscription that takes the
//! event's type, and moves the trigger instance's state (a poll cursor), so a crash
//! never loses an event nor re-emits one. Deliveries are then claimed, attempted and
//! finished by the delivery worker, in order per trigger instance.

use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime};

use secrecy::SecretString;
use serde_json::Value;
use toolsmith_core::{TriggerEventId, TriggerInstanceId, WebhookSubscriptionId};

use crate::StoreError;

/// What an event is about: Composio's envelope `type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TriggerEventType {
    /// `composio.trigger.message`: a trigger instance fired.
    Message,
    /// `composio.connected_account.expired`: an account's refresh failed for good.
    AccountExpired,
    /// `composio.trigger.disabled`: a trigger instance was disabled.
    TriggerDisabled,
}

impl TriggerEventType {
    /// Every type, in the order the API lists them.
    pub const ALL: [TriggerEventType; 3] = [Self::Message, Self::AccountExpired, Self::TriggerDisabled];

    /// The envelope's `type`.
    ///
    /// ```
    /// use toolsmith_store::TriggerEventType;
    /// assert_eq!(TriggerEventType::Message.as_str(), "composio.trigger.message");
    /// assert_eq!("composio.trigger.disabled".parse(), Ok(TriggerEventType::TriggerDisabled));
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Message => "composio.trigger.message",
            Self::AccountExpired => "composio.connected_account.expired",
            Self::TriggerDisabled => "composio.trigger.disabled",
        }
    }
}

impl fmt::Display for TriggerEventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A text that is not one of [`TriggerEventType::ALL`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not an event type: use composio.trigger.message, composio.connected_account.expired or composio.trigger.disabled"
)]
pub struct UnknownEventType(pub String);

impl FromStr for TriggerEventType {
    type Err = UnknownEventType;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|t| t.as_str() == text).ok_or_else(|| UnknownEventType(text.to_owned()))
    }
}

/// An event to record.
#[derive(Clone, Debug)]
pub struct NewTriggerEvent {
    /// Its id, also the delivery's `webhook-id`.
    pub id: TriggerEventId,
    /// Its type.
    pub kind: TriggerEventType,
    /// The instance it belongs to; deliveries of one instance's events keep their order.
    /// `None` for an event of the project (an account that expired).
    pub instance: Option<TriggerInstanceId>,
    /// What makes it the same event as one already recorded for the same instance (a
    /// polled item's key, a provider's delivery id): a second event with the same
    /// instance and key is not recorded. `None`: never a duplicate.
    pub dedupe_key: Option<String>,
    /// The body delivered to the app: Composio's V3 envelope
    /// `{id, type, timestamp, metadata, data}`.
    pub envelope: Value,
    /// When it happened.
    pub at: SystemTime,
}

/// An event as recorded.
#[derive(Clone, Debug, PartialEq)]
pub struct TriggerEvent {
    /// Its id.
    pub id: TriggerEventId,
    /// Its position among all the store's events: strictly increasing in the order they
    /// were recorded, so a reader can ask for the events after the last one it saw.
    pub seq: u64,
    /// Its type.
    pub kind: TriggerEventType,
    /// The instance it belongs to.
    pub instance: Option<TriggerInstanceId>,
    /// Its dedupe key.
    pub dedupe_key: Option<String>,
    /// The body delivered to the app.
    pub envelope: Value,
    /// When it happened.
    pub created_at: SystemTime,
}

/// A project's webhook subscription: where its events are POSTed, signed with
/// `secret` (Composio's `webhook-signature: v1,<base64 HMAC-SHA256>`).
#[derive(Clone, Debug)]
pub struct WebhookSubscription {
    /// Its id.
    pub id: WebhookSubscriptionId,
    /// The URL events are POSTed to.
    pub url: url::Url,
    /// The signing secret, sealed at rest.
    pub secret: SecretString,
    /// The envelope version (`V3`; Composio also knows `V1`, `V2`).
    pub version: String,
    /// The event types it takes.
    pub enabled_events: Vec<TriggerEventType>,
    /// When it was created.
    pub created_at: SystemTime,
    /// When it last changed.
    pub updated_at: SystemTime,
}

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DeliveryStatus {
    /// Not delivered yet: waiting for its turn or its next attempt.
    Pending,
    /// The app answered 2xx.
    Delivered,
    /// Given up after the retry period.
    Failed,
}

impl DeliveryStatus {
    /// `pending`, `delivered` or `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }
}

/// A delivery the worker claimed: the event, where it goes, and how many attempts it had.
#[derive(Clone, Debug)]
pub struct PendingDelivery {
    /// The event.
    pub event: TriggerEvent,
    /// The subscription it is delivered to.
    pub subscription: WebhookSubscription,
    /// Attempts made before this one.
    pub attempts: u32,
    /// When the first attempt was due (the event's recording): the retry period counts
    /// from it.
    pub first_due: SystemTime,
}

/// One attempt at a delivery, as the worker saw it.
#[derive(Clone, Debug, PartialEq)]
pub struct DeliveryAttempt {
    /// When it started.
    pub at: SystemTime,
    /// The app's HTTP status; `None` when no response came (refused, timed out).
    pub status: Option<u16>,
    /// What went wrong, for a person (no secret, no response body beyond a short excerpt).
    pub error: Option<String>,
    /// How long it took.
    pub duration: Duration,
}

/// What happens to a delivery after an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryNext {
    /// It is done (the app answered 2xx).
    Delivered,
    /// Try again at this time.
    RetryAt(SystemTime),
    /// Give up: it stays visible as `failed`.
    GiveUp,
}

/// A delivery as `toolsmith triggers deliveries` shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct DeliveryRecord {
    /// The event.
    pub event: TriggerEventId,
    /// The event's type.
    pub kind: TriggerEventType,
    /// The event's instance.
    pub instance: Option<TriggerInstanceId>,
    /// The subscription.
    pub subscription: WebhookSubscriptionId,
    /// Where it stands.
    pub status: DeliveryStatus,
    /// Attempts made so far.
    pub attempts: u32,
    /// The last attempt, if any.
    pub last_attempt: Option<DeliveryAttempt>,
    /// When the next attempt is due (pending ones).
    pub next_attempt_at: Option<SystemTime>,
    /// When the event was recorded.
    pub created_at: SystemTime,
}

/// Which deliveries [`TriggerEvents::deliveries`] returns: each non-empty list is one
/// condition (any of its values), all conditions must hold; newest first, at most
/// `limit` (all when `None`).
#[derive(Clone, Debug, Default)]
pub struct DeliveryFilter {
    /// Only those of these events.
    pub events: Vec<TriggerEventId>,
    /// Only those of these instances' events.
    pub instances: Vec<TriggerInstanceId>,
    /// Only those with one of these statuses.
    pub statuses: Vec<DeliveryStatus>,
    /// At most this many.
    pub limit: Option<usize>,
}

/// Trigger events and their outbox.
#[async_trait::async_trait]
pub trait TriggerEvents: Send + Sync + fmt::Debug {
    /// Records `events` in one transaction, and with them `state` as the new state of
    /// its trigger instance (a poll's cursor), so the cursor moves if and only if the
    /// events it found are recorded. An event whose instance already has an event with
    /// its `dedupe_key` is skipped, as is one whose id is already recorded. Each recorded
    /// event gets one pending delivery per subscription that takes its type, due at once.
    /// Returns the events recorded, in order.
    ///
    /// [`StoreError::Missing`] when `state` names an instance that does not exist.
    async fn record_trigger_events(
        &self,
        events: &[NewTriggerEvent],
        state: Option<(&TriggerInstanceId, &Value)>,
    ) -> Result<Vec<TriggerEvent>, StoreError>;

    /// The events recorded after position `after` (from the first with `None`), in
    /// order, at most `limit`.
    async fn trigger_events_after(&self, after: Option<u64>, limit: usize) -> Result<Vec<TriggerEvent>, StoreError>;

    /// Claims deliveries to attempt now, at most `limit`, for `lease` (a claim that is
    /// not finished by then is claimable again: a worker that died loses nothing).
    ///
    /// Order per instance: for each instance (and separately for events without one) the
    /// result holds a prefix of its pending deliveries in recording order, and only if
    /// the first of them is due at `now` and unclaimed; so an event is never attempted
    /// while an earlier one of its instance is pending. The caller attempts each
    /// instance's deliveries in the order given, and after a failure
    /// [releases](Self::release_deliveries) the rest of that instance's.
    async fn claim_deliveries(
        &self,
        now: SystemTime,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<PendingDelivery>, StoreError>;

    /// Records an attempt at delivering `event` to `subscription` and what follows it;
    /// the claim ends.
    async fn finish_delivery(
        &self,
        event: &TriggerEventId,
        subscription: &WebhookSubscriptionId,
        attempt: &DeliveryAttempt,
        next: DeliveryNext,
    ) -> Result<(), StoreError>;

    /// Ends the claims on these deliveries without an attempt (they keep their due time).
    async fn release_deliveries(
        &self,
        deliveries: &[(TriggerEventId, WebhookSubscriptionId)],
    ) -> Result<(), StoreError>;

    /// The deliveries a filter selects, newest first.
    async fn deliveries(&self, filter: &DeliveryFilter) -> Result<Vec<DeliveryRecord>, StoreError>;

    /// Every attempt at delivering `event`, oldest first.
    async fn delivery_attempts(&self, event: &TriggerEventId) -> Result<Vec<DeliveryAttempt>, StoreError>;
}

/// The project's webhook subscriptions (Composio allows one per project; the store
/// refuses a second with [`StoreError::Conflict`]). The secret is sealed at rest,
/// bound to the subscription's id.
#[async_trait::async_trait]
pub trait WebhookSubscriptions: Send + Sync + fmt::Debug {
    /// Saves a new subscription; [`StoreError::Conflict`] when the project has one.
    async fn create_webhook_subscription(&self, subscription: &WebhookSubscription) -> Result<(), StoreError>;
    /// A subscription by id.
    async fn webhook_subscription(&self, id: &WebhookSubscriptionId)
        -> Result<Option<WebhookSubscription>, StoreError>;
    /// Every subscription, oldest first.
    async fn webhook_subscriptions(&self) -> Result<Vec<WebhookSubscription>, StoreError>;
    /// Replaces a subscription's URL, secret, version and events (by its id); `false`
    /// when there is none. Pending deliveries go to the new URL, signed with the new
    /// secret.
    async fn update_webhook_subscription(&self, subscription: &WebhookSubscription) -> Result<bool, StoreError>;
    /// Deletes a subscription and its pending deliveries; `false` when there was none.
    async fn delete_webhook_subscription(&self, id: &WebhookSubscriptionId) -> Result<bool, StoreError>;
}
