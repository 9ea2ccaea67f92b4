//! [`TriggerEvents`] and [`WebhookSubscriptions`] on SQLite: SCAFFOLD, being written
//! (issue 18). Every method answers that the outbox is not available in this build yet.

use std::time::{Duration, SystemTime};

use serde_json::Value;
use toolsmith_core::{TriggerEventId, TriggerInstanceId, WebhookSubscriptionId};

use super::SqliteStore;
use crate::{
    DeliveryAttempt, DeliveryFilter, DeliveryNext, DeliveryRecord, NewTriggerEvent, PendingDelivery, StoreError,
    TriggerEvent, TriggerEvents, WebhookSubscription, WebhookSubscriptions,
};

fn unavailable(store: &SqliteStore) -> StoreError {
    StoreError::Database {
        path: store.shared.path.clone(),
        message: "the trigger outbox is not available in this build yet".into(),
        source: None,
    }
}

#[async_trait::async_trait]
impl TriggerEvents for SqliteStore {
    async fn record_trigger_events(
        &self,
        _events: &[NewTriggerEvent],
        _state: Option<(&TriggerInstanceId, &Value)>,
    ) -> Result<Vec<TriggerEvent>, StoreError> {
        Err(unavailable(self))
    }

    async fn trigger_events_after(&self, _after: Option<u64>, _limit: usize) -> Result<Vec<TriggerEvent>, StoreError> {
        Err(unavailable(self))
    }

    async fn claim_deliveries(
        &self,
        _now: SystemTime,
        _lease: Duration,
        _limit: usize,
    ) -> Result<Vec<PendingDelivery>, StoreError> {
        Err(unavailable(self))
    }

    async fn finish_delivery(
        &self,
        _event: &TriggerEventId,
        _subscription: &WebhookSubscriptionId,
        _attempt: &DeliveryAttempt,
        _next: DeliveryNext,
    ) -> Result<(), StoreError> {
        Err(unavailable(self))
    }

    async fn release_deliveries(
        &self,
        _deliveries: &[(TriggerEventId, WebhookSubscriptionId)],
    ) -> Result<(), StoreError> {
        Err(unavailable(self))
    }

    async fn deliveries(&self, _filter: &DeliveryFilter) -> Result<Vec<DeliveryRecord>, StoreError> {
        Err(unavailable(self))
    }

    async fn delivery_attempts(&self, _event: &TriggerEventId) -> Result<Vec<DeliveryAttempt>, StoreError> {
        Err(unavailable(self))
    }
}

#[async_trait::async_trait]
impl WebhookSubscriptions for SqliteStore {
    async fn create_webhook_subscription(&self, _subscription: &WebhookSubscription) -> Result<(), StoreError> {
        Err(unavailable(self))
    }

    async fn webhook_subscription(
        &self,
        _id: &WebhookSubscriptionId,
    ) -> Result<Option<WebhookSubscription>, StoreError> {
        Err(unavailable(self))
    }

    async fn webhook_subscriptions(&self) -> Result<Vec<WebhookSubscription>, StoreError> {
        Err(unavailable(self))
    }

    async fn update_webhook_subscription(&self, _subscription: &WebhookSubscription) -> Result<bool, StoreError> {
        Err(unavailable(self))
    }

    async fn delete_webhook_subscription(&self, _id: &WebhookSubscriptionId) -> Result<bool, StoreError> {
        Err(unavailable(self))
    }
}
