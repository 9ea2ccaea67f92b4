//! The session files API over the workbench (needs `bwrap`): a MULTI_EXECUTE result
//! offloaded through the REST API is listed and downloaded; an upload is seen by bash in
//! the sandbox; delete; and every way out of the session's folder is refused — `..`,
//! absolute paths, symlinks planted from inside the sandbox, another project's key,
//! forged or misused URLs.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{stripe_api, Server};
use serde_json::{json, Value};
use toolsmith_runtime::Registry;
use toolsmith_server::testing::MemoryProjects;
use toolsmith_workbench::{SandboxConfig, Workbench};

async fn bash(server: &Server, key: &toolsmith_store::ApiKeySecret, session: &str, command: &str) -> Value {
    let body = json!({"slug": "COMPOSIO_REMOTE_BASH_TOOL", "arguments": {"command": command}});
    let (status, answer) =
        server.api("POST", &format!("/tool_router/session/{session}/execute_meta"), key, Some(body)).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["result_type"], "completed", "{answer}");
    answer["data"].clone()
}

/// A Stripe account for `ada`, and a session of hers that offloads anything over 10
/// bytes: `(session id, the session as created)`.
async fn stripe_session(server: &Server, key: &toolsmith_store::ApiKeySecret) -> (String, Value) {
    let config =
        json!({"toolkit": {"slug": "stripe"}, "auth_config": {"type": "use_custom_auth", "authScheme": "API_KEY"}});
    let (_, created) = server.api("POST", "/auth_configs", key, Some(config)).await;
    let ac = created["auth_config"]["id"].as_str().unwrap().to_owned();
    let initiate = json!({"auth_config": {"id": ac}, "connection": {"user_id": "ada", "state": {"authScheme": "API_KEY", "val": {"api_key": "sk_test_files"}}}});
    let (status, account) = server.api("POST", "/connected_accounts", key, Some(initiate)).await;
    assert_eq!(status, 200, "{account}");
    let body =
        json!({"user_id": "ada", "toolkits": {"enable": ["stripe"]}, "workbench": {"auto_offload_threshold": 10}});
    let (status, created) = server.api("POST", "/tool_router/session", key, Some(body)).await;
    assert_eq!(status, 200, "{created}");
    (created["session_id"].as_str().unwrap().to_owned(), created)
}

/// A server over the built-in catalog with a workbench (uids `uids`, tuned by `tune`) and
/// the local Stripe API; one project's key.
async fn workbench_server(
    uids: std::ops::Range<u32>,
    tune: impl FnOnce(&mut SandboxConfig),
    request_timeout: Option<Duration>,
) -> (Server, toolsmith_store::ApiKeySecret, Arc<Workbench>, tempfile::TempDir) {
    let projects = Arc::new(MemoryProjects::default());
    let (_, key) = projects.add("acme");
    let root = tempfile::tempdir().unwrap();
    let mut config = SandboxConfig { uids: Some(uids), ..SandboxConfig::new(root.path()) };
    tune(&mut config);
    let workbench = Arc::new(Workbench::new(config).unwrap());
    let registry = Registry::from_toolkits(toolsmith_builtin::toolkits().unwrap());
    let base_urls = vec![("stripe".into(), stripe_api().await)];
    let server = Server::start_tuned(registry, projects, base_urls, |options| {
        options.workbench = Some(workbench.clone());
        if let Some(timeout) = request_timeout {
            options.request_timeout = timeout;
        }
    })
    .await;
    (server, key, workbench, root)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cell_outlasts_the_request_timeout_and_other_routes_keep_it() {
    let tune = |c: &mut SandboxConfig| {
        c.cell_timeout = Duration::from_secs(4);
        c.interrupt_before = Duration::from_secs(1);
        c.start_timeout = Duration::from_secs(10);
    };
    let (server, key, workbench, _root) = workbench_server(231_010..231_020, tune, Some(Duration::from_secs(1))).await;
    let (id, _) = stripe_session(&server, &key).await;
    // A cell of 2 s, through execute_meta and execute, past the 1 s request timeout.
    let cell = json!({"code_to_execute": "import time\ntime.sleep(2)\n'slept'"});
    let meta = json!({"slug": "COMPOSIO_REMOTE_WORKBENCH", "arguments": cell});
    let (status, ran) = server.api("POST", &format!("/tool_router/session/{id}/execute_meta"), &key, Some(meta)).await;
    assert_eq!((status, ran["data"]["results"].clone()), (200, json!("'slept'")), "{ran}");
    let execute = json!({"tool_slug": "COMPOSIO_REMOTE_WORKBENCH", "arguments": cell});
    let (status, ran) = server.api("POST", &format!("/tool_router/session/{id}/execute"), &key, Some(execute)).await;
    assert_eq!((status, ran["data"]["results"].clone()), (200, json!("'slept'")), "{ran}");
    // Other routes keep the 1 s timeout: a proxy call to an API that answers after 3 s.
    let proxy = json!({"toolkit_slug": "stripe", "endpoint": "/v1/slow", "method": "GET"});
    let started = std::time::Instant::now();
    let (status, cut) =
        server.api("POST", &format!("/tool_router/session/{id}/proxy_execute"), &key, Some(proxy)).await;
    assert_eq!((status, cut["error"]["slug"].clone()), (504, json!("Request_Timeout")), "{cut}");
    assert!(started.elapsed() < Duration::from_millis(2500), "{:?}", started.elapsed());
    assert!(cut["error"]["message"].as_str().unwrap().contains("longer than 1s"), "{cut}");
    workbench.stop(&id).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn execute_offloads_large_results_when_asked() {
    let (server, key, workbench, _root) = workbench_server(231_020..231_030, |_| {}, None).await;
    let (id, _) = stripe_session(&server, &key).await;
    let path = format!("/tool_router/session/{id}/execute");
    let call = |offload: Option<bool>| {
        let mut body = json!({"tool_slug": "STRIPE_RETRIEVE_BALANCE", "arguments": {}});
        if let Some(offload) = offload {
            body["enable_auto_workbench_offload"] = json!(offload);
        }
        body
    };
    // Without the flag, or with it false: the data inline, as before.
    for body in [call(None), call(Some(false))] {
        let (status, ran) = server.api("POST", &path, &key, Some(body)).await;
        assert_eq!((status, ran["data"]["available"][0]["amount"].clone()), (200, json!(42)), "{ran}");
    }
    // With it: over the session's 10-byte threshold, a preview shaped as MULTI_EXECUTE's.
    let (status, ran) = server.api("POST", &path, &key, Some(call(Some(true)))).await;
    assert_eq!((status, ran["result_type"].clone()), (200, json!("completed")), "{ran}");
    let data = &ran["data"];
    assert_eq!(data["offloaded_to_workbench"], true, "{ran:#}");
    assert_eq!(data["structure"]["available"]["array_length"], 1, "{ran:#}");
    assert!(data["preview"].as_str().unwrap().starts_with("{\""), "{ran:#}");
    let file = data["file_path"].as_str().unwrap();
    assert!(file.starts_with("/mnt/files/.composio/tool_outputs/STRIPE_RETRIEVE_BALANCE_0_"), "{file}");
    let stored: Value = serde_json::from_slice(&workbench.read_file(&id, file).unwrap()).unwrap();
    assert_eq!(stored["available"][0]["amount"], 42);
    let multi = json!({"slug": "COMPOSIO_MULTI_EXECUTE_TOOL", "arguments": {"tools": [{"tool_slug": "STRIPE_RETRIEVE_BALANCE", "arguments": {}}]}});
    let (_, multi) = server.api("POST", &format!("/tool_router/session/{id}/execute_meta"), &key, Some(multi)).await;
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(data), keys(&multi["data"]["results"][0]["response"]["data"]), "the same preview shape");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_past_the_disk_quota_are_refused() {
    let tune = |c: &mut SandboxConfig| c.limits.disk_bytes = 1 << 20;
    let (server, key, _workbench, _root) = workbench_server(231_030..231_040, tune, None).await;
    let (id, _) = stripe_session(&server, &key).await;
    let base = format!("/tool_router/session/{id}/mounts/files");
    let upload = |path: &'static str| {
        let (server, key, base) = (&server, &key, &base);
        async move {
            let body = json!({"mount_relative_path": path});
            let (_, up) = server.api("POST", &format!("{base}/upload_url"), key, Some(body)).await;
            up["upload_url"].as_str().unwrap().to_owned()
        }
    };
    let put = |url: String, size: usize| async move {
        let answer = reqwest::Client::new().put(url).body(vec![b'x'; size]).send().await.unwrap();
        (answer.status().as_u16(), answer.json::<Value>().await.unwrap())
    };
    let (status, refused) = put(upload("big.bin").await, 2 << 20).await;
    assert_eq!((status, refused["error"]["slug"].clone()), (413, json!("Workbench_DiskQuotaExceeded")), "{refused}");
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(message.contains("disk quota of 1.0 MiB (1048576 bytes)") && message.contains("delete files"), "{message}");
    let (status, written) = put(upload("small.bin").await, 100 << 10).await;
    assert_eq!(status, 200, "{written}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_workbench_leaves_a_preview_of_large_results() {
    // A quota smaller than any result: nothing can be offloaded.
    let tune = |c: &mut SandboxConfig| c.limits.disk_bytes = 64;
    let (server, key, workbench, _root) = workbench_server(231_040..231_050, tune, None).await;
    let (id, _) = stripe_session(&server, &key).await;
    let multi = json!({"slug": "COMPOSIO_MULTI_EXECUTE_TOOL", "arguments": {"tools": [{"tool_slug": "STRIPE_RETRIEVE_BALANCE", "arguments": {}}]}});
    let (status, ran) = server.api("POST", &format!("/tool_router/session/{id}/execute_meta"), &key, Some(multi)).await;
    assert_eq!((status, ran["result_type"].clone()), (200, json!("completed")), "{ran:#}");
    let data = &ran["data"]["results"][0]["response"]["data"];
    assert_eq!(data["offloaded_to_workbench"], false, "{ran:#}");
    assert!(data["preview"].as_str().unwrap().contains("\"amount\":42"), "{ran:#}");
    assert_eq!(data["structure"]["available"]["array_length"], 1, "{ran:#}");
    assert!(data["error"].as_str().unwrap().contains("disk quota of 64 bytes"), "{ran:#}");
    assert!(ran["data"]["remote_file_info"].is_null(), "{ran:#}");
    assert!(workbench.list_files(&id, "").unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_files_list_download_upload_delete_and_stay_confined() {
    let projects = Arc::new(MemoryProjects::default());
    let (_, key) = projects.add("acme");
    let (_, other) = projects.add("other");
    let root = tempfile::tempdir().unwrap();
    let config = SandboxConfig {
        uids: Some(231_000..231_010),
        cell_timeout: Duration::from_secs(60),
        ..SandboxConfig::new(root.path())
    };
    let workbench = Arc::new(Workbench::new(config).unwrap());
    let registry = Registry::from_toolkits(toolsmith_builtin::toolkits().unwrap());
    let api = stripe_api().await;
    let server =
        Server::start_with_workbench(registry, projects, vec![("stripe".into(), api)], Some(workbench.clone())).await;

    // A Stripe account, and a session that offloads anything over 10 bytes.
    let (id, created) = stripe_session(&server, &key).await;
    let tools: Vec<&str> =
        created["tool_router_tools"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    assert!(tools.contains(&"COMPOSIO_REMOTE_WORKBENCH") && tools.contains(&"COMPOSIO_REMOTE_BASH_TOOL"), "{tools:?}");
    let base = format!("/tool_router/session/{id}/mounts/files");

    // An offloaded MULTI_EXECUTE result is listed and downloads whole.
    let multi = json!({"slug": "COMPOSIO_MULTI_EXECUTE_TOOL", "arguments": {"tools": [{"tool_slug": "STRIPE_RETRIEVE_BALANCE", "arguments": {}}], "sync_response_to_workbench": false}});
    let (_, ran) = server.api("POST", &format!("/tool_router/session/{id}/execute_meta"), &key, Some(multi)).await;
    let data = &ran["data"]["results"][0]["response"]["data"];
    assert_eq!(data["offloaded_to_workbench"], true, "{ran:#}");
    let sandbox_path = data["file_path"].as_str().unwrap().to_owned();
    let (status, listed) = server.api("GET", &format!("{base}/items"), &key, None).await;
    assert_eq!(status, 200, "{listed}");
    let item = &listed["items"][0];
    assert_eq!(format!("/mnt/files/{}", item["mount_relative_path"].as_str().unwrap()), sandbox_path, "{listed}");
    assert_eq!(item["sandbox_mount_prefix"], "/mnt/files");
    let relative = item["mount_relative_path"].as_str().unwrap().to_owned();
    let (status, url) =
        server.api("POST", &format!("{base}/download_url"), &key, Some(json!({"mount_relative_path": relative}))).await;
    assert_eq!(status, 200, "{url}");
    let bytes = reqwest::get(url["download_url"].as_str().unwrap()).await.unwrap();
    assert_eq!(bytes.status(), 200);
    let downloaded: Value = serde_json::from_slice(&bytes.bytes().await.unwrap()).unwrap();
    assert_eq!(downloaded["available"][0]["amount"], 42, "{downloaded}");

    // Upload through the signed URL; bash in the sandbox reads it.
    let (status, up) = server
        .api("POST", &format!("{base}/upload_url"), &key, Some(json!({"mount_relative_path": "in/note.txt"})))
        .await;
    assert_eq!(status, 200, "{up}");
    let put =
        reqwest::Client::new().put(up["upload_url"].as_str().unwrap()).body("hello sandbox").send().await.unwrap();
    assert_eq!(put.status(), 200);
    let seen = bash(&server, &key, &id, "cat /mnt/files/in/note.txt").await;
    assert_eq!(seen["stdout"], "hello sandbox", "{seen:#}");
    // The upload URL does not download, and a forged token is refused.
    let misuse = reqwest::get(up["upload_url"].as_str().unwrap()).await.unwrap();
    assert_eq!(misuse.status(), 401);
    let forged =
        reqwest::get(format!("{}/api/v3.1/tool_router/files/eyJvcCI6ImdldCJ9.AAAA", server.url)).await.unwrap();
    assert_eq!(forged.status(), 401);

    // Symlinks planted from inside the sandbox are not followed.
    bash(&server, &key, &id, "ln -s /etc /mnt/files/etc_link; ln -s /etc/passwd /mnt/files/pw").await;
    for path in ["etc_link/passwd", "pw", "../../../etc/passwd", "/etc/passwd", "in/../../x"] {
        let (status, refused) =
            server.api("POST", &format!("{base}/download_url"), &key, Some(json!({"mount_relative_path": path}))).await;
        assert_eq!(status, 400, "{path}: {refused}");
        assert_eq!(refused["error"]["slug"], "Workbench_InvalidPath", "{path}: {refused}");
    }
    let (status, _) = server
        .api("POST", &format!("{base}/upload_url"), &key, Some(json!({"mount_relative_path": "../escape"})))
        .await;
    assert_eq!(status, 400);
    // An upload through a planted symlink folder is refused, and nothing lands outside.
    let (_, up) = server
        .api(
            "POST",
            &format!("{base}/upload_url"),
            &key,
            Some(json!({"mount_relative_path": "etc_link/toolsmith-planted"})),
        )
        .await;
    let put = reqwest::Client::new().put(up["upload_url"].as_str().unwrap()).body("x").send().await.unwrap();
    assert_eq!(put.status(), 400);
    assert!(!std::path::Path::new("/etc/toolsmith-planted").exists());
    let (_, listed) = server.api("GET", &format!("{base}/items"), &key, None).await;
    let paths: Vec<&str> =
        listed["items"].as_array().unwrap().iter().map(|i| i["mount_relative_path"].as_str().unwrap()).collect();
    assert_eq!(paths.len(), 2, "symlinks are not listed: {paths:?}");

    // Another project's key, another mount: not found.
    let (status, _) = server.api("GET", &format!("{base}/items"), &other, None).await;
    assert_eq!(status, 404);
    let (status, wrong) = server.api("GET", &format!("/tool_router/session/{id}/mounts/tmp/items"), &key, None).await;
    assert_eq!(status, 404);
    assert_eq!(wrong["error"]["slug"], "Workbench_MountNotFound");

    // Delete.
    let (status, deleted) =
        server.api("POST", &format!("{base}/delete"), &key, Some(json!({"mount_relative_path": "in/note.txt"}))).await;
    assert_eq!((status, deleted["deleted"].clone()), (200, json!(true)), "{deleted}");
    let (status, _) =
        server.api("POST", &format!("{base}/delete"), &key, Some(json!({"mount_relative_path": "in/note.txt"}))).await;
    assert_eq!(status, 404);
    workbench.stop(&id).await;
}
