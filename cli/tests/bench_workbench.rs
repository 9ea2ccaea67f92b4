//! `toolsmith bench workbench --json` (needs bubblewrap): every timing is there and
//! positive, python3's start-up beside the sandbox's.
#![allow(clippy::unwrap_used)]

use std::process::Command;

#[test]
fn bench_workbench_prints_every_timing() {
    let output = Command::new(env!("CARGO_BIN_EXE_toolsmith"))
        .args(["bench", "workbench", "--runs", "3", "--json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stats: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    for key in ["python3_startup", "cold_start", "warm_cell", "tool_round_trip"] {
        assert_eq!(stats[key]["runs"], 3, "{key}: {stats}");
        for figure in ["p50_ms", "p99_ms", "min_ms", "mean_ms"] {
            assert!(stats[key][figure].as_f64().is_some_and(|v| v > 0.0), "{key}.{figure}: {stats}");
        }
    }
    assert!(stats["cold_start_over_python_p50_ms"].as_f64().is_some(), "{stats}");
}
