//! Rows of webhook subscriptions: the signing secret sealed with the key ring and bound
//! to the subscription's id, like a trigger instance's secrets.

use secrecy::{ExposeSecret, SecretString};
use toolsmith_core::WebhookSubscriptionId;

use super::{from_ms, subscription_context, RowCx};
use crate::{StoreError, TriggerEventType, WebhookSubscription};

/// The columns of `webhook_subscriptions` (but `project`), in [`SubscriptionRow`]'s order.
pub(crate) const SUBSCRIPTION_COLUMNS: &str = "id, url, secret, version, enabled_events, created_at, updated_at";

/// The subscription's signing secret, sealed.
pub(crate) fn seal(cx: &impl RowCx, subscription: &WebhookSubscription) -> Result<String, StoreError> {
    let id = subscription.id.as_str();
    Ok(cx.keys().seal(subscription.secret.expose_secret().as_bytes(), &subscription_context(id))?)
}

/// The `enabled_events` column: a JSON array of the event types' names.
pub(crate) fn events_json(subscription: &WebhookSubscription) -> String {
    let names: Vec<serde_json::Value> = subscription.enabled_events.iter().map(|t| t.as_str().into()).collect();
    serde_json::Value::Array(names).to_string()
}

/// The event types of subscription `id`, from its `enabled_events` column.
pub(crate) fn event_types(cx: &impl RowCx, id: &str, json: &str) -> Result<Vec<TriggerEventType>, StoreError> {
    let corrupt = |problem| cx.corrupt("webhook_subscriptions", id, "enabled_events", problem);
    let names: Vec<String> = serde_json::from_str(json).map_err(|_| corrupt("is not a JSON array of strings"))?;
    names.iter().map(|name| name.parse()).collect::<Result<_, _>>().map_err(|_| corrupt("holds an unknown event type"))
}

/// The message of a second subscription of a project, which has `existing`.
pub(crate) fn second_subscription(subscription: &WebhookSubscription, existing: &str) -> String {
    format!(
        "could not create webhook subscription {}: the project already has webhook subscription {existing}; \
         update it (PATCH /api/v3/webhook_subscriptions/{existing}) or delete it first",
        subscription.id
    )
}

/// A row of `webhook_subscriptions`.
pub(crate) struct SubscriptionRow {
    pub(crate) id: String,
    pub(crate) url: String,
    pub(crate) secret: String,
    pub(crate) version: String,
    pub(crate) enabled_events: String,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
}

impl SubscriptionRow {
    pub(crate) fn decode(self, cx: &impl RowCx) -> Result<WebhookSubscription, StoreError> {
        let corrupt = |column, problem| cx.corrupt("webhook_subscriptions", &self.id, column, problem);
        let opened = cx.keys().open(&self.secret, &subscription_context(&self.id))?;
        let secret = std::str::from_utf8(opened.expose_secret())
            .map_err(|_| corrupt("secret", "does not decrypt to text"))?
            .to_owned();
        let enabled_events = event_types(cx, &self.id, &self.enabled_events)?;
        Ok(WebhookSubscription {
            id: WebhookSubscriptionId::parse(&self.id).ok_or_else(|| corrupt("id", "is not a `whs_` id"))?,
            url: url::Url::parse(&self.url).map_err(|_| corrupt("url", "is not a URL"))?,
            secret: SecretString::from(secret),
            version: self.version,
            enabled_events,
            created_at: from_ms(self.created_at),
            updated_at: from_ms(self.updated_at),
        })
    }
}
