//! Webhook ingress: a provider's delivery to a trigger instance's URL, verified against
//! the trigger type's [`Webhook`] spec and the instance's secret, then answered as a
//! challenge, recorded as an event, or ignored. Pure: no HTTP, no store; the server's
//! route looks the instance up, calls [`receive`] and records what it returns.
//!
//! The order is fixed: the instance must be enabled, the delivery's signature must verify
//! (a trigger whose spec has a signature never takes an unsigned delivery; one without
//! takes deliveries only when its spec says `unsigned: true`), and only then is the body
//! read: a challenge is answered, the event's name matched against the spec's `events`.

use std::time::SystemTime;

use serde_json::{Map, Value};
use toolsmith_spec::{Trigger, Webhook};
use toolsmith_store::{NewTriggerEvent, TriggerInstance};

use crate::envelope;
use crate::signature::{verify_webhook, SignatureError};
use crate::types::{TriggerKind, TriggerTypes};

/// What a delivery comes to.
#[derive(Debug)]
pub enum Outcome {
    /// A verification request: answer 200 with this JSON, record nothing.
    Challenge(Value),
    /// An event to record (Composio's envelope, `data` the delivery's body).
    Event(Box<NewTriggerEvent>),
    /// A delivery this trigger does not take (another event type): answer 200 so the
    /// provider does not retry, record nothing. Says why.
    Ignored(String),
}

/// Why a delivery is refused. Each variant knows its HTTP status ([`status`](Self::status));
/// no message holds a secret or a signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IngressError {
    /// No trigger instance with this id (in any project), or it belongs to another
    /// toolkit than the URL names: 404.
    #[error(
        "no trigger instance `{id}` of toolkit `{toolkit}`; use the webhook URL `toolsmith triggers create` printed"
    )]
    UnknownInstance {
        /// The toolkit in the URL.
        toolkit: String,
        /// The instance id in the URL.
        id: String,
    },
    /// The instance's trigger type is not a webhook trigger of this server's catalog: 404.
    #[error("trigger `{trigger}` is not delivered by webhook in this server's catalog")]
    NotWebhook {
        /// The trigger type's slug.
        trigger: String,
    },
    /// The instance is disabled: 409 (it may be enabled again, so not 410, which tells
    /// some providers to drop the subscription for good).
    #[error("trigger instance `{id}` is disabled; enable it with PATCH /api/v3/trigger_instances/manage/{id}")]
    Disabled {
        /// The instance's id.
        id: String,
    },
    /// The spec has neither a `signature` nor `unsigned: true`: 401.
    #[error("trigger `{trigger}` takes no unsigned delivery: its spec has no `signature` (and does not say `unsigned: true`)")]
    Unsigned {
        /// The trigger type's slug.
        trigger: String,
    },
    /// The instance has no value for the signature's key: 409.
    #[error("the trigger instance has no `{field}`; upsert it again with trigger_config.{field}")]
    NoKey {
        /// The config property the spec names.
        field: String,
    },
    /// The signature did not verify (missing, tampered, stale…): 401.
    #[error("the delivery's signature is refused: {0}")]
    Signature(#[from] SignatureError),
    /// The request is not what the spec says the provider sends: 400.
    #[error("malformed delivery: {0}")]
    Malformed(String),
}

impl IngressError {
    /// The HTTP status of the refusal.
    pub fn status(&self) -> u16 {
        match self {
            Self::UnknownInstance { .. } | Self::NotWebhook { .. } => 404,
            Self::Disabled { .. } | Self::NoKey { .. } => 409,
            Self::Unsigned { .. } | Self::Signature(_) => 401,
            Self::Malformed(_) => 400,
        }
    }
}

/// A delivery as it arrived.
#[derive(Clone, Copy, Debug)]
pub struct Delivery<'a> {
    /// Its headers (names in any case).
    pub headers: &'a [(&'a str, &'a str)],
    /// Its raw body, as signed.
    pub body: &'a [u8],
    /// When it arrived.
    pub now: SystemTime,
}

/// Verifies and reads `delivery` for `instance` of `trigger` (see the module's doc for
/// the order of the checks).
///
/// # Errors
/// [`IngressError`]: a disabled instance, a trigger that is not a webhook, a signature
/// that does not verify, a body or header the spec needs that is missing or malformed.
pub fn receive(trigger: &Trigger, instance: &TriggerInstance, delivery: Delivery<'_>) -> Result<Outcome, IngressError> {
    let webhook =
        trigger.webhook.as_ref().ok_or_else(|| IngressError::NotWebhook { trigger: trigger.slug.to_string() })?;
    if !instance.enabled {
        return Err(IngressError::Disabled { id: instance.id.to_string() });
    }
    match &webhook.signature {
        Some(signature) => {
            let key = instance
                .secrets
                .get(&signature.secret_field)
                .ok_or_else(|| IngressError::NoKey { field: signature.secret_field.clone() })?;
            let window = signature.replay_window();
            verify_webhook(signature, key, delivery.headers, delivery.body, delivery.now, window)?;
        }
        None if webhook.unsigned => {}
        None => return Err(IngressError::Unsigned { trigger: trigger.slug.to_string() }),
    }
    let data = parse_body(delivery.headers, delivery.body)?;
    if let Some(challenge) = &webhook.challenge {
        if value_at(&data, &challenge.when.path) == Some(&challenge.when.equals) {
            return Ok(Outcome::Challenge(respond(&challenge.respond, &data)));
        }
    }
    if let Err(reason) = takes(webhook, delivery.headers, &data)? {
        return Ok(Outcome::Ignored(reason));
    }
    let dedupe_key = match &webhook.delivery_id_header {
        Some(name) => Some(
            header(delivery.headers, name)
                .ok_or_else(|| {
                    IngressError::Malformed(format!("missing header `{name}` (the provider's delivery id)"))
                })?
                .to_owned(),
        ),
        None => None,
    };
    Ok(Outcome::Event(Box::new(envelope::message(instance, data, dedupe_key, delivery.now))))
}

/// The URL a provider sends `instance`'s deliveries to, `{public_url}/webhooks/{toolkit}/{ti_…}`,
/// when its trigger type is a webhook trigger of `types`; `None` otherwise.
///
/// ```
/// # let instance = toolsmith_store::TriggerInstance {
/// #     id: "ti_0123456789abcdef0123456789abcdef".parse().unwrap(),
/// #     trigger: "DEMO_THING_CREATED".into(), toolkit: "demo".into(),
/// #     user_id: toolsmith_core::UserId::new("ada"), account: None, auth_config: None,
/// #     config: Default::default(), secrets: Default::default(), enabled: true,
/// #     state: serde_json::Value::Null,
/// #     created_at: std::time::SystemTime::UNIX_EPOCH, updated_at: std::time::SystemTime::UNIX_EPOCH,
/// # };
/// # let toolkit: toolsmith_spec::Toolkit = serde_yaml::from_str(r#"
/// # { slug: demo, name: Demo, description: A demonstration toolkit., version: 20261122_00,
/// #   base_url: "https://api.example.com", auth: [{ scheme: none }],
/// #   triggers: [{ slug: DEMO_THING_CREATED, name: Thing, description: A thing., webhook: { unsigned: true } }] }
/// # "#).unwrap();
/// let types = toolsmith_triggers::TriggerTypes::new([&toolkit]);
/// let url = toolsmith_triggers::ingress::webhook_url("https://hooks.example.com/", &instance, &types);
/// assert_eq!(url.as_deref(), Some("https://hooks.example.com/webhooks/demo/ti_0123456789abcdef0123456789abcdef"));
/// ```
pub fn webhook_url(public_url: &str, instance: &TriggerInstance, types: &TriggerTypes) -> Option<String> {
    let kind = types.get(instance.trigger.as_str())?.kind;
    (kind == TriggerKind::Webhook)
        .then(|| format!("{}/webhooks/{}/{}", public_url.trim_end_matches('/'), instance.toolkit, instance.id))
}

/// The challenge's answer: `respond` with each string value that is a JSON path replaced
/// by that value of the body (`null` when absent).
fn respond(respond: &Map<String, Value>, data: &Value) -> Value {
    let answer = respond
        .iter()
        .map(|(key, value)| {
            let value = match value.as_str() {
                Some(path) if path.starts_with('$') => value_at(data, path).cloned().unwrap_or(Value::Null),
                _ => value.clone(),
            };
            (key.clone(), value)
        })
        .collect();
    Value::Object(answer)
}

/// `Ok(Ok(()))` when the trigger takes the delivery, `Ok(Err(reason))` when it does not;
/// an error when the event header the spec names is missing.
fn takes(webhook: &Webhook, headers: &[(&str, &str)], data: &Value) -> Result<Result<(), String>, IngressError> {
    if webhook.events.is_empty() {
        return Ok(Ok(()));
    }
    let name = match (&webhook.event_header, &webhook.event_path) {
        (Some(name), _) => header(headers, name)
            .ok_or_else(|| IngressError::Malformed(format!("missing header `{name}` (the event's name)")))?,
        (None, Some(path)) => match value_at(data, path).and_then(Value::as_str) {
            Some(name) => name,
            None => return Ok(Err(format!("the body has no event name at `{path}`"))),
        },
        (None, None) => return Ok(Err("the trigger's spec says neither event_header nor event_path".to_owned())),
    };
    let action = data.get("action").and_then(Value::as_str);
    let taken = webhook.events.iter().any(|event| {
        event == name
            || action.is_some_and(|action| event.strip_prefix(name).and_then(|e| e.strip_prefix('.')) == Some(action))
    });
    Ok(if taken {
        Ok(())
    } else {
        let full = action.map_or_else(|| name.to_owned(), |action| format!("{name}.{action}"));
        Err(format!("event `{full}` is not one this trigger takes ({})", webhook.events.join(", ")))
    })
}

/// The first value at JSON `path` in `data` (the spec's subset: `$.event.type`).
fn value_at<'v>(data: &'v Value, path: &str) -> Option<&'v Value> {
    toolsmith_spec::json_path::select(data, path).into_iter().next()
}

/// The body as JSON: an `application/x-www-form-urlencoded` body (Slack's slash
/// commands) is the object of its fields (the last of a repeated one), anything else
/// must be JSON.
fn parse_body(headers: &[(&str, &str)], body: &[u8]) -> Result<Value, IngressError> {
    let form = header(headers, "content-type")
        .is_some_and(|t| t.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
    if form {
        let fields: Map<String, Value> =
            url::form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), Value::String(v.into_owned()))).collect();
        return Ok(Value::Object(fields));
    }
    serde_json::from_slice(body).map_err(|e| {
        IngressError::Malformed(format!(
            "the body is not JSON ({e}); the provider must send application/json or application/x-www-form-urlencoded"
        ))
    })
}

/// The value of header `name` (any case), the first when repeated.
fn header<'a>(headers: &[(&str, &'a str)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.trim())
}

#[cfg(test)]
mod tests;
