//! `toolsmith bench workbench`: what the workbench costs on this machine, from
//! [`toolsmith_workbench::bench`] — a sandbox's cold start with its first cell, a warm
//! cell's round trip and a `run_composio_tool` round trip, beside plain `python3 -c`
//! start-up measured in the same run. Sandboxes run in a scratch folder, removed after.

use std::process::ExitCode;
use std::time::Duration;

use miette::miette;
use serde_json::json;
use toolsmith_workbench::{SandboxConfig, Timing};

use crate::home::runtime;
use crate::out::outln;

/// Host uids of the bench's sandboxes when run as root: a range of its own, apart from
/// a server's (200000…).
const BENCH_UIDS: std::ops::Range<u32> = 209_000..209_100;

pub(crate) fn run(runs: usize, json: bool) -> miette::Result<ExitCode> {
    let root = std::env::temp_dir().join(format!("toolsmith-bench-workbench-{}", std::process::id()));
    let config = SandboxConfig { uids: Some(BENCH_UIDS), ..SandboxConfig::new(&root) };
    let report = runtime()?.block_on(toolsmith_workbench::bench(config, runs));
    let _ = std::fs::remove_dir_all(&root);
    let report = report.map_err(|e| miette!("{e}"))?;
    let rows = [
        ("python3_startup", "python3 -c 'print(1)' (no sandbox)", &report.python_startup),
        ("cold_start", "sandbox cold start + first cell", &report.cold_start),
        ("warm_cell", "warm cell round trip", &report.warm_cell),
        ("tool_round_trip", "run_composio_tool round trip", &report.tool_round_trip),
    ];
    let ms = |d: Duration| (d.as_secs_f64() * 1_000_000.0).round() / 1000.0;
    if json {
        let mut stats = serde_json::Map::new();
        for (key, _, t) in &rows {
            stats.insert(
                (*key).to_owned(),
                json!({"runs": t.runs, "p50_ms": ms(t.p50), "p99_ms": ms(t.p99), "min_ms": ms(t.min), "mean_ms": ms(t.mean)}),
            );
        }
        let overhead = ms(report.cold_start.p50) - ms(report.python_startup.p50);
        stats.insert("cold_start_over_python_p50_ms".into(), json!((overhead * 1000.0).round() / 1000.0));
        outln!("{}", serde_json::Value::Object(stats));
    } else {
        let line = |label: &str, t: &Timing| {
            format!(
                "{label:<40} p50 {:>9.3} ms  p99 {:>9.3} ms  min {:>9.3} ms  ({} runs)",
                ms(t.p50),
                ms(t.p99),
                ms(t.min),
                t.runs
            )
        };
        for (_, label, t) in &rows {
            outln!("{}", line(label, t));
        }
        outln!(
            "cold start costs {:.1} ms over plain python3 start-up (p50)",
            ms(report.cold_start.p50) - ms(report.python_startup.p50)
        );
    }
    Ok(ExitCode::SUCCESS)
}
