//! `toolsmith bench triggers --json`, small: every figure of every run is there, each
//! event posted to the webhook ingress reached the receiver, and every delivery's
//! signature verified. No timing is asserted.
#![allow(clippy::unwrap_used)]

use std::process::Command;

#[test]
fn bench_triggers_delivers_every_event_and_prints_every_figure() {
    let output = Command::new(env!("CARGO_BIN_EXE_toolsmith"))
        .args(["bench", "triggers", "--events", "50", "--instances", "1,4", "--json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stats: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!((stats["events"].as_u64(), stats["concurrency"].as_u64()), (Some(50), Some(16)), "{stats}");
    assert_eq!(stats["delivery"]["concurrency"], 16, "the deliverer runs with its default options: {stats}");
    for figure in ["batch", "lease_s", "tick_ms"] {
        assert!(stats["delivery"][figure].as_u64().is_some_and(|v| v > 0), "delivery.{figure}: {stats}");
    }
    let runs = stats["runs"].as_array().unwrap();
    assert_eq!(runs.iter().map(|r| r["instances"].as_u64().unwrap()).collect::<Vec<_>>(), [1, 4], "{stats}");
    for run in runs {
        assert_eq!(run["events"], 50, "{run}");
        assert_eq!(run["delivered"], 50, "no event lost: {run}");
        assert_eq!(run["lost"], 0, "{run}");
        assert_eq!(run["signature_failures"], 0, "{run}");
        assert!(run["duplicates"].as_u64().is_some(), "{run}");
        for figure in [
            "ingress_rps",
            "ingress_p50_ms",
            "ingress_p99_ms",
            "end_to_end_events_per_s",
            "latency_p50_ms",
            "latency_p95_ms",
            "latency_p99_ms",
            "latency_max_ms",
            "bare_rps",
            "bare_p50_ms",
            "bare_p99_ms",
        ] {
            assert!(run[figure].as_f64().is_some_and(|v| v > 0.0), "{figure}: {run}");
        }
    }
}
