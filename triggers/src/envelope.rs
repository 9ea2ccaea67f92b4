//! Composio's V3 event envelope: the body delivered to the app for each event,
//! `{id, type, timestamp, metadata, data}`, as the official SDK's `verify_webhook` and
//! `parse` read it. Every producer (webhook ingress, polling, account expiry, a trigger
//! disabled) builds its events here, so they all look alike.

use std::time::SystemTime;

use serde_json::{json, Map, Value};
use toolsmith_core::{LogId, TriggerEventId};
use toolsmith_store::{ConnectedAccount, NewTriggerEvent, TriggerEventType, TriggerInstance};

/// `composio.trigger.message`: `instance` fired with `data` (the provider's webhook body,
/// or one polled item). `dedupe_key` makes a second event with the same key for the
/// same instance a duplicate ([`NewTriggerEvent::dedupe_key`]).
///
/// ```
/// use std::time::SystemTime;
/// # let instance = toolsmith_store::TriggerInstance {
/// #     id: toolsmith_core::TriggerInstanceId::generate(),
/// #     trigger: "GITHUB_ISSUES_EVENT".into(),
/// #     toolkit: "github".into(),
/// #     user_id: toolsmith_core::UserId::new("ada"),
/// #     account: None,
/// #     auth_config: None,
/// #     config: Default::default(),
/// #     secrets: Default::default(),
/// #     enabled: true,
/// #     state: serde_json::Value::Null,
/// #     created_at: SystemTime::UNIX_EPOCH,
/// #     updated_at: SystemTime::UNIX_EPOCH,
/// # };
/// let event = toolsmith_triggers::envelope::message(&instance, serde_json::json!({"action": "opened"}), None, SystemTime::now());
/// assert_eq!(event.envelope["type"], "composio.trigger.message");
/// assert_eq!(event.envelope["metadata"]["trigger_slug"], "GITHUB_ISSUES_EVENT");
/// assert_eq!(event.envelope["metadata"]["trigger_id"], instance.id.as_str());
/// assert_eq!(event.envelope["data"]["action"], "opened");
/// ```
pub fn message(instance: &TriggerInstance, data: Value, dedupe_key: Option<String>, at: SystemTime) -> NewTriggerEvent {
    let metadata = json!({
        "log_id": LogId::generate().as_str(),
        "trigger_slug": instance.trigger.as_str(),
        "trigger_id": instance.id.as_str(),
        "connected_account_id": instance.account.as_ref().map(|a| a.as_str()),
        "auth_config_id": instance.auth_config.as_ref().map(|a| a.as_str()),
        "user_id": instance.user_id.as_str(),
    });
    event(TriggerEventType::Message, Some(instance), metadata, data, dedupe_key, at)
}

/// `composio.trigger.disabled`: `instance` was disabled (`reason` says why: by whom, or
/// its account expired). Ordered with the instance's other events.
pub fn trigger_disabled(instance: &TriggerInstance, reason: &str, at: SystemTime) -> NewTriggerEvent {
    let metadata = json!({
        "log_id": LogId::generate().as_str(),
        "trigger_slug": instance.trigger.as_str(),
        "trigger_id": instance.id.as_str(),
        "connected_account_id": instance.account.as_ref().map(|a| a.as_str()),
        "auth_config_id": instance.auth_config.as_ref().map(|a| a.as_str()),
        "user_id": instance.user_id.as_str(),
    });
    let data = json!({
        "trigger_id": instance.id.as_str(),
        "trigger_slug": instance.trigger.as_str(),
        "reason": reason,
    });
    event(TriggerEventType::TriggerDisabled, Some(instance), metadata, data, None, at)
}

/// `composio.connected_account.expired`: `account`'s refresh failed for good; the user
/// has to connect it again. `reason` is the provider's refusal, without any secret.
pub fn account_expired(account: &ConnectedAccount, reason: &str, at: SystemTime) -> NewTriggerEvent {
    let metadata = json!({
        "log_id": LogId::generate().as_str(),
        "connected_account_id": account.id.as_str(),
        "auth_config_id": account.auth_config.as_str(),
        "user_id": account.user_id.as_str(),
        "toolkit": account.toolkit.as_str(),
    });
    let data = json!({
        "id": account.id.as_str(),
        "toolkit": {"slug": account.toolkit.as_str()},
        "auth_config": {"id": account.auth_config.as_str()},
        "user_id": account.user_id.as_str(),
        "status": "EXPIRED",
        "status_reason": reason,
    });
    event(TriggerEventType::AccountExpired, None, metadata, data, None, at)
}

fn event(
    kind: TriggerEventType,
    instance: Option<&TriggerInstance>,
    metadata: Value,
    data: Value,
    dedupe_key: Option<String>,
    at: SystemTime,
) -> NewTriggerEvent {
    let id = TriggerEventId::generate();
    let mut envelope = Map::new();
    envelope.insert("id".into(), id.as_str().into());
    envelope.insert("type".into(), kind.as_str().into());
    envelope.insert("timestamp".into(), humantime::format_rfc3339_millis(at).to_string().into());
    envelope.insert("metadata".into(), metadata);
    envelope.insert("data".into(), data);
    NewTriggerEvent {
        id,
        kind,
        instance: instance.map(|i| i.id.clone()),
        dedupe_key,
        envelope: Value::Object(envelope),
        at,
    }
}
