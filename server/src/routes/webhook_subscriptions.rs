//! `/webhook_subscriptions…`: where the project's trigger events are delivered, in
//! Composio's shapes. One subscription per project; its signing secret is shown only
//! when it is made (creation, rotation), elsewhere masked.

use std::time::SystemTime;

use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use toolsmith_core::{ErrorKind, WebhookSubscriptionId};
use toolsmith_store::{StoreError, TriggerEventType, WebhookSubscription};

use crate::error::ApiError;
use crate::extract::{Body, Caller};
use crate::routes::listing::paged;
use crate::routes::records::iso;
use crate::state::AppState;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/webhook_subscriptions", post(create).get(list))
        .route("/webhook_subscriptions/event_types", get(event_types))
        .route("/webhook_subscriptions/{id}", get(retrieve).patch(update).delete(remove))
        .route("/webhook_subscriptions/{id}/rotate_secret", post(rotate))
}

/// The only envelope version this server produces.
const VERSION: &str = "V3";

/// What a secret is prefixed with.
const SECRET_PREFIX: &str = "whsec_";

/// A new signing secret: `whsec_` and 32 random bytes in unpadded base64url (43
/// characters). The app's SDK keys the HMAC with the whole string's UTF-8 bytes, prefix
/// included, as Composio's does.
fn new_secret() -> Result<SecretString, ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| {
        ApiError::new(ErrorKind::Internal, "WebhookSubscription_NoRandomness", format!("no random bytes: {e}"))
    })?;
    Ok(SecretString::from(format!("{SECRET_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))))
}

/// The secret as reads show it: its prefix and last four characters.
fn masked(secret: &SecretString) -> String {
    let text = secret.expose_secret();
    let tail: String = text.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    format!("{SECRET_PREFIX}…{tail}")
}

/// Composio's subscription object; the secret in full only when `reveal`.
fn object(subscription: &WebhookSubscription, reveal: bool) -> Value {
    let secret = if reveal { subscription.secret.expose_secret().to_owned() } else { masked(&subscription.secret) };
    json!({
        "id": subscription.id.as_str(),
        "webhook_url": subscription.url.as_str(),
        "version": subscription.version,
        "enabled_events": subscription.enabled_events.iter().map(|e| e.as_str()).collect::<Vec<_>>(),
        "secret": secret,
        "created_at": iso(subscription.created_at),
        "updated_at": iso(subscription.updated_at),
    })
}

fn invalid(message: String, fix: &str) -> ApiError {
    ApiError::bad_request("WebhookSubscription_InvalidRequest", message).fix(fix)
}

/// `webhook_url`, checked: an absolute http or https URL with a host.
fn webhook_url(text: &str) -> Result<url::Url, ApiError> {
    let fix = "send an absolute http:// or https:// URL the server can reach, e.g. https://example.com/webhooks";
    let url =
        url::Url::parse(text.trim()).map_err(|e| invalid(format!("`webhook_url`: `{text}` is not a URL: {e}"), fix))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return Err(invalid(format!("`webhook_url`: `{text}` is not an http or https URL with a host"), fix));
    }
    Ok(url)
}

/// `enabled_events`, checked: at least one known type, each named by its index when not.
fn enabled_events(names: &[String]) -> Result<Vec<TriggerEventType>, ApiError> {
    let fix = "list event types from GET /api/v3/webhook_subscriptions/event_types";
    if names.is_empty() {
        return Err(invalid("`enabled_events`: the list is empty; name at least one event type".into(), fix));
    }
    let mut events = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let event =
            name.parse::<TriggerEventType>().map_err(|e| invalid(format!("`enabled_events[{i}]`: {e}"), fix))?;
        if !events.contains(&event) {
            events.push(event);
        }
    }
    Ok(events)
}

/// `version`, checked: `V3` (the default); `V1` and `V2` are Composio's legacy payloads,
/// which this server does not produce.
fn version(text: Option<&str>) -> Result<String, ApiError> {
    match text.map(str::trim) {
        None | Some("V3") => Ok(VERSION.to_owned()),
        Some(other @ ("V1" | "V2")) => Err(invalid(
            format!("`version`: {other} payloads are not produced by this server; only V3 is"),
            "send \"version\": \"V3\" (or leave it out): events are delivered as Composio's V3 envelope",
        )),
        Some(other) => Err(invalid(format!("`version`: `{other}` is not a webhook version"), "send \"V3\"")),
    }
}

/// `POST /webhook_subscriptions` body.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = WebhookSubscriptionCreateBody)]
struct CreateBody {
    /// The http(s) URL events are POSTed to.
    webhook_url: String,
    /// The event types to deliver (see `GET /webhook_subscriptions/event_types`).
    enabled_events: Vec<String>,
    /// `V3` (default); `V1` and `V2` are refused.
    #[serde(default)]
    version: Option<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    _rest: Map<String, Value>,
}

fn subscription_id(id: &str) -> Result<WebhookSubscriptionId, ApiError> {
    WebhookSubscriptionId::parse(id).ok_or_else(|| not_found(id))
}

fn not_found(id: &str) -> ApiError {
    ApiError::not_found(
        "WebhookSubscription_NotFound",
        format!("webhook subscription `{id}` does not exist in this project"),
    )
    .fix("list the project's subscription with GET /api/v3/webhook_subscriptions")
}

fn conflict(existing: &WebhookSubscriptionId) -> ApiError {
    ApiError::new(
        ErrorKind::Conflict,
        "WebhookSubscription_AlreadyExists",
        format!("the project already has webhook subscription `{existing}`, and a project has one"),
    )
    .fix(format!(
        "change it with PATCH /api/v3/webhook_subscriptions/{existing}, or delete it first with DELETE /api/v3/webhook_subscriptions/{existing}"
    ))
}

async fn load(caller: &Caller, id: &str) -> Result<WebhookSubscription, ApiError> {
    let parsed = subscription_id(id)?;
    caller.0.store.webhook_subscription(&parsed).await?.ok_or_else(|| not_found(id))
}

#[utoipa::path(
    post,
    path = "/api/v3.1/webhook_subscriptions",
    operation_id = "webhook_subscriptions_create",
    tag = "webhooks",
    request_body = CreateBody,
    responses(
        (status = 201, description = "The subscription: `id` (`whs_…`), `webhook_url`, `version`, `enabled_events`, `secret` (in full: shown only now and on rotation), `created_at`, `updated_at`.", body = Object),
        (status = 400, description = "A `webhook_url` that is not an http(s) URL, an unknown or empty `enabled_events`, or a `version` other than V3", body = crate::error::ErrorEnvelope),
        (status = 409, description = "The project already has a subscription", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
async fn create(caller: Caller, Body(body): Body<CreateBody>) -> Result<(StatusCode, Json<Value>), ApiError> {
    let url = webhook_url(&body.webhook_url)?;
    let events = enabled_events(&body.enabled_events)?;
    let version = version(body.version.as_deref())?;
    if let Some(existing) = caller.0.store.webhook_subscriptions().await?.first() {
        return Err(conflict(&existing.id));
    }
    let now = SystemTime::now();
    let subscription = WebhookSubscription {
        id: WebhookSubscriptionId::generate(),
        url,
        secret: new_secret()?,
        version,
        enabled_events: events,
        created_at: now,
        updated_at: now,
    };
    match caller.0.store.create_webhook_subscription(&subscription).await {
        Ok(()) => Ok((StatusCode::CREATED, Json(object(&subscription, true)))),
        Err(StoreError::Conflict { .. }) => {
            let existing = caller.0.store.webhook_subscriptions().await?;
            Err(existing.first().map_or_else(|| conflict(&subscription.id), |e| conflict(&e.id)))
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET /webhook_subscriptions` query.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// The most items of a page (default 20).
    #[serde(default)]
    limit: Option<usize>,
    /// The `next_cursor` of the previous page.
    #[serde(default)]
    cursor: Option<String>,
    #[serde(flatten)]
    #[param(ignore)]
    _rest: Map<String, Value>,
}

#[utoipa::path(
    get,
    path = "/api/v3.1/webhook_subscriptions",
    operation_id = "webhook_subscriptions_list",
    tag = "webhooks",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of the project's subscriptions (at most one), secrets masked.", body = crate::routes::shapes::Page),
        (status = 400, description = "A cursor not of this list", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
async fn list(caller: Caller, Query(q): Query<ListQuery>) -> Result<Json<Value>, ApiError> {
    let items = caller.0.store.webhook_subscriptions().await?.iter().map(|s| object(s, false)).collect();
    Ok(Json(paged(items, q.limit.unwrap_or(20), q.cursor.as_deref())?))
}

#[utoipa::path(
    get,
    path = "/api/v3.1/webhook_subscriptions/event_types",
    operation_id = "webhook_subscriptions_event_types",
    tag = "webhooks",
    responses(
        (status = 200, description = "`{items: [{event_type, description, supported_versions}]}`: the three event types, each delivered as V3.", body = Object),
        crate::error::KeyErrors,
    )
)]
async fn event_types(_caller: Caller) -> Json<Value> {
    let items: Vec<Value> = TriggerEventType::ALL
        .into_iter()
        .map(|kind| {
            let description = match kind {
                TriggerEventType::Message => "A trigger instance fired: the provider's event or a polled item",
                TriggerEventType::AccountExpired => {
                    "A connected account's credentials could not be refreshed; the user must connect it again"
                }
                TriggerEventType::TriggerDisabled => "A trigger instance was disabled",
            };
            json!({"event_type": kind.as_str(), "description": description, "supported_versions": [VERSION]})
        })
        .collect();
    Json(json!({"items": items}))
}

#[utoipa::path(
    get,
    path = "/api/v3.1/webhook_subscriptions/{id}",
    operation_id = "webhook_subscriptions_retrieve",
    tag = "webhooks",
    params(("id" = String, Path, description = "The subscription's id (`whs_…`)")),
    responses(
        (status = 200, description = "The subscription, its secret masked.", body = Object),
        (status = 404, description = "The project has no such subscription", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
async fn retrieve(caller: Caller, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    Ok(Json(object(&load(&caller, &id).await?, false)))
}

/// `PATCH /webhook_subscriptions/{id}` body: at least one field.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = WebhookSubscriptionUpdateBody)]
struct UpdateBody {
    /// A new http(s) URL.
    #[serde(default)]
    webhook_url: Option<String>,
    /// New event types (replacing the old).
    #[serde(default)]
    enabled_events: Option<Vec<String>>,
    /// `V3`.
    #[serde(default)]
    version: Option<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    _rest: Map<String, Value>,
}

#[utoipa::path(
    patch,
    path = "/api/v3.1/webhook_subscriptions/{id}",
    operation_id = "webhook_subscriptions_update",
    tag = "webhooks",
    params(("id" = String, Path, description = "The subscription's id (`whs_…`)")),
    request_body = UpdateBody,
    responses(
        (status = 200, description = "The subscription as changed, its secret masked; pending deliveries go to the new URL.", body = Object),
        (status = 400, description = "No field, or a field as refused on creation", body = crate::error::ErrorEnvelope),
        (status = 404, description = "The project has no such subscription", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
async fn update(caller: Caller, Path(id): Path<String>, Body(body): Body<UpdateBody>) -> Result<Json<Value>, ApiError> {
    if body.webhook_url.is_none() && body.enabled_events.is_none() && body.version.is_none() {
        return Err(invalid(
            "the body changes nothing".into(),
            "send at least one of `webhook_url`, `enabled_events`, `version`",
        ));
    }
    let mut subscription = load(&caller, &id).await?;
    if let Some(url) = &body.webhook_url {
        subscription.url = webhook_url(url)?;
    }
    if let Some(events) = &body.enabled_events {
        subscription.enabled_events = enabled_events(events)?;
    }
    if body.version.is_some() {
        subscription.version = version(body.version.as_deref())?;
    }
    subscription.updated_at = SystemTime::now();
    save(&caller, &id, &subscription).await?;
    Ok(Json(object(&subscription, false)))
}

async fn save(caller: &Caller, id: &str, subscription: &WebhookSubscription) -> Result<(), ApiError> {
    if caller.0.store.update_webhook_subscription(subscription).await? {
        Ok(())
    } else {
        Err(not_found(id))
    }
}

#[utoipa::path(
    delete,
    path = "/api/v3.1/webhook_subscriptions/{id}",
    operation_id = "webhook_subscriptions_delete",
    tag = "webhooks",
    params(("id" = String, Path, description = "The subscription's id (`whs_…`)")),
    responses(
        (status = 200, description = "`{success: true}`; its pending deliveries are dropped.", body = Object),
        (status = 404, description = "The project has no such subscription", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
async fn remove(caller: Caller, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let parsed = subscription_id(&id)?;
    if !caller.0.store.delete_webhook_subscription(&parsed).await? {
        return Err(not_found(&id));
    }
    Ok(Json(json!({"success": true})))
}

#[utoipa::path(
    post,
    path = "/api/v3.1/webhook_subscriptions/{id}/rotate_secret",
    operation_id = "webhook_subscriptions_rotate_secret",
    tag = "webhooks",
    params(("id" = String, Path, description = "The subscription's id (`whs_…`)")),
    responses(
        (status = 200, description = "The subscription with its new `secret` in full (shown only now); deliveries from now on, pending ones included, are signed with it.", body = Object),
        (status = 404, description = "The project has no such subscription", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
async fn rotate(caller: Caller, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let mut subscription = load(&caller, &id).await?;
    subscription.secret = new_secret()?;
    subscription.updated_at = SystemTime::now();
    save(&caller, &id, &subscription).await?;
    Ok(Json(object(&subscription, true)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn secrets_are_long_random_and_masked_on_reads() {
        let (a, b) = (new_secret().unwrap(), new_secret().unwrap());
        assert_ne!(a.expose_secret(), b.expose_secret());
        assert!(a.expose_secret().starts_with("whsec_"));
        assert_eq!(a.expose_secret().len(), 6 + 43);
        let shown = masked(&a);
        assert!(shown.starts_with("whsec_…") && shown.chars().count() == 11, "{shown}");
        assert!(a.expose_secret().ends_with(&shown["whsec_…".len()..]));
    }

    #[test]
    fn urls_must_be_http_with_a_host() {
        assert!(webhook_url("https://example.com/hook").is_ok());
        assert!(webhook_url("http://127.0.0.1:9/x").is_ok());
        for bad in ["ftp://example.com", "example.com/hook", "", "mailto:a@b.c", "file:///etc/passwd"] {
            let error = webhook_url(bad).unwrap_err();
            assert!(error.body("r")["error"]["message"].as_str().unwrap().starts_with("`webhook_url`: "), "{bad}");
        }
    }
}
