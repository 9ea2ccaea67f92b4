//! `toolsmith bench search` on the built-in catalog and its task set (issue 16), and
//! query files with requests no tool fits.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::PathBuf;
use std::process::Output;

fn bench(args: &[&str]) -> Output {
    let dir = std::env::temp_dir().join(format!("toolsmith-bench-builtin-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("catalog")).unwrap();
    common::toolsmith(&dir.join("home"), &dir.join("catalog"), args, "")
}

fn stdout(output: &Output) -> String {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn without_files_it_measures_the_built_in_catalog() {
    let text = stdout(&bench(&["bench", "search"]));
    assert!(text.starts_with("the built-in catalog: "), "{text}");
    for needle in [
        "recall@1",
        "recall@5",
        "recall@10",
        "ndcg@10",
        "p50",
        "split paraphrase",
        "split multi",
        "no_match",
        "(median of 3)",
        "index for 10,000 tools built in ",
        "bm25 baseline: recall@5 ",
    ] {
        assert!(text.contains(needle), "no {needle} in {text}");
    }

    let json = stdout(&bench(&["bench", "search", "--builtin", "--json"]));
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(value["queries"].as_u64().unwrap() >= 60, "{value}");
    assert!(value["tools"].as_u64().unwrap() > 1000, "{value}");
    assert!(value["no_match_queries"].as_u64().unwrap() >= 1, "{value}");
    assert!(value["recall@5"].as_f64().unwrap() > 0.5, "{value}");
    assert!(value["index_build_10k_ms"].as_f64().unwrap() > 0.0, "{value}");
    let baseline = &value["baseline"];
    for key in ["recall@1", "recall@5", "recall@10", "hit@5", "ndcg@10", "mrr@10", "latency_p50_ms", "index_build_ms"] {
        assert!(baseline[key].is_number(), "no baseline {key} in {value}");
    }
    assert!(
        baseline["recall@5"].as_f64().unwrap() < value["recall@5"].as_f64().unwrap(),
        "the engine beats plain BM25: {value}"
    );
}

#[test]
fn builtin_and_files_do_not_mix() {
    let output = bench(&["bench", "search", "--builtin", "--tools", "t.jsonl", "--queries", "q.jsonl"]);
    assert_eq!(output.status.code(), Some(2), "a usage error");
    let output = bench(&["bench", "search", "--tools", "t.jsonl"]);
    assert_eq!(output.status.code(), Some(2), "--tools needs --queries");
}

#[test]
fn no_match_queries_are_searched_but_not_scored() {
    let dir = std::env::temp_dir().join(format!("toolsmith-bench-nomatch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let tools: PathBuf = dir.join("tools.jsonl");
    let queries: PathBuf = dir.join("queries.jsonl");
    std::fs::write(&tools, "{\"id\": \"sendEmail\", \"toolkit\": \"mail\", \"description\": \"Send an email\"}\n")
        .unwrap();
    std::fs::write(
        &queries,
        concat!(
            "{\"query\": \"send an email\", \"relevant\": [\"sendEmail\"], \"split\": \"single\"}\n",
            "{\"query\": \"order a pizza\", \"relevant\": [], \"split\": \"no_match\"}\n",
        ),
    )
    .unwrap();
    let (t, q) = (tools.to_str().unwrap(), queries.to_str().unwrap());
    let json = stdout(&bench(&["bench", "search", "--tools", t, "--queries", q, "--json"]));
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!((value["recall@1"].as_f64(), value["no_match_queries"].as_u64()), (Some(1.0), Some(1)), "{value}");
    assert_eq!(value["baseline"]["recall@1"].as_f64(), Some(1.0), "{value}");
    std::fs::remove_dir_all(&dir).ok();
}
