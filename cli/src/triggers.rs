//! `toolsmith triggers types|create|list|enable|disable|delete|deliveries|listen`: the
//! catalog's trigger types, a project's trigger instances (their secrets never shown),
//! and their events' deliveries.

use std::process::ExitCode;
use std::time::SystemTime;

use miette::{miette, IntoDiagnostic};
use serde_json::Value;
use toolsmith::store::{TriggerFilter, DEFAULT_PROJECT};
use toolsmith::{TriggerInstanceId, UserId};
use toolsmith_triggers::ingress::webhook_url;
use toolsmith_triggers::{upsert, ActiveTrigger, Owner, TriggerError, TriggerTypes, UpsertRequest};

use crate::account_ref::{find, Scope};
use crate::catalog::{registry, CatalogArgs};
use crate::execute::json_object;
use crate::home::{runtime, Database};
use crate::out::outln;

/// `toolsmith triggers …`
#[derive(clap::Subcommand)]
pub(crate) enum Command {
    /// List the catalog's trigger types: slug, `webhook` or `poll`, name.
    Types {
        /// Only these toolkits' (repeatable, or comma-separated).
        #[arg(long, value_delimiter = ',')]
        toolkit: Vec<String>,
        /// Print JSON (Composio's trigger type objects, with their schemas) instead of a table.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        catalog: CatalogArgs,
    },
    /// Create a trigger instance for an account (or a user's first active account of the
    /// trigger's toolkit), or update the one with the same trigger, account and
    /// non-secret config. Prints a webhook trigger's URL, then its id (`ti_…`) on the last line.
    Create {
        /// The trigger type (`GITHUB_ISSUES_EVENT`).
        slug: String,
        /// The account: `ca_…` or its alias.
        #[arg(long, required_unless_present = "user")]
        account: Option<String>,
        /// The user (their first active account of the trigger's toolkit).
        #[arg(long)]
        user: Option<String>,
        /// The configuration: JSON text, `@FILE` or `-` (standard input, for a secret).
        #[arg(long, default_value = "{}")]
        config: String,
        /// The URL providers reach the server at: a webhook trigger's URL, printed, is
        /// `{public_url}/webhooks/{toolkit}/{ti_…}`.
        #[arg(long, env = "TOOLSMITH_PUBLIC_URL", default_value = "http://127.0.0.1:8787")]
        public_url: url::Url,
        #[command(flatten)]
        target: Target,
    },
    /// List the project's enabled trigger instances (secrets as `[REDACTED]`).
    List {
        /// Disabled ones too.
        #[arg(long)]
        all: bool,
        /// Print JSON (Composio's objects) instead of a table.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        target: Target,
    },
    /// Deliver a disabled trigger instance's events again.
    Enable {
        /// Its id (`ti_…`).
        id: TriggerInstanceId,
        #[command(flatten)]
        target: Target,
    },
    /// Stop delivering a trigger instance's events (it is kept).
    Disable {
        /// Its id (`ti_…`).
        id: TriggerInstanceId,
        #[command(flatten)]
        target: Target,
    },
    /// Delete a trigger instance.
    Delete {
        /// Its id (`ti_…`).
        id: TriggerInstanceId,
        #[command(flatten)]
        target: Target,
    },
    /// Where each trigger event's delivery to the app stands, newest first (`--event`
    /// lists every attempt).
    Deliveries(crate::trigger_deliveries::Args),
    /// Forward the trigger events the project records from now on to a local URL, signed
    /// as deliveries are (like `stripe listen`).
    Listen(crate::trigger_listen::Args),
}

/// Which project, and the catalog the trigger types come from.
#[derive(clap::Args)]
pub(crate) struct Target {
    /// The project (`default` unless given).
    #[arg(long, default_value = DEFAULT_PROJECT)]
    project: String,
    #[command(flatten)]
    catalog: CatalogArgs,
    #[command(flatten)]
    db: Database,
}

/// The trigger types of the catalog `catalog` names.
fn types(catalog: &CatalogArgs) -> miette::Result<TriggerTypes> {
    Ok(TriggerTypes::new(registry(catalog)?.toolkits()))
}

/// A trigger error with its fix as help.
fn report(e: TriggerError) -> miette::Report {
    let fix = match &e {
        TriggerError::UnknownType { suggestions, .. } if !suggestions.is_empty() => {
            format!("use one of {}; `toolsmith triggers types` lists them all", suggestions.join(", "))
        }
        TriggerError::UnknownType { .. } => "list trigger types with `toolsmith triggers types`".to_owned(),
        TriggerError::NoAccount { toolkit, .. } => {
            format!("connect one with `toolsmith accounts connect --toolkit {toolkit}`")
        }
        TriggerError::UnknownAccount(_) => "list accounts with `toolsmith accounts list`".to_owned(),
        other => other.fix(),
    };
    miette!(help = fix, "{e}")
}

pub(crate) fn run(command: Command) -> miette::Result<ExitCode> {
    runtime()?.block_on(run_async(command))
}

async fn run_async(command: Command) -> miette::Result<ExitCode> {
    match command {
        Command::Types { toolkit, json, catalog } => {
            let types = types(&catalog)?;
            let listed = types.list(&toolkit);
            if json {
                outln!("{}", serde_json::to_string_pretty(&listed).into_diagnostic()?);
            } else if listed.is_empty() {
                outln!("no trigger types");
            } else {
                for t in listed {
                    let kind = serde_json::to_value(t.kind).ok().and_then(|k| k.as_str().map(String::from));
                    outln!("{:<36} {:<8} {}", t.slug, kind.unwrap_or_default(), t.name);
                }
            }
        }
        Command::Create { slug, account, user, config, public_url, target } => {
            let types = types(&target.catalog)?;
            let config = json_object(
                &config,
                "--config",
                "the trigger's configuration",
                r#"pass an object like '{"webhook_secret": "…"}'"#,
            )
            .map_err(|e| miette!("{e}"))?;
            let store = target.db.project_store(&target.project).await?;
            let user = user.as_deref().map(UserId::parse).transpose().map_err(|e| miette!("--user: {e}"))?;
            let owner = match (account, user) {
                (Some(name), user) => {
                    let toolkit = types.get(&slug).map(|t| toolsmith::ToolkitSlug::new(t.toolkit.slug.clone()));
                    let scope = Scope { user: user.as_ref(), toolkit: toolkit.as_ref() };
                    Owner::Account(find(&*store, &name, &scope).await.map_err(|e| miette!("--account: {e}"))?.id)
                }
                (None, Some(user)) => Owner::User(user),
                (None, None) => return Err(miette!("give --account (ca_… or alias) or --user")),
            };
            let request = UpsertRequest { trigger: slug, owner, config };
            let instance = upsert(&types, &*store, request, SystemTime::now()).await.map_err(report)?;
            if let Some(url) = webhook_url(public_url.as_str(), &instance, &types) {
                outln!("webhook URL (set it at {}): {url}", instance.toolkit);
            }
            outln!("{}", instance.id);
        }
        Command::List { all, json, target } => {
            let types = types(&target.catalog)?;
            let store = target.db.project_store(&target.project).await?;
            let filter = TriggerFilter { include_disabled: all, ..Default::default() };
            let instances = store.trigger_instances(&filter).await.map_err(|e| miette!("{e}"))?;
            let shown: Vec<ActiveTrigger> = instances.iter().map(|i| ActiveTrigger::of(i, &types)).collect();
            if json {
                outln!("{}", serde_json::to_string_pretty(&shown).into_diagnostic()?);
            } else if shown.is_empty() {
                outln!("no trigger instances");
            } else {
                for t in &shown {
                    let status = if t.disabled_at.is_some() { "disabled" } else { "enabled" };
                    let owner = t.connected_account_id.clone().unwrap_or_else(|| format!("user {}", t.user_id));
                    let config = Value::Object(t.trigger_config.clone());
                    outln!("{}  {:<28} {:<8} {owner}  {config}", t.id, t.trigger_name, status);
                }
            }
        }
        Command::Enable { id, target } => set_enabled(&id, &target, true).await?,
        Command::Disable { id, target } => set_enabled(&id, &target, false).await?,
        Command::Delete { id, target } => {
            let store = target.db.project_store(&target.project).await?;
            if !store.delete_trigger_instance(&id).await.map_err(|e| miette!("{e}"))? {
                return Err(missing(&id));
            }
            outln!("deleted {id}");
        }
        Command::Deliveries(args) => crate::trigger_deliveries::run(args).await?,
        Command::Listen(args) => crate::trigger_listen::run(args).await?,
    }
    Ok(ExitCode::SUCCESS)
}

fn missing(id: &TriggerInstanceId) -> miette::Report {
    miette!(help = "list them with `toolsmith triggers list --all`", "no trigger instance {id}")
}

async fn set_enabled(id: &TriggerInstanceId, target: &Target, enabled: bool) -> miette::Result<()> {
    let store = target.db.project_store(&target.project).await?;
    let reason = "disabled with `toolsmith triggers disable`";
    let switched = toolsmith_triggers::set_enabled(&*store, id, enabled, reason, SystemTime::now())
        .await
        .map_err(|e| miette!("{e}"))?;
    if switched.is_none() {
        return Err(missing(id));
    }
    outln!("{} {id}", if enabled { "enabled" } else { "disabled" });
    Ok(())
}
