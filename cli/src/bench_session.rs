//! `toolsmith bench session`: what a session adds over direct execution, and how fast
//! `COMPOSIO_SEARCH_TOOLS` answers on the built-in catalog.
//!
//! Uses the loopback API of `bench execute` (one GET tool, a bearer account in a SQLite
//! store) registered beside the built-in catalog. Times, alternately, a direct
//! `Registry::execute_tool` of the tool and the same call through a session's
//! `COMPOSIO_MULTI_EXECUTE_TOOL` (scope check, account choice, memory, the answer's
//! shape); then `COMPOSIO_SEARCH_TOOLS` for a set of tasks, beside the plain search of
//! the same tasks (`ToolSearch::search`, no session) as its baseline.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use miette::{miette, IntoDiagnostic};
use serde_json::json;
use toolsmith::search::ResponseOptions;
use toolsmith::session::{RouterOptions, SessionConfig, ToolRouter};
use toolsmith::store::Store;
use toolsmith::{CallOptions, Client, Registry, ToolSearch};

use crate::bench_execute::{fixture, percentiles};
use crate::out::outln;

/// Tasks searched, one per kind of request an agent makes.
const TASKS: &[&str] = &[
    "create a GitHub issue for the login bug",
    "send a message to the #general Slack channel",
    "find emails from my manager about the budget",
    "schedule a meeting tomorrow at 10am with the team",
    "list open pull requests in my repository",
    "upload a file to Google Drive",
    "create a Jira ticket and assign it to me",
    "add a row to an Airtable base",
    "refund a Stripe payment",
    "create a contact in HubSpot",
    "post a message in a Discord channel",
    "add a page to a Notion database",
    "list my Asana tasks due this week",
    "first find the slack channel id, then post the weekly summary there",
];

/// Options of `toolsmith bench session`.
pub(crate) struct Options {
    /// Timed calls of each kind.
    pub requests: usize,
    /// Timed rounds over [`TASKS`].
    pub searches: usize,
    /// One JSON object instead of text.
    pub json: bool,
}

pub(crate) fn run(options: &Options) -> miette::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().into_diagnostic()?;
    rt.block_on(bench(options))
}

async fn bench(options: &Options) -> miette::Result<ExitCode> {
    let fixture = fixture("session").await?;
    let mut toolkits = toolsmith_builtin::toolkits().into_diagnostic()?;
    toolkits.push(fixture.toolkit.clone());
    let registry = Registry::from_toolkits(toolkits);
    let store: Arc<dyn Store> = fixture.store.clone();
    let client = Arc::new(Client::builder().store(store.clone()).build());
    let search = Arc::new(ToolSearch::new(&registry));
    let router = ToolRouter::new(
        search.clone(),
        client.clone(),
        store,
        RouterOptions::new(fixture.origin.parse().into_diagnostic()?),
    );
    let session = router.create(SessionConfig::new(fixture.user.as_str())).await.map_err(|e| miette!("{e}"))?;
    let arguments = json!({ "thing_id": "t1" });
    let multi = json!({
        "tools": [{ "tool_slug": "BENCHAPI_GET_THING", "arguments": arguments }],
        "sync_response_to_workbench": false,
    });
    let call_options = CallOptions::default();
    let direct =
        || registry.execute_tool(&*client, "BENCHAPI_GET_THING", &fixture.user, arguments.clone(), &call_options);
    let meta = || session.execute_meta("COMPOSIO_MULTI_EXECUTE_TOOL", multi.clone());

    for _ in 0..100 {
        let (a, b) = (direct().await, meta().await);
        if !a.successful || b.data["success_count"] != 1 {
            return Err(miette!("the benchmark's calls failed: {:?} / {}", a.error, b.data));
        }
    }
    let (mut direct_times, mut meta_times) = (Vec::new(), Vec::new());
    for _ in 0..options.requests.max(1) {
        let start = Instant::now();
        direct().await;
        direct_times.push(start.elapsed());
        let start = Instant::now();
        meta().await;
        meta_times.push(start.elapsed());
    }

    let (mut search_times, mut plain_times) = (Vec::new(), Vec::new());
    let plain = ResponseOptions::default();
    for round in 0..options.searches.max(1) + 1 {
        for task in TASKS {
            let start = Instant::now();
            let found = session.execute_meta("COMPOSIO_SEARCH_TOOLS", json!({"queries": [{"use_case": task}]})).await;
            let took = start.elapsed();
            let start = Instant::now();
            let baseline = search.search(&[task], &plain);
            let plain_took = start.elapsed();
            if !found.successful || baseline.results.is_empty() {
                return Err(miette!("search failed for {task:?}: {:?}", found.error));
            }
            if round > 0 {
                search_times.push(took);
                plain_times.push(plain_took);
            }
        }
    }

    let (d50, d99) = percentiles(&mut direct_times);
    let (m50, m99) = percentiles(&mut meta_times);
    let (s50, s99) = percentiles(&mut search_times);
    let (p50, p99) = percentiles(&mut plain_times);
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    let stats = json!({
        "catalog_tools": registry.tools().count(),
        "requests": options.requests,
        "direct_p50_us": us(d50), "direct_p99_us": us(d99),
        "multi_execute_p50_us": us(m50), "multi_execute_p99_us": us(m99),
        "ratio_p50": ratio(m50, d50), "ratio_p99": ratio(m99, d99),
        "overhead_p50_us": us(m50) - us(d50),
        "searches": search_times.len(),
        "search_tools_p50_us": us(s50), "search_tools_p99_us": us(s99),
        "plain_search_p50_us": us(p50), "plain_search_p99_us": us(p99),
    });
    if options.json {
        outln!("{stats}");
    } else {
        outln!(
            "direct execute:           p50 {:.0} µs, p99 {:.0} µs\nMULTI_EXECUTE (same call): p50 {:.0} µs, p99 {:.0} µs\n\
             ratio: {:.2}× at p50, {:.2}× at p99 ({} calls each, alternating; +{:.0} µs at p50)\n\
             COMPOSIO_SEARCH_TOOLS:    p50 {:.0} µs, p99 {:.0} µs ({} searches over {} tools)\n\
             plain search (baseline):  p50 {:.0} µs, p99 {:.0} µs",
            us(d50),
            us(d99),
            us(m50),
            us(m99),
            ratio(m50, d50),
            ratio(m99, d99),
            options.requests,
            us(m50) - us(d50),
            us(s50),
            us(s99),
            search_times.len(),
            stats["catalog_tools"],
            us(p50),
            us(p99),
        );
    }
    Ok(ExitCode::SUCCESS)
}
