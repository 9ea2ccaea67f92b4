//! The deployment that `accounts`, `api-keys`, `auth-configs`, `triggers`, `execute`, `logs`,
//! `keys`, `db` and `serve` share: the SQLite store under `TOOLSMITH_HOME`, or a PostgreSQL
//! database (`--database`); and reading secrets without putting them on the command line.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::{miette, IntoDiagnostic};
use secrecy::SecretString;
use toolsmith::store::{
    KeyRing, KeyRotation, PgStore, Project, SqliteStore, Store, StoreError, DEFAULT_PROJECT, SECRET_KEY_ENV,
};
use toolsmith_server::{HomeProjects, PgProjects, ProjectStores};

use crate::files::{error, read_stdin};

/// `TOOLSMITH_HOME` (default `~/.toolsmith`).
/// A home that exists must be a folder (it is created when missing).
pub(crate) fn home() -> miette::Result<PathBuf> {
    let home = toolsmith::store::default_home().ok_or_else(|| {
        miette!("neither TOOLSMITH_HOME nor HOME is set; set TOOLSMITH_HOME to the folder for the store")
    })?;
    match std::fs::metadata(&home) {
        Ok(meta) if !meta.is_dir() => Err(miette!(
            help = "set TOOLSMITH_HOME to a folder (created when missing), or move the file away",
            "TOOLSMITH_HOME `{}` is a file, not a folder: the store and its key file cannot be kept in it",
            home.display()
        )),
        Ok(_) => Ok(home),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(home),
        Err(e) => Err(error("read the TOOLSMITH_HOME folder", &home, &e)),
    }
}

/// `--database`: which deployment a command works on.
#[derive(clap::Args, Clone, Debug, Default)]
pub(crate) struct Database {
    /// The PostgreSQL database of a deployment of several servers
    /// (`postgres://user:password@host:5432/toolsmith`); without it, the SQLite store under
    /// TOOLSMITH_HOME. The keys then come from TOOLSMITH_SECRET_KEY (or the home's key
    /// file): the same on every server.
    #[arg(
        id = "database",
        long = "database",
        global = true,
        env = "TOOLSMITH_DATABASE_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub(crate) url: Option<String>,
}

impl Database {
    /// Opens the deployment: the home's SQLite store (created with its key file on first
    /// use), or the PostgreSQL database (migrated) with the cluster's keys.
    pub(crate) async fn open(&self) -> miette::Result<Deployment> {
        let home = home()?;
        let Some(url) = &self.url else {
            let store = SqliteStore::open_default().map_err(|e| miette!("{e}"))?;
            return Ok(Deployment::Home { home, main: Arc::new(store) });
        };
        let keys = cluster_keys(&home)?;
        let store = PgStore::connect(url, keys).await.map_err(database_error)?;
        Ok(Deployment::Postgres(Arc::new(store)))
    }

    /// The store of the project named `project` (see [`Deployment::project_store`]).
    pub(crate) async fn project_store(&self, project: &str) -> miette::Result<Arc<dyn Store>> {
        self.open().await?.project_store(project).await
    }

    /// An error for a command that works on the home's SQLite files only, when a database
    /// URL is set; `how` says what to do instead.
    pub(crate) fn sqlite_only(&self, command: &str, how: &str) -> miette::Result<()> {
        match &self.url {
            None => Ok(()),
            Some(_) => Err(miette!(
                help = how.to_owned(),
                "`{command}` works on the SQLite store under TOOLSMITH_HOME only, and a database URL is set \
                 (--database or TOOLSMITH_DATABASE_URL)"
            )),
        }
    }
}

/// A database error, with what to check when the database cannot be reached.
pub(crate) fn database_error(e: StoreError) -> miette::Report {
    match e {
        StoreError::Busy { .. } => miette!(
            help = "check that PostgreSQL runs and accepts connections at that host and port, and that the URL's \
                    user, password and database are right (`psql URL` tries the same)",
            "{e}"
        ),
        e => miette!("{e}"),
    }
}

/// The keys of a PostgreSQL deployment: `TOOLSMITH_SECRET_KEY`, else the home's key file
/// when it exists. None is made up: a new key would seal what the other servers cannot open.
fn cluster_keys(home: &Path) -> miette::Result<KeyRing> {
    let from_env = std::env::var_os(SECRET_KEY_ENV).is_some_and(|v| !v.is_empty());
    if !from_env && !KeyRing::key_file(home).exists() {
        return Err(miette!(
            help = format!(
                "set {SECRET_KEY_ENV} to the deployment's key (`toolsmith keys generate` makes one; give every server \
                 the same), or put the deployment's key file at {}",
                KeyRing::key_file(home).display()
            ),
            "no key to seal secrets with: with a database URL, toolsmith uses the deployment's keys and makes none up"
        ));
    }
    KeyRing::load(home).map_err(|e| miette!("{e}"))
}

/// The deployment a command works on, opened: its main store holds the projects and
/// their API keys, and the `default` project's records.
pub(crate) enum Deployment {
    /// The SQLite store under `TOOLSMITH_HOME` (`home`), a file per project.
    Home {
        /// The home folder.
        home: PathBuf,
        /// Its main store.
        main: Arc<SqliteStore>,
    },
    /// A PostgreSQL database of several servers.
    Postgres(Arc<PgStore>),
}

impl Deployment {
    /// The main store.
    pub(crate) fn store(&self) -> Arc<dyn Store> {
        match self {
            Deployment::Home { main, .. } => main.clone(),
            Deployment::Postgres(main) => main.clone(),
        }
    }

    /// The project named `name`, created when missing.
    pub(crate) async fn ensure_project(&self, name: &str) -> miette::Result<Project> {
        match self {
            Deployment::Home { main, .. } => main.ensure_project(name).await,
            Deployment::Postgres(main) => main.ensure_project(name).await,
        }
        .map_err(|e| miette!("{e}"))
    }

    /// The store of the project named `name`: the main store for `default`; an error with
    /// the way out for an unknown project.
    pub(crate) async fn project_store(&self, name: &str) -> miette::Result<Arc<dyn Store>> {
        if name == DEFAULT_PROJECT {
            return Ok(self.store());
        }
        let found = self.store().project_named(name).await.map_err(|e| miette!("{e}"))?.ok_or_else(|| {
            miette!(help = "create it with `toolsmith api-keys create --project NAME`", "no project is named `{name}`")
        })?;
        self.store_of(&found)
    }

    /// The store of `project`'s records.
    fn store_of(&self, project: &Project) -> miette::Result<Arc<dyn Store>> {
        match self {
            Deployment::Home { main, .. } if project.name == DEFAULT_PROJECT => Ok(main.clone()),
            Deployment::Home { home, main } => {
                let keys = main.keys().map_err(|e| miette!("{e}"))?;
                Ok(Arc::new(SqliteStore::open_project(home, project, keys).map_err(|e| miette!("{e}"))?))
            }
            Deployment::Postgres(main) => Ok(Arc::new(main.for_project(project))),
        }
    }

    /// The main store and the store of every other project (rotating keys must see them all).
    pub(crate) async fn every_store(&self) -> miette::Result<Vec<Arc<dyn Store>>> {
        let projects = self.store().projects().await.map_err(|e| miette!("{e}"))?;
        let mut stores = vec![self.store()];
        for project in projects.iter().filter(|p| p.name != DEFAULT_PROJECT) {
            stores.push(self.store_of(project)?);
        }
        Ok(stores)
    }

    /// An error when a secret of the deployment is sealed with a key this process does
    /// not have: a server of a cluster given other keys than the rest.
    pub(crate) async fn check_keys(&self) -> miette::Result<()> {
        let main = self.store();
        let ring = main.keys().map_err(|e| miette!("{e}"))?;
        for store in self.every_store().await? {
            let sealed = store.sealed_keys().await.map_err(|e| miette!("{e}"))?;
            if let Some((id, count)) = sealed.iter().find(|(id, _)| !ring.contains(id)) {
                return Err(miette!(
                    help = "give this server the deployment's keys: every server of a cluster (one database) must \
                            have the same TOOLSMITH_SECRET_KEY (or key file), the current key first",
                    "{count} secret(s) of {} are sealed with key `{id}`, which this server does not have (it has: {})",
                    self.name(),
                    ring.ids().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
                ));
            }
        }
        Ok(())
    }

    /// The deployment's name in messages: the SQLite file, or the URL without password.
    fn name(&self) -> String {
        match self {
            Deployment::Home { home, .. } => SqliteStore::default_path(home).display().to_string(),
            Deployment::Postgres(main) => main.name().to_owned(),
        }
    }

    /// The projects as `toolsmith serve` finds them, the `default` one made sure of.
    pub(crate) async fn projects(&self) -> miette::Result<Arc<dyn ProjectStores>> {
        self.ensure_project(DEFAULT_PROJECT).await?;
        Ok(match self {
            Deployment::Home { home, main } => {
                let keys = main.keys().map_err(|e| miette!("{e}"))?;
                Arc::new(HomeProjects::new(home.clone(), keys, main.clone()))
            }
            Deployment::Postgres(main) => Arc::new(PgProjects::new(main.as_ref().clone())),
        })
    }
}

/// A secret given on the command line: `-` reads it from standard input (so it stays
/// out of the shell history and the process list), anything else is the value.
pub(crate) fn secret(value: &str, what: &str) -> miette::Result<SecretString> {
    if value != "-" {
        return Ok(SecretString::from(value));
    }
    let text = read_stdin(what)?;
    let text = text.trim_end_matches(['\r', '\n']);
    if text.is_empty() {
        return Err(miette!("{what}: standard input was empty; pipe the value in (`... | toolsmith ...`)"));
    }
    Ok(SecretString::from(text))
}

/// A time as RFC 3339 in UTC, to the second.
pub(crate) fn time(t: std::time::SystemTime) -> String {
    humantime::format_rfc3339_seconds(t).to_string()
}

/// A tokio runtime for one command.
pub(crate) fn runtime() -> miette::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().into_diagnostic()
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfc3339() {
        let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_795_000_000);
        assert_eq!(super::time(t), "2026-11-18T11:06:40Z");
        assert_eq!(super::time(std::time::UNIX_EPOCH), "1970-01-01T00:00:00Z");
    }
}
