//! `toolsmith bench serve --database URL --json`, short, against a fresh database of the
//! test process's throwaway PostgreSQL server (`PgCluster`): one row per client count and
//! target (SQLite; PostgreSQL with each node count), every figure there. No timing is
//! asserted.
#![allow(clippy::unwrap_used)]

use std::process::Command;

use toolsmith_store::conformance::fixtures::PgCluster;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bench_serve_compares_sqlite_with_postgres_on_one_and_two_nodes() {
    let database = PgCluster::shared().database().await;
    let output = Command::new(env!("CARGO_BIN_EXE_toolsmith"))
        .args(["bench", "serve", "--database", &database, "--seconds", "1", "--concurrency", "1,4", "--json"])
        .env_remove("TOOLSMITH_DATABASE_URL")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stats: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(stats["seconds"], 1, "{stats}");
    let rows = stats["load"].as_array().unwrap();
    let shape: Vec<_> = rows
        .iter()
        .map(|r| (r["clients"].as_u64().unwrap(), r["backend"].as_str().unwrap(), r["nodes"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        shape,
        [
            (1, "sqlite", 1),
            (1, "postgres", 1),
            (1, "postgres", 2),
            (4, "sqlite", 1),
            (4, "postgres", 1),
            (4, "postgres", 2)
        ],
        "{stats}"
    );
    for row in rows {
        for figure in ["rps", "p50_us", "p99_us"] {
            assert!(row[figure].as_f64().is_some_and(|v| v > 0.0), "{figure}: {row}");
        }
    }
    assert!(!String::from_utf8_lossy(&output.stdout).contains(&database), "the database URL is never printed");
}

#[test]
fn nodes_need_a_database() {
    let output = Command::new(env!("CARGO_BIN_EXE_toolsmith"))
        .args(["bench", "serve", "--nodes", "1,2"])
        .env_remove("TOOLSMITH_DATABASE_URL")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--database"), "{stderr}");
}
