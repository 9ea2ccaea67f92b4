//! [`LosingStore`]: a store that loses its refresh leases, for `oauth_refresh.rs`.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use toolsmith::store::prelude::*;
use toolsmith::store::{
    AccountFilter, ApiKey, AuthConfig, ConnectLink, ConnectedAccount, DeliveryAttempt, DeliveryFilter, DeliveryNext,
    DeliveryRecord, ExecutionLog, Fact, KeyId, KeyRing, LogFilter, NewTriggerEvent, PendingDelivery, Project,
    SessionRecord, StoreError, TriggerEvent, TriggerFilter, TriggerInstance, WebhookSubscription,
};
use toolsmith::{
    ApiKeyId, AuthConfigId, ConnectedAccountId, LogId, ProjectId, SessionId, ToolkitSlug, TriggerEventId,
    TriggerInstanceId, WebhookSubscriptionId,
};

/// A store whose `finish_refresh` reports the lease lost, as when it expired during the
/// token request and another process took it: it writes nothing of the caller's, only
/// `meanwhile` (what the other process stored), and releases the lease.
#[derive(Debug)]
pub(crate) struct LosingStore {
    pub(crate) inner: Arc<dyn Store>,
    pub(crate) meanwhile: Option<ConnectedAccount>,
}

#[async_trait::async_trait]
impl AuthConfigs for LosingStore {
    async fn put_auth_config(&self, config: &AuthConfig) -> Result<(), StoreError> {
        self.inner.put_auth_config(config).await
    }
    async fn auth_config(&self, id: &AuthConfigId) -> Result<Option<AuthConfig>, StoreError> {
        self.inner.auth_config(id).await
    }
    async fn auth_configs(&self, toolkit: Option<&ToolkitSlug>) -> Result<Vec<AuthConfig>, StoreError> {
        self.inner.auth_configs(toolkit).await
    }
    async fn delete_auth_config(&self, id: &AuthConfigId) -> Result<bool, StoreError> {
        self.inner.delete_auth_config(id).await
    }
}

#[async_trait::async_trait]
impl ConnectedAccounts for LosingStore {
    async fn put_account(&self, account: &ConnectedAccount) -> Result<(), StoreError> {
        self.inner.put_account(account).await
    }
    async fn account(&self, id: &ConnectedAccountId) -> Result<Option<ConnectedAccount>, StoreError> {
        self.inner.account(id).await
    }
    async fn accounts(&self, filter: &AccountFilter) -> Result<Vec<ConnectedAccount>, StoreError> {
        self.inner.accounts(filter).await
    }
    async fn delete_account(&self, id: &ConnectedAccountId) -> Result<bool, StoreError> {
        self.inner.delete_account(id).await
    }
    fn account_changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.inner.account_changes()
    }
}

#[async_trait::async_trait]
impl RefreshLeases for LosingStore {
    async fn try_lock_refresh(&self, id: &ConnectedAccountId, holder: &str, ttl: Duration) -> Result<bool, StoreError> {
        self.inner.try_lock_refresh(id, holder, ttl).await
    }
    async fn finish_refresh(
        &self,
        id: &ConnectedAccountId,
        holder: &str,
        _account: Option<&ConnectedAccount>,
    ) -> Result<(), StoreError> {
        self.inner.finish_refresh(id, holder, self.meanwhile.as_ref()).await?;
        Err(StoreError::LockLost(id.clone()))
    }
}

#[async_trait::async_trait]
impl ExecutionLogs for LosingStore {
    async fn put_log(&self, entry: &ExecutionLog) -> Result<(), StoreError> {
        self.inner.put_log(entry).await
    }
    async fn log(&self, id: &LogId) -> Result<Option<ExecutionLog>, StoreError> {
        self.inner.log(id).await
    }
    async fn logs(&self, filter: &LogFilter) -> Result<Vec<ExecutionLog>, StoreError> {
        self.inner.logs(filter).await
    }
}

#[async_trait::async_trait]
impl Sessions for LosingStore {
    async fn put_session(&self, session: &SessionRecord) -> Result<(), StoreError> {
        self.inner.put_session(session).await
    }
    async fn session(&self, id: &SessionId) -> Result<Option<SessionRecord>, StoreError> {
        self.inner.session(id).await
    }
    async fn delete_session(&self, id: &SessionId) -> Result<bool, StoreError> {
        self.inner.delete_session(id).await
    }
    async fn remember(&self, id: &SessionId, facts: &[Fact]) -> Result<(), StoreError> {
        self.inner.remember(id, facts).await
    }
    async fn memory(&self, id: &SessionId) -> Result<Vec<Fact>, StoreError> {
        self.inner.memory(id).await
    }
}

#[async_trait::async_trait]
impl ConnectLinks for LosingStore {
    async fn put_link(&self, link: &ConnectLink) -> Result<(), StoreError> {
        self.inner.put_link(link).await
    }
    async fn link(&self, token_hash: &str) -> Result<Option<ConnectLink>, StoreError> {
        self.inner.link(token_hash).await
    }
    async fn consume_link(&self, token_hash: &str, now: SystemTime) -> Result<Option<ConnectLink>, StoreError> {
        self.inner.consume_link(token_hash, now).await
    }
    async fn links_of(&self, account: &ConnectedAccountId) -> Result<Vec<ConnectLink>, StoreError> {
        self.inner.links_of(account).await
    }
}

#[async_trait::async_trait]
impl Projects for LosingStore {
    async fn put_project(&self, project: &Project) -> Result<(), StoreError> {
        self.inner.put_project(project).await
    }
    async fn project(&self, id: &ProjectId) -> Result<Option<Project>, StoreError> {
        self.inner.project(id).await
    }
    async fn project_named(&self, name: &str) -> Result<Option<Project>, StoreError> {
        self.inner.project_named(name).await
    }
    async fn projects(&self) -> Result<Vec<Project>, StoreError> {
        self.inner.projects().await
    }
    async fn put_api_key(&self, key: &ApiKey) -> Result<(), StoreError> {
        self.inner.put_api_key(key).await
    }
    async fn api_key_by_hash(&self, key_hash: &str) -> Result<Option<ApiKey>, StoreError> {
        self.inner.api_key_by_hash(key_hash).await
    }
    async fn api_keys(&self, project: Option<&ProjectId>) -> Result<Vec<ApiKey>, StoreError> {
        self.inner.api_keys(project).await
    }
    async fn revoke_api_key(&self, id: &ApiKeyId, at: SystemTime) -> Result<bool, StoreError> {
        self.inner.revoke_api_key(id, at).await
    }
}

#[async_trait::async_trait]
impl TriggerInstances for LosingStore {
    async fn upsert_trigger_instance(&self, instance: &TriggerInstance) -> Result<TriggerInstance, StoreError> {
        self.inner.upsert_trigger_instance(instance).await
    }
    async fn trigger_instance(&self, id: &TriggerInstanceId) -> Result<Option<TriggerInstance>, StoreError> {
        self.inner.trigger_instance(id).await
    }
    async fn trigger_instances(&self, filter: &TriggerFilter) -> Result<Vec<TriggerInstance>, StoreError> {
        self.inner.trigger_instances(filter).await
    }
    async fn set_trigger_enabled(
        &self,
        id: &TriggerInstanceId,
        enabled: bool,
        at: SystemTime,
    ) -> Result<bool, StoreError> {
        self.inner.set_trigger_enabled(id, enabled, at).await
    }
    async fn delete_trigger_instance(&self, id: &TriggerInstanceId) -> Result<bool, StoreError> {
        self.inner.delete_trigger_instance(id).await
    }
    async fn claim_poll(
        &self,
        id: &TriggerInstanceId,
        holder: &str,
        now: SystemTime,
        until: SystemTime,
    ) -> Result<bool, StoreError> {
        self.inner.claim_poll(id, holder, now, until).await
    }
}

#[async_trait::async_trait]
impl TriggerEvents for LosingStore {
    async fn record_trigger_events(
        &self,
        events: &[NewTriggerEvent],
        state: Option<(&TriggerInstanceId, &serde_json::Value)>,
    ) -> Result<Vec<TriggerEvent>, StoreError> {
        self.inner.record_trigger_events(events, state).await
    }
    async fn trigger_events_after(&self, after: Option<u64>, limit: usize) -> Result<Vec<TriggerEvent>, StoreError> {
        self.inner.trigger_events_after(after, limit).await
    }
    async fn claim_deliveries(
        &self,
        now: SystemTime,
        lease: Duration,
        limit: usize,
    ) -> Result<Vec<PendingDelivery>, StoreError> {
        self.inner.claim_deliveries(now, lease, limit).await
    }
    async fn finish_delivery(
        &self,
        event: &TriggerEventId,
        subscription: &WebhookSubscriptionId,
        attempt: &DeliveryAttempt,
        next: DeliveryNext,
    ) -> Result<(), StoreError> {
        self.inner.finish_delivery(event, subscription, attempt, next).await
    }
    async fn release_deliveries(
        &self,
        deliveries: &[(TriggerEventId, WebhookSubscriptionId)],
    ) -> Result<(), StoreError> {
        self.inner.release_deliveries(deliveries).await
    }
    async fn deliveries(&self, filter: &DeliveryFilter) -> Result<Vec<DeliveryRecord>, StoreError> {
        self.inner.deliveries(filter).await
    }
    async fn delivery_attempts(&self, event: &TriggerEventId) -> Result<Vec<DeliveryAttempt>, StoreError> {
        self.inner.delivery_attempts(event).await
    }
}

#[async_trait::async_trait]
impl WebhookSubscriptions for LosingStore {
    async fn create_webhook_subscription(&self, subscription: &WebhookSubscription) -> Result<(), StoreError> {
        self.inner.create_webhook_subscription(subscription).await
    }
    async fn webhook_subscription(
        &self,
        id: &WebhookSubscriptionId,
    ) -> Result<Option<WebhookSubscription>, StoreError> {
        self.inner.webhook_subscription(id).await
    }
    async fn webhook_subscriptions(&self) -> Result<Vec<WebhookSubscription>, StoreError> {
        self.inner.webhook_subscriptions().await
    }
    async fn update_webhook_subscription(&self, subscription: &WebhookSubscription) -> Result<bool, StoreError> {
        self.inner.update_webhook_subscription(subscription).await
    }
    async fn delete_webhook_subscription(&self, id: &WebhookSubscriptionId) -> Result<bool, StoreError> {
        self.inner.delete_webhook_subscription(id).await
    }
}

#[async_trait::async_trait]
impl McpSessions for LosingStore {
    async fn put_mcp_session(&self, id: &str, state: &str, at: SystemTime) -> Result<(), StoreError> {
        self.inner.put_mcp_session(id, state, at).await
    }
    async fn mcp_session(&self, id: &str) -> Result<Option<String>, StoreError> {
        self.inner.mcp_session(id).await
    }
    async fn delete_mcp_session(&self, id: &str) -> Result<bool, StoreError> {
        self.inner.delete_mcp_session(id).await
    }
}

#[async_trait::async_trait]
impl KeyRotation for LosingStore {
    fn keys(&self) -> Result<KeyRing, StoreError> {
        self.inner.keys()
    }
    async fn reencrypt(&self) -> Result<usize, StoreError> {
        self.inner.reencrypt().await
    }
    async fn sealed_keys(&self) -> Result<std::collections::BTreeMap<KeyId, usize>, StoreError> {
        self.inner.sealed_keys().await
    }
}
