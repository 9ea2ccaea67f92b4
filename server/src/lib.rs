//! `toolsmith serve`: a Composio-compatible REST API and an MCP endpoint per session.
//!
//! [`app`] is the whole server as an axum `Router`; [`serve`] runs it on a listener until
//! a shutdown signal, letting in-flight requests finish. Handlers are thin: sessions are
//! `toolsmith-session`, execution is `toolsmith-runtime`, records are `toolsmith-store`.
//! Every request authenticates with `x-api-key`, which opens exactly one project
//! ([`ProjectStores`]); errors are Composio's envelope ([`ApiError`]); every response has
//! an `x-request-id`.

pub mod deliveries;
mod error;
mod extract;
mod health;
mod home;
mod markers;
mod mcp;
mod metrics;
mod openapi;
mod pages;
#[cfg(feature = "postgres")]
mod postgres;
mod request_id;
pub mod routes;
mod state;
#[cfg(feature = "testing")]
pub mod testing;
mod timeout;
mod triggers_poll;
mod webhooks;

use std::future::Future;

use axum::Router;
use tower_http::limit::RequestBodyLimitLayer;

pub use error::{status_of, ApiError, ErrorDetail, ErrorEnvelope};
pub use extract::{Body, Caller, Origin};
pub use home::HomeProjects;
pub use metrics::{Metered, Metrics};
pub use openapi::ApiDoc;
#[cfg(feature = "postgres")]
pub use postgres::PgProjects;
pub use state::{AppState, ProjectCx, ProjectStores, ServerOptions, CELL_MARGIN};

/// The server: REST under `/api/v3` and `/api/v3.1` (and its OpenAPI document at
/// `/api/v3.1/openapi.json`), the MCP endpoint `/tool_router/{session_id}/mcp`,
/// `/healthz`, `/readyz` and `/metrics`, with the request-id, body-limit, timeout and
/// metrics layers.
///
/// ```
/// # let registry = toolsmith_runtime::Registry::default();
/// # let projects = std::sync::Arc::new(toolsmith_server::testing::MemoryProjects::default());
/// let state = toolsmith_server::AppState::new(
///     std::sync::Arc::new(toolsmith_runtime::ToolSearch::new(&registry)),
///     projects,
///     toolsmith_server::ServerOptions::new("http://127.0.0.1:8787".parse().unwrap()),
/// );
/// let router: axum::Router = toolsmith_server::app(state);
/// # let _ = router;
/// ```
pub fn app(state: AppState) -> Router {
    let options = state.options().clone();
    Router::new()
        .nest("/api/v3.1", routes::api())
        .nest("/api/v3", routes::api())
        .merge(openapi::router())
        .merge(health::router())
        .merge(pages::router())
        .merge(webhooks::router())
        .route("/metrics", axum::routing::get(metrics::serve))
        .merge(mcp::router(state.clone()))
        .fallback(|| async {
            ApiError::not_found("Request_RouteNotFound", "no such route")
                .fix("see /api/v3.1/openapi.json for the routes")
        })
        .route_layer(axum::middleware::from_fn_with_state(state.metrics().clone(), metrics::track))
        .layer(RequestBodyLimitLayer::new(options.body_limit))
        .layer(axum::middleware::from_fn_with_state(
            timeout::Limits { normal: options.request_timeout, cells: options.cell_request_timeout() },
            timeout::timeout,
        ))
        .layer(axum::middleware::from_fn(request_id::request_id))
        .with_state(state)
}

/// Serves `app(state)` on `listener` until `shutdown` completes, polling the projects'
/// poll triggers meanwhile; requests in flight then finish, and polls stop, before it
/// returns. Meanwhile each project's trigger events are also delivered to its webhook
/// subscription ([`deliveries::run`], unless [`ServerOptions::deliveries`] is `None`);
/// deliveries in flight at shutdown are dropped and claimed again by the next run.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let token = state.shutdown_token().clone();
    if let Some(options) = state.options().deliveries {
        tokio::spawn(deliveries::run(state.clone(), options));
    }
    // Poll triggers while serving; they stop with the server.
    let poller = tokio::spawn(triggers_poll::run(state.clone(), token.child_token()));
    let stop = token.clone();
    let shutdown = async move {
        shutdown.await;
        // Open MCP streams would keep the server up: end them.
        stop.cancel();
    };
    // Answers go out as they are written: an MCP answer is a few SSE writes, which
    // Nagle's algorithm would hold back for the client's delayed ACK (~40 ms).
    let listener = axum::serve::ListenerExt::tap_io(listener, |stream: &mut tokio::net::TcpStream| {
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(error = %e, "could not set TCP_NODELAY");
        }
    });
    let served = axum::serve(listener, app(state)).with_graceful_shutdown(shutdown).await;
    token.cancel();
    if let Err(e) = poller.await {
        tracing::error!(error = %e, "the trigger poller failed");
    }
    served
}
