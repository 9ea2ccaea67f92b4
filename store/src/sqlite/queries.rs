//! The SQL of each [`Store`](crate::Store) operation, run on the locked connection.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use rusqlite::types::Value;
use rusqlite::{ffi, params, params_from_iter, Connection, OptionalExtension, Row, TransactionBehavior};
use secrecy::{ExposeSecret, SecretString};
use toolsmith_spec::{ToolSlug, ToolkitSlug};

use super::context::Cx;
use crate::rows::{
    account_context, auth_config_context, decode_credentials, encode_credentials, from_ms, to_ms, SEALED_COLUMNS,
};
use crate::{
    AccountFilter, AccountStatus, AuthConfig, ConnectedAccount, ExecutionLog, KeyId, KeyRing, LogFilter, StoreError,
};
use toolsmith_core::{AuthConfigId, ConnectedAccountId, LogId, UserId};

const AUTH_CONFIG_COLUMNS: &str = "id, toolkit, name, scheme, client_id, client_secret, scopes, disabled, created_at";
const ACCOUNT_COLUMNS: &str =
    "id, user_id, toolkit, auth_config, status, status_reason, alias, fields, credentials, created_at, updated_at";
const LOG_COLUMNS: &str = "id, tool, user_id, account, status, successful, error, attempts, duration_ms, started_at";

// ---------------------------------------------------------------- auth configs

pub(super) fn put_auth_config(conn: &mut Connection, cx: &Cx<'_>, config: &AuthConfig) -> Result<(), StoreError> {
    let id = config.id.as_str();
    let secret = match &config.client_secret {
        Some(secret) => Some(cx.keys.seal(secret.expose_secret().as_bytes(), &auth_config_context(id))?),
        None => None,
    };
    let scopes = json_text(cx, &config.scopes)?;
    conn.execute(
        &format!(
            "INSERT INTO auth_configs ({AUTH_CONFIG_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (id) DO UPDATE SET toolkit = excluded.toolkit, name = excluded.name,
                 scheme = excluded.scheme, client_id = excluded.client_id, client_secret = excluded.client_secret,
                 scopes = excluded.scopes, disabled = excluded.disabled, created_at = excluded.created_at"
        ),
        params![
            id,
            config.toolkit.as_str(),
            config.name,
            config.scheme,
            config.client_id,
            secret,
            scopes,
            config.disabled,
            to_ms(config.created_at)
        ],
    )
    .map_err(|e| cx.db(format!("save auth config {id}"), e))?;
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
            AuthConfigRow::read,
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
    let rows = collect(conn, cx, &sql, [toolkit.map(ToolkitSlug::as_str)], AuthConfigRow::read, "list auth configs")?;
    rows.into_iter().map(|row| row.decode(cx)).collect()
}

pub(super) fn delete_auth_config(conn: &mut Connection, cx: &Cx<'_>, id: &AuthConfigId) -> Result<bool, StoreError> {
    let what = || format!("delete auth config {id}");
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| cx.db(what(), e))?;
    let count: i64 = tx
        .query_row("SELECT count(*) FROM connected_accounts WHERE auth_config = ?1", [id.as_str()], |r| r.get(0))
        .map_err(|e| cx.db(what(), e))?;
    if count > 0 {
        return Err(StoreError::InUse {
            what: format!("auth config {id}"),
            count: usize::try_from(count).unwrap_or(0),
        });
    }
    let deleted = tx.execute("DELETE FROM auth_configs WHERE id = ?1", [id.as_str()]).map_err(|e| cx.db(what(), e))?;
    tx.commit().map_err(|e| cx.db(what(), e))?;
    Ok(deleted > 0)
}

struct AuthConfigRow {
    id: String,
    toolkit: String,
    name: String,
    scheme: String,
    client_id: Option<String>,
    client_secret: Option<String>,
    scopes: String,
    disabled: bool,
    created_at: i64,
}

impl AuthConfigRow {
    fn read(row: &Row<'_>) -> rusqlite::Result<Self> {
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

    fn decode(self, cx: &Cx<'_>) -> Result<AuthConfig, StoreError> {
        let corrupt = |column, problem| cx.corrupt("auth_configs", &self.id, column, problem);
        let id = AuthConfigId::parse(&self.id).ok_or_else(|| corrupt("id", "is not an `ac_` id"))?;
        let client_secret = match &self.client_secret {
            Some(sealed) => {
                let opened = cx.keys.open(sealed, &auth_config_context(&self.id))?;
                let text = std::str::from_utf8(opened.expose_secret())
                    .map_err(|_| corrupt("client_secret", "is not UTF-8"))?;
                Some(SecretString::from(text))
            }
            None => None,
        };
        Ok(AuthConfig {
            toolkit: ToolkitSlug::new(self.toolkit),
            name: self.name,
            scheme: self.scheme,
            client_id: self.client_id,
            client_secret,
            scopes: serde_json::from_str(&self.scopes)
                .map_err(|_| corrupt("scopes", "is not a JSON array of strings"))?,
            disabled: self.disabled,
            created_at: from_ms(self.created_at),
            id,
        })
    }
}

// ---------------------------------------------------------------- connected accounts

pub(super) fn put_account(conn: &mut Connection, cx: &Cx<'_>, account: &ConnectedAccount) -> Result<(), StoreError> {
    let sealed = seal_account(cx, account)?;
    let what = || format!("save connected account {}", account.id);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| cx.db(what(), e))?;
    write_account(&tx, cx, account, &sealed)?;
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
            AccountRow::read,
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
    let rows = collect(conn, cx, &sql, params_from_iter(args), AccountRow::read, "list connected accounts")?;
    rows.into_iter().map(|row| row.decode(cx)).collect()
}

pub(super) fn delete_account(conn: &mut Connection, cx: &Cx<'_>, id: &ConnectedAccountId) -> Result<bool, StoreError> {
    let deleted = conn
        .execute("DELETE FROM connected_accounts WHERE id = ?1", [id.as_str()])
        .map_err(|e| cx.db(format!("delete connected account {id}"), e))?;
    Ok(deleted > 0)
}

/// The sealed JSON of an account's credentials.
fn seal_account(cx: &Cx<'_>, account: &ConnectedAccount) -> Result<String, StoreError> {
    let json = encode_credentials(&account.credentials).map_err(|_| StoreError::Database {
        path: cx.path.to_owned(),
        message: format!("could not encode the credentials of connected account {}", account.id),
        // serde's message could quote a secret: it is not passed on.
        source: None,
    })?;
    Ok(cx.keys.seal(&json, &account_context(account.id.as_str()))?)
}

/// Inserts or updates an account inside the caller's transaction.
fn write_account(tx: &Connection, cx: &Cx<'_>, account: &ConnectedAccount, sealed: &str) -> Result<(), StoreError> {
    let what = || format!("save connected account {}", account.id);
    if !has_row(tx, cx, "auth_configs", account.auth_config.as_str(), &what())? {
        return Err(missing_config(account));
    }
    let fields = json_text(cx, &account.fields)?;
    let written = tx.execute(
        &format!(
            "INSERT INTO connected_accounts ({ACCOUNT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT (id) DO UPDATE SET user_id = excluded.user_id, toolkit = excluded.toolkit,
                 auth_config = excluded.auth_config, status = excluded.status,
                 status_reason = excluded.status_reason, alias = excluded.alias, fields = excluded.fields,
                 credentials = excluded.credentials, created_at = excluded.created_at,
                 updated_at = excluded.updated_at"
        ),
        params![
            account.id.as_str(),
            account.user_id.as_str(),
            account.toolkit.as_str(),
            account.auth_config.as_str(),
            account.status.as_str(),
            account.status_reason,
            account.alias,
            fields,
            sealed,
            to_ms(account.created_at),
            to_ms(account.updated_at)
        ],
    );
    let Err(e) = written else { return Ok(()) };
    let extended_code = match &e {
        rusqlite::Error::SqliteFailure(failure, _) => failure.extended_code,
        _ => ffi::SQLITE_OK,
    };
    match extended_code {
        ffi::SQLITE_CONSTRAINT_UNIQUE => Err(StoreError::Conflict {
            path: cx.path.to_owned(),
            message: format!(
                "could not save connected account {}: user `{}` already has a {} account with the alias `{}`; \
                 choose another alias",
                account.id,
                account.user_id,
                account.toolkit,
                account.alias.as_deref().unwrap_or_default()
            ),
            source: Some(Box::new(e)),
        }),
        ffi::SQLITE_CONSTRAINT_FOREIGNKEY => Err(missing_config(account)),
        _ => Err(cx.db(what(), e)),
    }
}

fn missing_config(account: &ConnectedAccount) -> StoreError {
    StoreError::Missing(format!("auth config {} (of connected account {})", account.auth_config, account.id))
}

struct AccountRow {
    id: String,
    user_id: String,
    toolkit: String,
    auth_config: String,
    status: String,
    status_reason: Option<String>,
    alias: Option<String>,
    fields: String,
    credentials: String,
    created_at: i64,
    updated_at: i64,
}

impl AccountRow {
    fn read(row: &Row<'_>) -> rusqlite::Result<Self> {
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

    fn decode(self, cx: &Cx<'_>) -> Result<ConnectedAccount, StoreError> {
        let corrupt = |column, problem| cx.corrupt("connected_accounts", &self.id, column, problem);
        let id = ConnectedAccountId::parse(&self.id).ok_or_else(|| corrupt("id", "is not a `ca_` id"))?;
        let auth_config =
            AuthConfigId::parse(&self.auth_config).ok_or_else(|| corrupt("auth_config", "is not an `ac_` id"))?;
        let status = AccountStatus::parse(&self.status).ok_or_else(|| corrupt("status", "is not a known status"))?;
        let fields: BTreeMap<String, String> =
            serde_json::from_str(&self.fields).map_err(|_| corrupt("fields", "is not a JSON object of strings"))?;
        let opened = cx.keys.open(&self.credentials, &account_context(&self.id))?;
        // serde's message could quote a secret: it is not passed on.
        let credentials = decode_credentials(opened.expose_secret())
            .map_err(|_| corrupt("credentials", "does not decrypt to the credentials JSON"))?;
        Ok(ConnectedAccount {
            id,
            user_id: UserId::new(self.user_id),
            toolkit: ToolkitSlug::new(self.toolkit),
            auth_config,
            status,
            status_reason: self.status_reason,
            alias: self.alias,
            fields,
            credentials,
            created_at: from_ms(self.created_at),
            updated_at: from_ms(self.updated_at),
        })
    }
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
    let sealed = match account {
        Some(account) if account.id != *id => {
            return Err(StoreError::Database {
                path: cx.path.to_owned(),
                message: format!(
                    "the refresh of connected account {id} tried to write connected account {}; \
                     pass the refreshed record of {id}",
                    account.id
                ),
                source: None,
            })
        }
        Some(account) => Some(seal_account(cx, account)?),
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
    if let (Some(account), Some(sealed)) = (account, &sealed) {
        write_account(&tx, cx, account, sealed)?;
    }
    tx.execute("DELETE FROM refresh_leases WHERE account = ?1", [id.as_str()]).map_err(|e| cx.db(what(), e))?;
    tx.commit().map_err(|e| cx.db(what(), e))
}

// ---------------------------------------------------------------- execution logs

pub(super) fn put_log(conn: &Connection, cx: &Cx<'_>, entry: &ExecutionLog) -> Result<(), StoreError> {
    let sql = format!("INSERT INTO execution_logs ({LOG_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    let mut statement = conn.prepare_cached(&sql).map_err(|e| cx.db("prepare the log insert".to_owned(), e))?;
    statement
        .execute(params![
            entry.id.as_str(),
            entry.tool.as_str(),
            entry.user_id.as_str(),
            entry.account.as_ref().map(ConnectedAccountId::as_str),
            entry.status,
            entry.successful,
            entry.error,
            entry.attempts,
            i64::try_from(entry.duration_ms).unwrap_or(i64::MAX),
            to_ms(entry.started_at)
        ])
        .map_err(|e| cx.db(format!("append execution log {}", entry.id), e))?;
    Ok(())
}

pub(super) fn log(conn: &mut Connection, cx: &Cx<'_>, id: &LogId) -> Result<Option<ExecutionLog>, StoreError> {
    let row = conn
        .query_row(&format!("SELECT {LOG_COLUMNS} FROM execution_logs WHERE id = ?1"), [id.as_str()], LogRow::read)
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
    let rows = collect(conn, cx, &sql, params_from_iter(args), LogRow::read, "list execution logs")?;
    rows.into_iter().map(|row| row.decode(cx)).collect()
}

struct LogRow {
    id: String,
    tool: String,
    user_id: String,
    account: Option<String>,
    status: Option<i64>,
    successful: bool,
    error: Option<String>,
    attempts: i64,
    duration_ms: i64,
    started_at: i64,
}

impl LogRow {
    fn read(row: &Row<'_>) -> rusqlite::Result<Self> {
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

    fn decode(self, cx: &Cx<'_>) -> Result<ExecutionLog, StoreError> {
        let corrupt = |column, problem| cx.corrupt("execution_logs", &self.id, column, problem);
        let account = match &self.account {
            Some(account) => {
                Some(ConnectedAccountId::parse(account).ok_or_else(|| corrupt("account", "is not a `ca_` id"))?)
            }
            None => None,
        };
        let status = match self.status {
            Some(status) => Some(u16::try_from(status).map_err(|_| corrupt("status", "is not an HTTP status"))?),
            None => None,
        };
        Ok(ExecutionLog {
            id: LogId::parse(&self.id).ok_or_else(|| corrupt("id", "is not a `log_` id"))?,
            tool: ToolSlug::new(self.tool),
            user_id: UserId::new(self.user_id),
            account,
            status,
            successful: self.successful,
            error: self.error,
            attempts: u32::try_from(self.attempts).map_err(|_| corrupt("attempts", "is out of range"))?,
            duration_ms: u64::try_from(self.duration_ms).map_err(|_| corrupt("duration_ms", "is negative"))?,
            started_at: from_ms(self.started_at),
        })
    }
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
            if KeyRing::sealed_key_id(&sealed)? == *ring.current() {
                continue;
            }
            let context = context(&id);
            let opened = cx.keys.open(&sealed, &context)?;
            let resealed = ring.seal_with_context(opened.expose_secret(), &context)?;
            tx.execute(&update, params![resealed, id]).map_err(|e| cx.db(what, e))?;
            count += 1;
        }
    }
    tx.commit().map_err(|e| cx.db(what, e))?;
    Ok(count)
}

/// How many sealed values each key sealed, from the values' headers.
pub(super) fn sealed_keys(conn: &mut Connection, cx: &Cx<'_>) -> Result<BTreeMap<KeyId, usize>, StoreError> {
    let sql = "SELECT client_secret FROM auth_configs WHERE client_secret IS NOT NULL \
               UNION ALL SELECT credentials FROM connected_accounts WHERE credentials IS NOT NULL \
               UNION ALL SELECT secrets FROM trigger_instances WHERE secrets IS NOT NULL \
               UNION ALL SELECT secret FROM webhook_subscriptions";
    let sealed: Vec<String> = collect(conn, cx, sql, [], |r| r.get(0), "read the sealed secrets' keys")?;
    let mut counts = BTreeMap::new();
    for value in sealed {
        *counts.entry(KeyRing::sealed_key_id(&value)?).or_insert(0) += 1;
    }
    Ok(counts)
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

/// `value` as JSON text, for a TEXT column.
pub(super) fn json_text(cx: &Cx<'_>, value: &impl serde::Serialize) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Database {
        path: cx.path.to_owned(),
        message: format!("could not encode JSON: {e}"),
        source: Some(Box::new(e)),
    })
}
