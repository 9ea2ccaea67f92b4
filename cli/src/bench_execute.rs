//! `toolsmith bench execute`: the overhead of the execution path over a bare HTTP call.
//!
//! Starts a loopback HTTP server in the process, a SQLite store in a temporary folder
//! with one connected account (a bearer token), and times, alternately, a bare reqwest
//! GET and `Registry::execute_tool` of a tool that sends the same GET (argument
//! validation, account lookup, auth injection, request building, response shaping and
//! the execution log included). Then runs executions from concurrent tasks for a fixed
//! time to count executions per second.

use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use miette::{miette, IntoDiagnostic};
use secrecy::SecretString;
use serde_json::json;
use toolsmith::store::{KeyRing, SqliteStore, Store};
use toolsmith::{CallOptions, Client, Registry, Toolkit, UserId};

use crate::out::outln;

/// Options of `toolsmith bench execute`.
pub(crate) struct Options {
    /// Timed calls of each kind (after a warm-up).
    pub requests: usize,
    /// Concurrent tasks of the throughput run.
    pub concurrency: usize,
    /// Length of the throughput run.
    pub seconds: u64,
    /// One JSON object instead of text.
    pub json: bool,
}

pub(crate) fn run(options: &Options) -> miette::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().into_diagnostic()?;
    rt.block_on(bench(options))
}

/// What both `bench execute` and `bench session` run against: a loopback API, a SQLite
/// store in a temporary folder (removed on drop) with the user's bearer account, and the
/// toolkit of the API (`BENCHAPI_GET_THING`, a GET of a JSON object).
pub(crate) struct Fixture {
    /// `http://127.0.0.1:PORT`.
    pub origin: String,
    /// The store, with the account.
    pub store: Arc<SqliteStore>,
    /// The loopback API's toolkit.
    pub toolkit: Toolkit,
    /// The user with the account.
    pub user: UserId,
    /// The keys the store was opened with.
    pub keys: KeyRing,
    /// The temporary folder (a home: the store is its `toolsmith.db`).
    pub dir: std::path::PathBuf,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Starts the loopback API and makes the store; `name` names the temporary folder.
pub(crate) async fn fixture(name: &str) -> miette::Result<Fixture> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.into_diagnostic()?;
    let origin = format!("http://{}", listener.local_addr().into_diagnostic()?);
    let app = axum::Router::new().route(
        "/v1/things/{id}",
        axum::routing::get(|| async { axum::Json(json!({ "id": "t1", "title": "A thing", "done": false })) }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });

    let dir = std::env::temp_dir().join(format!("toolsmith-bench-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).into_diagnostic()?;
    let keys = KeyRing::generate().map_err(|e| miette!("{e}"))?;
    let store = Arc::new(SqliteStore::open(SqliteStore::default_path(&dir), keys.clone()).map_err(|e| miette!("{e}"))?);
    let toolkit: Toolkit = serde_yaml::from_str(&format!(
        r#"
slug: benchapi
name: Bench API
description: A loopback API for measuring the execution path.
version: 20261122_00
base_url: "{origin}/v1"
auth: [{{ scheme: bearer }}]
tools:
  - slug: BENCHAPI_GET_THING
    name: Get a thing
    description: Reads one thing by its id from the loopback server.
    http: {{ method: GET, path: "/things/{{thing_id}}" }}
    input:
      type: object
      required: [thing_id]
      properties:
        thing_id: {{ type: string, in: path, description: The thing }}
"#
    ))
    .into_diagnostic()?;
    let user = UserId::new("bench-user");
    connect(store.as_ref(), &toolkit, &user).await?;
    Ok(Fixture { origin, store, toolkit, user, keys, dir })
}

async fn bench(options: &Options) -> miette::Result<ExitCode> {
    let fixture = fixture("execute").await?;
    let (origin, store, user) = (fixture.origin.clone(), fixture.store.clone(), fixture.user.clone());
    let registry = Registry::from_toolkits(vec![fixture.toolkit.clone()]);
    let client = Client::builder().store(store.clone()).build();
    let bare = reqwest::Client::new();
    let url = format!("{origin}/v1/things/t1");
    let arguments = json!({ "thing_id": "t1" });
    let call_options = CallOptions::default();

    let execute = || registry.execute_tool(&client, "BENCHAPI_GET_THING", &user, arguments.clone(), &call_options);
    let get = || async {
        let response = bare.get(&url).bearer_auth("bench-token").send().await?;
        response.json::<serde_json::Value>().await
    };

    for _ in 0..200 {
        let result = execute().await;
        if !result.successful {
            return Err(miette!("the benchmark's execution failed: {:?}", result.error));
        }
        get().await.into_diagnostic()?;
    }
    let mut bare_times = Vec::with_capacity(options.requests);
    let mut execute_times = Vec::with_capacity(options.requests);
    for _ in 0..options.requests {
        let start = Instant::now();
        get().await.into_diagnostic()?;
        bare_times.push(start.elapsed());
        let start = Instant::now();
        let result = execute().await;
        execute_times.push(start.elapsed());
        if !result.successful {
            return Err(miette!("an execution failed: {:?}", result.error));
        }
    }

    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(options.seconds);
    let registry = Arc::new(registry);
    let mut tasks = Vec::new();
    for _ in 0..options.concurrency.max(1) {
        let (registry, client, user, done) = (registry.clone(), client.clone(), user.clone(), done.clone());
        tasks.push(tokio::spawn(async move {
            let arguments = json!({ "thing_id": "t1" });
            while Instant::now() < deadline {
                let result = registry
                    .execute_tool(&client, "BENCHAPI_GET_THING", &user, arguments.clone(), &CallOptions::default())
                    .await;
                if result.successful {
                    done.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for task in tasks {
        task.await.into_diagnostic()?;
    }
    let per_second = done.load(Ordering::Relaxed) as f64 / options.seconds.max(1) as f64;

    let (bare_p50, bare_p99) = percentiles(&mut bare_times);
    let (exec_p50, exec_p99) = percentiles(&mut execute_times);
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    let stats = json!({
        "requests": options.requests,
        "bare_p50_us": us(bare_p50),
        "bare_p99_us": us(bare_p99),
        "execute_p50_us": us(exec_p50),
        "execute_p99_us": us(exec_p99),
        "ratio_p50": exec_p50.as_secs_f64() / bare_p50.as_secs_f64(),
        "ratio_p99": exec_p99.as_secs_f64() / bare_p99.as_secs_f64(),
        "concurrency": options.concurrency,
        "executions_per_second": per_second,
    });
    if options.json {
        outln!("{stats}");
    } else {
        outln!(
            "bare reqwest GET:  p50 {:.0} µs, p99 {:.0} µs\nexecute (same GET): p50 {:.0} µs, p99 {:.0} µs\n\
             ratio: {:.2}× at p50, {:.2}× at p99 ({} calls each, alternating)\n\
             throughput: {per_second:.0} executions/s with {} concurrent tasks for {} s",
            us(bare_p50),
            us(bare_p99),
            us(exec_p50),
            us(exec_p99),
            stats["ratio_p50"].as_f64().unwrap_or_default(),
            stats["ratio_p99"].as_f64().unwrap_or_default(),
            options.requests,
            options.concurrency,
            options.seconds
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// p50 and p99 of the samples.
pub(crate) fn percentiles(times: &mut [Duration]) -> (Duration, Duration) {
    times.sort();
    (quantile(times, 0.5), quantile(times, 0.99))
}

/// The `q` quantile (0 to 1, nearest rank) of sorted samples; zero when there are none.
pub(crate) fn quantile(sorted: &[Duration], q: f64) -> Duration {
    let last = sorted.len().saturating_sub(1);
    sorted.get((last as f64 * q).round() as usize).copied().unwrap_or_default()
}

/// The benchmark user's bearer account.
pub(crate) async fn connect(store: &dyn Store, toolkit: &Toolkit, user: &UserId) -> miette::Result<()> {
    let credential = toolsmith::auth::StaticCredential {
        scheme: Some("bearer".into()),
        values: [("token".to_owned(), SecretString::from("bench-token"))].into(),
        ..toolsmith::auth::StaticCredential::new(user.as_str())
    };
    toolsmith::auth::connect(store, toolkit, credential).await.map(drop).map_err(|e| miette!("{e}"))
}
