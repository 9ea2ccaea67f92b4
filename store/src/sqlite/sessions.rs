//! The SQL of [`Sessions`](crate::Sessions): sessions and what each remembers.

use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};
use toolsmith_core::SessionId;

use super::context::Cx;
use super::queries::{collect, has_row, json_text};
use crate::rows::sessions::{FactRow, SessionRow, FACT_COLUMNS, SESSION_COLUMNS};
use crate::rows::to_ms;
use crate::{Fact, SessionRecord, StoreError};

pub(super) fn put_session(conn: &mut Connection, cx: &Cx<'_>, session: &SessionRecord) -> Result<(), StoreError> {
    let id = session.id.as_str();
    let config = json_text(cx, &session.config)?;
    let written = conn.execute(
        &format!("INSERT INTO sessions ({SESSION_COLUMNS}) VALUES (?1, ?2, ?3, ?4)"),
        params![id, session.user_id.as_str(), config, to_ms(session.created_at)],
    );
    match written {
        Ok(_) => Ok(()),
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) => {
            Err(StoreError::Conflict {
                path: cx.path.to_owned(),
                message: format!(
                    "could not save session {id}: a session with this id exists; sessions are immutable, \
                     so a new configuration needs a new session (a new id)"
                ),
                source: Some(Box::new(e)),
            })
        }
        Err(e) => Err(cx.db(format!("save session {id}"), e)),
    }
}

pub(super) fn session(conn: &mut Connection, cx: &Cx<'_>, id: &SessionId) -> Result<Option<SessionRecord>, StoreError> {
    let row = conn
        .query_row(&format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id = ?1"), [id.as_str()], read_session)
        .optional()
        .map_err(|e| cx.db(format!("read session {id}"), e))?;
    row.map(|row| row.decode(cx)).transpose()
}

/// Deletes a session; its memory goes with it (`ON DELETE CASCADE`).
pub(super) fn delete_session(conn: &mut Connection, cx: &Cx<'_>, id: &SessionId) -> Result<bool, StoreError> {
    let deleted = conn
        .execute("DELETE FROM sessions WHERE id = ?1", [id.as_str()])
        .map_err(|e| cx.db(format!("delete session {id}"), e))?;
    Ok(deleted > 0)
}

/// Writes `facts` in one transaction. `REPLACE` gives a replaced key a new rowid, which
/// orders facts remembered in the same millisecond.
pub(super) fn remember(conn: &mut Connection, cx: &Cx<'_>, id: &SessionId, facts: &[Fact]) -> Result<(), StoreError> {
    let what = || format!("remember facts for session {id}");
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| cx.db(what(), e))?;
    if !has_row(&tx, cx, "sessions", id.as_str(), &what())? {
        return Err(StoreError::Missing(format!("session {id} (to remember facts for)")));
    }
    {
        let mut statement = tx
            .prepare_cached(
                "REPLACE INTO session_memory (session, key, value, source, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .map_err(|e| cx.db(what(), e))?;
        for fact in facts {
            statement
                .execute(params![id.as_str(), fact.key, fact.value, fact.source, to_ms(fact.updated_at)])
                .map_err(|e| cx.db(format!("remember `{}` for session {id}", fact.key), e))?;
        }
    }
    tx.commit().map_err(|e| cx.db(what(), e))
}

/// The facts of a session, most recently remembered first; none for an unknown session.
pub(super) fn memory(conn: &mut Connection, cx: &Cx<'_>, id: &SessionId) -> Result<Vec<Fact>, StoreError> {
    let sql =
        format!("SELECT {FACT_COLUMNS} FROM session_memory WHERE session = ?1 ORDER BY updated_at DESC, rowid DESC");
    let read = |row: &Row<'_>| {
        Ok(FactRow { key: row.get(0)?, value: row.get(1)?, source: row.get(2)?, updated_at: row.get(3)? })
    };
    let rows = collect(conn, cx, &sql, [id.as_str()], read, &format!("read the memory of session {id}"))?;
    Ok(rows.into_iter().map(FactRow::decode).collect())
}

fn read_session(row: &Row<'_>) -> rusqlite::Result<SessionRow> {
    Ok(SessionRow { id: row.get(0)?, user_id: row.get(1)?, config: row.get(2)?, created_at: row.get(3)? })
}
