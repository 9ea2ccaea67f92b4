//! [`PgCluster`]: a throwaway PostgreSQL server for tests (features `conformance` and
//! `postgres`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

use sqlx::{Connection, PgConnection};

/// A PostgreSQL server of this test process: `initdb` in a new folder, started on a free
/// port of 127.0.0.1 with `fsync` off, and stopped (its folder removed) by a watchdog
/// when the process ends, however it ends. As root it runs as the `postgres` user, since
/// PostgreSQL refuses to run as root.
///
/// The binaries are the newest under `/usr/lib/postgresql/*/bin` (Debian's `postgresql`
/// package), or those in `TOOLSMITH_PG_BIN`.
///
/// ```no_run
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// use toolsmith_store::conformance::fixtures::PgCluster;
/// let url = PgCluster::shared().database().await; // a new, empty database
/// let store = toolsmith_store::PgStore::connect(&url, toolsmith_store::KeyRing::generate()?).await?;
/// # Ok::<(), Box<dyn std::error::Error>>(()) }).unwrap();
/// ```
#[derive(Debug)]
pub struct PgCluster {
    dir: PathBuf,
    port: u16,
}

static SHARED: OnceLock<PgCluster> = OnceLock::new();
static DATABASES: AtomicU32 = AtomicU32::new(0);

impl PgCluster {
    /// The server of this process, started at the first call.
    ///
    /// # Panics
    ///
    /// When PostgreSQL is not installed or does not start; the message says how to fix it.
    pub fn shared() -> &'static PgCluster {
        SHARED.get_or_init(|| PgCluster::start().unwrap_or_else(|problem| panic!("{problem}")))
    }

    /// The URL of database `database` of this server, as the superuser `postgres`.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// A new, empty database; its URL.
    ///
    /// # Panics
    ///
    /// When the server refuses to create it.
    pub async fn database(&self) -> String {
        let name = format!("t{}_{}", std::process::id(), DATABASES.fetch_add(1, Ordering::Relaxed));
        let mut admin = PgConnection::connect(&self.url("postgres")).await.expect("connect to the test server");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("create a test database");
        admin.close().await.ok();
        self.url(&name)
    }

    /// The folder of the server's data and log (`server.log`).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn start() -> Result<PgCluster, String> {
        let bin = binaries()?;
        let dir = std::env::temp_dir().join(format!("toolsmith-pg-{}-{}", std::process::id(), nanos()));
        std::fs::create_dir_all(&dir).map_err(|e| format!("could not create {}: {e}", dir.display()))?;
        let as_root = is_root();
        if as_root {
            run(Command::new("chown").arg("postgres:postgres").arg(&dir), "chown the test server's folder")?;
        }
        let data = dir.join("data");
        let initdb = as_user(as_root, &bin.join("initdb"))
            .arg("-D")
            .arg(&data)
            .args(["-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])
            .stdout(Stdio::null())
            .output()
            .map_err(|e| format!("could not run initdb: {e}"))?;
        if !initdb.status.success() {
            return Err(format!("initdb failed: {}", String::from_utf8_lossy(&initdb.stderr)));
        }
        let mut last = String::new();
        for _ in 0..3 {
            let port = free_port()?;
            let options = format!(
                "-c listen_addresses=127.0.0.1 -p {port} -k {} -c fsync=off -c synchronous_commit=off \
                 -c full_page_writes=off -c max_connections=300",
                dir.display()
            );
            let started = as_user(as_root, &bin.join("pg_ctl"))
                .arg("-D")
                .arg(&data)
                .arg("-l")
                .arg(dir.join("server.log"))
                .args(["-w", "-t", "30", "-o", &options, "start"])
                .stdout(Stdio::null())
                .output()
                .map_err(|e| format!("could not run pg_ctl: {e}"))?;
            if started.status.success() {
                watch(&bin, &dir, as_root)?;
                return Ok(PgCluster { dir, port });
            }
            last = String::from_utf8_lossy(&started.stderr).into_owned();
        }
        Err(format!("the test PostgreSQL server did not start ({last}); see {}/server.log", dir.display()))
    }
}

/// Stops the server and removes its folder once this process has ended.
fn watch(bin: &Path, dir: &Path, as_root: bool) -> Result<(), String> {
    let pg_ctl = bin.join("pg_ctl");
    let stop = if as_root {
        format!("runuser -u postgres -- {} -D {}/data -m immediate -w stop", pg_ctl.display(), dir.display())
    } else {
        format!("{} -D {}/data -m immediate -w stop", pg_ctl.display(), dir.display())
    };
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; {stop} >/dev/null 2>&1; rm -rf {dir}",
        pid = std::process::id(),
        dir = dir.display()
    );
    use std::os::unix::process::CommandExt;
    Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .map(drop)
        .map_err(|e| format!("could not start the test server's watchdog: {e}"))
}

fn binaries() -> Result<PathBuf, String> {
    if let Some(bin) = std::env::var_os("TOOLSMITH_PG_BIN").filter(|b| !b.is_empty()) {
        return Ok(PathBuf::from(bin));
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin).ok_or_else(|| {
        "PostgreSQL is not installed: the PostgreSQL tests start a server of their own. Install it with \
         `apt-get install --no-install-recommends postgresql` (`.ci/run` does), or set TOOLSMITH_PG_BIN to \
         the folder of initdb and pg_ctl"
            .to_owned()
    })
}

fn as_user(as_root: bool, program: &Path) -> Command {
    if as_root {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn run(command: &mut Command, what: &str) -> Result<(), String> {
    match command.status() {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(format!("could not {what}: {status}")),
        Err(e) => Err(format!("could not {what}: {e}")),
    }
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|out| out.stdout.trim_ascii() == b"0")
}

fn free_port() -> Result<u16, String> {
    let socket = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    socket.local_addr().map(|a| a.port()).map_err(|e| format!("no free port: {e}"))
}

fn nanos() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos())
}
