//! [`bench()`]: what the workbench costs on this machine — a sandbox's cold start (with its
//! first cell), a warm cell's round trip and a `run_composio_tool` round trip, beside
//! plain `python3 -c` start-up. `toolsmith bench workbench` prints it.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use toolsmith_core::spec::Toolkit;
use toolsmith_core::{BoxFuture, Call, Execute, Outcome, Schemas, Target, ToolDefinition, UserId};

use crate::{Cell, Error, Resolve, SandboxConfig, ToolAccess, Workbench};

/// Times of one measurement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Timing {
    /// How many times it was measured.
    pub runs: usize,
    /// The median.
    pub p50: Duration,
    /// The 99th percentile (the slowest run when there are fewer than 100).
    pub p99: Duration,
    /// The fastest run.
    pub min: Duration,
    /// The mean.
    pub mean: Duration,
}

impl Timing {
    /// The timing of `samples` (at least one).
    fn of(mut samples: Vec<Duration>) -> Timing {
        samples.sort();
        let runs = samples.len().max(1);
        let at =
            |q: f64| samples.get(((runs as f64 * q).ceil() as usize).saturating_sub(1)).copied().unwrap_or_default();
        let total: Duration = samples.iter().sum();
        Timing {
            runs: samples.len(),
            p50: at(0.5),
            p99: at(0.99),
            min: samples.first().copied().unwrap_or_default(),
            mean: total / runs as u32,
        }
    }
}

/// What [`bench()`] measured.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BenchReport {
    /// `python3 -c 'print(1)'` on the host, no sandbox: the baseline.
    pub python_startup: Timing,
    /// A new session's sandbox started and its first cell (`1`) answered.
    pub cold_start: Timing,
    /// A cell (`1`) in a running sandbox, host to kernel and back.
    pub warm_cell: Timing,
    /// `run_composio_tool` from Python to an `Execute` that answers at once and back,
    /// timed inside the sandbox.
    pub tool_round_trip: Timing,
}

/// Runs each measurement `runs` times (at least 1) in a workbench made from `config`
/// (sessions `bench-…` under its root, stopped afterwards).
pub async fn bench(config: SandboxConfig, runs: usize) -> Result<BenchReport, Error> {
    let runs = runs.max(1);
    let mut python = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        let status = tokio::process::Command::new(&config.python).args(["-c", "print(1)"]).output().await;
        status.map_err(Error::io(&config.python, "run"))?;
        python.push(started.elapsed());
    }
    let workbench = Workbench::new(config)?;
    let access =
        Arc::new(ToolAccess { user: UserId::new("bench"), executor: Arc::new(Echo), resolver: Arc::new(Echo) });
    let mut cold = Vec::new();
    for n in 0..runs {
        let session = format!("bench-cold-{n}");
        let started = Instant::now();
        answer(&workbench, &session, &access, "1").await?;
        cold.push(started.elapsed());
        workbench.stop(&session).await;
    }
    let mut warm = Vec::new();
    answer(&workbench, "bench-warm", &access, "1").await?;
    for _ in 0..runs {
        let started = Instant::now();
        answer(&workbench, "bench-warm", &access, "1").await?;
        warm.push(started.elapsed());
    }
    let code = format!(
        "import time\nt = []\nfor _ in range({runs}):\n    s = time.perf_counter()\n    \
         run_composio_tool('BENCH_ECHO', {{}})\n    t.append(time.perf_counter() - s)\nt"
    );
    let times = answer(&workbench, "bench-warm", &access, &code).await?;
    let tool = serde_json::from_str::<Value>(&times.replace('\'', "\""))
        .ok()
        .and_then(|v| v.as_array().map(|a| a.iter().filter_map(Value::as_f64).map(Duration::from_secs_f64).collect()))
        .unwrap_or_default();
    workbench.stop("bench-warm").await;
    Ok(BenchReport {
        python_startup: Timing::of(python),
        cold_start: Timing::of(cold),
        warm_cell: Timing::of(warm),
        tool_round_trip: Timing::of(tool),
    })
}

/// Runs a Python cell that must succeed; returns its result.
async fn answer(workbench: &Workbench, session: &str, access: &Arc<ToolAccess>, code: &str) -> Result<String, Error> {
    let out = workbench.run(session, access.clone(), Cell::python(code)).await?;
    match out.error {
        None => Ok(out.results.unwrap_or_default()),
        Some(message) => Err(Error::Bench { session: session.to_owned(), message }),
    }
}

static BENCH_ECHO: ToolDefinition = ToolDefinition {
    slug: "BENCH_ECHO",
    toolkit: "bench",
    name: "Echo",
    description: Cow::Borrowed("Answers its arguments at once."),
    schemas: Schemas::Json { input: Cow::Borrowed(r#"{"type":"object"}"#), output: None },
    tags: &[],
    http: None,
    local: None,
};

/// Knows `BENCH_ECHO` and answers it with its arguments.
struct Echo;

impl Execute for Echo {
    fn run<'a>(&'a self, call: Call<'a>) -> BoxFuture<'a, Outcome> {
        Box::pin(async move { Outcome::from(Ok(call.arguments)) })
    }
}

impl Resolve for Echo {
    fn tool(&self, slug: &str) -> Result<Target<'_>, toolsmith_core::Error> {
        match slug {
            "BENCH_ECHO" => Ok(Target::Definition(&BENCH_ECHO)),
            _ => Err(toolsmith_core::Error::UnknownTool(slug.to_owned())),
        }
    }

    fn toolkit(&self, slug: &str) -> Result<&Toolkit, toolsmith_core::Error> {
        Err(toolsmith_core::Error::UnknownToolkit { slug: slug.to_owned(), known: Vec::new() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles() {
        let ms = |n: u64| Duration::from_millis(n);
        let timing = Timing::of((1..=10).rev().map(ms).collect());
        assert_eq!(
            (timing.runs, timing.p50, timing.p99, timing.min, timing.mean),
            (10, ms(5), ms(10), ms(1), Duration::from_micros(5500))
        );
        assert_eq!(Timing::of(Vec::new()).p50, Duration::ZERO);
    }
}
