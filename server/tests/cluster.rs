//! Issue 19: two servers over one PostgreSQL database are one deployment. Node A and node
//! B are two `AppState`s (each its own `PgProjects`: its own pool, as on two machines) on
//! two loopback ports: an API key made once opens the project on both; a session made
//! over REST on A is used over MCP on B (the 2025-11-25 flow: `initialize` on A, then
//! `tools/list` and `tools/call` with A's `Mcp-Session-Id` on B); an auth config and an
//! account made through A are listed and executed through B.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::SystemTime;

use serde_json::{json, Value};
use toolsmith_core::ApiKeyId;
use toolsmith_runtime::Registry;
use toolsmith_server::PgProjects;
use toolsmith_store::conformance::fixtures::PgCluster;
use toolsmith_store::{ApiKey, ApiKeySecret, KeyRing, Projects};

mod common;
use common::{stripe_api, Server};

const LEGACY: &str = "2025-11-25";

/// Node A, node B, and a key of project `acme` made once, on A's handle.
struct Pair {
    a: Server,
    b: Server,
    key: ApiKeySecret,
    /// Node A's projects (its main store).
    projects_a: Arc<PgProjects>,
}

impl Pair {
    /// Two nodes over a new database, toolkits' base URLs replaced by `base_urls`.
    async fn start(base_urls: Vec<(String, String)>) -> Pair {
        let url = PgCluster::shared().database().await;
        // Every node of a cluster is given the same keys.
        let keys = KeyRing::generate().unwrap();
        let projects_a = Arc::new(PgProjects::connect(&url, keys.clone()).await.unwrap());
        let projects_b = Arc::new(PgProjects::connect(&url, keys).await.unwrap());
        let project = projects_a.main().ensure_project("acme").await.unwrap();
        let key = ApiKeySecret::generate();
        let record = ApiKey {
            id: ApiKeyId::generate(),
            project: project.id,
            name: Some("cluster".into()),
            key_hash: key.hash(),
            prefix: key.prefix(),
            created_at: SystemTime::now(),
            revoked_at: None,
        };
        projects_a.main().put_api_key(&record).await.unwrap();
        let registry = || Registry::from_toolkits(toolsmith_builtin::toolkits().unwrap());
        let a = Server::start_over(registry(), projects_a.clone(), base_urls.clone(), |_| {}).await;
        let b = Server::start_over(registry(), projects_b, base_urls, |_| {}).await;
        Pair { a, b, key, projects_a }
    }
}

#[tokio::test]
async fn an_api_key_made_once_opens_the_project_on_both_nodes() {
    let pair = Pair::start(Vec::new()).await;
    for node in [&pair.a, &pair.b] {
        let (status, body) = node.api("GET", "/auth_configs", &pair.key, None).await;
        assert_eq!(status, 200, "{}: {body}", node.url);
        let wrong = ApiKeySecret::generate();
        assert_eq!(node.api("GET", "/auth_configs", &wrong, None).await.0, 401, "{}", node.url);
    }
    // Revoked on A's handle: refused by B at once (no cache of keys on a node).
    let main = pair.projects_a.main();
    let id = main.api_keys(None).await.unwrap()[0].id.clone();
    assert!(main.revoke_api_key(&id, SystemTime::now()).await.unwrap());
    assert_eq!(pair.b.api("GET", "/auth_configs", &pair.key, None).await.0, 401);
}

#[tokio::test]
async fn an_account_connected_through_a_is_listed_and_executes_through_b() {
    let api = stripe_api().await;
    let pair = Pair::start(vec![("stripe".into(), api)]).await;
    let config =
        json!({"toolkit": {"slug": "stripe"}, "auth_config": {"type": "use_custom_auth", "authScheme": "API_KEY"}});
    let (status, created) = pair.a.api("POST", "/auth_configs", &pair.key, Some(config)).await;
    assert_eq!(status, 200, "{created}");
    let ac = created["auth_config"]["id"].as_str().unwrap().to_owned();
    let initiate = json!({"auth_config": {"id": ac}, "connection": {"user_id": "ada", "state": {"authScheme": "API_KEY", "val": {"api_key": "sk_test_cluster"}}}});
    let (status, account) = pair.a.api("POST", "/connected_accounts", &pair.key, Some(initiate)).await;
    assert_eq!(status, 200, "{account}");
    let ca = account["id"].as_str().unwrap().to_owned();

    let (_, configs) = pair.b.api("GET", "/auth_configs", &pair.key, None).await;
    let ids: Vec<&str> = configs["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [ac.as_str()], "{configs}");
    let (_, accounts) = pair.b.api("GET", "/connected_accounts", &pair.key, None).await;
    let ids: Vec<&str> = accounts["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [ca.as_str()], "{accounts}");

    let body = json!({"user_id": "ada", "arguments": {}});
    let (status, run) = pair.b.api("POST", "/tools/execute/STRIPE_RETRIEVE_BALANCE", &pair.key, Some(body)).await;
    assert_eq!(status, 200, "{run}");
    assert_eq!(run["successful"], true, "{run}");
    // The local API answers with the end of the key it was called with: A's secret,
    // sealed by A, opened by B.
    assert!(run.to_string().contains("uster"), "{run}");
    // B's execution log is A's too (once B's log writer has written it).
    let log = run["log_id"].as_str().unwrap();
    let started = std::time::Instant::now();
    loop {
        let (status, entry) = pair.a.api("GET", &format!("/logs/tools/{log}"), &pair.key, None).await;
        if status == 200 {
            assert_eq!(entry["id"], log, "{entry}");
            break;
        }
        assert!(started.elapsed().as_secs() < 30, "node A never saw log {log}: {status} {entry}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_session_made_on_a_is_used_over_mcp_on_b() {
    let pair = Pair::start(Vec::new()).await;
    let config = json!({"user_id": "ada", "toolkits": ["github"]});
    let (status, created) = pair.a.api("POST", "/tool_router/session", &pair.key, Some(config)).await;
    assert_eq!(status, 200, "{created}");
    let url_a = created["mcp"]["url"].as_str().unwrap().to_owned();
    assert!(url_a.starts_with(&pair.a.url), "{url_a}");

    // `initialize` on A.
    let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": LEGACY, "capabilities": {}, "clientInfo": {"name": "cluster", "version": "0"}}});
    let answer = pair.a.mcp(&url_a, Some(&pair.key), &[], initialize).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let session = answer.mcp_session.unwrap();
    let on = [("mcp-session-id", session.as_str()), ("mcp-protocol-version", LEGACY)];
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    assert_eq!(pair.a.mcp(&url_a, Some(&pair.key), &on, initialized).await.status, 202);

    // The rest on B, with A's session id.
    let url_b = url_a.replace(&pair.a.url, &pair.b.url);
    let list = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list", "params": {}});
    let listed = pair.b.mcp(&url_b, Some(&pair.key), &on, list).await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    let listed = listed.body;
    let names: Vec<&str> = listed["result"]["tools"]
        .as_array()
        .unwrap_or_else(|| panic!("{listed}"))
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"COMPOSIO_SEARCH_TOOLS"), "{names:?}");
    let call = json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {
        "name": "COMPOSIO_SEARCH_TOOLS", "arguments": {"queries": [{"use_case": "create a github issue"}]}}});
    let called = pair.b.mcp(&url_b, Some(&pair.key), &on, call).await;
    assert_eq!(called.status, 200, "{}", called.body);
    let called = called.body;
    let result: &Value = &called["result"];
    assert_eq!(result["isError"], false, "{called}");
    assert_eq!(result["structuredContent"]["successful"], true, "{called}");
}
