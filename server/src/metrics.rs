//! Prometheus metrics at `/metrics`: requests by route and status, their latency, and
//! tool executions by toolkit and outcome (counted by wrapping the executor).

use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use toolsmith_core::{BoxFuture, Call, Execute, Outcome, Target};

/// Labels of a request.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

/// Labels of a request's latency.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

/// Labels of an execution.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ExecutionLabels {
    toolkit: String,
    outcome: String,
}

/// The server's metrics (cheap to clone).
#[derive(Clone)]
pub struct Metrics(Arc<Inner>);

struct Inner {
    registry: Mutex<Registry>,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    executions: Family<ExecutionLabels, Counter>,
    refreshes: Family<OutcomeLabels, Counter>,
    /// The executors whose OAuth 2.0 token requests are counted.
    clients: Mutex<Vec<std::sync::Weak<toolsmith_runtime::Client>>>,
}

/// Labels of a token request.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: String,
}

impl Default for Metrics {
    fn default() -> Self {
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.0005, 2.0, 16))
        });
        let executions = Family::<ExecutionLabels, Counter>::default();
        let refreshes = Family::<OutcomeLabels, Counter>::default();
        let mut registry = Registry::with_prefix("toolsmith");
        registry.register("http_requests", "HTTP requests by route and status", requests.clone());
        registry.register("http_request_duration_seconds", "HTTP request latency by route", latency.clone());
        registry.register("tool_executions", "Tool executions by toolkit and outcome", executions.clone());
        registry.register("token_refreshes", "OAuth 2.0 token requests by outcome", refreshes.clone());
        Metrics(Arc::new(Inner {
            registry: Mutex::new(registry),
            requests,
            latency,
            executions,
            refreshes,
            clients: Mutex::default(),
        }))
    }
}

impl Metrics {
    /// Counts `client`'s OAuth 2.0 token requests from now on (as long as it lives).
    pub fn watch(&self, client: &Arc<toolsmith_runtime::Client>) {
        if let Ok(mut clients) = self.0.clients.lock() {
            clients.retain(|c| c.strong_count() > 0);
            clients.push(Arc::downgrade(client));
        }
    }

    /// Brings the token-request counters up to the watched clients' totals.
    fn sync_refreshes(&self) {
        let (mut renewed, mut failed) = (0, 0);
        if let Ok(clients) = self.0.clients.lock() {
            for client in clients.iter().filter_map(std::sync::Weak::upgrade) {
                let counts = client.token_requests();
                renewed += counts.renewed;
                failed += counts.failed;
            }
        }
        for (outcome, total) in [("renewed", renewed), ("failed", failed)] {
            let counter = self.0.refreshes.get_or_create(&OutcomeLabels { outcome: outcome.to_owned() });
            counter.inc_by(total.saturating_sub(counter.get()));
        }
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        self.sync_refreshes();
        let mut text = String::new();
        if let Ok(registry) = self.0.registry.lock() {
            let _ = prometheus_client::encoding::text::encode(&mut text, &registry);
        }
        text
    }

    fn executed(&self, toolkit: &str, outcome: &str) {
        self.0
            .executions
            .get_or_create(&ExecutionLabels { toolkit: toolkit.to_owned(), outcome: outcome.to_owned() })
            .inc();
    }
}

/// The middleware counting requests: `from_fn_with_state(metrics, track)`.
pub(crate) async fn track(State(metrics): State<Metrics>, request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str).to_owned();
    let method = request.method().to_string();
    let id = request.extensions().get::<crate::markers::RequestId>().map(|r| r.0.clone()).unwrap_or_default();
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16();
    // The route's template, never the path: a Connect Link's path holds its token.
    tracing::info!(request_id = %id, %method, %route, status, ms = started.elapsed().as_secs_f64() * 1e3, "request");
    metrics.0.requests.get_or_create(&RequestLabels { method: method.clone(), route: route.clone(), status }).inc();
    metrics.0.latency.get_or_create(&RouteLabels { method, route }).observe(started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics`.
pub(crate) async fn serve(State(metrics): State<Metrics>) -> Response {
    ([(CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], metrics.render()).into_response()
}

/// An executor that counts the executions of the one it wraps.
pub struct Metered<E> {
    inner: E,
    metrics: Metrics,
}

impl<E> Metered<E> {
    /// Wraps `inner`.
    pub fn new(inner: E, metrics: Metrics) -> Self {
        Metered { inner, metrics }
    }

    /// The executor it wraps.
    pub fn inner(&self) -> &E {
        &self.inner
    }
}

impl<E: Execute> Execute for Metered<E> {
    fn run<'a>(&'a self, call: Call<'a>) -> BoxFuture<'a, Outcome> {
        let toolkit = match call.target {
            Target::Definition(d) => d.toolkit.to_owned(),
            Target::Spec { toolkit, .. } | Target::Proxy { toolkit, .. } => toolkit.slug.as_str().to_owned(),
            _ => "unknown".to_owned(),
        };
        Box::pin(async move {
            let outcome = self.inner.run(call).await;
            let label = match &outcome.result {
                Ok(_) => "success",
                Err(e) => e.kind().as_str(),
            };
            self.metrics.executed(&toolkit, label);
            outcome
        })
    }
}
