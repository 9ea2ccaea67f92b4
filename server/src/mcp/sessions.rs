//! rmcp's protocol sessions (`Mcp-Session-Id` of 2025-11-25 clients) kept in the
//! deployment's main store, so that a session begun on one server goes on on another
//! server of the cluster, or on this one after a restart: the server that does not know
//! the session loads the client's `initialize` parameters and replays the handshake.

use std::sync::Arc;
use std::time::SystemTime;

use rmcp::transport::streamable_http_server::session::{SessionState, SessionStore, SessionStoreError};

use crate::state::ProjectStores;

/// [`SessionStore`] over [`McpSessions`](toolsmith_store::McpSessions) of the projects'
/// main store; the state is rmcp's [`SessionState`] as JSON.
pub(crate) struct StoredSessions {
    pub(crate) projects: Arc<dyn ProjectStores>,
}

#[async_trait::async_trait]
impl SessionStore for StoredSessions {
    async fn load(&self, session_id: &str) -> Result<Option<SessionState>, SessionStoreError> {
        let Some(text) = self.projects.shared()?.mcp_session(session_id).await? else { return Ok(None) };
        match serde_json::from_str(&text) {
            Ok(state) => Ok(Some(state)),
            Err(e) => {
                // Written by another version of the MCP library: the client is told the
                // session is unknown (404) and initializes a new one.
                tracing::warn!(mcp_session = session_id, error = %e, "a kept MCP session does not read; it is dropped");
                Ok(None)
            }
        }
    }

    async fn store(&self, session_id: &str, state: &SessionState) -> Result<(), SessionStoreError> {
        let text = serde_json::to_string(state)?;
        Ok(self.projects.shared()?.put_mcp_session(session_id, &text, SystemTime::now()).await?)
    }

    async fn delete(&self, session_id: &str) -> Result<(), SessionStoreError> {
        self.projects.shared()?.delete_mcp_session(session_id).await?;
        Ok(())
    }
}
