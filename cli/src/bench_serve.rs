//! `toolsmith bench serve`: the server under load, beside a bare axum handler making the
//! same upstream call, and its memory with many sessions.
//!
//! MCP calls are `tools/call` of the same tool, preloaded in a session, in the stateless
//! 2026-07-28 form (one HTTP request a call).
//!
//! In one process: the loopback API of `bench execute`, the server over a temporary
//! home whose default project has the benchmark account, and a bare axum handler that
//! GETs the same upstream URL. For 1, 16 and 128 concurrent clients, each sends requests
//! for a fixed time: REST `POST /api/v3.1/tools/execute/BENCHAPI_GET_THING`, then the bare
//! handler. Reports requests/s, p50 and p99 of each and their ratio, then the process's
//! resident memory (server and load generator together) before and after creating
//! `--sessions` sessions through the REST API.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use miette::{miette, IntoDiagnostic};
use serde_json::{json, Value};
use toolsmith::store::{ApiKey, ApiKeySecret, Project, Projects};
use toolsmith::{ApiKeyId, Registry, ToolSearch, Toolkit};
use toolsmith_server::{AppState, HomeProjects, ProjectStores, ServerOptions};

use crate::bench_execute::{fixture, percentiles, Fixture};
use crate::out::outln;

/// Options of `toolsmith bench serve`.
pub(crate) struct Options {
    /// Seconds of load per client count and kind.
    pub seconds: u64,
    /// Client counts.
    pub concurrency: Vec<usize>,
    /// Sessions created for the memory figure.
    pub sessions: usize,
    /// One JSON object instead of text.
    pub json: bool,
    /// Node counts on the database.
    pub nodes: Vec<usize>,
}

/// The SQLite benchmark (`bench_cluster` runs the one with `--database`).
pub(crate) fn run(options: &Options) -> miette::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().into_diagnostic()?;
    rt.block_on(bench(options))
}

/// Resident memory of this process, in MiB (Linux; 0 elsewhere).
fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Starts the server over loopback on `fixture`'s home (its default project, which holds
/// the benchmark account) serving `toolkits` with default options: its URL
/// (`http://127.0.0.1:PORT`) and an API key of the project.
pub(crate) async fn start_server(fixture: &Fixture, toolkits: Vec<Toolkit>) -> miette::Result<(String, ApiKeySecret)> {
    let main = fixture.store.clone();
    let project = main.ensure_default_project().await.map_err(|e| miette!("{e}"))?;
    let secret = api_key(main.as_ref(), project).await?;
    let projects = Arc::new(HomeProjects::new(fixture.dir.clone(), fixture.keys.clone(), main));
    Ok((listen(projects, toolkits).await?, secret))
}

/// A new API key of `project`, recorded in `main`.
pub(crate) async fn api_key(main: &(impl Projects + ?Sized), project: Project) -> miette::Result<ApiKeySecret> {
    let secret = ApiKeySecret::generate();
    let record = ApiKey {
        id: ApiKeyId::generate(),
        project: project.id,
        name: Some("bench".into()),
        key_hash: secret.hash(),
        prefix: secret.prefix(),
        created_at: std::time::SystemTime::now(),
        revoked_at: None,
    };
    main.put_api_key(&record).await.map_err(|e| miette!("{e}"))?;
    Ok(secret)
}

/// A server over `projects` serving `toolkits` with default options, on a free port of
/// 127.0.0.1: its URL (`http://127.0.0.1:PORT`).
pub(crate) async fn listen(projects: Arc<dyn ProjectStores>, toolkits: Vec<Toolkit>) -> miette::Result<String> {
    let registry = Registry::from_toolkits(toolkits);
    let search = Arc::new(ToolSearch::new(&registry));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.into_diagnostic()?;
    let server = format!("http://{}", listener.local_addr().into_diagnostic()?);
    let state = AppState::new(search, projects, ServerOptions::new(server.parse().into_diagnostic()?));
    tokio::spawn(toolsmith_server::serve(listener, state, std::future::pending()));
    Ok(server)
}

async fn bench(options: &Options) -> miette::Result<ExitCode> {
    let fixture = fixture("serve").await?;
    let mut toolkits = toolsmith_builtin::toolkits().into_diagnostic()?;
    toolkits.push(fixture.toolkit.clone());
    let (server, secret) = start_server(&fixture, toolkits).await?;

    let upstream = format!("{}/v1/things/t1", fixture.origin);
    let bare_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.into_diagnostic()?;
    let bare = format!("http://{}/bare", bare_listener.local_addr().into_diagnostic()?);
    let client = reqwest::Client::new();
    let bare_app = axum::Router::new().route(
        "/bare",
        axum::routing::post(move |axum::Json(_body): axum::Json<Value>| {
            let (client, upstream) = (client.clone(), upstream.clone());
            async move {
                let data: Value = match client.get(&upstream).bearer_auth("bench-token").send().await {
                    Ok(r) => r.json().await.unwrap_or(Value::Null),
                    Err(_) => Value::Null,
                };
                axum::Json(json!({"data": data, "error": null, "successful": true}))
            }
        }),
    );
    tokio::spawn(async move { axum::serve(bare_listener, bare_app).await });

    let http = reqwest::Client::builder().pool_max_idle_per_host(256).build().into_diagnostic()?;
    let execute_url = format!("{server}/api/v3.1/tools/execute/BENCHAPI_GET_THING");
    let body = json!({"user_id": fixture.user.as_str(), "version": "latest", "arguments": {"thing_id": "t1"}});
    check(&http, &execute_url, secret.expose(), &body).await?;

    // MCP: a session that preloads the tool, called statelessly (2026-07-28).
    let preload = json!({"user_id": fixture.user.as_str(), "preload": {"tools": ["BENCHAPI_GET_THING"]}});
    let created =
        post_json(&http, &format!("{server}/api/v3.1/tool_router/session"), secret.expose(), &preload).await?;
    let mcp_url = created["mcp"]["url"].as_str().ok_or_else(|| miette!("no MCP URL in {created}"))?.to_owned();
    let mcp_body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
        "name": "BENCHAPI_GET_THING", "arguments": {"thing_id": "t1"},
        "_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {},
                  "io.modelcontextprotocol/clientInfo": {"name": "toolsmith-bench", "version": "0"}}}});
    let mcp_headers = [
        ("accept", "application/json, text/event-stream"),
        ("mcp-protocol-version", "2026-07-28"),
        ("mcp-method", "tools/call"),
        ("mcp-name", "BENCHAPI_GET_THING"),
    ];
    let probe =
        http.post(&mcp_url).header("x-api-key", secret.expose()).headers(header_map(&mcp_headers)).json(&mcp_body);
    let probe = probe.send().await.into_diagnostic()?.text().await.into_diagnostic()?;
    if !probe.contains("\"successful\":true") {
        return Err(miette!("the benchmark's MCP call failed: {probe}"));
    }

    let mut rows = Vec::new();
    for &clients in &options.concurrency {
        let rest = load(&http, &[&execute_url], Some(secret.expose()), &[], &body, clients, options.seconds).await?;
        let mcp =
            load(&http, &[&mcp_url], Some(secret.expose()), &mcp_headers, &mcp_body, clients, options.seconds).await?;
        let base = load(&http, &[&bare], None, &[], &body, clients, options.seconds).await?;
        rows.push(json!({
            "clients": clients,
            "rest_rps": rest.0, "rest_p50_us": rest.1, "rest_p99_us": rest.2,
            "mcp_rps": mcp.0, "mcp_p50_us": mcp.1, "mcp_p99_us": mcp.2,
            "bare_rps": base.0, "bare_p50_us": base.1, "bare_p99_us": base.2,
            "ratio_rps": rest.0 / base.0.max(f64::MIN_POSITIVE),
            "ratio_p50": rest.1 / base.1.max(f64::MIN_POSITIVE),
            "mcp_ratio_rps": mcp.0 / base.0.max(f64::MIN_POSITIVE),
            "mcp_ratio_p50": mcp.1 / base.1.max(f64::MIN_POSITIVE),
            "rss_mib": rss_mib(),
        }));
    }

    let before = rss_mib();
    let started = Instant::now();
    for i in 0..options.sessions {
        let response = http
            .post(format!("{server}/api/v3.1/tool_router/session"))
            .header("x-api-key", secret.expose())
            .json(&json!({"user_id": format!("user-{}", i % 100)}))
            .send()
            .await
            .into_diagnostic()?;
        if !response.status().is_success() {
            return Err(miette!("creating session {i} failed: {}", response.status()));
        }
    }
    let created_in = started.elapsed();
    let after = rss_mib();
    let stats = json!({
        "load": rows,
        "sessions": options.sessions,
        "sessions_created_per_second": options.sessions as f64 / created_in.as_secs_f64().max(1e-9),
        "rss_before_sessions_mib": before,
        "rss_after_sessions_mib": after,
    });
    if options.json {
        outln!("{stats}");
        return Ok(ExitCode::SUCCESS);
    }
    outln!("clients  kind                  req/s    p50 µs    p99 µs   req/s ÷ bare   p50 ÷ bare   RSS MiB");
    let f = |r: &Value, k: &str| r[k].as_f64().unwrap_or_default();
    for r in &rows {
        let clients = r["clients"].as_u64().unwrap_or_default();
        let rss = f(r, "rss_mib");
        outln!(
            "{clients:>7}  REST tools/execute {:>8.0} {:>9.0} {:>9.0} {:>14.2} {:>12.2} {rss:>9.1}",
            f(r, "rest_rps"),
            f(r, "rest_p50_us"),
            f(r, "rest_p99_us"),
            f(r, "ratio_rps"),
            f(r, "ratio_p50")
        );
        outln!(
            "{clients:>7}  MCP tools/call     {:>8.0} {:>9.0} {:>9.0} {:>14.2} {:>12.2}",
            f(r, "mcp_rps"),
            f(r, "mcp_p50_us"),
            f(r, "mcp_p99_us"),
            f(r, "mcp_ratio_rps"),
            f(r, "mcp_ratio_p50")
        );
        outln!(
            "{clients:>7}  bare axum          {:>8.0} {:>9.0} {:>9.0}",
            f(r, "bare_rps"),
            f(r, "bare_p50_us"),
            f(r, "bare_p99_us")
        );
    }
    outln!(
        "{} sessions created ({:.0}/s): RSS {before:.1} → {after:.1} MiB (+{:.1} KiB a session)",
        options.sessions,
        stats["sessions_created_per_second"].as_f64().unwrap_or_default(),
        (after - before) * 1024.0 / options.sessions.max(1) as f64
    );
    Ok(ExitCode::SUCCESS)
}

/// One execution through `url` (a REST execute URL), which must succeed.
pub(crate) async fn check(http: &reqwest::Client, url: &str, key: &str, body: &Value) -> miette::Result<()> {
    let answer = post_json(http, url, key, body).await?;
    if answer["successful"] != true {
        return Err(miette!("the benchmark's execution through {url} failed: {answer}"));
    }
    Ok(())
}

/// POSTs `body` to `url` with the API key `key`; the JSON answer.
async fn post_json(http: &reqwest::Client, url: &str, key: &str, body: &Value) -> miette::Result<Value> {
    let response = http.post(url).header("x-api-key", key).json(body).send().await.into_diagnostic()?;
    response.json().await.into_diagnostic()
}

/// Request headers from pairs.
pub(crate) fn header_map(pairs: &[(&str, &str)]) -> reqwest::header::HeaderMap {
    let mut map = reqwest::header::HeaderMap::new();
    for (name, value) in pairs {
        if let (Ok(n), Ok(v)) =
            (reqwest::header::HeaderName::from_bytes(name.as_bytes()), reqwest::header::HeaderValue::from_str(value))
        {
            map.insert(n, v);
        }
    }
    map
}

/// `clients` tasks POSTing `body` (with `headers`) for `seconds`, client `i` to
/// `urls[i % urls.len()]`: (requests/s, p50 µs, p99 µs).
pub(crate) async fn load(
    http: &reqwest::Client,
    urls: &[&str],
    key: Option<&str>,
    headers: &[(&str, &str)],
    body: &Value,
    clients: usize,
    seconds: u64,
) -> miette::Result<(f64, f64, f64)> {
    let headers = header_map(headers);
    let deadline = Instant::now() + Duration::from_secs(seconds.max(1));
    let mut tasks = Vec::new();
    for i in 0..clients.max(1) {
        let url = urls.get(i % urls.len().max(1)).ok_or_else(|| miette!("no server to load"))?.to_string();
        let (http, key, body, headers) = (http.clone(), key.map(str::to_owned), body.clone(), headers.clone());
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            while Instant::now() < deadline {
                let started = Instant::now();
                let mut request = http.post(&url).headers(headers.clone()).json(&body);
                if let Some(key) = &key {
                    request = request.header("x-api-key", key);
                }
                let ok = match request.send().await {
                    Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                if !ok {
                    return Err(format!("a request to {url} failed"));
                }
                times.push(started.elapsed());
            }
            Ok(times)
        }));
    }
    let mut times = Vec::new();
    for task in tasks {
        times.extend(task.await.into_diagnostic()?.map_err(|e| miette!("{e}"))?);
    }
    if times.is_empty() {
        return Err(miette!("no request finished in {seconds} s"));
    }
    let rps = times.len() as f64 / seconds.max(1) as f64;
    let (p50, p99) = percentiles(&mut times);
    Ok((rps, p50.as_secs_f64() * 1e6, p99.as_secs_f64() * 1e6))
}
