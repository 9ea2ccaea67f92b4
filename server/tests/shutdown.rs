//! Graceful shutdown: a request in flight finishes; an open MCP stream does not keep the
//! server up.
#![allow(clippy::unwrap_used)]

mod support;

use std::time::Duration;

use serde_json::json;

/// A GitHub-like API whose `GET /user/repos` takes 800 ms.
async fn slow_api() -> String {
    let app = axum::Router::new().route(
        "/user/repos",
        axum::routing::get(|| async {
            tokio::time::sleep(Duration::from_millis(800)).await;
            axum::Json(json!([{"name": "hello", "owner": {"login": "octo"}}]))
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_in_flight_finish_and_open_mcp_streams_end() {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (url, key, _, server) = support::github_server("acme", slow_api().await, "ghp_shutdown", async move {
        let _ = stopped.await;
    })
    .await;
    let http = reqwest::Client::new();

    // An MCP session with its SSE stream open.
    let session: serde_json::Value = http
        .post(format!("{url}/api/v3.1/tool_router/session"))
        .header("x-api-key", key.expose())
        .json(&json!({"user_id": "ada"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mcp = session["mcp"]["url"].as_str().unwrap().to_owned();
    let init = http
        .post(&mcp)
        .header("x-api-key", key.expose())
        .header("accept", "application/json, text/event-stream")
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}))
        .send()
        .await
        .unwrap();
    let sid = init.headers()["mcp-session-id"].to_str().unwrap().to_owned();
    let _ = init.bytes().await;
    let on = |r: reqwest::RequestBuilder| {
        r.header("x-api-key", key.expose()).header("mcp-session-id", &sid).header("mcp-protocol-version", "2025-11-25")
    };
    on(http.post(&mcp)).json(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"})).send().await.unwrap();
    let stream = on(http.get(&mcp)).header("accept", "text/event-stream").send().await.unwrap();
    assert_eq!(stream.status(), 200);

    // A slow execution, then the shutdown while it runs.
    let slow = {
        let (http, url, key) = (http.clone(), url.clone(), key.expose().to_owned());
        tokio::spawn(async move {
            http.post(format!("{url}/api/v3.1/tools/execute/GITHUB_LIST_REPOS_FOR_AUTHENTICATED_USER"))
                .header("x-api-key", key)
                .json(&json!({"user_id": "ada", "arguments": {}}))
                .send()
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.send(()).unwrap();
    let answer = slow.await.unwrap().unwrap();
    assert_eq!(answer.status(), 200);
    let body: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(body["successful"], true, "{body}");
    // The open stream does not hold the server up.
    let ended = tokio::time::timeout(Duration::from_secs(10), server).await;
    assert!(ended.is_ok(), "serve() was still running 10 s after the shutdown signal");
    drop(stream);
}
