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
use crate::routes::records::{auth_scheme_name, iso};
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

#[utoipa::path(
    post,
    path = "/api/v3.1/tool_router/session",
    operation_id = "sessions_create",
    tag = "sessions",
    request_body(
        content = Object,
        description = "The session's configuration, as Composio's SDK sends it: `user_id` (required), `toolkits` (a list, or `{enable}`/`{disable}`), `tools` (per-toolkit filters), `tags`, `auth_configs`, `connected_accounts`, `manage_connections`, `multi_account`, `preload`, `search`, `execute`, `proxy_execute`, `workbench`."
    ),
    responses(
        (status = 200, description = "The session: `session_id`, `mcp` (`{type, url}` of its MCP endpoint on the origin called), `tool_router_tools` (the meta tools' slugs), `config` (the configuration as Composio echoes it), `config_version`, `experimental`, `warnings`.", body = Object),
        (status = 400, description = "The configuration is invalid: `errors` names the field", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
async fn create(caller: Caller, origin: Origin, Body(body): Body<Value>) -> Result<Json<Value>, ApiError> {
    let session = caller.0.router.create_from_json(body).await?;
    Ok(Json(describe(&session, &origin)))
}

#[utoipa::path(
    get,
    path = "/api/v3.1/tool_router/session/{id}",
    operation_id = "sessions_retrieve",
    tag = "sessions",
    params(("id" = String, Path, description = "The session id (`trs_…`)")),
    responses(
        (status = 200, description = "The session, in the shape `POST /tool_router/session` answers with.", body = Object),
        (status = 404, description = "No session of this project has this id", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
async fn retrieve(caller: Caller, origin: Origin, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    Ok(Json(describe(&session(&caller, &id).await?, &origin)))
}

#[utoipa::path(
    delete,
    path = "/api/v3.1/tool_router/session/{id}",
    operation_id = "sessions_delete",
    tag = "sessions",
    params(("id" = String, Path, description = "The session id (`trs_…`)")),
    responses(
        (status = 200, description = "`{session_id, deleted: true}`.", body = Object),
        (status = 404, description = "No session of this project has this id", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
async fn remove(caller: Caller, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let sid = session_id(&id)?;
    if !caller.0.router.delete(&sid).await? {
        return Err(ApiError::not_found("ToolRouter_SessionNotFound", format!("session {id} does not exist")));
    }
    Ok(Json(json!({"session_id": id, "deleted": true})))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// The most items of a page (500 for tools, 20 for toolkits by default).
    #[serde(default)]
    limit: Option<usize>,
    /// The `next_cursor` of the previous page.
    #[serde(default)]
    cursor: Option<String>,
    /// Toolkits only: these slugs, comma-joined.
    #[serde(default)]
    toolkits: Option<String>,
    /// Toolkits only: those the user has (or has not) connected; a toolkit that needs no
    /// account counts as connected.
    #[serde(default)]
    is_connected: Option<bool>,
    /// Toolkits only: those whose slug or name contains this text.
    #[serde(default)]
    search: Option<String>,
}

/// Items `[offset, offset + limit)` and the cursor of the next page.
fn slice<T>(items: Vec<T>, query: &ListQuery) -> Result<(Vec<T>, Option<String>, usize), ApiError> {
    listing::slice(items, query.limit.unwrap_or(500), query.cursor.as_deref())
}

#[utoipa::path(
    get,
    path = "/api/v3.1/tool_router/session/{id}/tools",
    operation_id = "sessions_tools",
    tag = "sessions",
    params(("id" = String, Path, description = "The session id (`trs_…`)"), ListQuery),
    responses(
        (status = 200, description = "A page of Composio Tool objects: the session's meta tools and preloaded tools.", body = crate::routes::shapes::Page),
        (status = 400, description = "The cursor is not a cursor of this list", body = crate::error::ErrorEnvelope),
        (status = 404, description = "No session of this project has this id", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
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

#[utoipa::path(
    get,
    path = "/api/v3.1/tool_router/session/{id}/toolkits",
    operation_id = "sessions_toolkits",
    tag = "sessions",
    params(("id" = String, Path, description = "The session id (`trs_…`)"), ListQuery),
    responses(
        (status = 200, description = "A page of the session's toolkits: `slug`, `name`, `enabled`, `is_no_auth`, `meta`, and the user's `connected_account` (`{id, status, user_id, created_at, auth_config}`) or null.", body = crate::routes::shapes::Page),
        (status = 400, description = "The cursor is not a cursor of this list", body = crate::error::ErrorEnvelope),
        (status = 404, description = "No session of this project has this id", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
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
                "created_at": iso(a.created_at),
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

#[utoipa::path(
    post,
    path = "/api/v3.1/tool_router/session/{id}/search",
    operation_id = "sessions_search",
    tag = "sessions",
    params(("id" = String, Path, description = "The session id (`trs_…`)")),
    request_body(content = Object, description = "`queries`: a list of `{use_case, known_fields?}`; `model` (optional): the model the results are for."),
    responses(
        (status = 200, description = "COMPOSIO_SEARCH_TOOLS's data (`results`, `toolkit_connection_statuses`, …) with `success: true` and `error: null`.", body = Object),
        (status = 400, description = "The body is not JSON, or the search refused its queries", body = crate::error::ErrorEnvelope),
        (status = 404, description = "No session of this project has this id", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
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

/// A tool to execute in a session.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = SessionExecuteBody)]
struct ExecuteBody {
    /// The tool's slug (`GITHUB_CREATE_ISSUE`).
    tool_slug: String,
    /// The tool's arguments.
    #[serde(default)]
    arguments: Value,
    /// The connected account to use (`ca_…`), when the user has several.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    account: Option<ConnectedAccountId>,
    /// Composio's agentic providers send `true`: a result larger than the session's
    /// `workbench.auto_offload_threshold` goes to its workbench, and `data` is a preview
    /// with the file's path (as `COMPOSIO_MULTI_EXECUTE_TOOL` does).
    #[serde(default)]
    enable_auto_workbench_offload: Option<bool>,
    #[serde(flatten)]
    #[schema(ignore)]
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

#[utoipa::path(
    post,
    path = "/api/v3.1/tool_router/session/{id}/execute",
    operation_id = "sessions_execute",
    tag = "sessions",
    params(("id" = String, Path, description = "The session id (`trs_…`)")),
    request_body = ExecuteBody,
    responses(
        (status = 200, description = "`{data, error, log_id, result_type}`: `result_type` is `completed` or `failed`; a failed tool call is a 200 with its `error`.", body = Object),
        (status = 400, description = "The body does not fit: `message` names the field", body = crate::error::ErrorEnvelope),
        (status = 404, description = "No session of this project has this id", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
async fn execute(
    caller: Caller,
    Path(id): Path<String>,
    Body(body): Body<ExecuteBody>,
) -> Result<Json<Value>, ApiError> {
    let session = session(&caller, &id).await?;
    if body.enable_auto_workbench_offload == Some(true) {
        return Ok(executed(session.execute_offloading(&body.tool_slug, body.arguments, body.account).await));
    }
    Ok(executed(session.execute(&body.tool_slug, body.arguments, body.account).await))
}

/// A meta tool to execute in a session.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = SessionExecuteMetaBody)]
struct MetaBody {
    /// The meta tool's slug (`COMPOSIO_SEARCH_TOOLS`, `COMPOSIO_MULTI_EXECUTE_TOOL`, …).
    slug: String,
    /// Its arguments.
    #[serde(default)]
    arguments: Value,
    #[serde(flatten)]
    #[schema(ignore)]
    _rest: Map<String, Value>,
}

#[utoipa::path(
    post,
    path = "/api/v3.1/tool_router/session/{id}/execute_meta",
    operation_id = "sessions_execute_meta",
    tag = "sessions",
    params(("id" = String, Path, description = "The session id (`trs_…`)")),
    request_body = MetaBody,
    responses(
        (status = 200, description = "`{data, error, log_id, result_type}`: `result_type` is `completed` or `failed`; a failed tool call is a 200 with its `error`.", body = Object),
        (status = 400, description = "The body does not fit: `message` names the field", body = crate::error::ErrorEnvelope),
        (status = 404, description = "No session of this project has this id", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
async fn execute_meta(
    caller: Caller,
    Path(id): Path<String>,
    Body(body): Body<MetaBody>,
) -> Result<Json<Value>, ApiError> {
    let session = session(&caller, &id).await?;
    Ok(executed(session.execute_meta(&body.slug, body.arguments).await))
}

/// A toolkit for the session's user to connect.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = SessionLinkBody)]
struct LinkBody {
    /// The toolkit's slug (`github`).
    toolkit: String,
    /// Where the Connect Link sends the user when done.
    #[serde(default)]
    callback_url: Option<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    _rest: Map<String, Value>,
}

#[utoipa::path(
    post,
    path = "/api/v3.1/tool_router/session/{id}/link",
    operation_id = "sessions_link",
    tag = "sessions",
    params(("id" = String, Path, description = "The session id (`trs_…`)")),
    request_body = LinkBody,
    responses(
        (status = 200, description = "The Connect Link: `connected_account_id` (INITIATED until the user connects), `link_token`, `redirect_url` (the page to send the user to), `expires_at`.", body = Object),
        (status = 400, description = "The body does not fit, or the toolkit cannot be linked", body = crate::error::ErrorEnvelope),
        (status = 404, description = "No session of this project has this id, or the catalog has no such toolkit", body = crate::error::ErrorEnvelope),
        (status = 409, description = "The toolkit's auth config is not usable", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
async fn link(caller: Caller, Path(id): Path<String>, Body(body): Body<LinkBody>) -> Result<Json<Value>, ApiError> {
    let session = session(&caller, &id).await?;
    let link = session.link(&body.toolkit, body.callback_url).await?;
    let token = link.redirect_url.rsplit('/').next().unwrap_or_default().to_owned();
    Ok(Json(json!({
        "connected_account_id": link.connected_account_id.as_str(),
        "link_token": token,
        "redirect_url": link.redirect_url,
        "expires_at": iso(link.expires_at),
    })))
}

#[utoipa::path(
    post,
    path = "/api/v3.1/tool_router/session/{id}/proxy_execute",
    operation_id = "sessions_proxy_execute",
    tag = "sessions",
    params(("id" = String, Path, description = "The session id (`trs_…`)")),
    request_body(content = Object, description = "A request to send with the user's connected account of a toolkit: `toolkit_slug`, `endpoint` (a path under the toolkit's base URL, or a URL on it), `method`, `body`, `parameters` (`[{name, type: header|query, value}]`)."),
    responses(
        (status = 200, description = "Composio's proxy answer: `status`, `data`, `headers`, `result_type` (and `error` when it failed).", body = Object),
        (status = 400, description = "The request is invalid, or the user has no account of the toolkit", body = crate::error::ErrorEnvelope),
        (status = 404, description = "No session of this project has this id", body = crate::error::ErrorEnvelope),
        (status = 502, description = "The upstream API could not be reached", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
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
