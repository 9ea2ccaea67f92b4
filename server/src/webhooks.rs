//! `POST /webhooks/{toolkit}/{ti_…}`: providers' deliveries to a trigger instance, at the
//! server's root (not under `/api/v3`) and without a key: the instance's id is random, so
//! its URL is the capability, and the delivery's signature is checked against the
//! instance's secret ([`toolsmith_triggers::ingress`]). A thin layer: find the instance in
//! the projects, let the ingress decide, record the event.

use std::time::SystemTime;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::json;
use toolsmith_core::TriggerInstanceId;
use toolsmith_triggers::ingress::{self, Delivery, IngressError, Outcome};

use crate::error::ApiError;
use crate::state::AppState;

/// The route.
pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/webhooks/{toolkit}/{instance}", post(receive))
}

/// Verifies, answers and records one delivery. 200 `{"status": "accepted", "event_id"}`,
/// 200 `{"status": "duplicate", "reason"}` for a delivery already recorded (the provider
/// must not retry it), 200 `{"status": "ignored", "reason"}`, 200 with a challenge's answer; or the refusal in the
/// error envelope (never with a secret or a signature).
async fn receive(
    State(state): State<AppState>,
    Path((toolkit, instance)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let unknown = || IngressError::UnknownInstance { toolkit: toolkit.clone(), id: instance.clone() };
    let id: TriggerInstanceId = instance.parse().map_err(|_| refusal(unknown()))?;
    let Some((cx, found)) = state.trigger_instance_project(&id).await? else { return Err(refusal(unknown())) };
    if !found.toolkit.as_str().eq_ignore_ascii_case(&toolkit) {
        return Err(refusal(unknown()));
    }
    let trigger = state
        .registry()
        .toolkit(found.toolkit.as_str())
        .and_then(|t| t.triggers.iter().find(|t| t.slug == found.trigger))
        .ok_or_else(|| refusal(IngressError::NotWebhook { trigger: found.trigger.to_string() }))?;
    let headers: Vec<(&str, &str)> =
        headers.iter().filter_map(|(name, value)| Some((name.as_str(), value.to_str().ok()?))).collect();
    let delivery = Delivery { headers: &headers, body: &body, now: SystemTime::now() };
    match ingress::receive(trigger, &found, delivery).map_err(refusal)? {
        Outcome::Challenge(answer) => Ok(Json(answer).into_response()),
        Outcome::Ignored(reason) => Ok(Json(json!({"status": "ignored", "reason": reason})).into_response()),
        Outcome::Event(event) => {
            let key = event.dedupe_key.clone().unwrap_or_default();
            let recorded = cx.store.record_trigger_events(&[*event], None).await?;
            let Some(recorded) = recorded.first() else {
                let reason = format!("delivery `{key}` was already recorded");
                return Ok(Json(json!({"status": "duplicate", "reason": reason})).into_response());
            };
            state.delivery_wake().poke();
            Ok(Json(json!({"status": "accepted", "event_id": recorded.id.as_str()})).into_response())
        }
    }
}

/// A refusal in the error envelope, with its status and a fix for whoever set the
/// provider up.
fn refusal(error: IngressError) -> ApiError {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let (slug, fix) = match &error {
        IngressError::UnknownInstance { .. } => (
            "TriggerWebhook_NotFound",
            "list the instances with GET /api/v3/trigger_instances/active: the URL is in webhook_url",
        ),
        IngressError::NotWebhook { .. } => {
            ("TriggerWebhook_NotWebhook", "the trigger type is polled or no longer in the catalog")
        }
        IngressError::Disabled { .. } => {
            ("TriggerWebhook_Disabled", "enable the trigger instance, or remove the webhook at the provider")
        }
        IngressError::Unsigned { .. } => {
            ("TriggerWebhook_Unsigned", "describe the provider's signature in the trigger's spec")
        }
        IngressError::NoKey { .. } => ("TriggerWebhook_NoKey", "upsert the trigger instance again with its secret"),
        IngressError::Signature(_) => (
            "TriggerWebhook_SignatureInvalid",
            "give the trigger instance the same secret as the provider's webhook, and check the sender's clock",
        ),
        IngressError::Malformed(_) => ("TriggerWebhook_Malformed", "send the delivery as the provider does"),
    };
    ApiError::with_status(status, slug, error.to_string()).fix(fix)
}
