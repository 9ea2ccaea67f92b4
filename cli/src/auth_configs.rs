//! `toolsmith auth-configs create|list|get|update|enable|disable|delete`: how each toolkit
//! authenticates in a project (its OAuth app, or the static scheme its accounts use).

use std::process::ExitCode;
use std::sync::Arc;
use std::time::SystemTime;

use miette::{miette, IntoDiagnostic};
use serde_json::{json, Value};
use toolsmith::store::{AuthConfig, Store, DEFAULT_PROJECT};
use toolsmith::AuthConfigId;

use crate::catalog::{registry, CatalogArgs};
use crate::home::{runtime, secret, time, Database};
use crate::out::outln;

/// `toolsmith auth-configs …`
#[derive(clap::Subcommand)]
pub(crate) enum Command {
    /// Create an auth config for a toolkit: an OAuth 2.0 app (client id and secret, scopes)
    /// or a static scheme (API key, bearer, basic). Prints its id on the last line.
    Create {
        /// The toolkit (`github`).
        #[arg(long)]
        toolkit: String,
        /// One of the toolkit's schemes (`oauth2`, `api_key`, `bearer`, `basic`, `none`);
        /// the first the toolkit declares by default.
        #[arg(long)]
        scheme: Option<String>,
        /// A name for people (`GitHub (acme app)`).
        #[arg(long)]
        name: Option<String>,
        /// The OAuth 2.0 client id.
        #[arg(long)]
        client_id: Option<String>,
        /// The OAuth 2.0 client secret; `-` reads it from standard input.
        #[arg(long)]
        client_secret: Option<String>,
        /// OAuth 2.0 scopes (comma-separated); the spec's defaults when absent.
        #[arg(long, value_delimiter = ',')]
        scopes: Vec<String>,
        #[command(flatten)]
        target: Target,
    },
    /// List auth configs (never a client secret).
    List {
        /// Only this toolkit's.
        #[arg(long)]
        toolkit: Option<String>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        target: Target,
    },
    /// Show one auth config as JSON (the client secret as `[REDACTED]`).
    Get {
        /// Its id (`ac_…`).
        id: AuthConfigId,
        #[command(flatten)]
        target: Target,
    },
    /// Change an auth config's name, client or scopes.
    Update {
        /// Its id (`ac_…`).
        id: AuthConfigId,
        /// A new name.
        #[arg(long)]
        name: Option<String>,
        /// A new OAuth 2.0 client id.
        #[arg(long)]
        client_id: Option<String>,
        /// A new client secret; `-` reads it from standard input.
        #[arg(long)]
        client_secret: Option<String>,
        /// New scopes (comma-separated).
        #[arg(long, value_delimiter = ',')]
        scopes: Option<Vec<String>>,
        #[command(flatten)]
        target: Target,
    },
    /// Let an auth config connect new accounts again.
    Enable {
        /// Its id (`ac_…`).
        id: AuthConfigId,
        #[command(flatten)]
        target: Target,
    },
    /// Stop an auth config from connecting new accounts (existing ones keep working).
    Disable {
        /// Its id (`ac_…`).
        id: AuthConfigId,
        #[command(flatten)]
        target: Target,
    },
    /// Delete an auth config; refused while accounts use it.
    Delete {
        /// Its id (`ac_…`).
        id: AuthConfigId,
        #[command(flatten)]
        target: Target,
    },
}

/// Which project's auth configs, and the catalog the toolkits come from.
#[derive(clap::Args)]
pub(crate) struct Target {
    /// The project (`default` unless given).
    #[arg(long, default_value = DEFAULT_PROJECT)]
    project: String,
    /// Where OAuth 2.0 providers send the user back: shown to register at the provider.
    #[arg(long, env = "TOOLSMITH_PUBLIC_URL", default_value = "http://127.0.0.1:8787")]
    public_url: url::Url,
    #[command(flatten)]
    catalog: CatalogArgs,
    #[command(flatten)]
    db: Database,
}

/// The store of `target`'s project.
async fn store_of(target: &Target) -> miette::Result<Arc<dyn Store>> {
    target.db.project_store(&target.project).await
}

/// An auth config as JSON, its client secret redacted.
fn shown(config: &AuthConfig, target: &Target) -> Value {
    let mut value = json!({
        "id": config.id.as_str(),
        "toolkit": config.toolkit.as_str(),
        "name": config.name,
        "scheme": config.scheme,
        "client_id": config.client_id,
        "client_secret": config.client_secret.as_ref().map(|_| "[REDACTED]"),
        "scopes": config.scopes,
        "status": if config.disabled { "DISABLED" } else { "ENABLED" },
        "created_at": time(config.created_at),
    });
    if config.scheme == "oauth2" {
        value["redirect_uri"] = json!(redirect_uri(target));
    }
    value
}

/// The OAuth 2.0 callback of the server's Connect Link pages.
fn redirect_uri(target: &Target) -> String {
    format!("{}/link/callback", target.public_url.as_str().trim_end_matches('/'))
}

pub(crate) fn run(command: Command) -> miette::Result<ExitCode> {
    runtime()?.block_on(run_async(command))
}

async fn run_async(command: Command) -> miette::Result<ExitCode> {
    match command {
        Command::Create { toolkit, scheme, name, client_id, client_secret, scopes, target } => {
            let registry = registry(&target.catalog)?;
            let spec = registry.toolkit(&toolkit.to_ascii_lowercase()).ok_or_else(|| {
                miette!(help = "list toolkits with `toolsmith tools list`", "unknown toolkit `{toolkit}`")
            })?;
            let offered: Vec<&str> = spec.auth.iter().map(|s| s.name()).collect();
            let scheme = match scheme {
                Some(s) if offered.contains(&s.as_str()) => s,
                Some(s) => {
                    return Err(miette!("toolkit `{toolkit}` has no `{s}` scheme; it offers: {}", offered.join(", ")))
                }
                None => offered.first().map(|s| (*s).to_owned()).unwrap_or_else(|| "none".into()),
            };
            if scheme == "oauth2" && client_id.is_none() {
                return Err(miette!(
                    help = format!("register an OAuth app at the provider with the redirect URI {}, then pass its --client-id and --client-secret", redirect_uri(&target)),
                    "an oauth2 auth config needs the OAuth app's --client-id"
                ));
            }
            if scheme != "oauth2" && (client_id.is_some() || client_secret.is_some() || !scopes.is_empty()) {
                return Err(miette!(
                    "--client-id, --client-secret and --scopes are for the oauth2 scheme, not `{scheme}`"
                ));
            }
            let client_secret = client_secret.map(|s| secret(&s, "--client-secret")).transpose()?;
            let config = AuthConfig {
                id: AuthConfigId::generate(),
                toolkit: spec.slug.clone(),
                name: name.unwrap_or_else(|| format!("{} ({scheme})", spec.name)),
                scheme,
                client_id,
                client_secret,
                scopes,
                disabled: false,
                created_at: SystemTime::now(),
            };
            store_of(&target).await?.put_auth_config(&config).await.map_err(|e| miette!("{e}"))?;
            if config.scheme == "oauth2" {
                eprintln!("register this redirect URI at the provider: {}", redirect_uri(&target));
            }
            outln!("{}", config.id);
        }
        Command::List { toolkit, json, target } => {
            let store = store_of(&target).await?;
            let slug = toolkit.map(|t| toolsmith::ToolkitSlug::new(t.to_ascii_lowercase()));
            let configs = store.auth_configs(slug.as_ref()).await.map_err(|e| miette!("{e}"))?;
            if json {
                outln!("{}", Value::Array(configs.iter().map(|c| shown(c, &target)).collect()));
            } else if configs.is_empty() {
                outln!("no auth configs");
            } else {
                for c in &configs {
                    let status = if c.disabled { "disabled" } else { "enabled" };
                    outln!("{}  {:<14} {:<8} {:<8} {}", c.id, c.toolkit, c.scheme, status, c.name);
                }
            }
        }
        Command::Get { id, target } => {
            let store = store_of(&target).await?;
            let config = get(store.as_ref(), &id).await?;
            outln!("{}", serde_json::to_string_pretty(&shown(&config, &target)).into_diagnostic()?);
        }
        Command::Update { id, name, client_id, client_secret, scopes, target } => {
            let store = store_of(&target).await?;
            let mut config = get(store.as_ref(), &id).await?;
            if config.scheme != "oauth2" && (client_id.is_some() || client_secret.is_some() || scopes.is_some()) {
                return Err(miette!(
                    "--client-id, --client-secret and --scopes are for oauth2 configs; {id} is `{}`",
                    config.scheme
                ));
            }
            config.name = name.unwrap_or(config.name);
            config.client_id = client_id.or(config.client_id);
            if let Some(s) = client_secret {
                config.client_secret = Some(secret(&s, "--client-secret")?);
            }
            config.scopes = scopes.unwrap_or(config.scopes);
            store.put_auth_config(&config).await.map_err(|e| miette!("{e}"))?;
            outln!("updated {id}");
        }
        Command::Enable { id, target } => set_disabled(&id, &target, false).await?,
        Command::Disable { id, target } => set_disabled(&id, &target, true).await?,
        Command::Delete { id, target } => {
            let store = store_of(&target).await?;
            if !store.delete_auth_config(&id).await.map_err(|e| miette!("{e}"))? {
                return Err(miette!(help = "list them with `toolsmith auth-configs list`", "no auth config {id}"));
            }
            outln!("deleted {id}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn get(store: &dyn Store, id: &AuthConfigId) -> miette::Result<AuthConfig> {
    store
        .auth_config(id)
        .await
        .map_err(|e| miette!("{e}"))?
        .ok_or_else(|| miette!(help = "list them with `toolsmith auth-configs list`", "no auth config {id}"))
}

async fn set_disabled(id: &AuthConfigId, target: &Target, disabled: bool) -> miette::Result<()> {
    let store = store_of(target).await?;
    let mut config = get(store.as_ref(), id).await?;
    config.disabled = disabled;
    store.put_auth_config(&config).await.map_err(|e| miette!("{e}"))?;
    outln!("{} {id}", if disabled { "disabled" } else { "enabled" });
    Ok(())
}
