//! A server for the MCP conformance suite (`scripts/mcp-conformance.sh`): the built-in
//! catalog, one in-memory project opened by a fixed key, and one session in it.
//!
//! `cargo run -p toolsmith-server --features testing --example serve_for_conformance -- PORT KEY`
//! prints the session's MCP URL as its first line of stdout, then serves on
//! `127.0.0.1:PORT` until Ctrl-C.

use std::error::Error;
use std::sync::Arc;

use toolsmith_runtime::{Registry, ToolSearch};
use toolsmith_server::testing::MemoryProjects;
use toolsmith_server::{AppState, ServerOptions};
use toolsmith_store::ApiKeySecret;

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(port), Some(key)) = (args.next(), args.next()) else {
        return Err("usage: serve_for_conformance PORT KEY".into());
    };
    let port: u16 = port.parse().map_err(|e| format!("PORT `{port}`: {e}"))?;
    let key = ApiKeySecret::from(key);
    let projects = Arc::new(MemoryProjects::default());
    projects.add_with_key("conformance", &key);
    let registry = Registry::from_toolkits(toolsmith_builtin::toolkits()?);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let url = format!("http://{}", listener.local_addr()?);
    let state = AppState::new(Arc::new(ToolSearch::new(&registry)), projects, ServerOptions::new(url.parse()?));
    let project = state.project(&key).await?.ok_or("the key opens no project")?;
    let session = project.router.create_from_json(serde_json::json!({"user_id": "conformance"})).await?;
    println!("{url}/tool_router/{}/mcp", session.id());
    toolsmith_server::serve(listener, state, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
