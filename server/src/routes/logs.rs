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
#[derive(Deserialize)]
struct ListQuery {
    #[serde(default)]
    user_id: Option<String>,
    #[serde(default)]
    tool_slug: Option<String>,
    #[serde(default)]
    limit: Option<usize>,
    #[serde(default)]
    cursor: Option<String>,
    #[serde(flatten)]
    _rest: Map<String, Value>,
}

/// A log entry with its toolkit, when the catalog knows the tool.
fn item(state: &AppState, log: &ExecutionLog) -> Value {
    let toolkit = state.registry().tool(log.tool.as_str()).map(|t| t.toolkit.slug.as_str());
    log_object(log, toolkit)
}

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
