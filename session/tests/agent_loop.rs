//! A full agent loop through a session, against the built-in catalog and a local
//! GitHub-like API: search → not connected → Connect Link → connect → wait → execute a
//! dependency tool and the tool, with memory carrying the repository between them; a
//! tool outside the session is refused; the session survives a restart.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use secrecy::SecretString;
use serde_json::{json, Value};
use toolsmith_runtime::{Client, Registry, ToolSearch};
use toolsmith_session::{RouterOptions, SessionConfig, ToolRouter};
use toolsmith_store::{KeyRing, LinkToken, SqliteStore, Store};

/// What the local API saw: (method and path, authorization header).
type Seen = Arc<Mutex<Vec<(String, Option<String>)>>>;

/// Requests in flight now, and the most seen at once.
static IN_FLIGHT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
static MAX_IN_FLIGHT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

async fn github_api(seen: Seen) -> String {
    async fn repos(State(seen): State<Seen>, headers: HeaderMap) -> (StatusCode, Json<Value>) {
        let auth = headers.get("authorization").map(|v| v.to_str().unwrap().to_owned());
        seen.lock().unwrap().push(("GET /user/repos".into(), auth.clone()));
        if auth.as_deref() != Some("Bearer ghp_agentloop") {
            return (StatusCode::UNAUTHORIZED, Json(json!({"message": "Bad credentials"})));
        }
        use std::sync::atomic::Ordering::SeqCst;
        let now = IN_FLIGHT.fetch_add(1, SeqCst) + 1;
        MAX_IN_FLIGHT.fetch_max(now, SeqCst);
        tokio::time::sleep(Duration::from_millis(50)).await;
        IN_FLIGHT.fetch_sub(1, SeqCst);
        (
            StatusCode::OK,
            Json(
                json!([{"id": 1296269, "name": "hello", "full_name": "octo/hello", "owner": {"login": "octo", "id": 1}}]),
            ),
        )
    }
    async fn issue(
        State(seen): State<Seen>,
        Path((owner, repo)): Path<(String, String)>,
        headers: HeaderMap,
        Json(body): Json<Value>,
    ) -> (StatusCode, Json<Value>) {
        let auth = headers.get("authorization").map(|v| v.to_str().unwrap().to_owned());
        seen.lock().unwrap().push((format!("POST /repos/{owner}/{repo}/issues"), auth));
        (
            StatusCode::CREATED,
            Json(
                json!({"number": 42, "title": body["title"], "html_url": format!("https://github.com/{owner}/{repo}/issues/42")}),
            ),
        )
    }
    let app = Router::new()
        .route("/user/repos", get(repos))
        .route("/repos/{owner}/{repo}/issues", post(issue))
        .with_state(seen);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

fn search() -> Arc<ToolSearch> {
    let registry = Registry::from_toolkits(toolsmith_builtin::toolkits().unwrap());
    Arc::new(ToolSearch::new(&registry))
}

fn make_router(search: &Arc<ToolSearch>, store: &Arc<dyn Store>, api: &str) -> ToolRouter {
    let client = Client::builder().store(store.clone()).base_url("github", api).build();
    let mut options = RouterOptions::new("http://127.0.0.1:9/base/".parse().unwrap());
    options.wait_timeout = Duration::from_secs(20);
    ToolRouter::new(search.clone(), Arc::new(client), store.clone(), options)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agent_loop_search_connect_wait_execute_with_memory() {
    let seen: Seen = Arc::default();
    let api = github_api(seen.clone()).await;
    let path = std::env::temp_dir().join(format!("toolsmith-agent-loop-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let keys = KeyRing::generate().unwrap();
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&path, keys.clone()).unwrap());
    let search = search();
    let router = make_router(&search, &store, &api);

    let session = router
        .create_from_json(json!({
            "user_id": "ada",
            "toolkits": {"enable": ["github"]},
            "manage_connections": {"enable": true, "enable_wait_for_connections": true},
            "proxy_execute": {"enable": true},
        }))
        .await
        .unwrap();
    assert!(session.id().as_str().starts_with("trs_"));
    let slugs: Vec<String> = session.tools().into_iter().map(|t| t.slug).collect();
    assert_eq!(
        slugs,
        [
            "COMPOSIO_SEARCH_TOOLS",
            "COMPOSIO_GET_TOOL_SCHEMAS",
            "COMPOSIO_MULTI_EXECUTE_TOOL",
            "COMPOSIO_MANAGE_CONNECTIONS",
            "COMPOSIO_WAIT_FOR_CONNECTIONS",
            "COMPOSIO_PROXY_EXECUTE"
        ]
    );

    // 1. Search: the right tool, a dependency tool, and "not connected".
    let found = session
        .execute_meta(
            "COMPOSIO_SEARCH_TOOLS",
            json!({"queries": [{"use_case": "create a GitHub issue for the login bug"}]}),
        )
        .await;
    assert!(found.successful, "{:?}", found.error);
    let result = &found.data["results"][0];
    assert_eq!(result["primary_tool_slugs"][0], "GITHUB_CREATE_ISSUE", "{result:#}");
    assert!(
        result["dependency_tool_slugs"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "GITHUB_LIST_REPOS_FOR_AUTHENTICATED_USER"),
        "{result:#}"
    );
    let status = &found.data["toolkit_connection_statuses"][0];
    assert_eq!((status["toolkit"].as_str(), status["has_active_connection"].as_bool()), (Some("github"), Some(false)));
    assert_eq!(found.data["session"]["id"], session.id().as_str());
    assert!(found.data["tool_schemas"]["GITHUB_CREATE_ISSUE"]["input_schema"]["properties"]["owner"].is_object());

    // 2. Executing before connecting: a result with a Connect Link, not a failure of the call.
    let early = session
        .execute_meta(
            "COMPOSIO_MULTI_EXECUTE_TOOL",
            json!({"tools": [{"tool_slug": "GITHUB_LIST_REPOS_FOR_AUTHENTICATED_USER", "arguments": {}}], "sync_response_to_workbench": false}),
        )
        .await;
    assert!(early.successful);
    assert_eq!(early.data["error_count"], 1);
    let link = early.data["results"][0]["connect"]["redirect_url"].as_str().unwrap();
    assert!(link.starts_with("http://127.0.0.1:9/base/link/"), "{link}");
    assert!(early.data["results"][0]["error"].as_str().unwrap().contains(link));

    // 3. MANAGE_CONNECTIONS: a new INITIATED account and its link.
    let managed = session.execute_meta("COMPOSIO_MANAGE_CONNECTIONS", json!({"toolkits": ["github"]})).await;
    assert!(managed.successful, "{:?}", managed.error);
    let github = &managed.data["results"]["github"];
    assert_eq!(github["status"], "initiated", "{github:#}");
    let url = github["redirect_url"].as_str().unwrap();
    let token = url.rsplit('/').next().unwrap().to_owned();
    assert_eq!(token.len(), 43);
    assert_eq!(managed.data["summary"]["initiated_connections"], 1);

    // 4. WAIT_FOR_CONNECTIONS returns as soon as the user connects through the link.
    let waiter = {
        let session = session.clone();
        tokio::spawn(async move {
            let started = Instant::now();
            let r = session.execute_meta("COMPOSIO_WAIT_FOR_CONNECTIONS", json!({"toolkits": ["github"]})).await;
            (r, started.elapsed())
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!waiter.is_finished(), "the wait returned before the account was connected");
    let toolkit = search.registry().toolkit("github").unwrap();
    let values = BTreeMap::from([("token".to_owned(), SecretString::from("ghp_agentloop"))]);
    let account =
        toolsmith_auth::complete(&*store, toolkit, &LinkToken::from(token.clone()), values.clone()).await.unwrap();
    assert_eq!(account.status.as_str(), "ACTIVE");
    let (waited, elapsed) = waiter.await.unwrap();
    assert!(waited.successful, "{:?}", waited.error);
    assert_eq!(waited.data["results"]["github"]["status"], "ACTIVE");
    assert!(elapsed < Duration::from_secs(10), "woke after {elapsed:?}, the timeout is 20 s");
    // The link worked once.
    let again = toolsmith_auth::complete(&*store, toolkit, &LinkToken::from(token), values).await.unwrap_err();
    assert!(again.to_string().contains("used already"), "{again}");

    // 5. The dependency tool, then the tool, with memory in between.
    let listed = session
        .execute_meta(
            "COMPOSIO_MULTI_EXECUTE_TOOL",
            json!({"tools": [{"tool_slug": "GITHUB_LIST_REPOS_FOR_AUTHENTICATED_USER", "arguments": {}}], "sync_response_to_workbench": false}),
        )
        .await;
    assert_eq!(listed.data["success_count"], 1, "{:#}", listed.data);
    assert_eq!(listed.data["memory"]["github.owner"], "octo", "{:#}", listed.data["memory"]);
    assert_eq!(listed.data["memory"]["github.repo"], "hello");

    let schemas =
        session.execute_meta("COMPOSIO_GET_TOOL_SCHEMAS", json!({"tool_slugs": ["GITHUB_CREATE_ISSUE"]})).await;
    let known = &schemas.data["tool_schemas"]["GITHUB_CREATE_ISSUE"]["known_fields"];
    assert_eq!(known, &json!({"owner": "octo", "repo": "hello"}));
    let searched = session.search(&["open an issue about the login bug"]).await.unwrap();
    assert_eq!(
        searched["results"][0]["memory"]["GITHUB_CREATE_ISSUE"]["repo"], "hello",
        "{:#}",
        searched["results"][0]
    );
    assert_eq!(searched["toolkit_connection_statuses"][0]["has_active_connection"], true);

    // The scripted model fills the arguments from what the session remembered.
    let mut arguments = json!({"title": "Login fails with SSO"});
    for (k, v) in known.as_object().unwrap() {
        arguments[k] = v.clone();
    }
    let created = session
        .execute_meta(
            "COMPOSIO_MULTI_EXECUTE_TOOL",
            json!({"tools": [
                {"tool_slug": "GITHUB_CREATE_ISSUE", "arguments": arguments},
                {"tool_slug": "GITHUB_CREATE_ISSUE", "arguments": {"title": "missing owner and repo"}},
            ], "sync_response_to_workbench": false}),
        )
        .await;
    let results = created.data["results"].as_array().unwrap();
    assert_eq!(results[0]["response"]["data"]["number"], 42, "{:#}", results[0]);
    assert_eq!(results[0]["index"], 0);
    assert_eq!(results[1]["response"]["successful"], false);
    assert!(results[1]["error"].as_str().unwrap().contains("owner"), "{:#}", results[1]);
    assert_eq!((created.data["success_count"].as_u64(), created.data["error_count"].as_u64()), (Some(1), Some(1)));
    let seen = seen.lock().unwrap().clone();
    assert!(seen.contains(&("POST /repos/octo/hello/issues".into(), Some("Bearer ghp_agentloop".into()))), "{seen:?}");

    // Calls of one MULTI_EXECUTE run at once, and come back in input order.
    let five: Vec<Value> =
        (0..5).map(|_| json!({"tool_slug": "GITHUB_LIST_REPOS_FOR_AUTHENTICATED_USER", "arguments": {}})).collect();
    MAX_IN_FLIGHT.store(0, std::sync::atomic::Ordering::SeqCst);
    let parallel = session
        .execute_meta("COMPOSIO_MULTI_EXECUTE_TOOL", json!({"tools": five, "sync_response_to_workbench": false}))
        .await;
    assert_eq!(parallel.data["success_count"], 5, "{:#}", parallel.data);
    let indexes: Vec<u64> =
        parallel.data["results"].as_array().unwrap().iter().map(|r| r["index"].as_u64().unwrap()).collect();
    assert_eq!(indexes, [0, 1, 2, 3, 4]);
    assert!(MAX_IN_FLIGHT.load(std::sync::atomic::Ordering::SeqCst) >= 2, "the calls ran one after another");

    // PROXY_EXECUTE: a raw request with the session's account; other sites refused.
    let proxied = session
        .execute_meta(
            "COMPOSIO_PROXY_EXECUTE",
            json!({"toolkit_slug": "github", "endpoint": "/user/repos", "method": "GET"}),
        )
        .await;
    assert!(proxied.successful, "{:?}", proxied.error);
    assert_eq!(proxied.data["response"]["successful"], true, "{:#}", proxied.data);
    assert!(proxied.data["response"]["data"].to_string().contains("octo/hello"), "{:#}", proxied.data);
    let elsewhere = session
        .execute_meta(
            "COMPOSIO_PROXY_EXECUTE",
            json!({"toolkit_slug": "github", "endpoint": "https://evil.example/steal", "method": "GET"}),
        )
        .await;
    assert_eq!(elsewhere.data["response"]["successful"], false, "{:#}", elsewhere.data);
    let refused = session
        .execute_meta(
            "COMPOSIO_PROXY_EXECUTE",
            json!({"toolkit_slug": "slack", "endpoint": "/chat.postMessage", "method": "POST"}),
        )
        .await;
    assert!(refused.error.as_deref().unwrap().contains("not enabled in this session"), "{refused:?}");

    // 6. Outside the session: refused, saying why.
    let slack = session
        .execute_meta(
            "COMPOSIO_MULTI_EXECUTE_TOOL",
            json!({"tools": [{"tool_slug": "SLACK_SEND_MESSAGE", "arguments": {"channel": "C1", "text": "hi"}}], "sync_response_to_workbench": false}),
        )
        .await;
    let error = slack.data["results"][0]["error"].as_str().unwrap();
    assert!(error.contains("toolkit `slack` is not enabled in this session (toolkits.enable: github)"), "{error}");
    let described =
        session.execute_meta("COMPOSIO_GET_TOOL_SCHEMAS", json!({"tool_slugs": ["SLACK_SEND_MESSAGE"]})).await;
    assert_eq!(described.data["not_found"], json!(["SLACK_SEND_MESSAGE"]));
    assert!(described.data["not_found_message"].as_str().unwrap().contains("not enabled"));
    let searched = session.search(&["send a message to a Slack channel"]).await.unwrap();
    let everything = searched.to_string();
    assert!(!everything.contains("SLACK_"), "{searched:#}");
    let direct = session.execute("SLACK_SEND_MESSAGE", json!({}), None).await;
    assert!(!direct.successful);

    // 7. A restart: a new router over the same database finds the session and its memory.
    let id = session.id().clone();
    drop((session, router));
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&path, keys).unwrap());
    let router = make_router(&search, &store, &api);
    let session = router.session(&id).await.unwrap();
    assert_eq!(session.config().user_id.as_str(), "ada");
    let memory = session.memory().await.unwrap();
    assert!(memory.iter().any(|f| f.key == "github.repo" && f.value == "hello"), "{memory:?}");
    assert!(router.delete(&id).await.unwrap());
    assert!(router.session(&id).await.is_err());
    let _ = std::fs::remove_file(&path);
}

#[tokio::test]
async fn invalid_configurations_name_the_field() {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::in_memory(KeyRing::generate().unwrap()).unwrap());
    let search = search();
    let router = make_router(&search, &store, "http://127.0.0.1:9");
    let toolkit = search.registry().toolkit("github").unwrap();
    let bob = toolsmith_auth::connect(
        &*store,
        toolkit,
        toolsmith_auth::StaticCredential {
            scheme: Some("bearer".into()),
            values: BTreeMap::from([("token".to_owned(), SecretString::from("ghp_bob"))]),
            ..toolsmith_auth::StaticCredential::new("bob")
        },
    )
    .await
    .unwrap();
    let slack = toolsmith_auth::connect(
        &*store,
        search.registry().toolkit("slack").unwrap(),
        toolsmith_auth::StaticCredential {
            scheme: Some("bearer".into()),
            values: BTreeMap::from([("token".to_owned(), SecretString::from("xoxb-1"))]),
            ..toolsmith_auth::StaticCredential::new("ada")
        },
    )
    .await
    .unwrap();
    let cases = [
        (json!({"user_id": "ada", "toolkits": ["githib"]}), "toolkits.enable[0]", "did you mean github"),
        (
            json!({"user_id": "ada", "connected_accounts": {"github": bob.id.as_str()}}),
            "connected_accounts.github[0]",
            "belongs to another user",
        ),
        (
            json!({"user_id": "ada", "auth_configs": {"slack": bob.auth_config.as_str()}}),
            "auth_configs.slack",
            "belongs to toolkit `github`",
        ),
        (
            json!({"user_id": "ada", "tools": {"github": {"enable": ["SLACK_SEND_MESSAGE"]}}}),
            "tools.github.enable[0]",
            "has no tool",
        ),
        (json!({"user_id": "ada", "tags": ["readOnly"]}), "tags.enable[0]", "unknown hint"),
        (json!({"user_id": "ada", "preload": {"tools": "all"}}), "preload.tools", "needs a list of toolkits"),
        (
            json!({"user_id": "ada", "toolkits": {"enable": ["github"]}, "tools": {"slack": ["SLACK_SEND_MESSAGE"]}}),
            "tools.slack",
            "not enabled",
        ),
        (
            json!({"user_id": "ada", "multi_account": {"enable": true, "max_accounts_per_toolkit": 11}}),
            "multi_account.max_accounts_per_toolkit",
            "2 to 10",
        ),
    ];
    for (body, field, words) in cases {
        let err = router.create_from_json(body.clone()).await.unwrap_err();
        let toolsmith_session::SessionError::Config(config) = &err else { panic!("{body}: {err}") };
        assert_eq!(config.field, field, "{body}: {err}");
        assert!(err.to_string().contains(words), "{body}: {err}");
    }
    let err = router
        .create_from_json(json!({"user_id": "ada", "connected_accounts": {"github": slack.id.as_str()}}))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("is of toolkit `slack`"), "{err}");
}

#[tokio::test]
async fn switched_off_meta_tools_are_refused_and_not_listed() {
    let store: Arc<dyn Store> = Arc::new(SqliteStore::in_memory(KeyRing::generate().unwrap()).unwrap());
    let search = search();
    let router = make_router(&search, &store, "http://127.0.0.1:9");
    let mut config = SessionConfig::new("ada");
    config.manage_connections.enable = false;
    config.search.enable = false;
    let session = router.create(config).await.unwrap();
    let slugs: Vec<String> = session.tools().into_iter().map(|t| t.slug).collect();
    assert_eq!(slugs, ["COMPOSIO_MULTI_EXECUTE_TOOL"]);
    let refused = session.execute_meta("COMPOSIO_SEARCH_TOOLS", json!({"queries": [{"use_case": "x"}]})).await;
    assert!(!refused.successful);
    assert!(refused.error.unwrap().contains("switches it off"));
    let bad = session.execute_meta("COMPOSIO_MULTI_EXECUTE_TOOL", json!({"tools": "GITHUB_GET_REPO"})).await;
    assert!(bad.error.as_deref().unwrap().contains("invalid arguments at tools"), "{bad:?}");
    let many: Vec<Value> = (0..51).map(|_| json!({"tool_slug": "GITHUB_GET_REPO", "arguments": {}})).collect();
    let bad = session
        .execute_meta("COMPOSIO_MULTI_EXECUTE_TOOL", json!({"tools": many, "sync_response_to_workbench": false}))
        .await;
    assert!(bad.error.as_deref().unwrap().contains("1 to 50"), "{bad:?}");
}
