//! The SQL of [`Projects`](crate::Projects): projects and their API keys. Messages name
//! a key by its id, never by its hash.

use std::time::SystemTime;

use rusqlite::{params, Connection, ErrorCode, OptionalExtension, Row, TransactionBehavior};
use toolsmith_core::{ApiKeyId, ProjectId};

use super::context::Cx;
use super::queries::{collect, has_row};
use crate::rows::projects::{KeyRow, ProjectRow, KEY_COLUMNS, PROJECT_COLUMNS};
use crate::rows::{from_ms, to_ms};
use crate::{ApiKey, Project, StoreError};

pub(super) fn put_project(conn: &mut Connection, cx: &Cx<'_>, project: &Project) -> Result<(), StoreError> {
    let (id, name) = (project.id.as_str(), project.name.as_str());
    let written = conn.execute(
        &format!("INSERT INTO projects ({PROJECT_COLUMNS}) VALUES (?1, ?2, ?3)"),
        params![id, name, to_ms(project.created_at)],
    );
    match written {
        Ok(_) => Ok(()),
        Err(e) if e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation) => {
            let message = match project_named(conn, cx, name)? {
                Some(other) => format!(
                    "could not save project {id}: the name `{name}` is taken by project {}; \
                     choose another name, or use that project",
                    other.id
                ),
                None => format!("could not save project {id}: a project with this id exists; generate a new id"),
            };
            Err(StoreError::Conflict { path: cx.path.to_owned(), message, source: Some(Box::new(e)) })
        }
        Err(e) => Err(cx.db(format!("save project {id} (`{name}`)"), e)),
    }
}

pub(super) fn project(conn: &mut Connection, cx: &Cx<'_>, id: &ProjectId) -> Result<Option<Project>, StoreError> {
    one_project(conn, cx, "id", id.as_str(), &format!("read project {id}"))
}

pub(super) fn project_named(conn: &Connection, cx: &Cx<'_>, name: &str) -> Result<Option<Project>, StoreError> {
    one_project(conn, cx, "name", name, &format!("read the project named `{name}`"))
}

/// The project whose `column` is `value`.
fn one_project(
    conn: &Connection,
    cx: &Cx<'_>,
    column: &str,
    value: &str,
    what: &str,
) -> Result<Option<Project>, StoreError> {
    let sql = format!("SELECT {PROJECT_COLUMNS} FROM projects WHERE {column} = ?1");
    let row = conn.query_row(&sql, [value], project_row).optional().map_err(|e| cx.db(what, e))?;
    row.map(|row| row.decode(cx)).transpose()
}

pub(super) fn projects(conn: &mut Connection, cx: &Cx<'_>) -> Result<Vec<Project>, StoreError> {
    let sql = format!("SELECT {PROJECT_COLUMNS} FROM projects ORDER BY created_at, rowid");
    let rows = collect(conn, cx, &sql, [], project_row, "list the projects")?;
    rows.into_iter().map(|row| row.decode(cx)).collect()
}

/// The project named `name`, stored as `new` (with that name) when there is none. One
/// `BEGIN IMMEDIATE` transaction: of concurrent callers, in this process or another, one
/// creates it and the others read it.
pub(super) fn ensure_project(conn: &mut Connection, cx: &Cx<'_>, new: &Project) -> Result<Project, StoreError> {
    let what = || format!("create the project `{}`", new.name);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| cx.db(what(), e))?;
    if let Some(existing) = project_named(&tx, cx, &new.name)? {
        return Ok(existing);
    }
    tx.execute(
        &format!("INSERT INTO projects ({PROJECT_COLUMNS}) VALUES (?1, ?2, ?3)"),
        params![new.id.as_str(), new.name, to_ms(new.created_at)],
    )
    .map_err(|e| cx.db(what(), e))?;
    tx.commit().map_err(|e| cx.db(what(), e))?;
    // Read back, so the time is rounded to the millisecond as every read is.
    Ok(Project { created_at: from_ms(to_ms(new.created_at)), ..new.clone() })
}

pub(super) fn put_api_key(conn: &mut Connection, cx: &Cx<'_>, key: &ApiKey) -> Result<(), StoreError> {
    let what = || format!("save API key {} of project {}", key.id, key.project);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| cx.db(what(), e))?;
    if !has_row(&tx, cx, "projects", key.project.as_str(), &what())? {
        return Err(StoreError::Missing(format!(
            "project {} (of API key {}; create the project first)",
            key.project, key.id
        )));
    }
    let written = tx.execute(
        &format!("INSERT INTO api_keys ({KEY_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
        params![
            key.id.as_str(),
            key.project.as_str(),
            key.name,
            key.key_hash,
            key.prefix,
            to_ms(key.created_at),
            key.revoked_at.map(to_ms)
        ],
    );
    match written {
        Ok(_) => {}
        Err(e) if e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation) => {
            return Err(StoreError::Conflict {
                path: cx.path.to_owned(),
                message: format!(
                    "could not {}: a key with this id or the same key hash exists; generate a new key \
                     (`ApiKeySecret::generate`) and id for each API key",
                    what()
                ),
                // SQLite's message names the column, not the value.
                source: Some(Box::new(e)),
            });
        }
        Err(e) => return Err(cx.db(what(), e)),
    }
    tx.commit().map_err(|e| cx.db(what(), e))
}

pub(super) fn api_key_by_hash(
    conn: &mut Connection,
    cx: &Cx<'_>,
    key_hash: &str,
) -> Result<Option<ApiKey>, StoreError> {
    let sql = format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE key_hash = ?1");
    let row = conn.query_row(&sql, [key_hash], key_row).optional().map_err(|e| cx.db("look up an API key", e))?;
    row.map(|row| row.decode(cx)).transpose()
}

pub(super) fn api_keys(
    conn: &mut Connection,
    cx: &Cx<'_>,
    project: Option<&ProjectId>,
) -> Result<Vec<ApiKey>, StoreError> {
    let rows = match project {
        Some(project) => {
            let sql = format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE project = ?1 ORDER BY created_at, rowid");
            collect(conn, cx, &sql, [project.as_str()], key_row, &format!("list the API keys of project {project}"))?
        }
        None => {
            let sql = format!("SELECT {KEY_COLUMNS} FROM api_keys ORDER BY created_at, rowid");
            collect(conn, cx, &sql, [], key_row, "list the API keys")?
        }
    };
    rows.into_iter().map(|row| row.decode(cx)).collect()
}

/// One statement: of two revokers, the second finds `revoked_at` set.
pub(super) fn revoke_api_key(
    conn: &mut Connection,
    cx: &Cx<'_>,
    id: &ApiKeyId,
    at: SystemTime,
) -> Result<bool, StoreError> {
    let revoked = conn
        .execute(
            "UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
            params![id.as_str(), to_ms(at)],
        )
        .map_err(|e| cx.db(format!("revoke API key {id}"), e))?;
    Ok(revoked > 0)
}

fn project_row(row: &Row<'_>) -> rusqlite::Result<ProjectRow> {
    Ok(ProjectRow { id: row.get(0)?, name: row.get(1)?, created_at: row.get(2)? })
}

fn key_row(row: &Row<'_>) -> rusqlite::Result<KeyRow> {
    Ok(KeyRow {
        id: row.get(0)?,
        project: row.get(1)?,
        name: row.get(2)?,
        key_hash: row.get(3)?,
        prefix: row.get(4)?,
        created_at: row.get(5)?,
        revoked_at: row.get(6)?,
    })
}
