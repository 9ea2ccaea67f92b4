//! The SQL of each [`Store`](crate::Store) operation, run on the locked connection.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use rusqlite::types::Value;
use rusqlite::{ffi, params, params_from_iter, Connection, OptionalExtension, Row, TransactionBehavior};
use toolsmith_spec::ToolkitSlug;

use super::context::Cx;
use crate::rows::accounts::{
    alias_taken, missing_config, wrong_refreshed_account, AccountRow, ACCOUNT_COLUMNS, ACCOUNT_UPDATE,
};
use crate::rows::auth_configs::{config_in_use, AuthConfigRow, AUTH_CONFIG_COLUMNS, AUTH_CONFIG_UPDATE};
pub(super) use crate::rows::json_text;
use crate::rows::logs::{LogRow, LOG_COLUMNS};
use crate::rows::{count_keys, reseal, sealed_values_query, to_ms, SEALED_COLUMNS};
use crate::{AccountFilter, AuthConfig, ConnectedAccount, ExecutionLog, KeyId, KeyRing, LogFilter, StoreError};
use toolsmith_core::{AuthConfigId, ConnectedAccountId, LogId, UserId};

// ---------------------------------------------------------------- auth configs

pub(super) fn put_auth_config(conn: &mut Connection, cx: &Cx<'_>, config: &AuthConfig) -> Result<(), StoreError> {
    let row = AuthConfigRow::encode(config, cx)?;
    conn.execute(
        &format!(
            "INSERT INTO auth_configs ({AUTH_CONFIG_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (id) DO UPDATE SET {AUTH_CONFIG_UPDATE}"
        ),
        params![
            row.id,
            row.toolkit,
            row.name,
            row.scheme,
            row.client_id,
            row.client_secret,
            row.scopes,
            row.disabled,
            row.created_at
        ],
    )
    .map_err(|e| cx.db(format!("save auth config {}", config.id), e))?;
    Ok(())
}

pub(super) fn auth_config(
    conn: &mut Connection,
    cx: &Cx<'_>,
    id: &AuthConfigId,
) -> Result<Option<AuthConfig>, StoreError> {
    let row = conn
        .query_row(
            &format!("SELECT {AUTH_CONFIG_COLUMNS} FROM auth_configs WHERE id = ?1"),
            [id.as_str()],
            read_auth_config,
        )
        .optional()
        .map_err(|e| cx.db(format!("read auth config {id}"), e))?;
    row.map(|row| row.decode(cx)).transpose()
}

pub(super) fn auth_configs(
    conn: &mut Connection,
    cx: &Cx<'_>,
    toolkit: Option<&ToolkitSlug>,
) -> Result<Vec<AuthConfig>, StoreError> {
    let sql = format!(
        "SELECT {AUTH_CONFIG_COLUMNS} FROM auth_configs WHERE (?1 IS NULL OR toolkit = ?1) ORDER BY created_at, rowid"
    );
    let rows = collect(conn, cx, &sql, [toolkit.map(ToolkitSlug::as_str)], read_auth_config, "list auth configs")?;
    rows.into_iter().map(|row| row.decode(cx)).collect()
}

pub(super) fn delete_auth_config(conn: &mut Connection, cx: &Cx<'_>, id: &AuthConfigId) -> Result<bool, StoreError> {
    let what = || format!("delete auth config {id}");
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| cx.db(what(), e))?;
    let count: i64 = tx
        .query_row("SELECT count(*) FROM connected_accounts WHERE auth_config = ?1", [id.as_str()], |r| r.get(0))
        .map_err(|e| cx.db(what(), e))?;
    if count > 0 {
        return Err(config_in_use(id, count));
    }
    let deleted = tx.execute("DELETE FROM auth_configs WHERE id = ?1", [id.as_str()]).map_err(|e| cx.db(what(), e))?;
    tx.commit().map_err(|e| cx.db(what(), e))?;
    Ok(deleted > 0)
}

fn read_auth_config(row: &Row<'_>) -> rusqlite::Result<AuthConfigRow> {
    Ok(AuthConfigRow {
        id: row.get(0)?,
        toolkit: row.get(1)?,
        name: row.get(2)?,
        scheme: row.get(3)?,
        client_id: row.get(4)?,
        client_secret: row.get(5)?,
        scopes: row.get(6)?,
        disabled: row.get(7)?,
        created_at: row.get(8)?,
    })
}

// ---------------------------------------------------------------- connected accounts

pub(super) fn put_account(conn: &mut Connection, cx: &Cx<'_>, account: &ConnectedAccount) -> Result<(), StoreError> {
    let row = AccountRow::encode(account, cx)?;
    let what = || format!("save connected account {}", account.id);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| cx.db(what(), e))?;
    write_account(&tx, cx, account, &row)?;
    tx.commit().map_err(|e| cx.db(what(), e))
}

pub(super) fn account(
    conn: &mut Connection,
    cx: &Cx<'_>,
    id: &ConnectedAccountId,
) -> Result<Option<ConnectedAccount>, StoreError> {
    let row = conn
        .query_row(
            &format!("SELECT {ACCOUNT_COLUMNS} FROM connected_accounts WHERE id = ?1"),
            [id.as_str()],
            read_account,
        )
        .optional()
        .map_err(|e| cx.db(format!("read connected account {id}"), e))?;
    row.map(|row| row.decode(cx)).transpose()
}

pub(super) fn accounts(
    conn: &mut Connection,
    cx: &Cx<'_>,
    filter: &AccountFilter,
) -> Result<Vec<ConnectedAccount>, StoreError> {
    let mut sql = format!("SELECT {ACCOUNT_COLUMNS} FROM connected_accounts WHERE 1 = 1");
    let mut args: Vec<&str> = Vec::new();
    for (column, value) in [
        ("user_id", filter.user_id.as_ref().map(UserId::as_str)),
        ("toolkit", filter.toolkit.as_ref().map(ToolkitSlug::as_str)),
        ("auth_config", filter.auth_config.as_ref().map(AuthConfigId::as_str)),
    ] {
        if let Some(value) = value {
            args.push(value);
            sql.push_str(&format!(" AND {column} = ?{}", args.len()));
        }
    }
    if !filter.statuses.is_empty() {
        let mut marks = Vec::new();
        for status in &filter.statuses {
            args.push(status.as_str());
            marks.push(format!("?{}", args.len()));
        }
        sql.push_str(&format!(" AND status IN ({})", marks.join(", ")));
    }
    sql.push_str(" ORDER BY created_at, rowid");
    let rows = collect(conn, cx, &sql, params_from_iter(args), read_account, "list connected accounts")?;
    rows.into_iter().map(|row| row.decode(cx)).collect()
}

pub(super) fn delete_account(conn: &mut Connection, cx: &Cx<'_>, id: &ConnectedAccountId) -> Result<bool, StoreError> {
    let deleted = conn
        .execute("DELETE FROM connected_accounts WHERE id = ?1", [id.as_str()])
        .map_err(|e| cx.db(format!("delete connected account {id}"), e))?;
    Ok(deleted > 0)
}

/// Inserts or updates an account inside the caller's transaction.
fn write_account(tx: &Connection, cx: &Cx<'_>, account: &ConnectedAccount, row: &AccountRow) -> Result<(), StoreError> {
    let what = || format!("save connected account {}", account.id);
    if !has_row(tx, cx, "auth_configs", account.auth_config.as_str(), &what())? {
        return Err(missing_config(account));
    }
    let written = tx.execute(
        &format!(
            "INSERT INTO connected_accounts ({ACCOUNT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT (id) DO UPDATE SET {ACCOUNT_UPDATE}"
        ),
        params![
            row.id,
            row.user_id,
            row.toolkit,
            row.auth_config,
            row.status,
            row.status_reason,
            row.alias,
            row.fields,
            row.credentials,
            row.created_at,
            row.updated_at
        ],
    );
    let Err(e) = written else { return Ok(()) };
    let extended_code = match &e {
        rusqlite::Error::SqliteFailure(failure, _) => failure.extended_code,
        _ => ffi::SQLITE_OK,
    };
    match extended_code {
        ffi::SQLITE_CONSTRAINT_UNIQUE => Err(alias_taken(cx, account, Box::new(e))),
        ffi::SQLITE_CONSTRAINT_FOREIGNKEY => Err(missing_config(account)),
        _ => Err(cx.db(what(), e)),
    }
}

fn read_account(row: &Row<'_>) -> rusqlite::Result<AccountRow> {
    Ok(AccountRow {
        id: row.get(0)?,
        user_id: row.get(1)?,
        toolkit: row.get(2)?,
        auth_config: row.get(3)?,
        status: row.get(4)?,
        status_reason: row.get(5)?,
        alias: row.get(6)?,
        fields: row.get(7)?,
        credentials: row.get(8)?,
        created_at: row.get(9)?,
        updated_at: row.get(10)?,
    })
}

// ---------------------------------------------------------------- refresh leases

pub(super) fn try_lock_refresh(
    conn: &mut Connection,
    cx: &Cx<'_>,
    id: &ConnectedAccountId,
    holder: &str,
    ttl: Duration,
) -> Result<bool, StoreError> {
    let what = || format!("take the refresh lease of connected account {id}");
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| cx.db(what(), e))?;
    if !has_row(&tx, cx, "connected_accounts", id.as_str(), &what())? {
        return Err(StoreError::Missing(format!("connected account {id}")));
    }
    let lease: Option<(String, i64)> = tx
        .query_row("SELECT holder, expires_at FROM refresh_leases WHERE account = ?1", [id.as_str()], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()
        .map_err(|e| cx.db(what(), e))?;
    let now = to_ms(SystemTime::now());
    let free = match &lease {
        None => true,
        Some((current, expires_at)) => current == holder || *expires_at <= now,
    };
    if !free {
        return Ok(false);
    }
    let expires_at = now.saturating_add(i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX));
    tx.execute(
        "INSERT INTO refresh_leases (account, holder, expires_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (account) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at",
        params![id.as_str(), holder, expires_at],
    )
    .map_err(|e| cx.db(what(), e))?;
    tx.commit().map_err(|e| cx.db(what(), e))?;
    Ok(true)
}

pub(super) fn finish_refresh(
    conn: &mut Connection,
    cx: &Cx<'_>,
    id: &ConnectedAccountId,
    holder: &str,
    account: Option<&ConnectedAccount>,
) -> Result<(), StoreError> {
    let row = match account {
        Some(account) if account.id != *id => return Err(wrong_refreshed_account(cx, id, account)),
        Some(account) => Some(AccountRow::encode(account, cx)?),
        None => None,
    };
    let what = || format!("finish the refresh of connected account {id}");
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| cx.db(what(), e))?;
    let current: Option<String> = tx
        .query_row("SELECT holder FROM refresh_leases WHERE account = ?1", [id.as_str()], |r| r.get(0))
        .optional()
        .map_err(|e| cx.db(what(), e))?;
    // An expired lease that nobody took is still this holder's: nobody else refreshed.
    if current.as_deref() != Some(holder) {
        return Err(StoreError::LockLost(id.clone()));
    }
    if let (Some(account), Some(row)) = (account, &row) {
        write_account(&tx, cx, account, row)?;
    }
    tx.execute("DELETE FROM refresh_leases WHERE account = ?1", [id.as_str()]).map_err(|e| cx.db(what(), e))?;
    tx.commit().map_err(|e| cx.db(what(), e))
}

// ---------------------------------------------------------------- execution logs

pub(super) fn put_log(conn: &Connection, cx: &Cx<'_>, entry: &ExecutionLog) -> Result<(), StoreError> {
    let sql = format!("INSERT INTO execution_logs ({LOG_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    let mut statement = conn.prepare_cached(&sql).map_err(|e| cx.db("prepare the log insert".to_owned(), e))?;
    let row = LogRow::encode(entry);
    statement
        .execute(params![
            row.id,
            row.tool,
            row.user_id,
            row.account,
            row.status,
            row.successful,
            row.error,
            row.attempts,
            row.duration_ms,
            row.started_at
        ])
        .map_err(|e| cx.db(format!("append execution log {}", entry.id), e))?;
    Ok(())
}

pub(super) fn log(conn: &mut Connection, cx: &Cx<'_>, id: &LogId) -> Result<Option<ExecutionLog>, StoreError> {
    let row = conn
        .query_row(&format!("SELECT {LOG_COLUMNS} FROM execution_logs WHERE id = ?1"), [id.as_str()], read_log)
        .optional()
        .map_err(|e| cx.db(format!("read execution log {id}"), e))?;
    row.map(|row| row.decode(cx)).transpose()
}

pub(super) fn logs(conn: &mut Connection, cx: &Cx<'_>, filter: &LogFilter) -> Result<Vec<ExecutionLog>, StoreError> {
    let sql = format!(
        "SELECT {LOG_COLUMNS} FROM execution_logs WHERE (?1 IS NULL OR user_id = ?1) AND (?2 IS NULL OR tool = ?2)
         ORDER BY started_at DESC, rowid DESC LIMIT ?3"
    );
    let args = [
        filter.user_id.as_ref().map_or(Value::Null, |u| Value::Text(u.as_str().to_owned())),
        filter.tool.as_ref().map_or(Value::Null, |t| Value::Text(t.as_str().to_owned())),
        Value::Integer(i64::try_from(filter.limit).unwrap_or(i64::MAX)),
    ];
    let rows = collect(conn, cx, &sql, params_from_iter(args), read_log, "list execution logs")?;
    rows.into_iter().map(|row| row.decode(cx)).collect()
}

fn read_log(row: &Row<'_>) -> rusqlite::Result<LogRow> {
    Ok(LogRow {
        id: row.get(0)?,
        tool: row.get(1)?,
        user_id: row.get(2)?,
        account: row.get(3)?,
        status: row.get(4)?,
        successful: row.get(5)?,
        error: row.get(6)?,
        attempts: row.get(7)?,
        duration_ms: row.get(8)?,
        started_at: row.get(9)?,
    })
}

// ---------------------------------------------------------------- key rotation

/// Re-seals every sealed value whose key is not `ring`'s current one, in one transaction.
pub(super) fn reencrypt(conn: &mut Connection, cx: &Cx<'_>, ring: &KeyRing) -> Result<usize, StoreError> {
    let what = "re-encrypt the stored secrets";
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| cx.db(what, e))?;
    let mut count = 0;
    for (table, column, context) in SEALED_COLUMNS {
        let sql = format!("SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL");
        let rows: Vec<(String, String)> = collect(&tx, cx, &sql, [], |r| Ok((r.get(0)?, r.get(1)?)), what)?;
        let update = format!("UPDATE {table} SET {column} = ?1 WHERE id = ?2");
        for (id, sealed) in rows {
            if let Some(resealed) = reseal(cx, ring, &sealed, &context(&id))? {
                tx.execute(&update, params![resealed, id]).map_err(|e| cx.db(what, e))?;
                count += 1;
            }
        }
    }
    tx.commit().map_err(|e| cx.db(what, e))?;
    Ok(count)
}

/// How many sealed values each key sealed, from the values' headers.
pub(super) fn sealed_keys(conn: &mut Connection, cx: &Cx<'_>) -> Result<BTreeMap<KeyId, usize>, StoreError> {
    let sealed: Vec<String> =
        collect(conn, cx, &sealed_values_query(), [], |r| r.get(0), "read the sealed secrets' keys")?;
    count_keys(sealed)
}

// ---------------------------------------------------------------- helpers

/// Runs a query and collects its rows.
pub(super) fn collect<T, P: rusqlite::Params>(
    conn: &Connection,
    cx: &Cx<'_>,
    sql: &str,
    params: P,
    read: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
    what: &str,
) -> Result<Vec<T>, StoreError> {
    let mut statement = conn.prepare_cached(sql).map_err(|e| cx.db(what, e))?;
    let rows = statement.query_map(params, read).map_err(|e| cx.db(what, e))?;
    rows.collect::<rusqlite::Result<Vec<T>>>().map_err(|e| cx.db(what, e))
}

/// Whether `table` has a row with the `id`; `what` says what was being done, for errors.
pub(super) fn has_row(conn: &Connection, cx: &Cx<'_>, table: &str, id: &str, what: &str) -> Result<bool, StoreError> {
    let sql = format!("SELECT 1 FROM {table} WHERE id = ?1");
    let found = conn.query_row(&sql, [id], |_| Ok(())).optional().map_err(|e| cx.db(what, e))?;
    Ok(found.is_some())
}

/// Appends ` AND column IN (?n, …)` to `sql` for each condition with values, their
/// values to `args`: each non-empty list is one condition (any of its values).
pub(super) fn push_in_conditions<'a>(
    sql: &mut String,
    args: &mut Vec<Value>,
    conditions: impl IntoIterator<Item = (&'a str, Vec<&'a str>)>,
) {
    for (column, values) in conditions {
        if values.is_empty() {
            continue;
        }
        let mut marks = Vec::new();
        for value in values {
            args.push(Value::Text(value.to_owned()));
            marks.push(format!("?{}", args.len()));
        }
        sql.push_str(&format!(" AND {column} IN ({})", marks.join(", ")));
    }
}
