//! [`McpSessions`] in PostgreSQL: the MCP endpoint's protocol sessions, global (no
//! project), so a session begun on one server goes on on another.

use std::time::SystemTime;

use super::handle::PgStore;
use crate::rows::to_ms;
use crate::{McpSessions, StoreError};

#[async_trait::async_trait]
impl McpSessions for PgStore {
    async fn put_mcp_session(&self, id: &str, state: &str, at: SystemTime) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO mcp_sessions (id, state, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
        )
        .bind(id)
        .bind(state)
        .bind(to_ms(at))
        .execute(self.pool())
        .await
        .map_err(|e| self.cx().db(format!("keep MCP session {id}"), e))?;
        Ok(())
    }

    async fn mcp_session(&self, id: &str) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar("SELECT state FROM mcp_sessions WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await
            .map_err(|e| self.cx().db(format!("read MCP session {id}"), e))
    }

    async fn delete_mcp_session(&self, id: &str) -> Result<bool, StoreError> {
        let deleted = sqlx::query("DELETE FROM mcp_sessions WHERE id = $1")
            .bind(id)
            .execute(self.pool())
            .await
            .map_err(|e| self.cx().db(format!("forget MCP session {id}"), e))?;
        Ok(deleted.rows_affected() > 0)
    }
}
