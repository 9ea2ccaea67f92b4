//! Trigger deliveries of a cluster: two `toolsmith serve --database URL` processes (the
//! same `TOOLSMITH_SECRET_KEY`, homes of their own) over one PostgreSQL database of the
//! test process's throwaway server (`PgCluster`: Debian's `postgresql` must be installed).
//! Events and a webhook subscription to a receiver on 127.0.0.1 are recorded through a
//! `PgStore` before the servers start. With both alive, every event arrives once (each
//! delivery is claimed by one node); when one is killed with SIGKILL part-way, the other
//! delivers every remaining event once the dead node's claims expire.
#![allow(clippy::unwrap_used)]

#[path = "common/deliveries.rs"]
mod deliveries;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use deliveries::{all_delivered, kill_after, receiver, record, serve, Received, Server};
use secrecy::ExposeSecret;
use toolsmith::store::KeyRing;
use toolsmith_store::conformance::fixtures::PgCluster;
use toolsmith_store::PgStore;

/// A fresh database with the subscription to a new receiver and `events` events, and
/// two nodes serving it (named `name`-a and `name`-b).
struct Cluster {
    received: Arc<Mutex<Received>>,
    expected: Vec<String>,
    a: Server,
    b: Server,
    _homes: Homes,
}

/// The nodes' homes, removed when dropped.
struct Homes(Vec<PathBuf>);

impl Cluster {
    async fn start(name: &str, events: usize) -> Cluster {
        let (url, received) = receiver().await;
        let database = PgCluster::shared().database().await;
        let key = KeyRing::generate_key().unwrap().expose_secret().to_owned();
        let store = PgStore::connect(&database, KeyRing::from_base64(&key).unwrap()).await.unwrap();
        let expected = record(&store, &url, events).await;
        let (a, home_a) = node(&format!("{name}-a"), &database, &key);
        let (b, home_b) = node(&format!("{name}-b"), &database, &key);
        Cluster { received, expected, a, b, _homes: Homes(vec![home_a, home_b]) }
    }
}

impl Drop for Homes {
    fn drop(&mut self) {
        for home in &self.0 {
            let _ = std::fs::remove_dir_all(home);
        }
    }
}

/// A node: `toolsmith serve --database DATABASE` with the key and a home of its own.
fn node(name: &str, database: &str, key: &str) -> (Server, PathBuf) {
    let home = std::env::temp_dir().join(format!("toolsmith-cluster-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(&home).unwrap();
    (serve(&home, &["--database", database], &[("TOOLSMITH_SECRET_KEY", key)]), home)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_deliver_each_event_once() {
    const EVENTS: usize = 300;
    let cluster = Cluster::start("once", EVENTS).await;
    // A failure bound for the whole test, not a timing assertion.
    let deadline = Instant::now() + Duration::from_secs(120);
    let repeats = all_delivered(&cluster.received, deadline, &cluster.expected).await;
    // A delivery sent by both nodes would arrive at about the same time as the first:
    // give stragglers a moment before counting.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let requests = cluster.received.lock().unwrap().requests;
    println!("{EVENTS} events, {requests} requests, {repeats} repeats while both nodes ran");
    assert_eq!(requests, EVENTS, "an event was delivered by both nodes (or twice by one)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_surviving_node_delivers_everything_after_a_sigkill() {
    const EVENTS: usize = 1000;
    let Cluster { received, expected, a, b, _homes } = Cluster::start("kill", EVENTS).await;
    // A failure bound for the whole test, not a timing assertion.
    let deadline = Instant::now() + Duration::from_secs(180);
    kill_after(a, &received, deadline, 100, EVENTS).await;
    let repeats = all_delivered(&received, deadline, &expected).await;
    drop(b);
    println!("all {EVENTS} events delivered by the pair after node A was killed; {repeats} delivered twice or more");
}
