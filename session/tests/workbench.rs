//! A session with the workbench (needs `bwrap`: `apt-get install --no-install-recommends
//! bubblewrap`): COMPOSIO_REMOTE_WORKBENCH keeps variables between cells;
//! `run_composio_tool` inside runs a tool against a local API in the session's scope and
//! is refused outside it; a 2 MB MULTI_EXECUTE result is offloaded to `/mnt/files` and
//! aggregated in Python; bash sees the same files.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use secrecy::SecretString;
use serde_json::{json, Value};
use toolsmith_runtime::{Client, Registry, ToolSearch};
use toolsmith_session::{MetaTool, RouterOptions, Session, ToolRouter};
use toolsmith_store::{KeyRing, SqliteStore, Store};
use toolsmith_workbench::{SandboxConfig, Workbench};

/// Repositories the local API lists: enough for a response over 2 MB.
const REPOS: u64 = 6_000;

/// What the local API saw: paths and authorization headers.
type Seen = Arc<Mutex<Vec<(String, Option<String>)>>>;

async fn github_api(seen: Seen) -> String {
    async fn repos(State(seen): State<Seen>, headers: HeaderMap) -> Json<Value> {
        let auth = headers.get("authorization").map(|v| v.to_str().unwrap().to_owned());
        seen.lock().unwrap().push(("/user/repos".into(), auth));
        let padding = "x".repeat(300);
        let repos: Vec<Value> = (0..REPOS)
            .map(|i| json!({"id": i, "name": format!("repo{i}"), "stargazers_count": i % 97, "description": padding}))
            .collect();
        Json(Value::Array(repos))
    }
    async fn repo(
        State(seen): State<Seen>,
        Path((owner, name)): Path<(String, String)>,
        headers: HeaderMap,
    ) -> Json<Value> {
        let auth = headers.get("authorization").map(|v| v.to_str().unwrap().to_owned());
        seen.lock().unwrap().push((format!("/repos/{owner}/{name}"), auth));
        Json(json!({"full_name": format!("{owner}/{name}"), "default_branch": "main", "open_issues_count": 7}))
    }
    let app = Router::new().route("/user/repos", get(repos)).route("/repos/{owner}/{repo}", get(repo)).with_state(seen);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

/// A router over the built-in catalog, the local API and a workbench under `root`, and
/// a session of `ada` (connected to GitHub) limited to two GitHub tools.
async fn session(api: &str, root: &std::path::Path) -> (Session, Arc<Workbench>, ToolRouter) {
    let registry = Registry::from_toolkits(toolsmith_builtin::toolkits().unwrap());
    let search = Arc::new(ToolSearch::new(&registry));
    let store: Arc<dyn Store> = Arc::new(SqliteStore::in_memory(KeyRing::generate().unwrap()).unwrap());
    let credential = toolsmith_auth::StaticCredential {
        scheme: Some("bearer".into()),
        values: BTreeMap::from([("token".to_owned(), SecretString::from("ghp_workbench"))]),
        ..toolsmith_auth::StaticCredential::new("ada")
    };
    toolsmith_auth::connect(&*store, search.registry().toolkit("github").unwrap(), credential).await.unwrap();
    let client = Client::builder().store(store.clone()).base_url("github", api).build();
    let config = SandboxConfig {
        uids: Some(230_000..230_010),
        cell_timeout: Duration::from_secs(60),
        ..SandboxConfig::new(root)
    };
    let workbench = Arc::new(Workbench::new(config).unwrap());
    let mut options = RouterOptions::new("http://127.0.0.1:9/".parse().unwrap());
    options.workbench = Some(workbench.clone());
    let router = ToolRouter::new(search, Arc::new(client), store, options);
    let session = router
        .create_from_json(json!({
            "user_id": "ada",
            "toolkits": {"enable": ["github"]},
            "tools": {"github": {"enable": ["GITHUB_LIST_REPOS_FOR_AUTHENTICATED_USER", "GITHUB_GET_REPO"]}},
            "workbench": {"auto_offload_threshold": 100_000},
        }))
        .await
        .unwrap();
    (session, workbench, router)
}

async fn python(session: &Session, code: &str) -> Value {
    let answer = session.execute_meta("COMPOSIO_REMOTE_WORKBENCH", json!({"code_to_execute": code})).await;
    assert!(answer.successful, "{answer:?}");
    assert_eq!(answer.data["error"], "", "{:#}", answer.data);
    answer.data
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workbench_cells_tools_offload_and_bash_in_one_session() {
    let seen: Seen = Arc::default();
    let api = github_api(seen.clone()).await;
    let root = tempfile::tempdir().unwrap();
    let (session, workbench, router) = session(&api, root.path()).await;

    // The meta tools are listed, with Composio's schemas.
    let tools = session.tools();
    let slugs: Vec<&str> = tools.iter().map(|t| t.slug.as_str()).collect();
    assert!(slugs.contains(&"COMPOSIO_REMOTE_WORKBENCH") && slugs.contains(&"COMPOSIO_REMOTE_BASH_TOOL"), "{slugs:?}");
    assert_eq!(session.meta_tools().len(), MetaTool::ALL.len() - 2, "no wait-for-connections, no proxy");

    // 1. Cell 1 sets a variable, cell 2 reads it.
    python(&session, "x = 20").await;
    let second = python(&session, "x + 22").await;
    assert_eq!(second["results"], "42", "{second:#}");
    assert_eq!(second["session"]["id"], session.id().as_str());

    // 2. run_composio_tool: through the session's scope, account and executor.
    let code = "data, error = run_composio_tool('GITHUB_GET_REPO', {'owner': 'octo', 'repo': 'hello'})\nprint(error)\ndata['open_issues_count']";
    let called = python(&session, code).await;
    assert_eq!(called["results"], "7", "{called:#}");
    assert_eq!(called["stdout"], "None\n");
    let last = seen.lock().unwrap().last().cloned().unwrap();
    assert_eq!(last, ("/repos/octo/hello".to_owned(), Some("Bearer ghp_workbench".to_owned())));
    let code = "data, error = run_composio_tool('GITHUB_CREATE_ISSUE', {'owner': 'octo', 'repo': 'hello', 'title': 't'})\nerror";
    let refused = python(&session, code).await;
    let error = refused["results"].as_str().unwrap();
    assert!(error.contains("is not among the tools enabled for `github` (tools.github.enable)"), "{error}");
    assert_eq!(seen.lock().unwrap().len(), 1, "the refused tool reached no API");

    // 3. A 2 MB result through MULTI_EXECUTE is offloaded: preview, path, structure.
    let multi = session
        .execute_meta(
            "COMPOSIO_MULTI_EXECUTE_TOOL",
            json!({"tools": [{"tool_slug": "GITHUB_LIST_REPOS_FOR_AUTHENTICATED_USER", "arguments": {}}],
                   "sync_response_to_workbench": false}),
        )
        .await;
    assert!(multi.successful, "{multi:?}");
    let text = multi.data.to_string();
    assert!(text.len() < 20_000, "the payload stayed out of the answer: {} bytes", text.len());
    let data = &multi.data["results"][0]["response"]["data"];
    assert_eq!(data["offloaded_to_workbench"], true, "{data:#}");
    assert!(data["size_bytes"].as_u64().unwrap() > 2_000_000, "{data:#}");
    assert_eq!(data["structure"]["array_length"], REPOS);
    assert_eq!(data["structure"]["item"]["stargazers_count"], "number");
    assert!(data["preview"].as_str().unwrap().starts_with("[{"), "{data:#}");
    let path = data["file_path"].as_str().unwrap().to_owned();
    assert!(
        path.starts_with("/mnt/files/.composio/tool_outputs/GITHUB_LIST_REPOS_FOR_AUTHENTICATED_USER_0_"),
        "{path}"
    );
    let info = &multi.data["remote_file_info"];
    assert_eq!(info["files"][0]["file_path"], path.as_str(), "{info:#}");

    // … and aggregated in Python, in the workbench.
    let expected: u64 = (0..REPOS).map(|i| i % 97).sum();
    let code = format!("import json\nrepos = json.load(open({path:?}))\nsum(r['stargazers_count'] for r in repos)");
    let summed = python(&session, &code).await;
    assert_eq!(summed["results"], expected.to_string(), "{summed:#}");

    // 4. Bash runs in the same sandbox and sees the same files.
    let bash = session
        .execute_meta(
            "COMPOSIO_REMOTE_BASH_TOOL",
            json!({"command": "pwd; ls /mnt/files/.composio/tool_outputs | wc -l"}),
        )
        .await;
    assert!(bash.successful, "{bash:?}");
    assert_eq!(bash.data["stdout"], "/home/user\n1\n", "{:#}", bash.data);
    assert_eq!(bash.data["stdoutLines"], 2);

    // 5. The host sees the file too (the files API's view).
    let listed = workbench.list_files(session.id().as_str(), ".composio/").unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(format!("/mnt/files/{}", listed[0].path), path);

    // Deleting the session stops its sandbox.
    assert!(workbench.is_running(session.id().as_str()));
    assert!(router.delete(session.id()).await.unwrap());
    assert!(!workbench.is_running(session.id().as_str()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_workbench_or_switched_off_the_tools_are_not_offered() {
    let api = github_api(Arc::default()).await;
    let root = tempfile::tempdir().unwrap();
    let (session, _workbench, _) = session(&api, root.path()).await;
    assert!(session.meta_tools().contains(&MetaTool::RemoteWorkbench));
    let registry = Registry::from_toolkits(toolsmith_builtin::toolkits().unwrap());
    let store: Arc<dyn Store> = Arc::new(SqliteStore::in_memory(KeyRing::generate().unwrap()).unwrap());
    let router = ToolRouter::new(
        Arc::new(ToolSearch::new(&registry)),
        Arc::new(Client::builder().store(store.clone()).build()),
        store,
        RouterOptions::new("http://127.0.0.1:9/".parse().unwrap()),
    );
    let plain = router.create_from_json(json!({"user_id": "ada", "sandbox": {"enable": true}})).await.unwrap();
    assert!(!plain.meta_tools().contains(&MetaTool::RemoteWorkbench));
    let refused = plain.execute_meta("COMPOSIO_REMOTE_BASH_TOOL", json!({"command": "id"})).await;
    assert!(!refused.successful);
    assert!(refused.error.unwrap().contains("runs no workbench"));
}
