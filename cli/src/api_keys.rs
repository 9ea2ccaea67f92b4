//! `toolsmith api-keys create|list|revoke`: the API keys that open a project of
//! `toolsmith serve`, kept in the home's main store as hashes.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::SystemTime;

use miette::{miette, IntoDiagnostic};
use serde_json::{json, Value};
use toolsmith::store::{ApiKey, ApiKeySecret, Project, DEFAULT_PROJECT};
use toolsmith::{ApiKeyId, ProjectId};

use crate::home::{runtime, time, Database};
use crate::out::outln;

/// `toolsmith api-keys …`
#[derive(clap::Subcommand)]
pub(crate) enum Command {
    /// Create an API key for a project (the project is created when missing). The key
    /// is shown once, alone on the last line of standard output
    /// (`KEY=$(toolsmith api-keys create | tail -1)`); only its hash is stored.
    Create {
        /// The project the key opens.
        #[arg(long, default_value = DEFAULT_PROJECT, value_parser = project_name)]
        project: String,
        /// A name for people, to tell keys apart (`ci`, `laptop`).
        #[arg(long)]
        name: Option<String>,
    },
    /// List API keys: id, project, name, the key's first characters, when created and
    /// revoked (never the key or its hash).
    List {
        /// Only this project's.
        #[arg(long)]
        project: Option<String>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Revoke an API key: it opens nothing any more. Its record stays, shown as revoked.
    Revoke {
        /// The key's id (`ak_…`, as `toolsmith api-keys list` shows).
        id: ApiKeyId,
    },
}

/// A project name: 1 to 64 ASCII letters, digits, `-`, `_` or `.`.
fn project_name(name: &str) -> Result<String, String> {
    let valid = (1..=64).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if valid {
        Ok(name.to_owned())
    } else {
        Err(format!("`{name}` is not a project name: use 1 to 64 ASCII letters, digits, `-`, `_` or `.` (`acme-prod`)"))
    }
}

pub(crate) fn run(command: Command, db: &Database) -> miette::Result<ExitCode> {
    let rt = runtime()?;
    let deployment = rt.block_on(db.open())?;
    let store = deployment.store();
    match command {
        Command::Create { project, name } => {
            let project = rt.block_on(deployment.ensure_project(&project))?;
            let secret = ApiKeySecret::generate();
            let key = ApiKey {
                id: ApiKeyId::generate(),
                project: project.id.clone(),
                name,
                key_hash: secret.hash(),
                prefix: secret.prefix(),
                created_at: SystemTime::now(),
                revoked_at: None,
            };
            rt.block_on(store.put_api_key(&key)).map_err(|e| miette!("{e}"))?;
            eprintln!("created API key {} for project `{}` ({})", key.id, project.name, project.id);
            eprintln!("the key is shown once, on the next line; store it now (toolsmith keeps only its hash):");
            outln!("{}", secret.expose());
            Ok(ExitCode::SUCCESS)
        }
        Command::List { project, json } => {
            let projects = rt.block_on(store.projects()).map_err(|e| miette!("{e}"))?;
            let only = match project {
                Some(name) => match projects.iter().find(|p| p.name == name) {
                    Some(p) => Some(p.id.clone()),
                    None => {
                        let known: Vec<&str> = projects.iter().map(|p| p.name.as_str()).collect();
                        eprintln!(
                            "error: no project `{name}`; known projects: {} (`toolsmith api-keys create --project \
                             {name}` creates it)",
                            if known.is_empty() { "none".to_owned() } else { known.join(", ") }
                        );
                        return Ok(ExitCode::from(1));
                    }
                },
                None => None,
            };
            let keys = rt.block_on(store.api_keys(only.as_ref())).map_err(|e| miette!("{e}"))?;
            let names: BTreeMap<&ProjectId, &Project> = projects.iter().map(|p| (&p.id, p)).collect();
            // A key's project by name (by id should the project be gone).
            let project_of =
                |key: &ApiKey| names.get(&key.project).map_or_else(|| key.project.to_string(), |p| p.name.clone());
            if json {
                let list: Vec<Value> = keys.iter().map(|k| describe(k, &project_of(k))).collect();
                outln!("{}", serde_json::to_string_pretty(&list).into_diagnostic()?);
            } else {
                outln!("{:<23}  {:<16}  {:<12}  {:<8}  {:<20}  REVOKED", "ID", "PROJECT", "NAME", "PREFIX", "CREATED");
                for k in &keys {
                    outln!(
                        "{:<23}  {:<16}  {:<12}  {:<8}  {:<20}  {}",
                        k.id,
                        project_of(k),
                        k.name.as_deref().unwrap_or("-"),
                        k.prefix,
                        time(k.created_at),
                        k.revoked_at.map_or_else(|| "-".to_owned(), time)
                    );
                }
                outln!("{} key(s)", keys.len());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Revoke { id } => {
            if rt.block_on(store.revoke_api_key(&id, SystemTime::now())).map_err(|e| miette!("{e}"))? {
                outln!("revoked {id}");
                return Ok(ExitCode::SUCCESS);
            }
            let keys = rt.block_on(store.api_keys(None)).map_err(|e| miette!("{e}"))?;
            match keys.iter().find(|k| k.id == id).and_then(|k| k.revoked_at) {
                Some(at) => {
                    outln!("{id} was revoked already, at {}", time(at));
                    Ok(ExitCode::SUCCESS)
                }
                None => {
                    eprintln!("error: no API key {id}; `toolsmith api-keys list` shows them");
                    Ok(ExitCode::from(1))
                }
            }
        }
    }
}

/// A key as JSON: never the key or its hash.
fn describe(key: &ApiKey, project: &str) -> Value {
    json!({
        "id": key.id,
        "project": project,
        "project_id": key.project,
        "name": key.name,
        "prefix": key.prefix,
        "created_at": time(key.created_at),
        "revoked_at": key.revoked_at.map(time),
    })
}
