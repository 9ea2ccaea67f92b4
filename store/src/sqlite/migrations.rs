//! The schema: an ordered list of SQL scripts. `PRAGMA user_version` is the number of
//! scripts applied; the missing ones run in one `BEGIN IMMEDIATE` transaction, so that
//! two processes opening a new file at once migrate it once.
//!
//! Scripts are append-only: a released script is never edited, a change is a new script.

use rusqlite::{Connection, TransactionBehavior};

use super::context::db_error;
use crate::StoreError;

/// The schema scripts, oldest first; script `i` brings the schema to version `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: auth configs, connected accounts, refresh leases, execution logs.
    "
    CREATE TABLE auth_configs (
        id            TEXT PRIMARY KEY NOT NULL,
        toolkit       TEXT NOT NULL,
        name          TEXT NOT NULL,
        scheme        TEXT NOT NULL,
        client_id     TEXT,
        client_secret TEXT,             -- sealed with the key ring, bound to the id
        scopes        TEXT NOT NULL,    -- JSON array of strings
        disabled      INTEGER NOT NULL,
        created_at    INTEGER NOT NULL  -- unix milliseconds
    ) STRICT;
    CREATE INDEX auth_configs_by_toolkit ON auth_configs (toolkit, created_at);

    CREATE TABLE connected_accounts (
        id            TEXT PRIMARY KEY NOT NULL,
        user_id       TEXT NOT NULL,
        toolkit       TEXT NOT NULL,
        auth_config   TEXT NOT NULL REFERENCES auth_configs (id) ON DELETE RESTRICT,
        status        TEXT NOT NULL,
        status_reason TEXT,
        alias         TEXT,
        fields        TEXT NOT NULL,    -- JSON object of the non-secret fields
        credentials   TEXT NOT NULL,    -- sealed JSON of secrets and OAuth 2.0 tokens, bound to the id
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL
    ) STRICT;
    CREATE UNIQUE INDEX connected_accounts_alias
        ON connected_accounts (user_id, toolkit, alias) WHERE alias IS NOT NULL;
    CREATE INDEX connected_accounts_by_user ON connected_accounts (user_id, toolkit, created_at);
    CREATE INDEX connected_accounts_by_auth_config ON connected_accounts (auth_config);

    CREATE TABLE refresh_leases (
        account    TEXT PRIMARY KEY NOT NULL REFERENCES connected_accounts (id) ON DELETE CASCADE,
        holder     TEXT NOT NULL,
        expires_at INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE execution_logs (
        id          TEXT PRIMARY KEY NOT NULL,
        tool        TEXT NOT NULL,
        user_id     TEXT NOT NULL,
        account     TEXT,               -- no foreign key: logs outlive accounts
        status      INTEGER,
        successful  INTEGER NOT NULL,
        error       TEXT,
        attempts    INTEGER NOT NULL,
        duration_ms INTEGER NOT NULL,
        started_at  INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX execution_logs_by_user ON execution_logs (user_id, started_at);
    CREATE INDEX execution_logs_by_tool ON execution_logs (tool, started_at);
    CREATE INDEX execution_logs_by_start ON execution_logs (started_at);
    ",
    // 2: sessions and their memory, Connect Links.
    "
    CREATE TABLE sessions (
        id         TEXT PRIMARY KEY NOT NULL,
        user_id    TEXT NOT NULL,
        config     TEXT NOT NULL,       -- JSON, as the session crate wrote it
        created_at INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX sessions_by_user ON sessions (user_id, created_at);

    CREATE TABLE session_memory (
        session    TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        key        TEXT NOT NULL,
        value      TEXT NOT NULL,
        source     TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (session, key)
    ) STRICT;

    CREATE TABLE connect_links (
        token_hash   TEXT PRIMARY KEY NOT NULL,  -- SHA-256 of the token; the token is never stored
        account      TEXT NOT NULL REFERENCES connected_accounts (id) ON DELETE CASCADE,
        user_id      TEXT NOT NULL,
        toolkit      TEXT NOT NULL,
        auth_config  TEXT NOT NULL,
        session      TEXT,                       -- no foreign key: links outlive sessions
        callback_url TEXT,
        created_at   INTEGER NOT NULL,
        expires_at   INTEGER NOT NULL,
        used_at      INTEGER
    ) STRICT;
    CREATE INDEX connect_links_by_account ON connect_links (account, created_at);
    ",
    // 3: projects and their API keys (used in the home's main store only).
    "
    CREATE TABLE projects (
        id         TEXT PRIMARY KEY NOT NULL,
        name       TEXT NOT NULL UNIQUE,
        created_at INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE api_keys (
        id         TEXT PRIMARY KEY NOT NULL,
        project    TEXT NOT NULL REFERENCES projects (id) ON DELETE RESTRICT,
        name       TEXT,
        key_hash   TEXT NOT NULL UNIQUE,   -- SHA-256 of the key; the key is never stored
        prefix     TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER
    ) STRICT;
    CREATE INDEX api_keys_by_project ON api_keys (project, created_at);
    ",
    // 4: trigger instances.
    "
    CREATE TABLE trigger_instances (
        id          TEXT PRIMARY KEY NOT NULL,
        trigger     TEXT NOT NULL,
        toolkit     TEXT NOT NULL,
        user_id     TEXT NOT NULL,
        account     TEXT REFERENCES connected_accounts (id) ON DELETE CASCADE,
        auth_config TEXT,
        identity    TEXT NOT NULL UNIQUE,   -- trigger, account or user, sorted non-secret config
        config      TEXT NOT NULL,          -- JSON object of the non-secret configuration
        secrets     TEXT,                   -- sealed JSON of the secret configuration, bound to the id
        enabled     INTEGER NOT NULL,
        state       TEXT NOT NULL,          -- JSON
        created_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX trigger_instances_by_account ON trigger_instances (account);
    CREATE INDEX trigger_instances_by_created ON trigger_instances (created_at);
    ",
    // 5: trigger events, the project's webhook subscription, the outbox of deliveries and
    // their attempts.
    "
    CREATE TABLE trigger_events (
        seq        INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused, even after a delete
        id         TEXT NOT NULL UNIQUE,
        type       TEXT NOT NULL,
        instance   TEXT,            -- no foreign key: an event outlives its instance (a deleted
                                    -- instance's last events are still delivered); NULL for
                                    -- an event of the project
        dedupe_key TEXT,
        envelope   TEXT NOT NULL,   -- JSON, the body delivered
        created_at INTEGER NOT NULL
    ) STRICT;
    -- An instance's events are unique by key; the project's own events (no instance) too.
    CREATE UNIQUE INDEX trigger_events_dedupe
        ON trigger_events (coalesce(instance, ''), dedupe_key) WHERE dedupe_key IS NOT NULL;

    CREATE TABLE webhook_subscriptions (
        id             TEXT PRIMARY KEY NOT NULL,
        url            TEXT NOT NULL,
        secret         TEXT NOT NULL,   -- sealed with the key ring, bound to the id
        version        TEXT NOT NULL,
        enabled_events TEXT NOT NULL,   -- JSON array of event types
        created_at     INTEGER NOT NULL,
        updated_at     INTEGER NOT NULL
    ) STRICT;

    -- The outbox: one row per event and subscription. `seq` and `grp` (the event's
    -- instance, '' for none) are the event's, copied for the claim's ordering.
    CREATE TABLE trigger_deliveries (
        event            TEXT NOT NULL REFERENCES trigger_events (id) ON DELETE CASCADE,
        subscription     TEXT NOT NULL,  -- no foreign key: delivered and failed rows stay as
                                         -- history when the subscription is deleted
        seq              INTEGER NOT NULL,
        grp              TEXT NOT NULL,
        status           TEXT NOT NULL,  -- pending, delivered, failed
        attempts         INTEGER NOT NULL,
        first_due        INTEGER NOT NULL,
        next_attempt_at  INTEGER,        -- pending ones
        claimed_until    INTEGER,        -- while a worker holds it
        last_at          INTEGER,
        last_status      INTEGER,
        last_error       TEXT,
        last_duration_ms INTEGER,
        PRIMARY KEY (event, subscription)
    ) STRICT;
    CREATE INDEX trigger_deliveries_pending
        ON trigger_deliveries (subscription, grp, seq) WHERE status = 'pending';
    CREATE INDEX trigger_deliveries_by_seq ON trigger_deliveries (seq);

    CREATE TABLE trigger_delivery_attempts (
        event        TEXT NOT NULL,
        subscription TEXT NOT NULL,
        n            INTEGER NOT NULL,  -- 1 for the first attempt
        at           INTEGER NOT NULL,
        status       INTEGER,           -- the app's HTTP status; NULL without a response
        error        TEXT,
        duration_ms  INTEGER NOT NULL,
        PRIMARY KEY (event, subscription, n),
        FOREIGN KEY (event, subscription)
            REFERENCES trigger_deliveries (event, subscription) ON DELETE CASCADE
    ) STRICT;
    ",
    // 6: poll claims (one server makes each poll), MCP protocol sessions.
    "
    ALTER TABLE trigger_instances ADD COLUMN poll_holder TEXT;
    ALTER TABLE trigger_instances ADD COLUMN poll_until INTEGER;

    CREATE TABLE mcp_sessions (
        id         TEXT PRIMARY KEY NOT NULL,   -- the Mcp-Session-Id the endpoint gave
        state      TEXT NOT NULL,               -- JSON, as the MCP library wrote it
        updated_at INTEGER NOT NULL
    ) STRICT;
    ",
];

/// The schema version this build writes: the number of scripts.
pub(super) const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Brings the database to [`SCHEMA_VERSION`]; an error when it is newer than that.
pub(super) fn migrate(conn: &mut Connection, path: &str) -> Result<(), StoreError> {
    let fail = |what: &str, e| db_error(path, what, e);
    if check_version(path, version(conn).map_err(|e| fail("read the schema version", e))?)? == SCHEMA_VERSION {
        return Ok(());
    }
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|e| fail("start the schema migration", e))?;
    // Read again under the write lock: another process may have migrated meanwhile.
    let current = check_version(path, version(&tx).map_err(|e| fail("read the schema version", e))?)?;
    for (i, script) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        tx.execute_batch(script).map_err(|e| fail(&format!("apply schema migration {}", i + 1), e))?;
    }
    tx.pragma_update(None, "user_version", SCHEMA_VERSION).map_err(|e| fail("set the schema version", e))?;
    tx.commit().map_err(|e| fail("commit the schema migration", e))
}

/// `PRAGMA user_version`.
pub(super) fn version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
}

fn check_version(path: &str, version: i64) -> Result<u32, StoreError> {
    match u32::try_from(version) {
        Ok(v) if v <= SCHEMA_VERSION => Ok(v),
        _ => Err(StoreError::Database {
            path: path.to_owned(),
            message: format!(
                "the database has schema version {version}, newer than this toolsmith knows \
                 ({SCHEMA_VERSION}): it was written by a newer release; upgrade toolsmith"
            ),
            source: None,
        }),
    }
}
