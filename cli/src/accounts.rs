//! `toolsmith accounts connect|list|remove`: connected accounts in the local store.

use std::process::ExitCode;

use miette::{miette, IntoDiagnostic};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};
use toolsmith::auth::{ConnectError, StaticCredential};
use toolsmith::store::{AccountFilter, AccountStatus, ConnectedAccount, ConnectedAccounts, Store};
use toolsmith::{AuthConfigId, Client, ConnectedAccountId, UserId};
use toolsmith_catalog::{Toolkit, ToolkitSlug};

use crate::catalog::{registry, CatalogArgs};
use crate::home::{open_store, runtime, secret, time};
use crate::out::outln;

/// `toolsmith accounts …`
#[derive(clap::Subcommand)]
pub(crate) enum Command {
    /// Connect a user's account to a toolkit with a static credential (API key, token,
    /// user and password, connection fields). A value of `-` is read from standard input.
    Connect(ConnectArgs),
    /// List connected accounts (never their secrets).
    List {
        /// Only this user's.
        #[arg(long)]
        user: Option<String>,
        /// Only this toolkit's.
        #[arg(long)]
        toolkit: Option<String>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Remove a connected account and its secrets.
    Remove {
        /// The account (`ca_…`).
        id: ConnectedAccountId,
    },
}

/// Arguments of `toolsmith accounts connect`.
#[derive(clap::Args)]
pub(crate) struct ConnectArgs {
    #[command(flatten)]
    catalog: CatalogArgs,
    /// The user the account belongs to (your application's user id).
    #[arg(long)]
    user: String,
    /// The toolkit (`github`).
    #[arg(long)]
    toolkit: String,
    /// An API key (the toolkit's `api_key` scheme).
    #[arg(long, group = "credential")]
    api_key: Option<String>,
    /// A bearer token (the `bearer` scheme).
    #[arg(long, group = "credential")]
    bearer: Option<String>,
    /// `USER:PASSWORD` (the `basic` scheme).
    #[arg(long, group = "credential")]
    basic: Option<String>,
    /// A connection field, `NAME=VALUE` (repeatable): a subdomain, an email…
    #[arg(long = "field", value_name = "NAME=VALUE")]
    fields: Vec<String>,
    /// A name for the account, unique for the user and toolkit (`work`).
    #[arg(long)]
    alias: Option<String>,
    /// The auth config to connect with (`ac_…`); by default the toolkit's config for
    /// the scheme, created on first use.
    #[arg(long)]
    auth_config: Option<AuthConfigId>,
    /// Store the account without running the toolkit's `verify` request (the cheap call
    /// that checks the credential works).
    #[arg(long)]
    no_verify: bool,
}

pub(crate) fn run(command: Command) -> miette::Result<ExitCode> {
    let rt = runtime()?;
    let store = open_store()?;
    match command {
        Command::Connect(args) => {
            let registry = registry(&args.catalog)?;
            let toolkit = registry.toolkit(&args.toolkit).ok_or_else(|| {
                let known: Vec<&str> = registry.toolkits().map(|t| t.slug.as_str()).collect();
                miette!("no toolkit `{}`; known toolkits: {}", args.toolkit, known.join(", "))
            })?;
            let mut account = rt.block_on(connect(store.as_ref(), toolkit, &args))?;
            let mut failed = None;
            if !args.no_verify {
                let client = Client::builder().store(store.clone()).build();
                if let Err(e) = rt.block_on(client.verify(toolkit, &account)) {
                    // Kept, as FAILED with the reason: `accounts list` shows it, a
                    // reconnect replaces it.
                    account.status = AccountStatus::Failed;
                    account.status_reason = Some(e.to_string());
                    rt.block_on(store.put_account(&account)).map_err(|e| miette!("{e}"))?;
                    failed = Some(e);
                }
            }
            outln!("{}", serde_json::to_string_pretty(&describe(&account)).into_diagnostic()?);
            match failed {
                Some(e) => {
                    eprintln!("error: {e}\n(the account is stored as FAILED; connect again with a working credential, or pass --no-verify to skip the check)");
                    Ok(ExitCode::from(1))
                }
                None => Ok(ExitCode::SUCCESS),
            }
        }
        Command::List { user, toolkit, json } => {
            let filter = AccountFilter {
                user_id: user.map(UserId::new),
                toolkit: toolkit.map(|t| ToolkitSlug::new(t.to_ascii_lowercase())),
                ..Default::default()
            };
            let accounts = rt.block_on(store.accounts(&filter)).map_err(|e| miette!("{e}"))?;
            if json {
                let list: Vec<Value> = accounts.iter().map(describe).collect();
                outln!("{}", serde_json::to_string_pretty(&list).into_diagnostic()?);
            } else {
                outln!("{:<26}  {:<16}  {:<14}  {:<8}  ALIAS", "ID", "USER", "TOOLKIT", "STATUS");
                for a in &accounts {
                    outln!(
                        "{:<26}  {:<16}  {:<14}  {:<8}  {}",
                        a.id,
                        a.user_id,
                        a.toolkit,
                        a.status,
                        a.alias.as_deref().unwrap_or("-")
                    );
                }
                outln!("{} account(s)", accounts.len());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Remove { id } => {
            if rt.block_on(store.delete_account(&id)).map_err(|e| miette!("{e}"))? {
                outln!("removed {id}");
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!("error: no connected account {id}; `toolsmith accounts list` shows them");
                Ok(ExitCode::from(1))
            }
        }
    }
}

/// Creates the account (and the toolkit's auth config for the scheme, on first use).
async fn connect(store: &dyn Store, toolkit: &Toolkit, args: &ConnectArgs) -> miette::Result<ConnectedAccount> {
    let mut credential = StaticCredential::new(args.user.clone());
    credential.alias = args.alias.clone();
    credential.auth_config = args.auth_config.clone();
    if let Some(key) = &args.api_key {
        credential.scheme = Some("api_key".into());
        credential.values.insert("api_key".into(), secret(key, "--api-key")?);
    }
    if let Some(token) = &args.bearer {
        credential.scheme = Some("bearer".into());
        credential.values.insert("token".into(), secret(token, "--bearer")?);
    }
    if let Some(pair) = &args.basic {
        let pair = secret(pair, "--basic")?;
        let (user, password) = pair
            .expose_secret()
            .split_once(':')
            .ok_or_else(|| miette!("--basic takes USER:PASSWORD (a `:` between them)"))?;
        credential.scheme = Some("basic".into());
        credential.values.insert("username".into(), SecretString::from(user));
        credential.values.insert("password".into(), SecretString::from(password));
    }
    for field in &args.fields {
        let (name, value) = field
            .split_once('=')
            .ok_or_else(|| miette!("--field `{field}` is not NAME=VALUE (an `=` between them)"))?;
        credential.values.insert(name.trim().to_owned(), secret(value, &format!("--field {name}"))?);
    }
    toolsmith::auth::connect(store, toolkit, credential).await.map_err(|e| match e {
        ConnectError::CredentialNeeded { .. } | ConnectError::NoScheme { .. } => {
            miette!("{e}\n(--api-key KEY for api_key, --bearer TOKEN for bearer, --basic USER:PASSWORD for basic, --field NAME=VALUE for fields)")
        }
        e => miette!("{e}"),
    })
}

/// An account as JSON, secrets by name only.
fn describe(account: &ConnectedAccount) -> Value {
    let mut secrets: Vec<&str> = account.credentials.secrets.keys().map(String::as_str).collect();
    if account.credentials.oauth2.is_some() {
        secrets.push("oauth2_tokens");
    }
    json!({
        "id": account.id,
        "user_id": account.user_id,
        "toolkit": account.toolkit,
        "auth_config": account.auth_config,
        "status": account.status,
        "status_reason": account.status_reason,
        "alias": account.alias,
        "fields": account.fields,
        "secrets": secrets,
        "created_at": time(account.created_at),
        "updated_at": time(account.updated_at),
    })
}
