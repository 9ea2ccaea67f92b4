//! Durable delivery across a crash: 1,000 events recorded in a fresh home for a
//! subscription to a receiver on 127.0.0.1; `toolsmith serve` delivers them, is killed
//! with SIGKILL part-way, and a second `toolsmith serve` on the same home delivers the
//! rest: every event arrives (at least once; repeats are counted and printed).
#![allow(clippy::unwrap_used)]

#[path = "common/deliveries.rs"]
mod deliveries;

use std::path::Path;
use std::time::{Duration, Instant};

use deliveries::{all_delivered, kill_after, receiver, record, serve};
use toolsmith::store::{KeyRing, SqliteStore};

const EVENTS: usize = 1000;

/// The subscription and the events, recorded in the home's store before any server runs.
async fn prepare(home: &Path, url: &str) -> Vec<String> {
    std::fs::create_dir_all(home).unwrap();
    let store = SqliteStore::open(SqliteStore::default_path(home), KeyRing::from_key_file(home).unwrap()).unwrap();
    record(&store, url, EVENTS).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_event_is_delivered_across_a_sigkill() {
    let home = std::env::temp_dir().join(format!("toolsmith-durability-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    let (url, received) = receiver().await;
    let expected = prepare(&home, &url).await;
    // A failure bound for the whole test, not a timing assertion.
    let deadline = Instant::now() + Duration::from_secs(120);

    kill_after(serve(&home, &[], &[]), &received, deadline, 100, EVENTS).await;
    let mut second = serve(&home, &[], &[]);
    let repeats = all_delivered(&received, deadline, &expected).await;
    second.kill();
    println!("all {EVENTS} events delivered; {repeats} delivered twice or more");
    let _ = std::fs::remove_dir_all(&home);
}
