//! `toolsmith bench …`: repeatable measurements of the hot paths.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use toolsmith_catalog::{check_paths, count};

use crate::out::outln;

/// `toolsmith bench …`
#[derive(clap::Subcommand)]
pub(crate) enum Command {
    /// Time loading and validating specs (the work of `toolsmith validate`).
    Validate {
        /// Toolkit folders, spec files, or folders of toolkits.
        #[arg(default_value = "catalog/toolkits")]
        paths: Vec<PathBuf>,
        /// Timed runs, after one warm-up run.
        #[arg(long, default_value_t = 20)]
        iterations: usize,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Time code generation: the given catalog, and one synthetic toolkit of
    /// `--tools` tools; with `--compile`, also the debug compile time the generated
    /// catalog adds to a crate that depends on toolsmith.
    Generate {
        /// Toolkit folders, spec files, or folders of toolkits.
        #[arg(default_value = "catalog/toolkits")]
        paths: Vec<PathBuf>,
        /// Tools in the synthetic toolkit (copies of the catalog's tools).
        #[arg(long, default_value_t = 1000)]
        tools: usize,
        /// Timed runs, after one warm-up run.
        #[arg(long, default_value_t = 5)]
        iterations: usize,
        /// Also measure compile time (builds a scratch crate under target/; slow).
        #[arg(long)]
        compile: bool,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Compare `execute` of a tool with a bare reqwest call to the same loopback server:
    /// p50/p99 of both, their ratio, and executions per second.
    Execute {
        /// Timed calls of each kind, after 200 warm-up calls.
        #[arg(long, default_value_t = 5000)]
        requests: usize,
        /// Concurrent tasks of the throughput run.
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
        /// Length of the throughput run, in seconds.
        #[arg(long, default_value_t = 5)]
        seconds: u64,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// What a session adds over direct execution: p50/p99 of a direct `execute` and of
    /// the same call through `COMPOSIO_MULTI_EXECUTE_TOOL`, their ratio; and the latency
    /// of `COMPOSIO_SEARCH_TOOLS` on the built-in catalog beside a plain search.
    Session {
        /// Timed calls of each kind, after 100 warm-up calls.
        #[arg(long, default_value_t = 2000)]
        requests: usize,
        /// Timed rounds over the benchmark's tasks (14 tasks a round), after one warm-up round.
        #[arg(long, default_value_t = 20)]
        searches: usize,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// The server under load: REST `tools/execute` of a tool against a loopback API at
    /// 1, 16 and 128 concurrent clients (req/s, p50/p99) beside a bare axum handler
    /// making the same upstream call; then memory with many sessions. With `--database`:
    /// the same REST load on the SQLite default beside PostgreSQL with 1 and 2 nodes.
    Serve {
        /// Seconds of load per client count and kind.
        #[arg(long, default_value_t = 5)]
        seconds: u64,
        /// Client counts.
        #[arg(long, value_delimiter = ',', default_value = "1,16,128")]
        concurrency: Vec<usize>,
        /// Sessions created for the memory figure.
        #[arg(long, default_value_t = 10_000)]
        sessions: usize,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
        /// A PostgreSQL database (`postgres://user:password@host:5432/db`) to compare with
        /// SQLite: the benchmark writes an account and an API key to its default project.
        #[arg(long, value_name = "URL")]
        database: Option<String>,
        /// With `--database`: how many servers share the database in each run (in this
        /// process, each with its own pool and port; the clients alternate between them).
        #[arg(long, value_delimiter = ',', default_value = "1,2", requires = "database")]
        nodes: Vec<usize>,
    },
    /// Triggers at run time: events/s from webhook ingress to delivery to an app on
    /// loopback and the delivery latency p50/p95/p99/max, for each instance count, beside
    /// bare loopback HTTP posts of the same bodies measured in the same run.
    Triggers {
        /// Events posted per run.
        #[arg(long, default_value_t = 2000)]
        events: usize,
        /// Concurrent clients posting them.
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
        /// Trigger instances the events are spread over, one run each (repeatable or a
        /// comma list).
        #[arg(long, value_delimiter = ',', default_value = "1,16")]
        instances: Vec<usize>,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// The workbench's costs: a sandbox's cold start (with its first cell), a warm cell's
    /// round trip and a `run_composio_tool` round trip (p50/p99), beside plain
    /// `python3 -c` start-up measured in the same run. Needs bubblewrap.
    Workbench {
        /// Timed runs of each measurement.
        #[arg(long, default_value_t = 20)]
        runs: usize,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Retrieval quality and speed of search on an external tool list and labelled
    /// queries (JSON Lines): recall@1/5/10, hit@5, nDCG@10, MRR@10, latency p50/p95,
    /// index build time. Without --tools and --queries (or with --builtin): the built-in
    /// catalog and its task set (tests/search/builtin-tasks.jsonl).
    Search {
        /// Tools, one JSON object a line: id, toolkit, name, description, parameters.
        #[arg(long, requires = "queries")]
        tools: Option<PathBuf>,
        /// Queries, one JSON object a line: query, relevant (tool ids), split.
        #[arg(long, requires = "tools")]
        queries: Option<PathBuf>,
        /// Measure the built-in catalog on its task set (the default without --tools).
        #[arg(long, conflicts_with_all = ["tools", "queries"])]
        builtin: bool,
        /// Print one JSON object on one line instead of text.
        #[arg(long)]
        json: bool,
        /// Ranking knobs, for tuning.
        #[command(flatten)]
        tuning: crate::bench_search::Tuning,
    },
    /// Time what a command pays before it works: building the registry from the
    /// catalog, and whole `toolsmith tools get` and `toolsmith search` processes.
    Startup {
        /// Toolkit folders, spec files, or folders of toolkits.
        #[arg(default_value = "catalog/toolkits")]
        paths: Vec<PathBuf>,
        /// The tool `tools get` looks up.
        #[arg(long, default_value = "SLACK_SEND_MESSAGE")]
        tool: String,
        /// What `search` looks for.
        #[arg(long, default_value = "send an email")]
        query: String,
        /// Timed runs of each measurement, after one warm-up.
        #[arg(long, default_value_t = 5)]
        iterations: usize,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Import every OpenAPI document under a folder (e.g. the APIs.guru corpus that
    /// `scripts/fetch-corpus.sh` fetches into `.corpus/`) and count the specs and
    /// operations that pass each stage: import, validate, generate and, with
    /// `--compile`, `cargo check` of the generated code; with the top failure causes.
    Import {
        /// The folder of `*.json` / `*.yaml` documents (searched recursively).
        dir: PathBuf,
        /// Run an evenly spread sample of this many specs.
        #[arg(long)]
        limit: Option<usize>,
        /// Worker threads, and `cargo check -j`; all cores by default.
        #[arg(long)]
        jobs: Option<usize>,
        /// Also `cargo check` the generated code (a scratch crate under target/; slow).
        #[arg(long)]
        compile: bool,
        /// Specs per `cargo check`; a failing batch is narrowed down to its failing specs.
        #[arg(long, default_value_t = 50)]
        batch_size: usize,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
        /// Failure causes listed per stage.
        #[arg(long, default_value_t = 10)]
        failures: usize,
        /// Address-space limit of the worker process, in GiB (0: none); a spec that
        /// exhausts it is recorded as a crash and the bench goes on.
        #[arg(long, default_value_t = 8)]
        max_memory_gb: u64,
        /// Internal: run as the worker process of the bench.
        #[arg(long, hide = true)]
        worker: bool,
    },
}

pub(crate) fn run(command: Command) -> miette::Result<ExitCode> {
    match command {
        Command::Execute { requests, concurrency, seconds, json } => {
            crate::bench_execute::run(&crate::bench_execute::Options { requests, concurrency, seconds, json })
        }
        Command::Serve { seconds, concurrency, sessions, json, database, nodes } => {
            let options = crate::bench_serve::Options { seconds, concurrency, sessions, json, nodes };
            match database {
                Some(database) => crate::bench_cluster::run(&options, &database),
                None => crate::bench_serve::run(&options),
            }
        }
        Command::Triggers { events, concurrency, instances, json } => {
            crate::bench_triggers::run(&crate::bench_triggers::Options { events, concurrency, instances, json })
        }
        Command::Workbench { runs, json } => crate::bench_workbench::run(runs, json),
        Command::Session { requests, searches, json } => {
            crate::bench_session::run(&crate::bench_session::Options { requests, searches, json })
        }
        Command::Generate { paths, tools, iterations, compile, json } => {
            crate::bench_generate::run(&paths, tools, iterations, compile, json)
        }
        Command::Import { dir, limit, jobs, compile, batch_size, json, failures, max_memory_gb, worker } => {
            crate::bench_import::run(&crate::bench_import::Options {
                dir,
                limit,
                jobs,
                compile,
                batch_size,
                json,
                failures,
                max_memory_gb,
                worker,
            })
        }
        Command::Startup { paths, tool, query, iterations, json } => {
            crate::bench_startup::run(&crate::bench_startup::Options { paths, tool, query, iterations, json })
        }
        Command::Search { tools, queries, builtin: _, json, tuning } => {
            crate::bench_search::run(&crate::bench_search::Options { tools, queries, json, config: tuning.config() })
        }
        Command::Validate { paths, iterations, json } => {
            let (loaded, diagnostics) = check_paths(&paths);
            let (errors, warnings) = count(&diagnostics);
            let mut times: Vec<Duration> = (0..iterations.max(1))
                .map(|_| {
                    let start = Instant::now();
                    let result = check_paths(&paths);
                    let elapsed = start.elapsed();
                    drop(result);
                    elapsed
                })
                .collect();
            times.sort();
            let ms = |d: Duration| d.as_secs_f64() * 1000.0;
            let pick = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
            let tools: usize = loaded.toolkits.iter().map(|t| t.tools.len()).sum();
            let stats = serde_json::json!({
                "toolkits": loaded.toolkits.len(),
                "tools": tools,
                "errors": errors,
                "warnings": warnings,
                "iterations": times.len(),
                "min_ms": ms(times[0]),
                "median_ms": ms(pick(0.5)),
                "p95_ms": ms(pick(0.95)),
                "tools_per_second": tools as f64 / pick(0.5).as_secs_f64(),
            });
            if json {
                outln!("{stats}");
            } else {
                outln!(
                    "validate {} toolkits / {tools} tools: min {:.1} ms, median {:.1} ms, p95 {:.1} ms over {} runs ({:.0} tools/s); {errors} errors, {warnings} warnings",
                    loaded.toolkits.len(),
                    ms(times[0]),
                    ms(pick(0.5)),
                    ms(pick(0.95)),
                    times.len(),
                    stats["tools_per_second"].as_f64().unwrap_or_default(),
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
