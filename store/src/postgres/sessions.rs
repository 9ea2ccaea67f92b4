//! [`Sessions`] in PostgreSQL: sessions and what each remembers. Memory has no project
//! column: it is reached through its session, which has.

use sqlx::postgres::PgRow;
use sqlx::Row;
use toolsmith_core::SessionId;

use super::context::sql;
use super::handle::PgStore;
use crate::rows::sessions::{FactRow, SessionRow, FACT_COLUMNS, SESSION_COLUMNS};
use crate::rows::to_ms;
use crate::{Fact, SessionRecord, Sessions, StoreError};

fn session_row(row: &PgRow) -> SessionRow {
    SessionRow { id: row.get(0), user_id: row.get(1), config: row.get(2), created_at: row.get(3) }
}

fn fact_row(row: &PgRow) -> FactRow {
    FactRow { key: row.get(0), value: row.get(1), source: row.get(2), updated_at: row.get(3) }
}

#[async_trait::async_trait]
impl Sessions for PgStore {
    async fn put_session(&self, session: &SessionRecord) -> Result<(), StoreError> {
        let id = session.id.as_str();
        let written =
            sqlx::query(sql(format!("INSERT INTO sessions ({SESSION_COLUMNS}, project) VALUES ($1, $2, $3, $4, $5)")))
                .bind(id)
                .bind(session.user_id.as_str())
                .bind(session.config.to_string())
                .bind(to_ms(session.created_at))
                .bind(&*self.project)
                .execute(self.pool())
                .await;
        match written.map_err(|e| self.cx().db(format!("save session {id}"), e)) {
            Ok(_) => Ok(()),
            Err(StoreError::Conflict { path, source, .. }) => Err(StoreError::Conflict {
                path,
                message: format!(
                    "could not save session {id}: a session with this id exists; sessions are immutable, \
                     so a new configuration needs a new session (a new id)"
                ),
                source,
            }),
            Err(e) => Err(e),
        }
    }

    async fn session(&self, id: &SessionId) -> Result<Option<SessionRecord>, StoreError> {
        let row = sqlx::query(sql(format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id = $1 AND project = $2")))
            .bind(id.as_str())
            .bind(&*self.project)
            .fetch_optional(self.pool())
            .await
            .map_err(|e| self.cx().db(format!("read session {id}"), e))?;
        row.map(|row| session_row(&row).decode(&self.cx())).transpose()
    }

    /// Its memory goes with it (`ON DELETE CASCADE`).
    async fn delete_session(&self, id: &SessionId) -> Result<bool, StoreError> {
        let deleted = sqlx::query("DELETE FROM sessions WHERE id = $1 AND project = $2")
            .bind(id.as_str())
            .bind(&*self.project)
            .execute(self.pool())
            .await
            .map_err(|e| self.cx().db(format!("delete session {id}"), e))?;
        Ok(deleted.rows_affected() > 0)
    }

    /// One transaction, the session's row locked against a delete meanwhile; a replaced
    /// key takes a new `seq`, which orders facts remembered in the same millisecond.
    async fn remember(&self, id: &SessionId, facts: &[Fact]) -> Result<(), StoreError> {
        let what = || format!("remember facts for session {id}");
        let db = |e| self.cx().db(what(), e);
        let mut tx = self.pool().begin().await.map_err(db)?;
        let found = sqlx::query("SELECT 1 FROM sessions WHERE id = $1 AND project = $2 FOR KEY SHARE")
            .bind(id.as_str())
            .bind(&*self.project)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
        if found.is_none() {
            return Err(StoreError::Missing(format!("session {id} (to remember facts for)")));
        }
        // In order: of two facts with one key, the later is kept.
        for fact in facts {
            sqlx::query(
                "INSERT INTO session_memory (session, key, value, source, updated_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (session, key) DO UPDATE SET value = excluded.value, source = excluded.source,
                     updated_at = excluded.updated_at, seq = DEFAULT",
            )
            .bind(id.as_str())
            .bind(&fact.key)
            .bind(&fact.value)
            .bind(&fact.source)
            .bind(to_ms(fact.updated_at))
            .execute(&mut *tx)
            .await
            .map_err(|e| self.cx().db(format!("remember `{}` for session {id}", fact.key), e))?;
        }
        tx.commit().await.map_err(db)
    }

    /// Most recently remembered first; none for an unknown session (or another project's).
    async fn memory(&self, id: &SessionId) -> Result<Vec<Fact>, StoreError> {
        let query = format!(
            "SELECT {FACT_COLUMNS} FROM session_memory
             WHERE session = (SELECT id FROM sessions WHERE id = $1 AND project = $2)
             ORDER BY updated_at DESC, seq DESC"
        );
        let rows = sqlx::query(sql(query))
            .bind(id.as_str())
            .bind(&*self.project)
            .fetch_all(self.pool())
            .await
            .map_err(|e| self.cx().db(format!("read the memory of session {id}"), e))?;
        Ok(rows.iter().map(|row| fact_row(row).decode()).collect())
    }
}
