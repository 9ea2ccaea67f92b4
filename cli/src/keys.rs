//! `toolsmith keys rotate|reencrypt|generate|prune`: the keys that encrypt secrets at rest.

use std::path::Path;
use std::process::ExitCode;

use miette::miette;
use secrecy::ExposeSecret;
use toolsmith::store::{prune_key_file_of, KeyRing, KeyRotation, SECRET_KEY_ENV};

use crate::home::{home, runtime, Database};
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

pub(crate) fn run(command: Command, db: &Database) -> miette::Result<ExitCode> {
    let home = home()?;
    match command {
        Command::Generate => {
            let key = KeyRing::generate_key().map_err(|e| miette!("{e}"))?;
            outln!("{}", key.expose_secret());
            return Ok(ExitCode::SUCCESS);
        }
        Command::Rotate => {
            db.sqlite_only(
                "toolsmith keys rotate",
                "with a database the keys come from TOOLSMITH_SECRET_KEY: put a new key (`toolsmith keys generate`) \
                 first in it on every server and here, the old ones after it, then run `toolsmith keys reencrypt`",
            )?;
            if std::env::var_os(SECRET_KEY_ENV).is_some_and(|v| !v.is_empty()) {
                return Err(miette!(
                    "the keys come from {SECRET_KEY_ENV}, not from a key file: put a new key (`toolsmith keys generate`) \
                     first in it, keep the old ones after it (comma-separated), then run `toolsmith keys reencrypt`"
                ));
            }
            KeyRing::rotate_file(&home).map_err(|e| miette!("{e}"))?;
        }
        Command::Reencrypt => {}
        Command::Prune => {
            db.sqlite_only(
                "toolsmith keys prune",
                "with a database the keys come from TOOLSMITH_SECRET_KEY: once `toolsmith keys reencrypt` has run, \
                 remove the old keys from it on every server",
            )?;
            return prune(&home, db);
        }
    }
    let rt = runtime()?;
    let deployment = rt.block_on(db.open())?;
    let current = deployment.store().keys().map_err(|e| miette!("{e}"))?.current().clone();
    let mut count = 0;
    for store in rt.block_on(deployment.every_store())? {
        count += rt.block_on(store.reencrypt()).map_err(|e| miette!("{e}"))?;
    }
    outln!("current key {current}; re-encrypted {count} secret value(s)");
    Ok(ExitCode::SUCCESS)
}

/// `toolsmith keys prune`: prints the keys it removed, and the one that stays.
fn prune(home: &Path, db: &Database) -> miette::Result<ExitCode> {
    let rt = runtime()?;
    let deployment = rt.block_on(db.open())?;
    let stores = rt.block_on(deployment.every_store())?;
    let all: Vec<&dyn KeyRotation> = stores.iter().map(|s| s.as_ref() as &dyn KeyRotation).collect();
    let removed = match rt.block_on(prune_key_file_of(&all, home)) {
        Ok(removed) => removed,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    let current = deployment.store().keys().map_err(|e| miette!("{e}"))?.current().clone();
    if removed.is_empty() {
        outln!("no key to remove: every key of {} is in use; current key {current}", KeyRing::key_file(home).display());
    } else {
        let ids: Vec<&str> = removed.iter().map(|id| id.as_str()).collect();
        outln!("removed {} key(s) no secret needs: {}; current key {current}", ids.len(), ids.join(", "));
    }
    Ok(ExitCode::SUCCESS)
}
