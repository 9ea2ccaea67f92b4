//! The embedded store: one SQLite file (WAL, so several processes share it), secrets
//! sealed with a [`KeyRing`].

mod context;
mod links;
mod mcp_sessions;
mod migrations;
mod outbox;
mod pool;
mod projects;
mod queries;
mod sessions;
mod subscriptions;
mod triggers;

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use rusqlite::{Connection, OptionalExtension};
use tokio::sync::watch;
use toolsmith_core::{ApiKeyId, AuthConfigId, ConnectedAccountId, LogId, ProjectId, SessionId, TriggerInstanceId};
use toolsmith_spec::ToolkitSlug;

use self::context::{db_error, Cx, BUSY_TIMEOUT};
use self::pool::{Pool, Turn};
use crate::crypto::LiveKeys;
use crate::{
    default_home, AccountFilter, ApiKey, AuthConfig, AuthConfigs, ConnectLink, ConnectLinks, ConnectedAccount,
    ConnectedAccounts, ExecutionLog, ExecutionLogs, Fact, KeyError, KeyId, KeyRing, KeyRotation, LogFilter, Project,
    Projects, RefreshLeases, SessionRecord, Sessions, StoreError, TriggerFilter, TriggerInstance, TriggerInstances,
    DEFAULT_PROJECT, SECRET_KEY_ENV,
};

/// A [`Store`](crate::Store) in a SQLite file: WAL journal (readers never wait for the
/// writer, several processes share the file), a 5-second busy timeout, foreign keys on,
/// `secure_delete` on (overwritten secrets do not linger in free pages), the schema
/// migrated on open.
///
/// Connected accounts' credentials (secret fields and OAuth 2.0 tokens) are sealed as one
/// value, and auth configs' client secrets each as one, with the [`KeyRing`]; each sealed
/// value is bound to its record's id. Times are stored as unix milliseconds, so they come
/// back rounded down to the millisecond.
///
/// Writes take turns on one writer connection; reads run on up to 4 read-only
/// connections, opened when first needed, so they never queue behind a write (an
/// in-memory store has the one connection only). A call waits for its turn without
/// holding a thread, then runs on tokio's blocking thread pool when there is a tokio
/// runtime (inline otherwise). Clones share the connections.
///
/// ```
/// use toolsmith_store::prelude::*;
/// use toolsmith_store::{KeyRing, SqliteStore};
///
/// # let dir = std::env::temp_dir().join(format!("toolsmith-doc-sqlite-{}", std::process::id()));
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let store = SqliteStore::open(dir.join("toolsmith.db"), KeyRing::generate()?)?;
/// assert!(store.auth_configs(None).await?.is_empty());
/// assert_eq!(store.reencrypt().await?, 0);
/// # Ok::<(), Box<dyn std::error::Error>>(()) }).unwrap();
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
#[derive(Clone)]
pub struct SqliteStore {
    shared: Arc<Shared>,
}

struct Shared {
    /// The file, for messages.
    path: String,
    pool: Pool,
    keys: LiveKeys,
    /// Bumped after each committed write to the connected accounts.
    account_changes: watch::Sender<u64>,
}

impl SqliteStore {
    /// The schema version this build writes (`PRAGMA user_version` of a migrated file).
    pub const SCHEMA_VERSION: u32 = migrations::SCHEMA_VERSION;

    /// Opens (or creates) the database at `path`, creating its folder (mode 0700) and the
    /// file (mode 0600) when missing, and migrates it. A file with a newer schema than
    /// this build knows is refused.
    pub fn open(path: impl AsRef<Path>, keys: KeyRing) -> Result<SqliteStore, StoreError> {
        let path = path.as_ref();
        let name = path.display().to_string();
        create_private(path, &name)?;
        let conn = Connection::open(path).map_err(|e| db_error(&name, "open the database", e))?;
        SqliteStore::setup(conn, Some(path.to_owned()), name, keys)
    }

    /// The deployment's store: `<home>/toolsmith.db` with the keys of
    /// [`KeyRing::load`], where home is [`default_home`] (`TOOLSMITH_HOME`, else
    /// `~/.toolsmith`).
    ///
    /// ```no_run
    /// let store = toolsmith_store::SqliteStore::open_default()?;
    /// println!("{store:?}");
    /// # Ok::<(), toolsmith_store::StoreError>(())
    /// ```
    pub fn open_default() -> Result<SqliteStore, StoreError> {
        let home = default_home().ok_or_else(|| StoreError::Database {
            path: "TOOLSMITH_HOME".to_owned(),
            message: "neither TOOLSMITH_HOME nor HOME is set; set TOOLSMITH_HOME to the folder for \
                      toolsmith's database and keys"
                .to_owned(),
            source: None,
        })?;
        let database = SqliteStore::default_path(&home);
        let key_file = KeyRing::key_file(&home);
        let from_env = std::env::var_os(SECRET_KEY_ENV).is_some_and(|v| !v.is_empty());
        if !from_env && !key_file.exists() && database.exists() {
            // Loading would create a new key, which cannot open what is already sealed.
            if let Some(id) = SqliteStore::sealed_key(&database)? {
                return Err(KeyError::KeyFileMissing {
                    path: key_file.display().to_string(),
                    database: database.display().to_string(),
                    id,
                }
                .into());
            }
        }
        let keys = KeyRing::load(&home)?;
        SqliteStore::open(database, keys)
    }

    /// The key that sealed one of the secrets of the database file `path`, read without
    /// keys; `None` when it holds none.
    fn sealed_key(path: &Path) -> Result<Option<KeyId>, StoreError> {
        let name = path.display().to_string();
        let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| db_error(&name, "open the database", e))?;
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('auth_configs', 'connected_accounts')",
                [],
                |row| row.get(0),
            )
            .map_err(|e| db_error(&name, "read the schema", e))?;
        if tables < 2 {
            return Ok(None);
        }
        let sealed: Option<String> = conn
            .query_row(
                "SELECT credentials FROM connected_accounts UNION ALL \
                 SELECT client_secret FROM auth_configs WHERE client_secret IS NOT NULL LIMIT 1",
                [],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| db_error(&name, "look for sealed secrets", e))?;
        Ok(sealed.and_then(|value| KeyRing::sealed_key_id(&value).ok()))
    }

    /// The schema version of the database file `path` (`PRAGMA user_version`), read
    /// without migrating it; `None` when there is no file yet. Compare it with
    /// [`SCHEMA_VERSION`](SqliteStore::SCHEMA_VERSION): opening the file migrates it.
    ///
    /// ```
    /// # let dir = std::env::temp_dir().join(format!("toolsmith-doc-version-{}", std::process::id()));
    /// use toolsmith_store::{KeyRing, SqliteStore};
    /// let path = SqliteStore::default_path(&dir);
    /// assert_eq!(SqliteStore::file_schema_version(&path)?, None);
    /// drop(SqliteStore::open(&path, KeyRing::generate()?)?);
    /// assert_eq!(SqliteStore::file_schema_version(&path)?, Some(SqliteStore::SCHEMA_VERSION));
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn file_schema_version(path: &Path) -> Result<Option<u32>, StoreError> {
        if !path.exists() {
            return Ok(None);
        }
        let name = path.display().to_string();
        let flags = rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| db_error(&name, "open the database", e))?;
        let version = migrations::version(&conn).map_err(|e| db_error(&name, "read the schema version", e))?;
        u32::try_from(version).map(Some).map_err(|_| StoreError::Database {
            path: name,
            message: format!("the schema version is {version}, which no toolsmith writes: the file is not toolsmith's"),
            source: None,
        })
    }

    /// The database file of a home folder: `<home>/toolsmith.db`.
    ///
    /// ```
    /// let path = toolsmith_store::SqliteStore::default_path(std::path::Path::new("/srv/toolsmith"));
    /// assert_eq!(path, std::path::Path::new("/srv/toolsmith/toolsmith.db"));
    /// ```
    pub fn default_path(home: &Path) -> PathBuf {
        home.join("toolsmith.db")
    }

    /// The store of a project's records: the default project ([`DEFAULT_PROJECT`]) keeps
    /// them in the home's main store ([`default_path`](SqliteStore::default_path), the
    /// file [`open_default`](SqliteStore::open_default) opens), any other project in
    /// [`project_path`](SqliteStore::project_path) (its folder created with mode 0700).
    /// The projects themselves are the main store's
    /// ([`ensure_default_project`](SqliteStore::ensure_default_project)).
    ///
    /// ```
    /// use toolsmith_store::prelude::*;
    /// use toolsmith_store::{KeyRing, Project, SqliteStore};
    ///
    /// # let home = std::env::temp_dir().join(format!("toolsmith-doc-open-project-{}", std::process::id()));
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// let keys = KeyRing::generate()?;
    /// let main = SqliteStore::open(SqliteStore::default_path(&home), keys.clone())?;
    /// let default = main.ensure_default_project().await?;
    /// let acme = Project { id: toolsmith_core::ProjectId::generate(), name: "acme".into(), created_at: std::time::SystemTime::now() };
    /// main.put_project(&acme).await?;
    ///
    /// let acme_store = SqliteStore::open_project(&home, &acme, keys.clone())?;
    /// assert!(SqliteStore::project_path(&home, &acme).exists());
    /// assert!(acme_store.auth_configs(None).await?.is_empty());
    /// // The default project's records are the main store's.
    /// let default_store = SqliteStore::open_project(&home, &default, keys)?;
    /// assert_eq!(SqliteStore::project_path(&home, &default), SqliteStore::default_path(&home));
    /// assert_eq!(default_store.projects().await?.len(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(()) }).unwrap();
    /// # std::fs::remove_dir_all(&home).unwrap();
    /// ```
    pub fn open_project(home: &Path, project: &Project, keys: KeyRing) -> Result<SqliteStore, StoreError> {
        SqliteStore::open(SqliteStore::project_path(home, project), keys)
    }

    /// The database file of a project's records: the main store's
    /// ([`default_path`](SqliteStore::default_path)) for the default project,
    /// `<home>/projects/<project id>.db` for any other.
    ///
    /// ```
    /// use std::path::Path;
    /// use toolsmith_store::{Project, SqliteStore};
    ///
    /// let id: toolsmith_core::ProjectId = "prj_acme".parse()?;
    /// let acme = Project { id, name: "acme".into(), created_at: std::time::SystemTime::now() };
    /// let path = SqliteStore::project_path(Path::new("/srv/toolsmith"), &acme);
    /// assert_eq!(path, Path::new("/srv/toolsmith/projects/prj_acme.db"));
    /// # Ok::<(), toolsmith_core::IdError>(())
    /// ```
    pub fn project_path(home: &Path, project: &Project) -> PathBuf {
        if project.name == DEFAULT_PROJECT {
            SqliteStore::default_path(home)
        } else {
            // A `ProjectId` is its prefix and letters, digits, `-` and `_`: a file name.
            home.join("projects").join(format!("{}.db", project.id))
        }
    }

    /// The project named `name`, created (with a new id, now) when there is none. Of
    /// concurrent callers, in this process or others, one creates it and all get the
    /// same project.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// use toolsmith_store::{KeyRing, SqliteStore};
    /// let store = SqliteStore::in_memory(KeyRing::generate()?)?;
    /// let acme = store.ensure_project("acme").await?;
    /// assert_eq!(store.ensure_project("acme").await?, acme);
    /// # Ok::<(), Box<dyn std::error::Error>>(()) }).unwrap();
    /// ```
    pub async fn ensure_project(&self, name: &str) -> Result<Project, StoreError> {
        let new = Project { id: ProjectId::generate(), name: name.to_owned(), created_at: SystemTime::now() };
        self.write(move |conn, cx| projects::ensure_project(conn, cx, &new)).await
    }

    /// The default project ([`DEFAULT_PROJECT`]), created on the first call: call it on
    /// the home's main store. Idempotent; concurrent callers get the same project.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// use toolsmith_store::{KeyRing, Projects, SqliteStore, DEFAULT_PROJECT};
    /// let store = SqliteStore::in_memory(KeyRing::generate()?)?;
    /// let default = store.ensure_default_project().await?;
    /// assert_eq!(default.name, DEFAULT_PROJECT);
    /// assert_eq!(store.ensure_default_project().await?, default);
    /// assert_eq!(store.projects().await?, [default]);
    /// # Ok::<(), Box<dyn std::error::Error>>(()) }).unwrap();
    /// ```
    pub async fn ensure_default_project(&self) -> Result<Project, StoreError> {
        self.ensure_project(DEFAULT_PROJECT).await
    }

    /// A store in memory, gone when dropped (tests, one-off runs).
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// use toolsmith_store::{ExecutionLogs, KeyRing, SqliteStore};
    /// let store = SqliteStore::in_memory(KeyRing::generate()?)?;
    /// assert!(store.logs(&Default::default()).await?.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(()) }).unwrap();
    /// ```
    pub fn in_memory(keys: KeyRing) -> Result<SqliteStore, StoreError> {
        let name = ":memory:".to_owned();
        let conn = Connection::open_in_memory().map_err(|e| db_error(&name, "open an in-memory database", e))?;
        SqliteStore::setup(conn, None, name, keys)
    }

    /// Moves every change from the write-ahead log into the database file and empties the
    /// log: run before copying the file for a backup.
    ///
    /// ```
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # let store = toolsmith_store::SqliteStore::in_memory(toolsmith_store::KeyRing::generate()?)?;
    /// store.checkpoint().await?;
    /// # Ok::<(), Box<dyn std::error::Error>>(()) }).unwrap();
    /// ```
    pub async fn checkpoint(&self) -> Result<(), StoreError> {
        self.write(|conn, cx| {
            conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| row.get::<_, i64>(0))
                .map_err(|e| cx.db("checkpoint the write-ahead log", e))
                .and_then(|busy| match busy {
                    0 => Ok(()),
                    _ => Err(StoreError::Busy {
                        path: cx.path.to_owned(),
                        message: "could not checkpoint the write-ahead log: another connection is \
                                  reading or writing; try again"
                            .to_owned(),
                        source: None,
                    }),
                })
        })
        .await
    }

    /// Sets up and migrates the writer connection; `file` is where read connections
    /// open, `None` in memory.
    fn setup(
        mut conn: Connection,
        file: Option<PathBuf>,
        name: String,
        keys: KeyRing,
    ) -> Result<SqliteStore, StoreError> {
        let fail = |what: &str, e| db_error(&name, what, e);
        conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| fail("set the busy timeout", e))?;
        enable_wal(&conn, &name)?;
        for (pragma, value) in [("foreign_keys", "ON"), ("synchronous", "NORMAL"), ("secure_delete", "ON")] {
            conn.pragma_update(None, pragma, value).map_err(|e| fail(&format!("set {pragma}"), e))?;
        }
        migrations::migrate(&mut conn, &name)?;
        let shared = Shared {
            path: name,
            pool: Pool::new(conn, file),
            keys: LiveKeys::new(keys),
            account_changes: watch::Sender::new(0),
        };
        Ok(SqliteStore { shared: Arc::new(shared) })
    }

    /// Runs `f` on the writer connection, when it is free.
    async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection, &Cx<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        let turn = self.shared.pool.write_turn().await;
        self.run(turn, f).await
    }

    /// Runs `f` on a read connection, when one is free; `f` must not write.
    async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection, &Cx<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        let turn = self.shared.pool.read_turn().await;
        self.run(turn, f).await
    }

    /// Runs `f` in its turn: on tokio's blocking pool inside a tokio runtime (a call may
    /// wait up to the busy timeout for another process), inline otherwise.
    async fn run<T, F>(&self, turn: Turn, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection, &Cx<'_>) -> Result<T, StoreError> + Send + 'static,
    {
        let shared = Arc::clone(&self.shared);
        let job = move || turn.run(&shared.path, |conn| f(conn, &shared.cx()));
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => runtime.spawn_blocking(job).await.map_err(|e| StoreError::Database {
                path: self.shared.path.clone(),
                message: if e.is_panic() {
                    "a store operation panicked; the transaction was rolled back".to_owned()
                } else {
                    "the runtime shut down during a store operation".to_owned()
                },
                source: Some(Box::new(e)),
            })?,
            Err(_) => job(),
        }
    }
}

impl Shared {
    fn cx(&self) -> Cx<'_> {
        Cx { path: &self.path, keys: &self.keys }
    }
}

impl SqliteStore {
    /// Tells [`account_changes`](ConnectedAccounts::account_changes) receivers that the
    /// accounts changed; call after the write committed.
    fn accounts_changed(&self) {
        self.shared.account_changes.send_modify(|count| *count = count.wrapping_add(1));
    }
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore").field("path", &self.shared.path).field("keys", &self.shared.keys).finish()
    }
}

/// Switches the database to WAL. A new file starts in rollback-journal mode, where SQLite
/// answers "busy" at once, without waiting, when two connections would otherwise
/// deadlock (as processes opening a new file together do): the switch is retried for up
/// to the busy timeout.
fn enable_wal(conn: &Connection, name: &str) -> Result<(), StoreError> {
    let deadline = Instant::now() + BUSY_TIMEOUT;
    loop {
        // `journal_mode` answers with the mode in force ("memory" for an in-memory file).
        let switched = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get::<_, String>(0));
        match switched.map_err(|e| db_error(name, "switch to WAL journal mode", e)) {
            Err(e) if e.is_retryable() && Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
            other => return other.map(drop),
        }
    }
}

/// Creates the database's folder (0700) and file (0600) when missing, so that the file
/// and the WAL files SQLite creates beside it (with the file's mode) are private.
fn create_private(path: &Path, name: &str) -> Result<(), StoreError> {
    let fail = |message: String, e: std::io::Error| StoreError::Database {
        path: name.to_owned(),
        message: format!("{message}: {e}"),
        source: Some(Box::new(e)),
    };
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty() && !p.exists()) {
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(folder).map_err(|e| fail(format!("could not create the folder {}", folder.display()), e))?;
    }
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(fail("could not create the database file".to_owned(), e)),
    }
}

#[async_trait::async_trait]
impl AuthConfigs for SqliteStore {
    async fn put_auth_config(&self, config: &AuthConfig) -> Result<(), StoreError> {
        let config = config.clone();
        self.write(move |conn, cx| queries::put_auth_config(conn, cx, &config)).await
    }

    async fn auth_config(&self, id: &AuthConfigId) -> Result<Option<AuthConfig>, StoreError> {
        let id = id.clone();
        self.read(move |conn, cx| queries::auth_config(conn, cx, &id)).await
    }

    async fn auth_configs(&self, toolkit: Option<&ToolkitSlug>) -> Result<Vec<AuthConfig>, StoreError> {
        let toolkit = toolkit.cloned();
        self.read(move |conn, cx| queries::auth_configs(conn, cx, toolkit.as_ref())).await
    }

    async fn delete_auth_config(&self, id: &AuthConfigId) -> Result<bool, StoreError> {
        let id = id.clone();
        self.write(move |conn, cx| queries::delete_auth_config(conn, cx, &id)).await
    }
}

#[async_trait::async_trait]
impl ConnectedAccounts for SqliteStore {
    async fn put_account(&self, account: &ConnectedAccount) -> Result<(), StoreError> {
        let account = account.clone();
        self.write(move |conn, cx| queries::put_account(conn, cx, &account)).await?;
        self.accounts_changed();
        Ok(())
    }

    async fn account(&self, id: &ConnectedAccountId) -> Result<Option<ConnectedAccount>, StoreError> {
        let id = id.clone();
        self.read(move |conn, cx| queries::account(conn, cx, &id)).await
    }

    async fn accounts(&self, filter: &AccountFilter) -> Result<Vec<ConnectedAccount>, StoreError> {
        let filter = filter.clone();
        self.read(move |conn, cx| queries::accounts(conn, cx, &filter)).await
    }

    async fn delete_account(&self, id: &ConnectedAccountId) -> Result<bool, StoreError> {
        let id = id.clone();
        let deleted = self.write(move |conn, cx| queries::delete_account(conn, cx, &id)).await?;
        if deleted {
            self.accounts_changed();
        }
        Ok(deleted)
    }

    fn account_changes(&self) -> watch::Receiver<u64> {
        self.shared.account_changes.subscribe()
    }
}

#[async_trait::async_trait]
impl RefreshLeases for SqliteStore {
    async fn try_lock_refresh(&self, id: &ConnectedAccountId, holder: &str, ttl: Duration) -> Result<bool, StoreError> {
        let (id, holder) = (id.clone(), holder.to_owned());
        self.write(move |conn, cx| queries::try_lock_refresh(conn, cx, &id, &holder, ttl)).await
    }

    async fn finish_refresh(
        &self,
        id: &ConnectedAccountId,
        holder: &str,
        account: Option<&ConnectedAccount>,
    ) -> Result<(), StoreError> {
        let (id, holder, account) = (id.clone(), holder.to_owned(), account.cloned());
        let wrote = account.is_some();
        self.write(move |conn, cx| queries::finish_refresh(conn, cx, &id, &holder, account.as_ref())).await?;
        if wrote {
            self.accounts_changed();
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl ExecutionLogs for SqliteStore {
    async fn put_log(&self, entry: &ExecutionLog) -> Result<(), StoreError> {
        let entry = entry.clone();
        self.write(move |conn, cx| queries::put_log(conn, cx, &entry)).await
    }

    async fn put_logs(&self, entries: &[ExecutionLog]) -> Result<(), StoreError> {
        let entries = entries.to_vec();
        self.write(move |conn, cx| {
            let tx = conn.transaction().map_err(|e| cx.db("begin a transaction".to_owned(), e))?;
            for entry in &entries {
                queries::put_log(&tx, cx, entry)?;
            }
            tx.commit().map_err(|e| cx.db("commit the execution logs".to_owned(), e))
        })
        .await
    }

    async fn log(&self, id: &LogId) -> Result<Option<ExecutionLog>, StoreError> {
        let id = id.clone();
        self.read(move |conn, cx| queries::log(conn, cx, &id)).await
    }

    async fn logs(&self, filter: &LogFilter) -> Result<Vec<ExecutionLog>, StoreError> {
        let filter = filter.clone();
        self.read(move |conn, cx| queries::logs(conn, cx, &filter)).await
    }
}

#[async_trait::async_trait]
impl Sessions for SqliteStore {
    async fn put_session(&self, session: &SessionRecord) -> Result<(), StoreError> {
        let session = session.clone();
        self.write(move |conn, cx| sessions::put_session(conn, cx, &session)).await
    }

    async fn session(&self, id: &SessionId) -> Result<Option<SessionRecord>, StoreError> {
        let id = id.clone();
        self.read(move |conn, cx| sessions::session(conn, cx, &id)).await
    }

    async fn delete_session(&self, id: &SessionId) -> Result<bool, StoreError> {
        let id = id.clone();
        self.write(move |conn, cx| sessions::delete_session(conn, cx, &id)).await
    }

    async fn remember(&self, id: &SessionId, facts: &[Fact]) -> Result<(), StoreError> {
        let (id, facts) = (id.clone(), facts.to_vec());
        self.write(move |conn, cx| sessions::remember(conn, cx, &id, &facts)).await
    }

    async fn memory(&self, id: &SessionId) -> Result<Vec<Fact>, StoreError> {
        let id = id.clone();
        self.read(move |conn, cx| sessions::memory(conn, cx, &id)).await
    }
}

#[async_trait::async_trait]
impl ConnectLinks for SqliteStore {
    async fn put_link(&self, link: &ConnectLink) -> Result<(), StoreError> {
        let link = link.clone();
        self.write(move |conn, cx| links::put_link(conn, cx, &link)).await
    }

    async fn link(&self, token_hash: &str) -> Result<Option<ConnectLink>, StoreError> {
        let token_hash = token_hash.to_owned();
        self.read(move |conn, cx| links::link(conn, cx, &token_hash)).await
    }

    async fn consume_link(&self, token_hash: &str, now: SystemTime) -> Result<Option<ConnectLink>, StoreError> {
        let token_hash = token_hash.to_owned();
        self.write(move |conn, cx| links::consume_link(conn, cx, &token_hash, now)).await
    }

    async fn links_of(&self, account: &ConnectedAccountId) -> Result<Vec<ConnectLink>, StoreError> {
        let account = account.clone();
        self.read(move |conn, cx| links::links_of(conn, cx, &account)).await
    }
}

#[async_trait::async_trait]
impl Projects for SqliteStore {
    async fn put_project(&self, project: &Project) -> Result<(), StoreError> {
        let project = project.clone();
        self.write(move |conn, cx| projects::put_project(conn, cx, &project)).await
    }

    async fn project(&self, id: &ProjectId) -> Result<Option<Project>, StoreError> {
        let id = id.clone();
        self.read(move |conn, cx| projects::project(conn, cx, &id)).await
    }

    async fn project_named(&self, name: &str) -> Result<Option<Project>, StoreError> {
        let name = name.to_owned();
        self.read(move |conn, cx| projects::project_named(conn, cx, &name)).await
    }

    async fn projects(&self) -> Result<Vec<Project>, StoreError> {
        self.read(projects::projects).await
    }

    async fn put_api_key(&self, key: &ApiKey) -> Result<(), StoreError> {
        let key = key.clone();
        self.write(move |conn, cx| projects::put_api_key(conn, cx, &key)).await
    }

    async fn api_key_by_hash(&self, key_hash: &str) -> Result<Option<ApiKey>, StoreError> {
        let key_hash = key_hash.to_owned();
        self.read(move |conn, cx| projects::api_key_by_hash(conn, cx, &key_hash)).await
    }

    async fn api_keys(&self, project: Option<&ProjectId>) -> Result<Vec<ApiKey>, StoreError> {
        let project = project.cloned();
        self.read(move |conn, cx| projects::api_keys(conn, cx, project.as_ref())).await
    }

    async fn revoke_api_key(&self, id: &ApiKeyId, at: SystemTime) -> Result<bool, StoreError> {
        let id = id.clone();
        self.write(move |conn, cx| projects::revoke_api_key(conn, cx, &id, at)).await
    }
}

#[async_trait::async_trait]
impl TriggerInstances for SqliteStore {
    async fn upsert_trigger_instance(&self, instance: &TriggerInstance) -> Result<TriggerInstance, StoreError> {
        let instance = instance.clone();
        self.write(move |conn, cx| triggers::upsert(conn, cx, &instance)).await
    }

    async fn trigger_instance(&self, id: &TriggerInstanceId) -> Result<Option<TriggerInstance>, StoreError> {
        let id = id.clone();
        self.read(move |conn, cx| triggers::instance(conn, cx, &id)).await
    }

    async fn trigger_instances(&self, filter: &TriggerFilter) -> Result<Vec<TriggerInstance>, StoreError> {
        let filter = filter.clone();
        self.read(move |conn, cx| triggers::instances(conn, cx, &filter)).await
    }

    async fn set_trigger_enabled(
        &self,
        id: &TriggerInstanceId,
        enabled: bool,
        at: SystemTime,
    ) -> Result<bool, StoreError> {
        let id = id.clone();
        self.write(move |conn, cx| triggers::set_enabled(conn, cx, &id, enabled, at)).await
    }

    async fn delete_trigger_instance(&self, id: &TriggerInstanceId) -> Result<bool, StoreError> {
        let id = id.clone();
        self.write(move |conn, cx| triggers::delete(conn, cx, &id)).await
    }

    async fn claim_poll(
        &self,
        id: &TriggerInstanceId,
        holder: &str,
        now: SystemTime,
        until: SystemTime,
    ) -> Result<bool, StoreError> {
        let (id, holder) = (id.clone(), holder.to_owned());
        self.write(move |conn, cx| triggers::claim_poll(conn, cx, &id, &holder, now, until)).await
    }
}

#[async_trait::async_trait]
impl KeyRotation for SqliteStore {
    fn keys(&self) -> Result<KeyRing, StoreError> {
        Ok(self.shared.keys.ring())
    }

    async fn reencrypt(&self) -> Result<usize, StoreError> {
        self.write(|conn, cx| {
            let ring = cx.keys.fresh()?;
            queries::reencrypt(conn, cx, &ring)
        })
        .await
    }

    async fn sealed_keys(&self) -> Result<std::collections::BTreeMap<KeyId, usize>, StoreError> {
        self.read(queries::sealed_keys).await
    }
}
