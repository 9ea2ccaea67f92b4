//! `toolsmith search` and `toolsmith bench search`: output formats and the bench's
//! JSON contract.

// An integration test crate: its helpers may unwrap too (a panic fails the test).
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn toolsmith(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_toolsmith"))
        .args(args)
        .current_dir(root())
        .env_remove("TOOLSMITH_CATALOG")
        .output()
        .expect("run toolsmith")
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn stdout(output: &Output) -> String {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn search_prints_tools_and_dependencies() {
    let out = stdout(&toolsmith(&["search", "send a message to a slack channel", "--limit", "4"]));
    insta::assert_snapshot!(out);
}

#[test]
fn search_json_has_the_search_tools_shape() {
    let out = stdout(&toolsmith(&["search", "fetch the history of a slack conversation", "--limit", "3", "--json"]));
    let mut value: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(value["time_info"]["current_time_utc_epoch_seconds"].as_u64().is_some());
    value.as_object_mut().unwrap().remove("time_info");
    insta::assert_json_snapshot!(value);
}

#[test]
fn search_toolkit_filter_and_errors() {
    let out = stdout(&toolsmith(&["search", "create an issue", "--toolkit", "jira", "--limit", "3"]));
    assert!(
        out.lines().filter(|l| l.contains("primary") || l.contains("related")).all(|l| l.contains("JIRA_")),
        "{out}"
    );
    let output = toolsmith(&["search", "create an issue", "--toolkit", "nope"]);
    assert_eq!(output.status.code(), Some(1));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("no toolkit `nope`") && err.contains("github"), "{err}");
}

#[test]
fn bench_search_prints_the_contract_keys() {
    let dir = std::env::temp_dir().join(format!("toolsmith-bench-search-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let tools = dir.join("tools.jsonl");
    let queries = dir.join("queries.jsonl");
    std::fs::write(
        &tools,
        concat!(
            r#"{"id": "sendEmail", "toolkit": "mail", "name": "sendEmail", "description": "Send an email to someone", "parameters": {"type": "object", "properties": {"to": {"type": "string", "description": "Recipient address"}}}}"#,
            "\n",
            r#"{"id": "getWeather", "toolkit": "weather", "name": "getWeather", "description": "Current weather for a city", "parameters": {}}"#,
            "\n"
        ),
    )
    .unwrap();
    std::fs::write(
        &queries,
        concat!(
            r#"{"qid": "1", "query": "mail my boss the report", "relevant": ["sendEmail"]}"#,
            "\n",
            r#"{"qid": "2", "query": "will it rain in Paris?", "relevant": ["getWeather"]}"#,
            "\n"
        ),
    )
    .unwrap();
    let (t, q) = (tools.to_str().unwrap(), queries.to_str().unwrap());
    let out = stdout(&toolsmith(&["bench", "search", "--tools", t, "--queries", q, "--json"]));
    assert_eq!(out.lines().count(), 1, "{out}");
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    let mut keys: Vec<&str> = value.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "baseline",
            "hit@5",
            "index_build_10k_ms",
            "index_build_ms",
            "latency_p50_ms",
            "latency_p95_ms",
            "mrr@10",
            "ndcg@10",
            "queries",
            "recall@1",
            "recall@10",
            "recall@5",
            "tools"
        ]
    );
    assert_eq!((value["tools"].as_u64(), value["queries"].as_u64()), (Some(2), Some(2)));
    assert_eq!(value["recall@1"], 1.0, "{value}");
    let mut baseline: Vec<&str> = value["baseline"].as_object().unwrap().keys().map(String::as_str).collect();
    baseline.sort();
    assert_eq!(
        baseline,
        [
            "hit@5",
            "index_build_ms",
            "latency_p50_ms",
            "latency_p95_ms",
            "mrr@10",
            "ndcg@10",
            "recall@1",
            "recall@10",
            "recall@5"
        ],
        "the baseline has the engine's metrics"
    );

    let text = stdout(&toolsmith(&["bench", "search", "--tools", t, "--queries", q]));
    assert!(text.contains("recall@5") && text.contains("p50"), "{text}");

    std::fs::write(&queries, "{\"query\": \"x\", \"relevant\": []}\n").unwrap();
    let output = toolsmith(&["bench", "search", "--tools", t, "--queries", q]);
    assert_eq!(output.status.code(), Some(1));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("queries.jsonl:1") && err.contains("relevant"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bench_session_prints_the_contract_keys() {
    let out = stdout(&toolsmith(&["bench", "session", "--requests", "20", "--searches", "1", "--json"]));
    let stats: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    for key in [
        "direct_p50_us",
        "direct_p99_us",
        "multi_execute_p50_us",
        "multi_execute_p99_us",
        "ratio_p50",
        "ratio_p99",
        "search_tools_p50_us",
        "search_tools_p99_us",
        "plain_search_p50_us",
    ] {
        assert!(stats[key].as_f64().is_some_and(|v| v > 0.0), "{key}: {stats}");
    }
    assert_eq!(stats["searches"], 14);
    assert!(stats["catalog_tools"].as_u64().unwrap() > 300, "{stats}");
}
