//! `/healthz` (the process answers) and `/readyz` (it can serve: the catalog is loaded).

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::state::AppState;

/// The routes.
pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/healthz", get(|| async { Json(json!({"status": "ok"})) })).route("/readyz", get(ready))
}

async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let tools = state.registry().tools().count();
    let status = if tools > 0 { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, Json(json!({"status": if tools > 0 { "ready" } else { "no tools loaded" }, "tools": tools})))
}
