//! `toolsmith db migrate|status`: the schema of the deployment's database, PostgreSQL
//! (`--database`) or the home's SQLite file.

use std::process::ExitCode;
use std::time::SystemTime;

use miette::{miette, IntoDiagnostic};
use serde_json::{json, Value};
use toolsmith::store::{PgStore, SchemaStatus, SqliteStore};

use crate::home::{database_error, home, runtime, time, Database};
use crate::out::outln;

/// `toolsmith db …`
#[derive(clap::Subcommand)]
pub(crate) enum Command {
    /// Bring the database's schema to this toolsmith's version; prints the versions it
    /// applied, or that it was up to date. `toolsmith serve` migrates on start too (servers
    /// starting together migrate once); run this first to upgrade a cluster.
    Migrate,
    /// The database's schema version, this toolsmith's, the versions pending, and (for
    /// PostgreSQL) each applied script with the time it was applied.
    Status {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// A schema as `status` shows it: where, the scripts applied (PostgreSQL records them;
/// a SQLite file keeps its version only), the version this build writes.
struct Shown {
    database: String,
    current: u32,
    latest: u32,
    applied: Vec<(u32, String, SystemTime)>,
}

pub(crate) fn run(command: Command, db: &Database) -> miette::Result<ExitCode> {
    let rt = runtime()?;
    match command {
        Command::Migrate => {
            let (database, applied, latest) = match &db.url {
                Some(url) => {
                    let applied = rt.block_on(PgStore::migrate(url)).map_err(database_error)?;
                    (PgStore::display_url(url), applied, PgStore::SCHEMA_VERSION)
                }
                None => {
                    let path = SqliteStore::default_path(&home()?);
                    let before = SqliteStore::file_schema_version(&path).map_err(|e| miette!("{e}"))?.unwrap_or(0);
                    // Opening the store migrates it.
                    rt.block_on(db.open())?;
                    let latest = SqliteStore::SCHEMA_VERSION;
                    (path.display().to_string(), (before + 1..=latest).collect(), latest)
                }
            };
            match (applied.first(), applied.last()) {
                (Some(first), Some(last)) if first == last => {
                    outln!("{database}: applied schema version {first}; up to date at version {latest}")
                }
                (Some(first), Some(last)) => {
                    outln!("{database}: applied schema versions {first} to {last}; up to date at version {latest}")
                }
                _ => outln!("{database}: up to date at version {latest}"),
            }
        }
        Command::Status { json } => {
            let shown = match &db.url {
                Some(url) => {
                    let status: SchemaStatus = rt.block_on(PgStore::schema_status(url)).map_err(database_error)?;
                    Shown {
                        database: PgStore::display_url(url),
                        current: status.current(),
                        latest: status.latest,
                        applied: status.applied,
                    }
                }
                None => {
                    let path = SqliteStore::default_path(&home()?);
                    let current = SqliteStore::file_schema_version(&path).map_err(|e| miette!("{e}"))?.unwrap_or(0);
                    Shown {
                        database: path.display().to_string(),
                        current,
                        latest: SqliteStore::SCHEMA_VERSION,
                        applied: Vec::new(),
                    }
                }
            };
            if json {
                outln!("{}", serde_json::to_string_pretty(&shown.json()).into_diagnostic()?);
            } else {
                shown.print();
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

impl Shown {
    fn pending(&self) -> Vec<u32> {
        (self.current + 1..=self.latest).collect()
    }

    fn json(&self) -> Value {
        let applied: Vec<Value> = self
            .applied
            .iter()
            .map(|(version, description, at)| json!({"version": version, "description": description, "applied_at": time(*at)}))
            .collect();
        json!({
            "database": self.database,
            "current": self.current,
            "latest": self.latest,
            "pending": self.pending(),
            "applied": applied,
        })
    }

    fn print(&self) {
        outln!("database {}", self.database);
        outln!("schema version {} (this toolsmith writes {})", self.current, self.latest);
        let pending = self.pending();
        if self.current > self.latest {
            outln!("the database is newer than this toolsmith: upgrade toolsmith");
        } else if pending.is_empty() {
            outln!("up to date");
        } else {
            let list: Vec<String> = pending.iter().map(u32::to_string).collect();
            outln!("pending: {} (`toolsmith db migrate` applies them)", list.join(", "));
        }
        for (version, description, at) in &self.applied {
            outln!("  {version:>3}  {}  {description}", time(*at));
        }
    }
}
