//! OAuth 2.0 token refresh across a cluster: two nodes (two `PgStore`s on one PostgreSQL
//! database, each with its own `Client`, so its own token manager and lease holder) and
//! the oidc-provider authorization server of `tests/oauth-server/` (shared with
//! `oauth_refresh.rs`). The database is a fresh one on the test process's throwaway
//! server (`PgCluster`: Debian's `postgresql` must be installed).
//!
//! Needs Node 20+ and npm, like `oauth_refresh.rs`.

// An integration test crate: its helpers may unwrap too (a panic fails the test).
#![allow(clippy::unwrap_used)]

#[path = "oauth-server/accounts.rs"]
#[allow(dead_code)] // `oauth_refresh.rs` uses the rest.
mod accounts;
#[path = "oauth-server/harness.rs"]
#[allow(dead_code)]
mod harness;

use std::sync::Arc;

use accounts::{access, acme_toolkit, connect, execute_concurrently, expired, Api, BASIC};
use harness::AuthServer;
use toolsmith::store::prelude::*;
use toolsmith::store::KeyRing;
use toolsmith::UserId;
use toolsmith_store::conformance::fixtures::PgCluster;
use toolsmith_store::PgStore;

/// A node's store: a pool of its own on `url`, with the cluster's keys.
async fn node(url: &str, keys: &KeyRing) -> Arc<dyn Store> {
    Arc::new(PgStore::connect(url, keys.clone()).await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_nodes_make_one_token_request_for_100_concurrent_executions() {
    harness::capture_logs();
    let server = AuthServer::start().await;
    let initial = server.authorize(BASIC.0, BASIC.1, true).await;
    let api = Api::start(vec![initial.access_token.clone()]).await;
    let url = PgCluster::shared().database().await;
    let keys = KeyRing::generate().unwrap();
    let (store_a, store_b) = (node(&url, &keys).await, node(&url, &keys).await);
    let account = connect(&store_a, BASIC, &initial, expired()).await;
    let toolkit = acme_toolkit(&api.origin, &server.token_url());
    let nodes = [
        toolsmith::Client::builder().store(store_a.clone()).build(),
        toolsmith::Client::builder().store(store_b.clone()).build(),
    ];
    let user = UserId::new("alice");
    let before = server.token_requests().await;

    // 100 executions, alternating between the nodes: 50 each, all at once.
    execute_concurrently(&nodes, &toolkit, &user, 100).await;

    assert_eq!(server.token_requests().await - before, 1, "100 executions on two nodes, one token request");
    let seen = std::mem::take(&mut *api.seen.lock().unwrap());
    assert_eq!(seen.len(), 100, "the expired token was never sent");
    assert!(seen.iter().all(|t| *t == seen[0] && *t != initial.access_token), "every call sent the one new token");
    for (name, store) in [("A", &store_a), ("B", &store_b)] {
        let stored = store.account(&account.id).await.unwrap().unwrap();
        assert_eq!(access(&stored), seen[0], "node {name}'s store reads the new token");
    }
    // The lease was released: anyone can take it now.
    let free = store_b.try_lock_refresh(&account.id, "someone-else", std::time::Duration::from_secs(1)).await;
    assert!(free.unwrap(), "the refresh lease is still held after the refresh");
}
