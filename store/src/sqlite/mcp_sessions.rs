//! The SQL of [`McpSessions`]: the MCP endpoint's protocol sessions.

use std::time::SystemTime;

use rusqlite::{params, OptionalExtension};

use super::SqliteStore;
use crate::rows::to_ms;
use crate::{McpSessions, StoreError};

#[async_trait::async_trait]
impl McpSessions for SqliteStore {
    async fn put_mcp_session(&self, id: &str, state: &str, at: SystemTime) -> Result<(), StoreError> {
        let (id, state) = (id.to_owned(), state.to_owned());
        self.write(move |conn, cx| {
            conn.execute(
                "INSERT INTO mcp_sessions (id, state, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
                params![id, state, to_ms(at)],
            )
            .map_err(|e| cx.db(format!("keep MCP session {id}"), e))?;
            Ok(())
        })
        .await
    }

    async fn mcp_session(&self, id: &str) -> Result<Option<String>, StoreError> {
        let id = id.to_owned();
        self.read(move |conn, cx| {
            conn.query_row("SELECT state FROM mcp_sessions WHERE id = ?1", [&id], |row| row.get(0))
                .optional()
                .map_err(|e| cx.db(format!("read MCP session {id}"), e))
        })
        .await
    }

    async fn delete_mcp_session(&self, id: &str) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.write(move |conn, cx| {
            let deleted = conn
                .execute("DELETE FROM mcp_sessions WHERE id = ?1", [&id])
                .map_err(|e| cx.db(format!("forget MCP session {id}"), e))?;
            Ok(deleted > 0)
        })
        .await
    }
}
