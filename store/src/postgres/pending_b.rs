//! TEMPORARY during issue 19: helper B (sessions and triggers) replaces every impl below with a real one in its own
//! file and deletes this file. Nothing here is reachable once that is done.

#![allow(unused_variables, unused_imports)]

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use serde_json::Value;
use toolsmith_core::*;
use toolsmith_spec::ToolkitSlug;

use super::handle::PgStore;
use crate::*;

fn pending(what: &str) -> StoreError {
    StoreError::Database {
        path: "postgres".to_owned(),
        message: format!("{what} is not built yet for PostgreSQL"),
        source: None,
    }
}

#[async_trait::async_trait]
impl Sessions for PgStore {
    async fn put_session(&self, session: &SessionRecord) -> Result<(), StoreError> {
        Err(pending("put_session"))
    }
    async fn session(&self, id: &SessionId) -> Result<Option<SessionRecord>, StoreError> {
        Err(pending("session"))
    }
    async fn delete_session(&self, id: &SessionId) -> Result<bool, StoreError> {
        Err(pending("delete_session"))
    }
    async fn remember(&self, id: &SessionId, facts: &[Fact]) -> Result<(), StoreError> {
        Err(pending("remember"))
    }
    async fn memory(&self, id: &SessionId) -> Result<Vec<Fact>, StoreError> {
        Err(pending("memory"))
    }
}

#[async_trait::async_trait]
impl ConnectLinks for PgStore {
    async fn put_link(&self, link: &ConnectLink) -> Result<(), StoreError> {
        Err(pending("put_link"))
    }
    async fn link(&self, token_hash: &str) -> Result<Option<ConnectLink>, StoreError> {
        Err(pending("link"))
    }
    async fn consume_link(&self, token_hash: &str, now: SystemTime) -> Result<Option<ConnectLink>, StoreError> {
        Err(pending("consume_link"))
    }
    async fn links_of(&self, account: &ConnectedAccountId) -> Result<Vec<ConnectLink>, StoreError> {
        Err(pending("links_of"))
    }
}

#[async_trait::async_trait]
impl McpSessions for PgStore {
    async fn put_mcp_session(&self, id: &str, state: &str, at: SystemTime) -> Result<(), StoreError> {
        Err(pending("put_mcp_session"))
    }
    async fn mcp_session(&self, id: &str) -> Result<Option<String>, StoreError> {
        Err(pending("mcp_session"))
    }
    async fn delete_mcp_session(&self, id: &str) -> Result<bool, StoreError> {
        Err(pending("delete_mcp_session"))
    }
}

#[async_trait::async_trait]
impl TriggerInstances for PgStore {
    async fn upsert_trigger_instance(&self, instance: &TriggerInstance) -> Result<TriggerInstance, StoreError> {
        Err(pending("upsert_trigger_instance"))
    }
    async fn trigger_instance(&self, id: &TriggerInstanceId) -> Result<Option<TriggerInstance>, StoreError> {
        Err(pending("trigger_instance"))
    }
    async fn trigger_instances(&self, filter: &TriggerFilter) -> Result<Vec<TriggerInstance>, StoreError> {
        Err(pending("trigger_instances"))
    }
    async fn set_trigger_enabled(
        &self,
        id: &TriggerInstanceId,
        enabled: bool,
        at: SystemTime,
    ) -> Result<bool, StoreError> {
        Err(pending("set_trigger_enabled"))
    }
    async fn delete_trigger_instance(&self, id: &TriggerInstanceId) -> Result<bool, StoreError> {
        Err(pending("delete_trigger_instance"))
    }
    async fn claim_poll(
        &self,
        id: &TriggerInstanceId,
        holder: &str,
        now: SystemTime,
        until: SystemTime,
    ) -> Result<bool, StoreError> {
        Err(pending("claim_poll"))
    }
}

#[async_trait::async_trait]
impl TriggerEvents for PgStore {
    async fn record_trigger_events(
        &self,
        events: &[NewTriggerEvent],
        state: Option<(&TriggerInstanceId, &Value)>,
    ) -> Result<Vec<TriggerEvent>, StoreError> {
        Err(pending("record_trigger_events"))
    }
    async fn trigger_events_after(&self, after: Option<u64>, limit: usize) -> Result<Vec<TriggerEvent>, StoreError> {
        Err(pending("trigger_events_after"))
    }
    async fn claim_deliveries(
        &self,
        now: SystemTime,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<PendingDelivery>, StoreError> {
        Err(pending("claim_deliveries"))
    }
    async fn finish_delivery(
        &self,
        event: &TriggerEventId,
        subscription: &WebhookSubscriptionId,
        attempt: &DeliveryAttempt,
        next: DeliveryNext,
    ) -> Result<(), StoreError> {
        Err(pending("finish_delivery"))
    }
    async fn release_deliveries(
        &self,
        deliveries: &[(TriggerEventId, WebhookSubscriptionId)],
    ) -> Result<(), StoreError> {
        Err(pending("release_deliveries"))
    }
    async fn deliveries(&self, filter: &DeliveryFilter) -> Result<Vec<DeliveryRecord>, StoreError> {
        Err(pending("deliveries"))
    }
    async fn delivery_attempts(&self, event: &TriggerEventId) -> Result<Vec<DeliveryAttempt>, StoreError> {
        Err(pending("delivery_attempts"))
    }
}

#[async_trait::async_trait]
impl WebhookSubscriptions for PgStore {
    async fn create_webhook_subscription(&self, subscription: &WebhookSubscription) -> Result<(), StoreError> {
        Err(pending("create_webhook_subscription"))
    }
    async fn webhook_subscription(
        &self,
        id: &WebhookSubscriptionId,
    ) -> Result<Option<WebhookSubscription>, StoreError> {
        Err(pending("webhook_subscription"))
    }
    async fn webhook_subscriptions(&self) -> Result<Vec<WebhookSubscription>, StoreError> {
        Err(pending("webhook_subscriptions"))
    }
    async fn update_webhook_subscription(&self, subscription: &WebhookSubscription) -> Result<bool, StoreError> {
        Err(pending("update_webhook_subscription"))
    }
    async fn delete_webhook_subscription(&self, id: &WebhookSubscriptionId) -> Result<bool, StoreError> {
        Err(pending("delete_webhook_subscription"))
    }
}
