//! `/tool_router/session…`: sessions (Composio's tool router) over `toolsmith-session`.

use axum::extract::{Path, Query};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use toolsmith_core::{ConnectedAccountId, ExecutionResult, SessionId};
use toolsmith_session::{PreloadTools, Session, SessionConfig};

use crate::error::ApiError;
use crate::extract::{Body, Caller, Origin};
use crate::routes::listing;
use crate::routes::shapes::{object_data, page, session_tool_object, tool_object};
use crate::state::AppState;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tool_router/session", post(create))
        .route("/tool_router/session/{id}", get(retrieve).delete(remove))
        .route("/tool_router/session/{id}/tools", get(tools))
        .route("/tool_router/session/{id}/toolkits", get(toolkits))
        .route("/tool_router/session/{id}/search", post(search))
        .route("/tool_router/session/{id}/execute", post(execute))
        .route("/tool_router/session/{id}/execute_meta", post(execute_meta))
        .route("/tool_router/session/{id}/link", post(link))
        .route("/tool_router/session/{id}/proxy_execute", post(proxy_execute))
        .route("/tool_router/session/{id}/config_history", get(retrieve))
}

fn session_id(id: &str) -> Result<SessionId, ApiError> {
    SessionId::parse(id).ok_or_else(|| {
        ApiError::not_found("ToolRouter_SessionNotFound", format!("`{id}` is not a session id (they start with trs_)"))
    })
}

async fn session(caller: &Caller, id: &str) -> Result<Session, ApiError> {
    Ok(caller.0.router.session(&session_id(id)?).await?)
}

/// The create/retrieve answer.
fn describe(session: &Session, origin: &Origin) -> Value {
    json!({
        "session_id": session.id().as_str(),
        "mcp": {"type": "http", "url": format!("{}/tool_router/{}/mcp", origin.0, session.id())},
        "tool_router_tools": session.meta_tools().iter().map(|t| t.slug()).collect::<Vec<_>>(),
        "config": config_echo(session.config()),
        "config_version": 1,
        "experimental": {},
        "warnings": [],
    })
}

/// The configuration as Composio echoes it: `enabled`/`disabled` where the request said
/// `enable`/`disable`, and every section present.
fn config_echo(config: &SessionConfig) -> Value {
    let mut echo = serde_json::to_value(config).unwrap_or_else(|_| json!({}));
    if let Some(map) = echo.as_object_mut() {
        rename_keys(map.get_mut("toolkits"));
        if let Some(tools) = map.get_mut("tools").and_then(Value::as_object_mut) {
            for filter in tools.values_mut() {
                rename_keys(Some(filter));
            }
        }
        rename_keys(map.get_mut("tags"));
        rename_keys(map.get_mut("manage_connections"));
        map.insert(
            "preload".into(),
            json!({"tools": match &config.preload.tools { PreloadTools::All => json!("all"), PreloadTools::Some(l) => json!(l) }}),
        );
        map.entry("instant").or_insert(json!(false));
    }
    echo
}

fn rename_keys(value: Option<&mut Value>) {
    let Some(Value::Object(map)) = value else { return };
    for (from, to) in [("enable", "enabled"), ("disable", "disabled")] {
        if let Some(v) = map.remove(from) {
            map.insert(to.into(), v);
        }
    }
}

async fn create(caller: Caller, origin: Origin, Body(body): Body<Value>) -> Result<Json<Value>, ApiError> {
    let session = caller.0.router.create_from_json(body).await?;
    Ok(Json(describe(&session, &origin)))
}

async fn retrieve(caller: Caller, origin: Origin, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    Ok(Json(describe(&session(&caller, &id).await?, &origin)))
}

async fn remove(caller: Caller, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let sid = session_id(&id)?;
    if !caller.0.router.delete(&sid).await? {
        return Err(ApiError::not_found("ToolRouter_SessionNotFound", format!("session {id} does not exist")));
    }
    Ok(Json(json!({"session_id": id, "deleted": true})))
}

#[derive(Deserialize)]
struct ListQuery {
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    cursor: Option<String>,
    #[serde(default)]
    toolkits: Option<String>,
    #[serde(default)]
    is_connected: Option<bool>,
    #[serde(default)]
    search: Option<String>,
}

/// Items `[offset, offset + limit)` and the cursor of the next page.
fn slice<T>(items: Vec<T>, query: &ListQuery) -> Result<(Vec<T>, Option<String>, usize), ApiError> {
    listing::slice(items, query.limit.unwrap_or(500), query.cursor.as_deref())
}

async fn tools(
    caller: Caller,
    Path(id): Path<String>,
    Query(query): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let session = session(&caller, &id).await?;
    let registry = session_registry(&caller);
    let items: Vec<Value> = session
        .tools()
        .into_iter()
        .map(|t| match registry.tool(&t.slug) {
            Some(found) => tool_object(found.toolkit, found.tool),
            None => session_tool_object(&t),
        })
        .collect();
    let limit = query.limit.unwrap_or(500);
    let (items, next, total) = slice(items, &query)?;
    Ok(Json(page(items, next, total, limit)))
}

fn session_registry(caller: &Caller) -> &toolsmith_runtime::Registry {
    caller.0.router.registry()
}

async fn toolkits(
    caller: Caller,
    Path(id): Path<String>,
    Query(query): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let session = session(&caller, &id).await?;
    let wanted: Option<Vec<String>> = query
        .toolkits
        .as_ref()
        .map(|t| t.split(',').map(|s| s.trim().to_ascii_lowercase()).filter(|s| !s.is_empty()).collect());
    let mut items = Vec::new();
    for toolkit in session_registry(&caller).toolkits() {
        let slug = toolkit.slug.as_str();
        if wanted.as_ref().is_some_and(|w| !w.iter().any(|x| x == slug)) {
            continue;
        }
        if let Some(search) = &query.search {
            let s = search.to_ascii_lowercase();
            if !slug.contains(&s) && !toolkit.name.to_ascii_lowercase().contains(&s) {
                continue;
            }
        }
        let Ok((no_auth, account)) = session.toolkit_connection(slug).await else { continue };
        let connected = account.as_ref().is_some_and(|a| a.status == toolsmith_store::AccountStatus::Active);
        if query.is_connected.is_some_and(|want| want != (connected || no_auth)) {
            continue;
        }
        let mut item = json!({
            "slug": slug,
            "name": toolkit.name,
            "enabled": true,
            "is_no_auth": no_auth,
            "composio_managed_auth_schemes": [],
            "meta": {"description": toolkit.description, "logo": toolkit.logo_url, "isNoAuth": no_auth},
            "connected_account": null,
        });
        if let Some(a) = account {
            let scheme = caller.0.store.auth_config(&a.auth_config).await?.map(|c| auth_scheme_name(&c.scheme));
            item["connected_account"] = json!({
                "id": a.id.as_str(),
                "status": a.status.as_str(),
                "user_id": a.user_id.as_str(),
                "created_at": humantime_rfc3339(a.created_at),
                "auth_config": {"id": a.auth_config.as_str(), "auth_scheme": scheme, "is_composio_managed": false},
            });
        }
        items.push(item);
    }
    let limit = query.limit.unwrap_or(20);
    let query = ListQuery { limit: Some(limit), ..query };
    let (items, next, total) = slice(items, &query)?;
    Ok(Json(page(items, next, total, limit)))
}

/// Composio's upper-case scheme names.
pub(crate) fn auth_scheme_name(scheme: &str) -> &'static str {
    match scheme {
        "oauth2" => "OAUTH2",
        "api_key" => "API_KEY",
        "bearer" => "BEARER_TOKEN",
        "basic" => "BASIC",
        _ => "NO_AUTH",
    }
}

/// A time as RFC 3339 UTC.
pub(crate) fn humantime_rfc3339(t: std::time::SystemTime) -> String {
    humantime::format_rfc3339_seconds(t).to_string()
}

async fn search(caller: Caller, Path(id): Path<String>, Body(body): Body<Value>) -> Result<Json<Value>, ApiError> {
    let session = session(&caller, &id).await?;
    let arguments = json!({"queries": body.get("queries").cloned().unwrap_or(Value::Null), "model": body.get("model")});
    let result = session.execute_meta("COMPOSIO_SEARCH_TOOLS", arguments).await;
    if !result.successful {
        return Err(ApiError::bad_request("ToolRouter_InvalidSearch", result.error.unwrap_or_default()));
    }
    let mut data = result.data;
    data["success"] = json!(true);
    data["error"] = Value::Null;
    Ok(Json(data))
}

#[derive(Deserialize)]
struct ExecuteBody {
    tool_slug: String,
    #[serde(default)]
    arguments: Value,
    #[serde(default)]
    account: Option<ConnectedAccountId>,
    #[serde(flatten)]
    _rest: Map<String, Value>,
}

/// Composio's session execute answer: always `result_type`.
fn executed(result: ExecutionResult) -> Json<Value> {
    Json(json!({
        "data": object_data(result.data),
        "error": result.error,
        "log_id": result.log_id.map(|l| l.to_string()),
        "result_type": if result.successful { "completed" } else { "failed" },
    }))
}

async fn execute(
    caller: Caller,
    Path(id): Path<String>,
    Body(body): Body<ExecuteBody>,
) -> Result<Json<Value>, ApiError> {
    let session = session(&caller, &id).await?;
    Ok(executed(session.execute(&body.tool_slug, body.arguments, body.account).await))
}

#[derive(Deserialize)]
struct MetaBody {
    slug: String,
    #[serde(default)]
    arguments: Value,
    #[serde(flatten)]
    _rest: Map<String, Value>,
}

async fn execute_meta(
    caller: Caller,
    Path(id): Path<String>,
    Body(body): Body<MetaBody>,
) -> Result<Json<Value>, ApiError> {
    let session = session(&caller, &id).await?;
    Ok(executed(session.execute_meta(&body.slug, body.arguments).await))
}

#[derive(Deserialize)]
struct LinkBody {
    toolkit: String,
    #[serde(default)]
    callback_url: Option<String>,
    #[serde(flatten)]
    _rest: Map<String, Value>,
}

async fn link(caller: Caller, Path(id): Path<String>, Body(body): Body<LinkBody>) -> Result<Json<Value>, ApiError> {
    let session = session(&caller, &id).await?;
    let link = session.link(&body.toolkit, body.callback_url).await?;
    let token = link.redirect_url.rsplit('/').next().unwrap_or_default().to_owned();
    Ok(Json(json!({
        "connected_account_id": link.connected_account_id.as_str(),
        "link_token": token,
        "redirect_url": link.redirect_url,
        "expires_at": humantime_rfc3339(link.expires_at),
    })))
}

async fn proxy_execute(
    caller: Caller,
    Path(id): Path<String>,
    Body(body): Body<Value>,
) -> Result<Json<Value>, ApiError> {
    let session = session(&caller, &id).await?;
    let result = session.proxy_execute(body).await?;
    Ok(Json(proxied(result)))
}

/// Composio's proxy answer `{status, data, headers}` from an execution result.
pub(crate) fn proxied(result: ExecutionResult) -> Value {
    if result.successful {
        json!({"status": 200, "data": result.data, "headers": {}, "result_type": "completed"})
    } else {
        let status = result.data.get("status").and_then(Value::as_u64).unwrap_or(400);
        json!({
            "status": status,
            "data": result.data.get("body").cloned().unwrap_or(Value::Null),
            "headers": {},
            "error": result.error,
            "result_type": "failed",
        })
    }
}
