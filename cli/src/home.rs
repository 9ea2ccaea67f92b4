//! The store under `TOOLSMITH_HOME` that `accounts`, `api-keys`, `execute`, `logs` and `keys` share,
//! and reading secrets without putting them on the command line.

use std::path::PathBuf;
use std::sync::Arc;

use miette::{miette, IntoDiagnostic};
use secrecy::SecretString;
use toolsmith::store::{KeyRing, Projects, SqliteStore, DEFAULT_PROJECT};

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

/// Opens the store under [`home`]; creates it (and its key file) on first use.
pub(crate) fn open_store() -> miette::Result<Arc<SqliteStore>> {
    home()?;
    let store = SqliteStore::open_default().map_err(|e| miette!("{e}"))?;
    Ok(Arc::new(store))
}

/// The store of the project named `project`: the home's main store for `default`, else
/// the project's own database; an error with the way out for an unknown project.
pub(crate) async fn project_store(project: &str) -> miette::Result<Arc<SqliteStore>> {
    let main = open_store()?;
    if project == DEFAULT_PROJECT {
        return Ok(main);
    }
    let found = main.project_named(project).await.map_err(|e| miette!("{e}"))?.ok_or_else(|| {
        miette!(help = "create it with `toolsmith api-keys create --project NAME`", "no project is named `{project}`")
    })?;
    let home = home()?;
    let keys = KeyRing::load(&home).map_err(|e| miette!("{e}"))?;
    Ok(Arc::new(SqliteStore::open_project(&home, &found, keys).map_err(|e| miette!("{e}"))?))
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
