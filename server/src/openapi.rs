//! The API's own OpenAPI 3.1 description, generated from the handlers' `#[utoipa::path]`
//! annotations and the types that read their requests and write their answers (the
//! error envelope is [`ErrorEnvelope`], the type [`ApiError::body`](crate::ApiError::body)
//! serializes). Served without a key at `/api/v3.1/openapi.json` and `/api/v3/openapi.json`;
//! its paths are written with the `/api/v3.1` prefix, and every one is served under
//! `/api/v3` too.

use std::sync::LazyLock;

use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::ErrorEnvelope;
use crate::routes::{
    auth_configs, connected_accounts, files, logs, sessions, shapes::Page, toolkits, tools, triggers,
    webhook_subscriptions,
};
use crate::state::AppState;

/// The OpenAPI description of the REST API.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "toolsmith",
        description = "A Composio-compatible REST API over the toolsmith catalog and runtime. Every path is served under `/api/v3.1` and `/api/v3`; every request but this document's authenticates with `x-api-key`. Errors are Composio's envelope (`ErrorEnvelope`)."
    ),
    paths(
        sessions::create,
        sessions::retrieve,
        sessions::remove,
        sessions::tools,
        sessions::toolkits,
        sessions::search,
        sessions::execute,
        sessions::execute_meta,
        sessions::link,
        sessions::proxy_execute,
        files::list,
        files::upload_url,
        files::download_url,
        files::delete,
        files::download,
        files::upload,
        tools::list,
        tools::slugs,
        tools::proxy,
        tools::execute,
        tools::retrieve,
        toolkits::list,
        toolkits::retrieve,
        auth_configs::create,
        auth_configs::list,
        auth_configs::retrieve,
        auth_configs::update,
        auth_configs::remove,
        auth_configs::set_status,
        connected_accounts::initiate,
        connected_accounts::list,
        connected_accounts::link,
        connected_accounts::retrieve,
        connected_accounts::update,
        connected_accounts::remove,
        connected_accounts::set_status,
        connected_accounts::refresh,
        logs::list,
        logs::retrieve,
        triggers::list_types,
        triggers::slugs,
        triggers::retrieve_type,
        triggers::upsert,
        triggers::list_active,
        triggers::manage,
        triggers::remove,
        webhook_subscriptions::create,
        webhook_subscriptions::list,
        webhook_subscriptions::event_types,
        webhook_subscriptions::retrieve,
        webhook_subscriptions::update,
        webhook_subscriptions::remove,
        webhook_subscriptions::rotate,
        document,
    ),
    components(schemas(ErrorEnvelope, Page)),
    modifiers(&ApiKeyScheme, &ConfigHistory),
    security(("ApiKey" = [])),
    tags(
        (name = "sessions", description = "Sessions of Composio's tool router: their tools, toolkits, search, execution and Connect Links"),
        (name = "tools", description = "The catalog's tools, and executing them for a user"),
        (name = "toolkits", description = "The catalog's toolkits and their auth schemes"),
        (name = "auth_configs", description = "How each toolkit authenticates in the project"),
        (name = "connected_accounts", description = "Users' accounts of the project"),
        (name = "logs", description = "The project's execution log"),
        (name = "triggers", description = "The catalog's trigger types and the project's trigger instances"),
        (name = "webhooks", description = "The project's webhook subscription: where its trigger events are delivered, signed"),
        (name = "openapi", description = "This document"),
    )
)]
pub struct ApiDoc;

/// Declares `ApiKey`, the `x-api-key` header scheme the document's global `security` names.
struct ApiKeyScheme;

impl Modify for ApiKeyScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "ApiKey",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "x-api-key",
                "A key of this server's project (`toolsmith api-keys create`)",
            ))),
        );
    }
}

/// The session path that `GET …/config_history` answers like (the same handler).
const SESSION_PATH: &str = "/api/v3.1/tool_router/session/{id}";

/// Adds `GET …/config_history`: the retrieve operation under its own id, since the router
/// serves it with the same handler.
struct ConfigHistory;

impl Modify for ConfigHistory {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let Some(mut operation) = openapi.paths.paths.get(SESSION_PATH).and_then(|item| item.get.clone()) else {
            return;
        };
        operation.operation_id = Some("sessions_config_history".to_owned());
        operation.description =
            Some("The session's configuration history: this server keeps one version, the session itself.".to_owned());
        let item = utoipa::openapi::PathItem::new(utoipa::openapi::HttpMethod::Get, operation);
        openapi.paths.paths.insert(format!("{SESSION_PATH}/config_history"), item);
    }
}

/// The document as JSON text, built once.
static DOCUMENT: LazyLock<String> = LazyLock::new(|| ApiDoc::openapi().to_pretty_json().unwrap_or_default());

/// The routes: the document at both prefixes.
pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/api/v3.1/openapi.json", get(document)).route("/api/v3/openapi.json", get(document))
}

#[utoipa::path(
    get,
    path = "/api/v3.1/openapi.json",
    operation_id = "openapi",
    tag = "openapi",
    security(()),
    responses((status = 200, description = "This OpenAPI 3.1 document.", content_type = "application/json", body = Object))
)]
async fn document() -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/json")], DOCUMENT.as_str())
}
