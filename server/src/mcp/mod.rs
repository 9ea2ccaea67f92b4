//! The MCP endpoint of a session: `{base}/tool_router/{session_id}/mcp`, Streamable HTTP
//! through rmcp, for protocol versions 2025-11-25 (`initialize`, sessions) and 2026-07-28
//! (stateless) alike.
//!
//! [`auth::authorize`] runs in front of rmcp's service: it opens the project of the
//! `x-api-key` (401 in Composio's envelope otherwise) and the session of the URL in that
//! project (404 otherwise), and hands the session to [`handler::Handler`] through the
//! request's extensions, which rmcp passes on to every MCP request. The protocol sessions
//! of 2025-11-25 clients are kept in the deployment's main store ([`sessions`]), so any
//! server of a cluster goes on with them.

mod auth;
mod handler;
mod sessions;

use std::sync::Arc;

use axum::Router;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};

use crate::state::AppState;

/// Where the endpoint is mounted (no `/api` prefix: Composio's `mcp.url` has none).
pub(crate) const PATH: &str = "/tool_router/{session_id}/mcp";

/// The endpoint's routes, authenticated; host names allowed as `ServerOptions` says.
pub(crate) fn router(state: AppState) -> Router<AppState> {
    let options = state.options();
    let mut config = StreamableHttpServerConfig::default()
        .with_allowed_hosts(options.allowed_hosts.clone())
        .with_max_request_body_bytes(options.body_limit)
        .with_cancellation_token(state.shutdown_token().child_token());
    config.session_store = Some(Arc::new(sessions::StoredSessions { projects: state.project_stores().clone() }));
    let service = StreamableHttpService::new(|| Ok(handler::Handler), Arc::new(LocalSessionManager::default()), config);
    Router::new().route_service(PATH, service).route_layer(axum::middleware::from_fn_with_state(state, auth::authorize))
}
