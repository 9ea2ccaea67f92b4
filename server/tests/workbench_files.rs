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
    let config =
        json!({"toolkit": {"slug": "stripe"}, "auth_config": {"type": "use_custom_auth", "authScheme": "API_KEY"}});
    let (_, created) = server.api("POST", "/auth_configs", &key, Some(config)).await;
    let ac = created["auth_config"]["id"].as_str().unwrap().to_owned();
    let initiate = json!({"auth_config": {"id": ac}, "connection": {"user_id": "ada", "state": {"authScheme": "API_KEY", "val": {"api_key": "sk_test_files"}}}});
    let (status, account) = server.api("POST", "/connected_accounts", &key, Some(initiate)).await;
    assert_eq!(status, 200, "{account}");
    let body =
        json!({"user_id": "ada", "toolkits": {"enable": ["stripe"]}, "workbench": {"auto_offload_threshold": 10}});
    let (status, created) = server.api("POST", "/tool_router/session", &key, Some(body)).await;
    assert_eq!(status, 200, "{created}");
    let tools: Vec<&str> =
        created["tool_router_tools"].as_array().unwrap().iter().map(|t| t.as_str().unwrap()).collect();
    assert!(tools.contains(&"COMPOSIO_REMOTE_WORKBENCH") && tools.contains(&"COMPOSIO_REMOTE_BASH_TOOL"), "{tools:?}");
    let id = created["session_id"].as_str().unwrap().to_owned();
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
