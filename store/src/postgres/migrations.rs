//! The PostgreSQL schema: an ordered list of SQL scripts, the same tables as the SQLite
//! backend's with a `project` column on every table of a project's records (one database
//! holds every project; SQLite has a file per project).
//!
//! `toolsmith_schema` records each applied script. The missing ones run in one
//! transaction that first takes a transaction-level advisory lock, so servers starting
//! together against a new database migrate it once: the others wait for the lock, then
//! find nothing left to do. Scripts are append-only: a released script is never edited,
//! a change is a new script.
//!
//! Times are unix milliseconds (`bigint`), JSON is `text` (kept byte for byte, as
//! delivered and signed), sealed values are the key ring's text: the rows are the SQLite
//! backend's, so moving a deployment from one to the other is a plain copy of rows.

use std::time::SystemTime;

use sqlx::{PgPool, Row};

use super::context::db_error;
use crate::rows::{from_ms, to_ms};
use crate::StoreError;

/// The advisory lock key migrations hold (`toolsmith` in ASCII, as a number).
const MIGRATION_LOCK: i64 = 0x746f_6f6c_736d_6974;

/// The schema scripts, oldest first; script `i` brings the schema to version `i + 1`.
pub(super) const MIGRATIONS: &[(&str, &str)] = &[(
    "auth configs, accounts, leases, logs, sessions, links, projects, keys, triggers, outbox, MCP sessions",
    "
    CREATE TABLE projects (
        id         text PRIMARY KEY,
        name       text NOT NULL UNIQUE,
        created_at bigint NOT NULL,
        seq        bigserial NOT NULL     -- insertion order, for ties (SQLite's rowid)
    );

    CREATE TABLE api_keys (
        id         text PRIMARY KEY,
        project    text NOT NULL REFERENCES projects (id) ON DELETE RESTRICT,
        name       text,
        key_hash   text NOT NULL UNIQUE,   -- SHA-256 of the key; the key is never stored
        prefix     text NOT NULL,
        created_at bigint NOT NULL,
        revoked_at bigint,
        seq        bigserial NOT NULL
    );
    CREATE INDEX api_keys_by_project ON api_keys (project, created_at);

    CREATE TABLE mcp_sessions (
        id         text PRIMARY KEY,       -- the Mcp-Session-Id the endpoint gave
        state      text NOT NULL,          -- JSON, as the MCP library wrote it
        updated_at bigint NOT NULL
    );

    -- A project's records. Ids are random and unique across projects; every query
    -- names its project as well.
    CREATE TABLE auth_configs (
        id            text PRIMARY KEY,
        project       text NOT NULL,
        toolkit       text NOT NULL,
        name          text NOT NULL,
        scheme        text NOT NULL,
        client_id     text,
        client_secret text,                -- sealed with the key ring, bound to the id
        scopes        text NOT NULL,       -- JSON array of strings
        disabled      boolean NOT NULL,
        created_at    bigint NOT NULL,
        seq           bigserial NOT NULL
    );
    CREATE INDEX auth_configs_by_toolkit ON auth_configs (project, toolkit, created_at);

    CREATE TABLE connected_accounts (
        id            text PRIMARY KEY,
        project       text NOT NULL,
        user_id       text NOT NULL,
        toolkit       text NOT NULL,
        auth_config   text NOT NULL REFERENCES auth_configs (id) ON DELETE RESTRICT,
        status        text NOT NULL,
        status_reason text,
        alias         text,
        fields        text NOT NULL,       -- JSON object of the non-secret fields
        credentials   text NOT NULL,       -- sealed JSON of secrets and OAuth 2.0 tokens, bound to the id
        created_at    bigint NOT NULL,
        updated_at    bigint NOT NULL,
        seq           bigserial NOT NULL
    );
    CREATE UNIQUE INDEX connected_accounts_alias
        ON connected_accounts (project, user_id, toolkit, alias) WHERE alias IS NOT NULL;
    CREATE INDEX connected_accounts_by_user ON connected_accounts (project, user_id, toolkit, created_at);
    CREATE INDEX connected_accounts_by_auth_config ON connected_accounts (auth_config);

    -- Taken with one INSERT … ON CONFLICT DO UPDATE … WHERE (free, expired or mine), so
    -- one server of the cluster refreshes an account's tokens at a time.
    CREATE TABLE refresh_leases (
        account    text PRIMARY KEY REFERENCES connected_accounts (id) ON DELETE CASCADE,
        holder     text NOT NULL,
        expires_at bigint NOT NULL
    );

    CREATE TABLE execution_logs (
        id          text PRIMARY KEY,
        project     text NOT NULL,
        tool        text NOT NULL,
        user_id     text NOT NULL,
        account     text,                  -- no foreign key: logs outlive accounts
        status      integer,
        successful  boolean NOT NULL,
        error       text,
        attempts    integer NOT NULL,
        duration_ms bigint NOT NULL,
        started_at  bigint NOT NULL,
        seq         bigserial NOT NULL
    );
    CREATE INDEX execution_logs_by_user ON execution_logs (project, user_id, started_at);
    CREATE INDEX execution_logs_by_tool ON execution_logs (project, tool, started_at);
    CREATE INDEX execution_logs_by_start ON execution_logs (project, started_at);

    CREATE TABLE sessions (
        id         text PRIMARY KEY,
        project    text NOT NULL,
        user_id    text NOT NULL,
        config     text NOT NULL,          -- JSON, as the session crate wrote it
        created_at bigint NOT NULL
    );
    CREATE INDEX sessions_by_user ON sessions (project, user_id, created_at);

    CREATE TABLE session_memory (
        session    text NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        key        text NOT NULL,
        value      text NOT NULL,
        source     text NOT NULL,
        updated_at bigint NOT NULL,
        seq        bigserial NOT NULL,
        PRIMARY KEY (session, key)
    );

    CREATE TABLE connect_links (
        token_hash   text PRIMARY KEY,     -- SHA-256 of the token; the token is never stored
        project      text NOT NULL,
        account      text NOT NULL REFERENCES connected_accounts (id) ON DELETE CASCADE,
        user_id      text NOT NULL,
        toolkit      text NOT NULL,
        auth_config  text NOT NULL,
        session      text,                 -- no foreign key: links outlive sessions
        callback_url text,
        created_at   bigint NOT NULL,
        expires_at   bigint NOT NULL,
        used_at      bigint,
        seq          bigserial NOT NULL
    );
    CREATE INDEX connect_links_by_account ON connect_links (account, created_at);

    CREATE TABLE trigger_instances (
        id          text PRIMARY KEY,
        project     text NOT NULL,
        trigger     text NOT NULL,
        toolkit     text NOT NULL,
        user_id     text NOT NULL,
        account     text REFERENCES connected_accounts (id) ON DELETE CASCADE,
        auth_config text,
        identity    text NOT NULL,         -- trigger, account or user, sorted non-secret config
        config      text NOT NULL,         -- JSON object of the non-secret configuration
        secrets     text,                  -- sealed JSON of the secret configuration, bound to the id
        enabled     boolean NOT NULL,
        state       text NOT NULL,         -- JSON
        created_at  bigint NOT NULL,
        updated_at  bigint NOT NULL,
        poll_holder text,                  -- the server that claimed the next poll
        poll_until  bigint,                -- until when
        seq         bigserial NOT NULL,
        UNIQUE (project, identity)
    );
    CREATE INDEX trigger_instances_by_account ON trigger_instances (account);
    CREATE INDEX trigger_instances_by_created ON trigger_instances (project, created_at);

    CREATE TABLE trigger_events (
        seq        bigserial PRIMARY KEY,  -- never reused
        id         text NOT NULL UNIQUE,
        project    text NOT NULL,
        type       text NOT NULL,
        instance   text,                   -- no foreign key: an event outlives its instance;
                                           -- NULL for an event of the project
        dedupe_key text,
        envelope   text NOT NULL,          -- JSON, the body delivered
        created_at bigint NOT NULL
    );
    -- An instance's events are unique by key; the project's own events (no instance) too.
    CREATE UNIQUE INDEX trigger_events_dedupe
        ON trigger_events (project, coalesce(instance, ''), dedupe_key) WHERE dedupe_key IS NOT NULL;
    CREATE INDEX trigger_events_by_project ON trigger_events (project, seq);

    CREATE TABLE webhook_subscriptions (
        id             text PRIMARY KEY,
        project        text NOT NULL UNIQUE,   -- one per project
        url            text NOT NULL,
        secret         text NOT NULL,      -- sealed with the key ring, bound to the id
        version        text NOT NULL,
        enabled_events text NOT NULL,      -- JSON array of event types
        created_at     bigint NOT NULL,
        updated_at     bigint NOT NULL
    );

    -- The outbox: one row per event and subscription, claimed with
    -- FOR UPDATE SKIP LOCKED so each delivery is made by one server. `seq` and `grp` (the
    -- event's instance, '' for none) are the event's, copied for the claim's ordering.
    CREATE TABLE trigger_deliveries (
        event            text NOT NULL REFERENCES trigger_events (id) ON DELETE CASCADE,
        subscription     text NOT NULL,    -- no foreign key: history outlives the subscription
        project          text NOT NULL,
        seq              bigint NOT NULL,
        grp              text NOT NULL,
        status           text NOT NULL,    -- pending, delivered, failed
        attempts         integer NOT NULL,
        first_due        bigint NOT NULL,
        next_attempt_at  bigint,           -- pending ones
        claimed_until    bigint,           -- while a server holds it
        last_at          bigint,
        last_status      integer,
        last_error       text,
        last_duration_ms bigint,
        PRIMARY KEY (event, subscription)
    );
    CREATE INDEX trigger_deliveries_pending
        ON trigger_deliveries (project, subscription, grp, seq) WHERE status = 'pending';
    CREATE INDEX trigger_deliveries_by_seq ON trigger_deliveries (project, seq);

    CREATE TABLE trigger_delivery_attempts (
        event        text NOT NULL,
        subscription text NOT NULL,
        n            integer NOT NULL,     -- 1 for the first attempt
        at           bigint NOT NULL,
        status       integer,              -- the app's HTTP status; NULL without a response
        error        text,
        duration_ms  bigint NOT NULL,
        PRIMARY KEY (event, subscription, n),
        FOREIGN KEY (event, subscription)
            REFERENCES trigger_deliveries (event, subscription) ON DELETE CASCADE
    );
    ",
)];

/// The schema version this build writes: the number of scripts.
pub(super) const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// The schema of a database: which scripts were applied, when, and which are missing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaStatus {
    /// The scripts applied: version, what it made, when it was applied.
    pub applied: Vec<(u32, String, SystemTime)>,
    /// The version this build writes ([`PgStore::SCHEMA_VERSION`](super::PgStore::SCHEMA_VERSION)).
    pub latest: u32,
}

impl SchemaStatus {
    /// The database's version: its last applied script (0 for a new database).
    pub fn current(&self) -> u32 {
        self.applied.last().map_or(0, |(version, _, _)| *version)
    }

    /// The versions this build would apply.
    pub fn pending(&self) -> std::ops::RangeInclusive<u32> {
        self.current() + 1..=self.latest
    }
}

const CREATE_SCHEMA_TABLE: &str = "CREATE TABLE IF NOT EXISTS toolsmith_schema (
    version     integer PRIMARY KEY,
    description text NOT NULL,
    applied_at  bigint NOT NULL
)";

/// Brings the database to [`SCHEMA_VERSION`]; returns the versions it applied. An error
/// when the database is newer than this build.
pub(super) async fn migrate(pool: &PgPool, name: &str) -> Result<Vec<u32>, StoreError> {
    let fail = |what: &str, e| db_error(name, what, e);
    let mut tx = pool.begin().await.map_err(|e| fail("start the schema migration", e))?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut *tx)
        .await
        .map_err(|e| fail("wait for the schema migration lock", e))?;
    sqlx::query(CREATE_SCHEMA_TABLE).execute(&mut *tx).await.map_err(|e| fail("create the schema table", e))?;
    let current: Option<i32> = sqlx::query_scalar("SELECT max(version) FROM toolsmith_schema")
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| fail("read the schema version", e))?;
    let current = check_version(name, i64::from(current.unwrap_or(0)))?;
    let mut applied = Vec::new();
    for (i, (description, script)) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let version = i as u32 + 1;
        sqlx::raw_sql(sqlx::AssertSqlSafe(*script))
            .execute(&mut *tx)
            .await
            .map_err(|e| fail(&format!("apply schema migration {version}"), e))?;
        sqlx::query("INSERT INTO toolsmith_schema (version, description, applied_at) VALUES ($1, $2, $3)")
            .bind(version as i32)
            .bind(*description)
            .bind(to_ms(SystemTime::now()))
            .execute(&mut *tx)
            .await
            .map_err(|e| fail(&format!("record schema migration {version}"), e))?;
        applied.push(version);
    }
    tx.commit().await.map_err(|e| fail("commit the schema migration", e))?;
    Ok(applied)
}

/// The schema of the database, read without changing it.
pub(super) async fn status(pool: &PgPool, name: &str) -> Result<SchemaStatus, StoreError> {
    let fail = |what: &str, e| db_error(name, what, e);
    let exists: Option<String> = sqlx::query_scalar("SELECT to_regclass('toolsmith_schema')::text")
        .fetch_one(pool)
        .await
        .map_err(|e| fail("look for the schema table", e))?;
    let mut applied = Vec::new();
    if exists.is_some() {
        let rows = sqlx::query("SELECT version, description, applied_at FROM toolsmith_schema ORDER BY version")
            .fetch_all(pool)
            .await
            .map_err(|e| fail("read the schema versions", e))?;
        for row in rows {
            let version: i32 = row.get(0);
            check_version(name, i64::from(version))?;
            applied.push((version as u32, row.get(1), from_ms(row.get(2))));
        }
    }
    Ok(SchemaStatus { applied, latest: SCHEMA_VERSION })
}

fn check_version(name: &str, version: i64) -> Result<u32, StoreError> {
    match u32::try_from(version) {
        Ok(v) if v <= SCHEMA_VERSION => Ok(v),
        _ => Err(StoreError::Database {
            path: name.to_owned(),
            message: format!(
                "the database has schema version {version}, newer than this toolsmith knows \
                 ({SCHEMA_VERSION}): it was written by a newer release; upgrade toolsmith"
            ),
            source: None,
        }),
    }
}
