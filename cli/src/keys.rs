//! `toolsmith keys rotate|reencrypt|generate|prune`: the keys that encrypt secrets at rest.

use std::path::Path;
use std::process::ExitCode;

use miette::miette;
use secrecy::ExposeSecret;
use toolsmith::store::{
    prune_key_file_of, KeyRing, KeyRotation, Projects, SqliteStore, DEFAULT_PROJECT, SECRET_KEY_ENV,
};

use crate::home::{home, open_store, runtime};
use crate::out::outln;

/// `toolsmith keys …`
#[derive(clap::Subcommand)]
pub(crate) enum Command {
    /// Add a new key to the key file under TOOLSMITH_HOME, make it current, and
    /// re-encrypt every stored secret with it (older keys stay in the file).
    Rotate,
    /// Re-encrypt every stored secret with the current key (after putting a new key
    /// first in TOOLSMITH_SECRET_KEY).
    Reencrypt,
    /// Print a new random key in base64, for TOOLSMITH_SECRET_KEY.
    Generate,
    /// Remove from the key file the keys no stored secret is sealed with any more
    /// (never the current key). Refused while an older key still seals a secret: run
    /// `toolsmith keys reencrypt` first.
    Prune,
}

pub(crate) fn run(command: Command) -> miette::Result<ExitCode> {
    let home = home()?;
    let ring = match command {
        Command::Generate => {
            let key = KeyRing::generate_key().map_err(|e| miette!("{e}"))?;
            outln!("{}", key.expose_secret());
            return Ok(ExitCode::SUCCESS);
        }
        Command::Rotate => {
            if std::env::var_os(SECRET_KEY_ENV).is_some_and(|v| !v.is_empty()) {
                return Err(miette!(
                    "the keys come from {SECRET_KEY_ENV}, not from a key file: put a new key (`toolsmith keys generate`) \
                     first in it, keep the old ones after it (comma-separated), then run `toolsmith keys reencrypt`"
                ));
            }
            KeyRing::rotate_file(&home).map_err(|e| miette!("{e}"))?
        }
        Command::Reencrypt => KeyRing::load(&home).map_err(|e| miette!("{e}"))?,
        Command::Prune => return prune(&home),
    };
    let current = ring.current().clone();
    let store = SqliteStore::open(SqliteStore::default_path(&home), ring.clone()).map_err(|e| miette!("{e}"))?;
    let rt = runtime()?;
    let mut count = 0;
    for store in rt.block_on(with_projects(store, &home, &ring))? {
        count += rt.block_on(store.reencrypt()).map_err(|e| miette!("{e}"))?;
    }
    outln!("current key {current}; re-encrypted {count} secret value(s)");
    Ok(ExitCode::SUCCESS)
}

/// The main store and the store of every other project of the home (they share the key
/// file, so rotating and pruning must see them all).
async fn with_projects(main: SqliteStore, home: &Path, ring: &KeyRing) -> miette::Result<Vec<SqliteStore>> {
    let projects = main.projects().await.map_err(|e| miette!("{e}"))?;
    let mut stores = vec![main];
    for project in projects.iter().filter(|p| p.name != DEFAULT_PROJECT) {
        stores.push(SqliteStore::open_project(home, project, ring.clone()).map_err(|e| miette!("{e}"))?);
    }
    Ok(stores)
}

/// `toolsmith keys prune`: prints the keys it removed, and the one that stays.
fn prune(home: &Path) -> miette::Result<ExitCode> {
    let store = open_store()?;
    let rt = runtime()?;
    let ring = store.keys().map_err(|e| miette!("{e}"))?;
    let stores = rt.block_on(with_projects(store.as_ref().clone(), home, &ring))?;
    let all: Vec<&dyn KeyRotation> = stores.iter().map(|s| s as &dyn KeyRotation).collect();
    let removed = match rt.block_on(prune_key_file_of(&all, home)) {
        Ok(removed) => removed,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    let current = store.keys().map_err(|e| miette!("{e}"))?.current().clone();
    if removed.is_empty() {
        outln!("no key to remove: every key of {} is in use; current key {current}", KeyRing::key_file(home).display());
    } else {
        let ids: Vec<&str> = removed.iter().map(|id| id.as_str()).collect();
        outln!("removed {} key(s) no secret needs: {}; current key {current}", ids.len(), ids.join(", "));
    }
    Ok(ExitCode::SUCCESS)
}
