//! The SQL of [`ConnectLinks`](crate::ConnectLinks). Messages name a link by its account,
//! never by its token hash.

use std::time::SystemTime;

use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};
use toolsmith_core::{ConnectedAccountId, SessionId};

use super::context::Cx;
use super::queries::{collect, has_row};
use crate::rows::links::{duplicate_link, missing_account, LinkRow, LINK_COLUMNS};
use crate::rows::to_ms;
use crate::{ConnectLink, StoreError};

pub(super) fn put_link(conn: &mut Connection, cx: &Cx<'_>, link: &ConnectLink) -> Result<(), StoreError> {
    let what = || format!("save a Connect Link for connected account {}", link.account);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| cx.db(what(), e))?;
    if !has_row(&tx, cx, "connected_accounts", link.account.as_str(), &what())? {
        return Err(missing_account(link));
    }
    let written = tx.execute(
        &format!("INSERT INTO connect_links ({LINK_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"),
        params![
            link.token_hash,
            link.account.as_str(),
            link.user_id.as_str(),
            link.toolkit.as_str(),
            link.auth_config.as_str(),
            link.session.as_ref().map(SessionId::as_str),
            link.callback_url,
            to_ms(link.created_at),
            to_ms(link.expires_at),
            link.used_at.map(to_ms)
        ],
    );
    match written {
        Ok(_) => {}
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) => {
            return Err(StoreError::Conflict {
                path: cx.path.to_owned(),
                message: duplicate_link(link),
                // SQLite's message names the column, not the value.
                source: Some(Box::new(e)),
            });
        }
        Err(e) => return Err(cx.db(what(), e)),
    }
    tx.commit().map_err(|e| cx.db(what(), e))
}

pub(super) fn link(conn: &mut Connection, cx: &Cx<'_>, token_hash: &str) -> Result<Option<ConnectLink>, StoreError> {
    let sql = format!("SELECT {LINK_COLUMNS} FROM connect_links WHERE token_hash = ?1");
    one_link(conn, cx, &sql, params![token_hash], "read a Connect Link")
}

/// One statement, so one write: of two consumers, the second finds `used_at` set.
pub(super) fn consume_link(
    conn: &mut Connection,
    cx: &Cx<'_>,
    token_hash: &str,
    now: SystemTime,
) -> Result<Option<ConnectLink>, StoreError> {
    let sql = format!(
        "UPDATE connect_links SET used_at = ?2 WHERE token_hash = ?1 AND used_at IS NULL AND expires_at > ?2
         RETURNING {LINK_COLUMNS}"
    );
    one_link(conn, cx, &sql, params![token_hash, to_ms(now)], "use a Connect Link")
}

/// The link `sql` returns, if any.
fn one_link(
    conn: &Connection,
    cx: &Cx<'_>,
    sql: &str,
    params: impl rusqlite::Params,
    what: &str,
) -> Result<Option<ConnectLink>, StoreError> {
    let row = conn.query_row(sql, params, read_link).optional().map_err(|e| cx.db(what, e))?;
    row.map(|row| row.decode(cx)).transpose()
}

pub(super) fn links_of(
    conn: &mut Connection,
    cx: &Cx<'_>,
    account: &ConnectedAccountId,
) -> Result<Vec<ConnectLink>, StoreError> {
    let sql =
        format!("SELECT {LINK_COLUMNS} FROM connect_links WHERE account = ?1 ORDER BY created_at DESC, rowid DESC");
    let what = format!("list the Connect Links of connected account {account}");
    let rows = collect(conn, cx, &sql, [account.as_str()], read_link, &what)?;
    rows.into_iter().map(|row| row.decode(cx)).collect()
}

fn read_link(row: &Row<'_>) -> rusqlite::Result<LinkRow> {
    Ok(LinkRow {
        token_hash: row.get(0)?,
        account: row.get(1)?,
        user_id: row.get(2)?,
        toolkit: row.get(3)?,
        auth_config: row.get(4)?,
        session: row.get(5)?,
        callback_url: row.get(6)?,
        created_at: row.get(7)?,
        expires_at: row.get(8)?,
        used_at: row.get(9)?,
    })
}
