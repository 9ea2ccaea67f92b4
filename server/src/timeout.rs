//! The request timeout: [`ServerOptions::request_timeout`](crate::ServerOptions::request_timeout)
//! for every route, except the routes that can run a workbench cell, which wait for
//! [`ServerOptions::cell_request_timeout`](crate::ServerOptions::cell_request_timeout).

use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// The two limits.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// Every other route.
    pub(crate) normal: Duration,
    /// Routes that can run a cell.
    pub(crate) cells: Duration,
}

impl Limits {
    /// The limit of a request to `path`.
    pub(crate) fn of(&self, path: &str) -> Duration {
        if runs_cells(path) {
            self.cells
        } else {
            self.normal
        }
    }
}

/// The middleware: `axum::middleware::from_fn_with_state(limits, timeout)`. A request
/// past its limit is answered 504 in Composio's envelope.
pub(crate) async fn timeout(State(limits): State<Limits>, request: Request, next: Next) -> Response {
    let limit = limits.of(request.uri().path());
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            toolsmith_core::ErrorKind::Timeout,
            "Request_Timeout",
            format!("the request took longer than {limit:?}, this route's limit"),
        )
        .fix("run less in one request (fewer tools at once), or raise the server's request timeout")
        .into_response(),
    }
}

/// Whether a request to `path` can run a workbench cell: a session's `execute` (meta
/// tools included) and `execute_meta` under `/api/v3` or `/api/v3.1`, and the MCP endpoint.
fn runs_cells(path: &str) -> bool {
    let rest = path.strip_prefix("/api/v3.1").or_else(|| path.strip_prefix("/api/v3")).unwrap_or(path);
    let parts: Vec<&str> = rest.trim_matches('/').split('/').collect();
    match parts.as_slice() {
        ["tool_router", "session", _, "execute" | "execute_meta"] => !path.starts_with("/tool_router"),
        ["tool_router", _, "mcp"] => path.starts_with("/tool_router"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_routes_that_can_run_a_cell_wait_longer() {
        let limits = Limits { normal: Duration::from_secs(1), cells: Duration::from_secs(200) };
        for path in [
            "/api/v3.1/tool_router/session/trs_1/execute",
            "/api/v3/tool_router/session/trs_1/execute_meta",
            "/tool_router/trs_1/mcp",
        ] {
            assert_eq!(limits.of(path), Duration::from_secs(200), "{path}");
        }
        for path in [
            "/api/v3.1/tool_router/session/trs_1/proxy_execute",
            "/api/v3.1/tool_router/session/trs_1/search",
            "/api/v3.1/tools/execute/GITHUB_STAR",
            "/api/v3.1/tool_router/session/trs_1/mounts/files/items",
            "/tool_router/session/trs_1/execute",
            "/api/v3.1/tool_router/trs_1/mcp",
            "/healthz",
        ] {
            assert_eq!(limits.of(path), Duration::from_secs(1), "{path}");
        }
    }
}
