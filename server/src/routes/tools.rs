//! `/tools…`: the catalog's tools, and executing them directly for a user.

use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use toolsmith_core::{CallOptions, ConnectedAccountId, ProxyRequest, UserId};
use toolsmith_runtime::search::SearchOptions;
use toolsmith_runtime::ToolQuery;
use toolsmith_session::MetaTool;

use crate::error::ApiError;
use crate::extract::{Body, Caller};
use crate::routes::listing::list_of;
use crate::routes::sessions::proxied;
use crate::routes::shapes::{meta_tool_object, object_data, page, tool_object};
use crate::state::AppState;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tools", get(list))
        .route("/tools/enum", get(slugs))
        .route("/tools/execute/proxy", post(proxy))
        .route("/tools/execute/{slug}", post(execute))
        .route("/tools/{slug}", get(retrieve))
}

/// `GET /tools` query (comma-joined lists, like the SDK sends them).
#[derive(Deserialize, Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// These tools, comma-joined slugs; the other filters are then ignored.
    #[serde(default)]
    tool_slugs: Option<String>,
    /// Tools of these toolkits, comma-joined slugs.
    #[serde(default)]
    toolkit_slug: Option<String>,
    /// A search text: the best matches, best first.
    #[serde(default)]
    query: Option<String>,
    /// The same as `query`.
    #[serde(default)]
    search: Option<String>,
    /// Tools with these tags, comma-joined.
    #[serde(default)]
    tags: Option<String>,
    /// `true`: only the toolkits' important tools.
    #[serde(default)]
    important: Option<String>,
    /// The most items of a page (default 20, at most 1000).
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
    path = "/api/v3.1/tools",
    operation_id = "tools_list",
    tag = "tools",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of Composio Tool objects (`slug`, `name`, `description`, `input_parameters`, `output_parameters`, `toolkit`, `version`, `tags`, `scopes`, `no_auth`, …).", body = crate::routes::shapes::Page),
        (status = 400, description = "A filter is invalid", body = crate::error::ErrorEnvelope),
        (status = 404, description = "The catalog has no such toolkit", body = crate::error::ErrorEnvelope),
        crate::error::KeyErrors,
    )
)]
async fn list(
    _caller: Caller,
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let registry = state.registry();
    let limit = q.limit.unwrap_or(20).clamp(1, 1000);
    let slugs = list_of(q.tool_slugs.as_deref());
    if !slugs.is_empty() {
        let items: Vec<Value> =
            slugs.iter().filter_map(|s| registry.tool(s)).map(|t| tool_object(t.toolkit, t.tool)).collect();
        let total = items.len();
        return Ok(Json(page(items, None, total, limit)));
    }
    let toolkits = list_of(q.toolkit_slug.as_deref());
    if let Some(text) = q.query.as_ref().or(q.search.as_ref()).filter(|t| !t.trim().is_empty()) {
        let index = state.search().index();
        let mut items = Vec::new();
        for toolkit in if toolkits.is_empty() { vec![None] } else { toolkits.iter().map(Some).collect() } {
            let options = SearchOptions { limit, toolkit: toolkit.cloned(), allowed: None };
            for hit in index.search(text, &options) {
                if let Some(t) = registry.tool(&index.documents()[hit.doc].slug) {
                    items.push(tool_object(t.toolkit, t.tool));
                }
            }
        }
        items.truncate(limit);
        let total = items.len();
        return Ok(Json(page(items, None, total, limit)));
    }
    let important = q.important.as_deref().is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let tags = list_of(q.tags.as_deref());
    let toolkit_lists: Vec<Option<String>> =
        if toolkits.is_empty() { vec![None] } else { toolkits.into_iter().map(Some).collect() };
    let mut items = Vec::new();
    let mut next_cursor = None;
    for toolkit in toolkit_lists {
        if let Some(slug) = &toolkit {
            if registry.toolkit(&slug.to_ascii_lowercase()).is_none() {
                return Err(ApiError::not_found("Toolkit_NotFound", format!("toolkit `{slug}` does not exist"))
                    .fix("list toolkits with GET /api/v3.1/toolkits"));
            }
        }
        let query = ToolQuery { toolkit, tags: tags.clone(), important, limit, cursor: q.cursor.clone() };
        let found = registry.list(&query)?;
        items.extend(found.items.iter().map(|t| tool_object(t.toolkit, t.tool)));
        next_cursor = next_cursor.or(found.next_cursor);
    }
    items.truncate(limit);
    let total = items.len();
    Ok(Json(page(items, next_cursor, total, limit)))
}

#[utoipa::path(
    get,
    path = "/api/v3.1/tools/enum",
    operation_id = "tools_enum",
    tag = "tools",
    responses(
        (status = 200, description = "The slugs of every tool of the catalog.", body = Vec<String>),
        crate::error::KeyErrors,
    )
)]
async fn slugs(_caller: Caller, State(state): State<AppState>) -> Json<Value> {
    Json(json!(state.registry().tools().map(|t| t.tool.slug.to_string()).collect::<Vec<_>>()))
}

#[utoipa::path(
    get,
    path = "/api/v3.1/tools/{slug}",
    operation_id = "tools_retrieve",
    tag = "tools",
    params(("slug" = String, Path, description = "The tool's slug (`GITHUB_CREATE_ISSUE`), or a meta tool's")),
    responses(
        (status = 200, description = "The Composio Tool object.", body = Object),
        (status = 404, description = "The catalog has no such tool", body = crate::error::ErrorEnvelope),
        crate::error::KeyErrors,
    )
)]
async fn retrieve(
    _caller: Caller,
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Json<Value>, ApiError> {
    if let Some(meta) = MetaTool::parse(&slug) {
        return Ok(Json(meta_tool_object(meta)));
    }
    match state.registry().tool(&slug) {
        Some(t) => Ok(Json(tool_object(t.toolkit, t.tool))),
        None => Err(ApiError::not_found("Tool_NotFound", format!("tool `{slug}` does not exist"))
            .fix("find tools with GET /api/v3.1/tools?query=...")),
    }
}

/// A tool call for a user, outside any session.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = ToolExecuteBody)]
struct ExecuteBody {
    /// The tool's arguments.
    #[serde(default)]
    arguments: Value,
    /// The user the call is for (`entity_id` is read too); else the connected account's.
    #[serde(default, alias = "entity_id")]
    user_id: Option<String>,
    /// The connected account to use (`ca_…`).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    connected_account_id: Option<ConnectedAccountId>,
    /// The toolkit version (`20261122_00`); `latest` or none for the newest.
    #[serde(default)]
    version: Option<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    _rest: Map<String, Value>,
}

#[utoipa::path(
    post,
    path = "/api/v3.1/tools/execute/{slug}",
    operation_id = "tools_execute",
    tag = "tools",
    params(("slug" = String, Path, description = "The tool's slug")),
    request_body = ExecuteBody,
    responses(
        (status = 200, description = "`{data, error, successful, log_id, session_info}`; a failed tool call is a 200 with `successful: false` and its `error`.", body = Object),
        (status = 400, description = "The body does not fit, names no user, or the slug is a meta tool", body = crate::error::ErrorEnvelope),
        (status = 404, description = "The catalog has no such tool, or the project no such connected account", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
async fn execute(
    caller: Caller,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Body(body): Body<ExecuteBody>,
) -> Result<Json<Value>, ApiError> {
    if MetaTool::parse(&slug).is_some() {
        return Err(ApiError::bad_request(
            "Tool_MetaToolOutsideSession",
            format!("{slug} can only be called inside a tool-router session"),
        )
        .fix("create a session (POST /api/v3.1/tool_router/session) and call it there"));
    }
    let user = match (&body.user_id, &body.connected_account_id) {
        (Some(user), _) => UserId::new(user.as_str()),
        (None, Some(account)) => match caller.0.store.account(account).await? {
            Some(a) => a.user_id,
            None => {
                return Err(ApiError::not_found(
                    "ConnectedAccount_NotFound",
                    format!("connected account {account} does not exist"),
                ))
            }
        },
        (None, None) => {
            return Err(ApiError::bad_request("Tool_MissingUser", "give `user_id` or `connected_account_id`"))
        }
    };
    let version = match body.version.as_deref() {
        None | Some("latest") | Some("") => None,
        Some(v) => Some(toolsmith_spec::Version::new(v)),
    };
    let options = CallOptions { account: body.connected_account_id, version, ..CallOptions::default() };
    let result = state.registry().execute_tool(&*caller.0.client, &slug, &user, body.arguments, &options).await;
    if !result.successful
        && state.registry().tool(&slug).is_none()
        && state.registry().local_tools().all(|t| !t.slug.eq_ignore_ascii_case(&slug))
    {
        return Err(ApiError::not_found("Tool_NotFound", format!("tool `{slug}` does not exist")));
    }
    Ok(Json(json!({
        "data": object_data(result.data),
        "error": result.error,
        "successful": result.successful,
        "log_id": result.log_id.map(|l| l.to_string()),
        "session_info": null,
    })))
}

/// A raw request to a toolkit's API with a connected account's credentials.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = ToolProxyBody)]
struct ProxyBody {
    /// A path under the toolkit's base URL (`/user/repos`), or a URL on it.
    endpoint: String,
    /// The HTTP method (`GET`, `POST`, …).
    #[schema(value_type = String)]
    method: toolsmith_spec::Method,
    /// The JSON body to send.
    #[serde(default)]
    body: Option<Value>,
    /// Headers and query parameters to add.
    #[serde(default)]
    parameters: Vec<Parameter>,
    /// The connected account whose toolkit and credentials the request uses (`ca_…`);
    /// required.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    connected_account_id: Option<ConnectedAccountId>,
    #[serde(flatten)]
    #[schema(ignore)]
    _rest: Map<String, Value>,
}

/// A header or query parameter of a proxied request.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = ProxyParameter)]
struct Parameter {
    /// Its name.
    name: String,
    /// `header` or `query`.
    #[serde(rename = "type")]
    kind: String,
    /// Its value; other than a string, its JSON text.
    value: Value,
}

#[utoipa::path(
    post,
    path = "/api/v3.1/tools/execute/proxy",
    operation_id = "tools_proxy",
    tag = "tools",
    request_body = ProxyBody,
    responses(
        (status = 200, description = "Composio's proxy answer: `status`, `data`, `headers`, `result_type` (and `error` when it failed).", body = Object),
        (status = 400, description = "The body does not fit, names no connected account, or a parameter type is not header or query", body = crate::error::ErrorEnvelope),
        (status = 404, description = "The project has no such connected account, or the catalog not its toolkit", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
async fn proxy(
    caller: Caller,
    State(state): State<AppState>,
    Body(body): Body<ProxyBody>,
) -> Result<Json<Value>, ApiError> {
    let Some(account_id) = body.connected_account_id else {
        return Err(ApiError::bad_request(
            "MissingAuthContext",
            "give `connected_account_id`: the proxy uses its toolkit and credentials",
        ));
    };
    let account = caller.0.store.account(&account_id).await?.ok_or_else(|| {
        ApiError::not_found("ConnectedAccount_NotFound", format!("connected account {account_id} does not exist"))
    })?;
    let toolkit = state.registry().toolkit(account.toolkit.as_str()).ok_or_else(|| {
        ApiError::not_found(
            "Toolkit_NotFound",
            format!("toolkit `{}` is not in this server's catalog", account.toolkit),
        )
    })?;
    let mut request =
        ProxyRequest { method: body.method, endpoint: body.endpoint, body: body.body, ..Default::default() };
    for p in body.parameters {
        let value = match p.value {
            Value::String(s) => s,
            other => other.to_string(),
        };
        match p.kind.as_str() {
            "header" => request.headers.push((p.name, value)),
            "query" => request.query.push((p.name, value)),
            other => {
                return Err(ApiError::bad_request(
                    "Request_InvalidBody",
                    format!("parameter type `{other}` is not header or query"),
                ))
            }
        }
    }
    let call = toolsmith_core::Call {
        target: toolsmith_core::Target::Proxy { toolkit, request: &request },
        user: &account.user_id,
        arguments: Value::Null,
        options: CallOptions { account: Some(account_id), ..CallOptions::default() },
    };
    let result: toolsmith_core::ExecutionResult = toolsmith_core::Execute::run(&*caller.0.client, call).await.into();
    Ok(Json(proxied(result)))
}
