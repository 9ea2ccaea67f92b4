//! `toolsmith bench serve --database postgres://…`: the server's REST execute load on
//! the SQLite default beside PostgreSQL with one node and with several.
//!
//! In one process: the loopback API of `bench execute`; a server over a temporary SQLite
//! home holding the benchmark account; and servers over the PostgreSQL database, each a
//! node of its own (its own pool, as separate processes would have), on ports of their
//! own, the benchmark account and an API key written once to the database's default
//! project. For each client count, the same load as `bench serve`: REST
//! `POST /api/v3.1/tools/execute/BENCHAPI_GET_THING` for a fixed time, first on SQLite,
//! then on PostgreSQL with each node count of `--nodes`, the clients alternating between
//! the nodes. Reports requests/s, p50 and p99 of each side by side.

use std::process::ExitCode;
use std::sync::Arc;

use miette::{miette, IntoDiagnostic};
use serde_json::{json, Value};
use toolsmith::store::{PgStore, DEFAULT_PROJECT};
use toolsmith::UserId;
use toolsmith_server::PgProjects;

use crate::bench_execute::{connect, fixture};
use crate::bench_serve::{api_key, check, listen, load, start_server, Options};
use crate::out::outln;

/// One column of the report: a backend and its servers' execute URLs.
struct Target {
    /// `sqlite` or `postgres`.
    backend: &'static str,
    /// How many servers share the load.
    nodes: usize,
    urls: Vec<String>,
    key: String,
}

/// `toolsmith bench serve --database`: [`compare`] on a runtime of its own.
pub(crate) fn run(options: &Options, database: &str) -> miette::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().into_diagnostic()?;
    rt.block_on(compare(options, database))
}

/// Runs the comparison against the PostgreSQL database at `database`.
async fn compare(options: &Options, database: &str) -> miette::Result<ExitCode> {
    let nodes = options.nodes.iter().copied().max().unwrap_or(1).max(1);
    if options.nodes.contains(&0) {
        return Err(miette!(help = "pass node counts of 1 or more, e.g. --nodes 1,2", "--nodes 0: no server to load"));
    }
    let fixture = fixture("serve-db").await?;
    let mut toolkits = toolsmith_builtin::toolkits().into_diagnostic()?;
    toolkits.push(fixture.toolkit.clone());
    let path = format!("/api/v3.1/tools/execute/{}", fixture.toolkit.tools[0].slug);

    let (sqlite, sqlite_key) = start_server(&fixture, toolkits.clone()).await?;
    let mut targets = vec![Target {
        backend: "sqlite",
        nodes: 1,
        urls: vec![format!("{sqlite}{path}")],
        key: sqlite_key.expose().to_owned(),
    }];

    // The database's own user for this run: earlier runs' accounts stay out of the way.
    let user = UserId::new(format!("bench-user-{}", toolsmith::ConnectedAccountId::generate()));
    let mut servers = Vec::new();
    for _ in 0..nodes {
        let store = PgStore::connect(database, fixture.keys.clone()).await.map_err(|e| miette!("{e}"))?;
        servers.push(PgProjects::new(store));
    }
    let main = servers.first().map(|node| node.main().clone()).ok_or_else(|| miette!("no PostgreSQL node"))?;
    let project = main.ensure_project(DEFAULT_PROJECT).await.map_err(|e| miette!("{e}"))?;
    let pg_key = api_key(main.as_ref(), project).await?;
    connect(main.as_ref(), &fixture.toolkit, &user).await?;
    let mut pg_urls = Vec::new();
    for node in servers {
        pg_urls.push(format!("{}{path}", listen(Arc::new(node), toolkits.clone()).await?));
    }
    for &n in &options.nodes {
        let urls = pg_urls.iter().take(n).cloned().collect();
        targets.push(Target { backend: "postgres", nodes: n, urls, key: pg_key.expose().to_owned() });
    }

    let http = reqwest::Client::builder().pool_max_idle_per_host(256).build().into_diagnostic()?;
    let body_for =
        |user: &UserId| json!({"user_id": user.as_str(), "version": "latest", "arguments": {"thing_id": "t1"}});
    for target in &targets {
        let user = if target.backend == "sqlite" { &fixture.user } else { &user };
        for url in &target.urls {
            check(&http, url, &target.key, &body_for(user)).await?;
        }
    }

    let mut rows = Vec::new();
    for &clients in &options.concurrency {
        for target in &targets {
            let user = if target.backend == "sqlite" { &fixture.user } else { &user };
            let urls: Vec<&str> = target.urls.iter().map(String::as_str).collect();
            let (rps, p50, p99) =
                load(&http, &urls, Some(&target.key), &[], &body_for(user), clients, options.seconds).await?;
            rows.push(json!({
                "clients": clients, "backend": target.backend, "nodes": target.nodes,
                "rps": rps, "p50_us": p50, "p99_us": p99,
            }));
        }
    }
    report(options, &rows);
    Ok(ExitCode::SUCCESS)
}

fn report(options: &Options, rows: &[Value]) {
    if options.json {
        outln!("{}", json!({ "seconds": options.seconds, "load": rows }));
        return;
    }
    outln!("REST tools/execute, {} s per run", options.seconds);
    outln!("clients  backend    nodes     req/s    p50 µs    p99 µs");
    let f = |r: &Value, k: &str| r[k].as_f64().unwrap_or_default();
    for r in rows {
        outln!(
            "{:>7}  {:<9} {:>6} {:>9.0} {:>9.0} {:>9.0}",
            r["clients"].as_u64().unwrap_or_default(),
            r["backend"].as_str().unwrap_or_default(),
            r["nodes"].as_u64().unwrap_or_default(),
            f(r, "rps"),
            f(r, "p50_us"),
            f(r, "p99_us")
        );
    }
}
