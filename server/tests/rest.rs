//! The REST API over loopback: sessions, tools, errors in Composio's envelope, and
//! projects that cannot see each other's records.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use serde_json::json;
use toolsmith_server::testing::MemoryProjects;

mod common;
use common::Server;

#[tokio::test]
async fn sessions_tools_and_errors_over_http() {
    let projects = Arc::new(MemoryProjects::default());
    let (_, key) = projects.add("acme");
    let server = Server::start(projects).await;

    let (status, body, id) = server.call("GET", "/api/v3.1/tools?toolkit_slug=github&limit=3", None, None).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"]["slug"], "Auth_InvalidApiKey");
    assert_eq!(body["error"]["code"], 4010);
    assert_eq!(body["error"]["request_id"].as_str(), id.as_deref());

    for prefix in ["/api/v3", "/api/v3.1"] {
        let (status, body, _) =
            server.call("GET", &format!("{prefix}/tools?toolkit_slug=github&limit=3"), Some(&key), None).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["items"].as_array().unwrap().len(), 3);
        assert!(body["items"][0]["input_parameters"]["type"] == "object");
    }
    let (_, body, _) =
        server.call("GET", "/api/v3.1/tools?tool_slugs=GITHUB_CREATE_ISSUE,SLACK_SEND_MESSAGE", Some(&key), None).await;
    assert_eq!(body["items"][1]["slug"], "SLACK_SEND_MESSAGE");
    let (_, body, _) =
        server.call("GET", "/api/v3.1/tools?query=create%20a%20github%20issue&limit=5", Some(&key), None).await;
    assert_eq!(body["items"][0]["slug"], "GITHUB_CREATE_ISSUE", "{body}");
    let (status, body, _) = server.call("GET", "/api/v3.1/tools/GITHUB_NOPE", Some(&key), None).await;
    assert_eq!((status, body["error"]["slug"].as_str()), (404, Some("Tool_NotFound")));
    // The SDK reads a tool before executing it: a meta tool is found, then refused there.
    let (status, body, _) = server.call("GET", "/api/v3.1/tools/COMPOSIO_SEARCH_TOOLS", Some(&key), None).await;
    assert_eq!((status, &body["toolkit"]["slug"]), (200, &json!("composio")), "{body}");
    assert_eq!(body["input_parameters"]["required"], json!(["queries"]), "{body}");

    let (status, created, _) = server
        .call(
            "POST",
            "/api/v3.1/tool_router/session",
            Some(&key),
            Some(json!({"user_id": "ada", "toolkits": {"enable": ["github"]}, "manage_connections": {"enable": true}})),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    let sid = created["session_id"].as_str().unwrap().to_owned();
    assert_eq!(created["mcp"]["url"], format!("{}/tool_router/{sid}/mcp", server.url));
    assert_eq!(created["config"]["toolkits"], json!({"enabled": ["github"]}));
    assert_eq!(created["config"]["preload"]["tools"], json!([]));

    let (status, body, _) = server
        .call(
            "POST",
            "/api/v3.1/tool_router/session",
            Some(&key),
            Some(json!({"user_id": "ada", "toolkits": ["githib"]})),
        )
        .await;
    assert_eq!(status, 400);
    assert!(body["error"]["message"].as_str().unwrap().contains("toolkits.enable[0]"), "{body}");
    assert!(body["error"]["suggested_fix"].as_str().unwrap().contains("github"), "{body}");

    let (_, tools, _) =
        server.call("GET", &format!("/api/v3.1/tool_router/session/{sid}/tools?limit=500"), Some(&key), None).await;
    assert_eq!(tools["items"][0]["slug"], "COMPOSIO_SEARCH_TOOLS");
    let (_, found, _) = server
        .call(
            "POST",
            &format!("/api/v3.1/tool_router/session/{sid}/search"),
            Some(&key),
            Some(json!({"queries": [{"use_case": "create a github issue"}]})),
        )
        .await;
    assert_eq!(found["results"][0]["primary_tool_slugs"][0], "GITHUB_CREATE_ISSUE", "{found}");
    let (_, meta, _) = server
        .call(
            "POST",
            &format!("/api/v3.1/tool_router/session/{sid}/execute_meta"),
            Some(&key),
            Some(json!({"slug": "COMPOSIO_MANAGE_CONNECTIONS", "arguments": {"toolkits": ["github"]}})),
        )
        .await;
    assert_eq!(meta["result_type"], "completed", "{meta}");
    assert_eq!(meta["data"]["results"]["github"]["status"], "initiated");
    let (_, run, _) = server
        .call(
            "POST",
            &format!("/api/v3.1/tool_router/session/{sid}/execute"),
            Some(&key),
            Some(json!({"tool_slug": "SLACK_SEND_MESSAGE", "arguments": {}})),
        )
        .await;
    assert_eq!(run["result_type"], "failed");
    assert!(run["error"].as_str().unwrap().contains("not enabled"), "{run}");
    let (_, link, _) = server
        .call(
            "POST",
            &format!("/api/v3.1/tool_router/session/{sid}/link"),
            Some(&key),
            Some(json!({"toolkit": "github"})),
        )
        .await;
    assert!(link["connected_account_id"].as_str().unwrap().starts_with("ca_"), "{link}");
    let (_, kits, _) =
        server.call("GET", &format!("/api/v3.1/tool_router/session/{sid}/toolkits"), Some(&key), None).await;
    assert_eq!(kits["items"][0]["slug"], "github", "{kits}");
    assert_eq!(kits["items"][0]["connected_account"]["status"], "INITIATED", "{kits}");

    let (status, body, _) = server
        .call(
            "POST",
            "/api/v3.1/tools/execute/COMPOSIO_SEARCH_TOOLS",
            Some(&key),
            Some(json!({"user_id": "ada", "arguments": {}})),
        )
        .await;
    assert_eq!(status, 400);
    assert!(body["error"]["message"].as_str().unwrap().contains("can only be called inside a tool-router session"));
    let (status, body, _) = server
        .call(
            "POST",
            "/api/v3.1/tools/execute/GITHUB_GET_REPO",
            Some(&key),
            Some(json!({"user_id": "ada", "version": "latest", "arguments": {"owner": "o", "repo": "r"}})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["successful"], false);
    assert!(body["error"].as_str().unwrap().contains("github"), "{body}");
    let (status, body, _) = server
        .call(
            "POST",
            &format!("/api/v3.1/tool_router/session/{sid}/execute"),
            Some(&key),
            Some(json!({"tool_slug": 3})),
        )
        .await;
    assert_eq!(status, 400);
    assert!(body["error"]["message"].as_str().unwrap().contains("`tool_slug`"), "{body}");

    let (status, body, _) =
        server.call("DELETE", &format!("/api/v3.1/tool_router/session/{sid}"), Some(&key), None).await;
    assert_eq!((status, body), (200, json!({"session_id": sid, "deleted": true})));
    let (status, _, _) = server.call("GET", &format!("/api/v3.1/tool_router/session/{sid}"), Some(&key), None).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_key_of_one_project_never_sees_another_projects_session() {
    let projects = Arc::new(MemoryProjects::default());
    let (_, a) = projects.add("a");
    let (_, b) = projects.add("b");
    let server = Server::start(projects).await;
    let (_, created, _) =
        server.call("POST", "/api/v3.1/tool_router/session", Some(&a), Some(json!({"user_id": "ada"}))).await;
    let sid = created["session_id"].as_str().unwrap().to_owned();
    for (method, path, body) in [
        ("GET", format!("/api/v3.1/tool_router/session/{sid}"), None),
        ("GET", format!("/api/v3.1/tool_router/session/{sid}/tools"), None),
        ("GET", format!("/api/v3.1/tool_router/session/{sid}/toolkits"), None),
        ("POST", format!("/api/v3.1/tool_router/session/{sid}/search"), Some(json!({"queries": [{"use_case": "x"}]}))),
        ("POST", format!("/api/v3.1/tool_router/session/{sid}/execute"), Some(json!({"tool_slug": "GITHUB_GET_REPO"}))),
        (
            "POST",
            format!("/api/v3.1/tool_router/session/{sid}/execute_meta"),
            Some(json!({"slug": "COMPOSIO_SEARCH_TOOLS"})),
        ),
        ("POST", format!("/api/v3.1/tool_router/session/{sid}/link"), Some(json!({"toolkit": "github"}))),
        (
            "POST",
            format!("/api/v3.1/tool_router/session/{sid}/proxy_execute"),
            Some(json!({"toolkit_slug": "github", "endpoint": "/user", "method": "GET"})),
        ),
        ("DELETE", format!("/api/v3.1/tool_router/session/{sid}"), None),
    ] {
        let (status, body, _) = server.call(method, &path, Some(&b), body).await;
        assert_eq!(status, 404, "{method} {path}: {body}");
    }
    let (status, _, _) = server.call("GET", &format!("/api/v3.1/tool_router/session/{sid}"), Some(&a), None).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn rejections_of_axum_and_layers_come_in_the_envelope_too() {
    let projects = Arc::new(MemoryProjects::default());
    let (_, key) = projects.add("acme");
    let server = Server::start(projects).await;
    let (status, body, id) = server.call("GET", "/api/v3.1/tools?limit=abc", Some(&key), None).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["slug"], "Request_InvalidParameters", "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("limit"), "{body}");
    assert_eq!(body["error"]["request_id"].as_str(), id.as_deref());
    let big = "x".repeat(5 * 1024 * 1024);
    let (status, body, _) =
        server.call("POST", "/api/v3.1/tool_router/session", Some(&key), Some(json!({"user_id": big}))).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["error"]["slug"], "Request_BodyTooLarge");
    let (status, body, _) = server.call("PUT", "/api/v3.1/tool_router/session", Some(&key), None).await;
    assert_eq!((status, body["error"]["status"].as_u64()), (405, Some(405)), "{body}");
}
