//! `/logs/tools…`: the project's execution log. Composio's reference names no path for
//! it; `/logs/tools` and `/logs/tools/{log_id}` are this server's choice.

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Map, Value};
use toolsmith_core::{LogId, UserId};
use toolsmith_spec::ToolSlug;
use toolsmith_store::{ExecutionLog, LogFilter};

use crate::error::ApiError;
use crate::extract::Caller;
use crate::routes::listing::paged;
use crate::routes::records::log_object;
use crate::state::AppState;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/logs/tools", get(list)).route("/logs/tools/{log_id}", get(retrieve))
}

/// The most entries one listing reads.
const MAX_LOGS: usize = 10_000;

/// `GET /logs/tools` query. Both routes first wait for the executor's queued entries, so
/// that the `log_id` of an execution that just answered can be read at once.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// Executions for this user.
    #[serde(default)]
    user_id: Option<String>,
    /// Executions of this tool.
    #[serde(default)]
    tool_slug: Option<String>,
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

/// A log entry with its toolkit, when the catalog knows the tool.
fn item(state: &AppState, log: &ExecutionLog) -> Value {
    let toolkit = state.registry().tool(log.tool.as_str()).map(|t| t.toolkit.slug.as_str());
    log_object(log, toolkit)
}

#[utoipa::path(
    get,
    path = "/api/v3.1/logs/tools",
    operation_id = "logs_list",
    tag = "logs",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of execution log entries, newest first: `id`, `log_id`, `tool_slug`, `toolkit_slug`, `user_id`, `connected_account_id`, `status_code`, `successful`, `error`, `attempts`, `duration_ms`, `started_at`, `created_at`.", body = crate::routes::shapes::Page),
        (status = 400, description = "The cursor is not a cursor of this list", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
async fn list(
    caller: Caller,
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    caller.0.client.inner().flush_logs().await;
    let filter = LogFilter {
        user_id: q.user_id.as_deref().filter(|u| !u.is_empty()).map(UserId::new),
        tool: q.tool_slug.as_deref().filter(|t| !t.is_empty()).map(|t| ToolSlug::new(t.to_ascii_uppercase())),
        limit: MAX_LOGS,
    };
    let items: Vec<Value> = caller.0.store.logs(&filter).await?.iter().map(|l| item(&state, l)).collect();
    Ok(Json(paged(items, q.limit.unwrap_or(20), q.cursor.as_deref())?))
}

#[utoipa::path(
    get,
    path = "/api/v3.1/logs/tools/{log_id}",
    operation_id = "logs_retrieve",
    tag = "logs",
    params(("log_id" = String, Path, description = "The entry's id (`log_…`), as an execution answered with")),
    responses(
        (status = 200, description = "The execution log entry: `id`, `log_id`, `tool_slug`, `toolkit_slug`, `user_id`, `connected_account_id`, `status_code`, `successful`, `error`, `attempts`, `duration_ms`, `started_at`, `created_at`.", body = Object),
        (status = 404, description = "The project has no such execution log entry", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
async fn retrieve(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let not_found = || {
        ApiError::not_found("Log_NotFound", format!("execution log `{id}` does not exist"))
            .fix("list the project's executions with GET /api/v3.1/logs/tools")
    };
    let parsed = LogId::parse(&id).ok_or_else(not_found)?;
    caller.0.client.inner().flush_logs().await;
    let log = caller.0.store.log(&parsed).await?.ok_or_else(not_found)?;
    Ok(Json(item(&state, &log)))
}
