//! MCP sessions of the Streamable HTTP endpoint (`Mcp-Session-Id`), kept so that a
//! session begun on one server goes on on another (or after a restart).

use std::fmt;
use std::time::SystemTime;

use crate::StoreError;

/// What the MCP endpoint keeps of a protocol session: the JSON the MCP library asks to
/// keep (the client's `initialize` parameters), by the session id it gave the client.
///
/// These belong to no project (the endpoint checks the API key and the toolsmith session
/// of every request anyway), so servers keep them in the deployment's main store.
///
/// ```
/// use toolsmith_store::prelude::*;
/// use toolsmith_store::{KeyRing, SqliteStore};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let store = SqliteStore::in_memory(KeyRing::generate()?)?;
/// store.put_mcp_session("mcp-1", r#"{"initialize_params":{}}"#, std::time::SystemTime::now()).await?;
/// assert!(store.mcp_session("mcp-1").await?.is_some());
/// assert!(store.delete_mcp_session("mcp-1").await?);
/// assert!(store.mcp_session("mcp-1").await?.is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(()) }).unwrap();
/// ```
#[async_trait::async_trait]
pub trait McpSessions: Send + Sync + fmt::Debug {
    /// Keeps (or replaces) the state of MCP session `id`, written at `at`.
    async fn put_mcp_session(&self, id: &str, state: &str, at: SystemTime) -> Result<(), StoreError>;
    /// The state kept for MCP session `id`.
    async fn mcp_session(&self, id: &str) -> Result<Option<String>, StoreError>;
    /// Forgets MCP session `id`; `false` when there was none.
    async fn delete_mcp_session(&self, id: &str) -> Result<bool, StoreError>;
}
