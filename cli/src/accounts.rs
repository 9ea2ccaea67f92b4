//! `toolsmith accounts connect|reconnect|update|list|remove`: connected accounts in the
//! local store.

use std::process::ExitCode;
use std::sync::Arc;

use miette::{miette, IntoDiagnostic};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};
use std::time::Duration;

use toolsmith::auth::{ConnectError, LinkRequest, StaticCredential};
use toolsmith::store::{AccountFilter, AccountStatus, ConnectedAccount, Store};
use toolsmith::{AuthConfigId, Client, Registry, UserId};
use toolsmith_catalog::{Toolkit, ToolkitSlug};

use crate::account_ref::{self, Scope};
use crate::catalog::{registry, CatalogArgs};
use crate::home::{runtime, secret, time, Database, Deployment};
use crate::link;
use crate::out::outln;
use crate::serve::Listen;

/// `toolsmith accounts …`
#[derive(clap::Subcommand)]
pub(crate) enum Command {
    /// Connect a user's account to a toolkit with a static credential (API key, token,
    /// user and password, connection fields; a value of `-` is read from standard input),
    /// or, for an OAuth 2.0 toolkit given no credential, through a Connect Link: the link
    /// is printed and the command waits until the user has authorized in a browser.
    Connect(ConnectArgs),
    /// Reconnect an EXPIRED (or FAILED) account through a Connect Link, keeping its id:
    /// the link is printed and the command waits until the user has finished.
    Reconnect(ReconnectArgs),
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
    /// Replace a connected account's credential, keeping its id (`ca_…`): the values
    /// given replace the stored ones, the others of the same scheme are kept. The
    /// toolkit's `verify` check runs first; a failing credential is not saved.
    Update(UpdateArgs),
    /// Remove a connected account and its secrets.
    Remove {
        /// The account: its id (`ca_…`) or its alias.
        account: String,
        #[command(flatten)]
        scope: ScopeArgs,
    },
}

/// `--user` and `--toolkit` that narrow which account an alias names.
#[derive(clap::Args)]
pub(crate) struct ScopeArgs {
    /// The user whose account an alias names (aliases are unique per user and toolkit).
    #[arg(long)]
    user: Option<String>,
    /// The toolkit whose account an alias names.
    #[arg(long)]
    toolkit: Option<String>,
}

/// The credential flags `connect` and `update` share. A value of `-` is read from
/// standard input.
#[derive(clap::Args)]
pub(crate) struct CredentialArgs {
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
    /// Do not run the toolkit's `verify` request (the cheap call that checks the
    /// credential works).
    #[arg(long)]
    no_verify: bool,
}

/// An existing account named on the command line, and the catalog of its toolkit.
#[derive(clap::Args)]
pub(crate) struct NamedAccount {
    #[command(flatten)]
    catalog: CatalogArgs,
    /// The account: its id (`ca_…`) or its alias.
    account: String,
    #[command(flatten)]
    scope: ScopeArgs,
}

impl NamedAccount {
    /// The catalog and the account named.
    fn load(&self, rt: &tokio::runtime::Runtime, store: &dyn Store) -> miette::Result<(Registry, ConnectedAccount)> {
        let registry = registry(&self.catalog)?;
        let account = rt.block_on(self.scope.find(store, &self.account))?;
        Ok((registry, account))
    }
}

/// Arguments of `toolsmith accounts update`.
#[derive(clap::Args)]
pub(crate) struct UpdateArgs {
    #[command(flatten)]
    named: NamedAccount,
    #[command(flatten)]
    credential: CredentialArgs,
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
    #[command(flatten)]
    credential: CredentialArgs,
    #[command(flatten)]
    link: LinkArgs,
}

/// Arguments of `toolsmith accounts reconnect`.
#[derive(clap::Args)]
pub(crate) struct ReconnectArgs {
    #[command(flatten)]
    named: NamedAccount,
    #[command(flatten)]
    link: LinkArgs,
}

/// How a Connect Link is served and waited for (`toolsmith serve`'s address options: a
/// server of this home already answering there shows the page; otherwise the command
/// serves it while it waits).
#[derive(clap::Args)]
pub(crate) struct LinkArgs {
    /// How long the link works, and the command waits (`10m`, `90s`).
    #[arg(long, default_value = "10m", value_parser = humantime::parse_duration)]
    timeout: Duration,
    #[command(flatten)]
    listen: Listen,
}

pub(crate) fn run(command: Command, db: &Database) -> miette::Result<ExitCode> {
    let rt = runtime()?;
    let deployment = rt.block_on(db.open())?;
    let store = deployment.store();
    match command {
        Command::Connect(args) => {
            let registry = registry(&args.catalog)?;
            let toolkit = find_toolkit(&registry, &args.toolkit)?;
            if let Some(config) = rt.block_on(oauth_config(store.as_ref(), toolkit, &args))? {
                let request = LinkRequest {
                    auth_config: Some(config),
                    alias: args.credential.alias.clone(),
                    ttl: args.link.timeout,
                    ..LinkRequest::new(UserId::new(args.user.as_str()))
                };
                return args.link.run(&rt, &deployment, &registry, toolkit, request);
            }
            let credential = args.credential.to_credential(&args.user)?;
            let account =
                rt.block_on(toolsmith::auth::connect(store.as_ref(), toolkit, credential)).map_err(connect_error)?;
            let mut account = account;
            let failed = match verify(&rt, &store, toolkit, &account, args.credential.no_verify) {
                Some(e) => {
                    // Kept, as FAILED with the reason: `accounts list` shows it, a
                    // reconnect replaces it.
                    account.status = AccountStatus::Failed;
                    account.status_reason = Some(e.to_string());
                    rt.block_on(store.put_account(&account)).map_err(|e| miette!("{e}"))?;
                    Some(e)
                }
                None => None,
            };
            outln!("{}", serde_json::to_string_pretty(&describe(&account)).into_diagnostic()?);
            match failed {
                Some(e) => {
                    eprintln!("error: {e}\n(the account is stored as FAILED; connect again with a working credential, or pass --no-verify to skip the check)");
                    Ok(ExitCode::from(1))
                }
                None => Ok(ExitCode::SUCCESS),
            }
        }
        Command::Reconnect(args) => {
            let (registry, account) = args.named.load(&rt, store.as_ref())?;
            let toolkit = find_toolkit(&registry, account.toolkit.as_str())?;
            let request = LinkRequest {
                account: Some(account.id.clone()),
                ttl: args.link.timeout,
                ..LinkRequest::new(account.user_id.clone())
            };
            args.link.run(&rt, &deployment, &registry, toolkit, request)
        }
        Command::Update(args) => {
            let (registry, account) = args.named.load(&rt, store.as_ref())?;
            let toolkit = find_toolkit(&registry, account.toolkit.as_str())?;
            let credential = args.credential.to_credential(account.user_id.as_str())?;
            let updated = rt
                .block_on(toolsmith::auth::updated_account(store.as_ref(), toolkit, &account, credential))
                .map_err(connect_error)?;
            if let Some(e) = verify(&rt, &store, toolkit, &updated, args.credential.no_verify) {
                eprintln!(
                    "error: {e}\n(the new credential was not saved: {} keeps its stored one; update it with a working \
                     credential, or pass --no-verify to skip the check)",
                    account.id
                );
                return Ok(ExitCode::from(1));
            }
            rt.block_on(store.put_account(&updated)).map_err(|e| miette!("{e}"))?;
            outln!("{}", serde_json::to_string_pretty(&describe(&updated)).into_diagnostic()?);
            Ok(ExitCode::SUCCESS)
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
        Command::Remove { account, scope } => {
            let account = match rt.block_on(scope.find(store.as_ref(), &account)) {
                Ok(account) => account,
                Err(e) => {
                    eprintln!("error: {e}");
                    return Ok(ExitCode::from(1));
                }
            };
            let id = account.id;
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

impl LinkArgs {
    /// Makes the link, prints it, waits, and prints the outcome.
    fn run(
        &self,
        rt: &tokio::runtime::Runtime,
        deployment: &Deployment,
        registry: &Registry,
        toolkit: &Toolkit,
        request: LinkRequest,
    ) -> miette::Result<ExitCode> {
        let outcome = link::connect(rt, deployment, registry, toolkit, request, &self.listen)?;
        link::report(outcome, self.timeout, describe)
    }
}

/// The OAuth 2.0 auth config `connect` uses when no credential flag is given: the one
/// of `--auth-config`, else the toolkit's first enabled oauth2 config. `None` for the
/// static path. A toolkit that offers OAuth 2.0 only, without a config carrying a client
/// id, is an error that says how to register the app.
async fn oauth_config(
    store: &dyn Store,
    toolkit: &Toolkit,
    args: &ConnectArgs,
) -> miette::Result<Option<AuthConfigId>> {
    let c = &args.credential;
    if c.api_key.is_some() || c.bearer.is_some() || c.basic.is_some() || !c.fields.is_empty() {
        return Ok(None);
    }
    let configs = store.auth_configs(Some(&toolkit.slug)).await.map_err(|e| miette!("{e}"))?;
    let config = match &c.auth_config {
        Some(id) => configs.into_iter().find(|a| a.id == *id),
        None => configs.into_iter().find(|a| !a.disabled && a.scheme == "oauth2"),
    };
    let offers_oauth2 = toolkit.auth.iter().any(|s| s.name() == "oauth2");
    let oauth2_only = offers_oauth2 && toolkit.auth.iter().all(|s| s.name() == "oauth2");
    let callback = format!("{}/link/callback", args.link.listen.url()?.as_str().trim_end_matches('/'));
    match config {
        Some(config) if config.scheme != "oauth2" => Ok(None),
        Some(config) if config.client_id.as_deref().is_some_and(|id| !id.is_empty()) => Ok(Some(config.id)),
        Some(config) => Err(miette!(
            help = format!(
                "register an OAuth app at the provider with the redirect URI {callback}, then run \
                 `toolsmith auth-configs update {} --client-id ID --client-secret -`",
                config.id
            ),
            "auth config {} of toolkit `{}` has no OAuth client id: the user cannot be sent to authorize",
            config.id,
            toolkit.slug
        )),
        None if oauth2_only => Err(miette!(
            help = format!(
                "register an OAuth app at the provider with the redirect URI {callback}, then run \
                 `toolsmith auth-configs create --toolkit {} --client-id ID --client-secret -`",
                toolkit.slug
            ),
            "toolkit `{}` connects through OAuth 2.0 only, and has no oauth2 auth config with the app's client id",
            toolkit.slug
        )),
        None => Ok(None),
    }
}

impl ScopeArgs {
    /// The account `name` (a `ca_…` id or an alias) names among the accounts of
    /// `--user` and `--toolkit`.
    async fn find(&self, store: &dyn Store, name: &str) -> miette::Result<ConnectedAccount> {
        let user = self.user.as_deref().map(UserId::new);
        let toolkit = self.toolkit.as_deref().map(|t| ToolkitSlug::new(t.to_ascii_lowercase()));
        let scope = Scope { user: user.as_ref(), toolkit: toolkit.as_ref() };
        account_ref::find(store, name, &scope).await.map_err(|e| miette!("{e}"))
    }
}

impl CredentialArgs {
    /// The credential the flags give, for `user`; secrets given as `-` are read from
    /// standard input.
    fn to_credential(&self, user: &str) -> miette::Result<StaticCredential> {
        let mut credential = StaticCredential::new(user);
        credential.alias = self.alias.clone();
        credential.auth_config = self.auth_config.clone();
        if let Some(key) = &self.api_key {
            credential.scheme = Some("api_key".into());
            credential.values.insert("api_key".into(), secret(key, "--api-key")?);
        }
        if let Some(token) = &self.bearer {
            credential.scheme = Some("bearer".into());
            credential.values.insert("token".into(), secret(token, "--bearer")?);
        }
        if let Some(pair) = &self.basic {
            let pair = secret(pair, "--basic")?;
            let (user, password) = pair
                .expose_secret()
                .split_once(':')
                .ok_or_else(|| miette!("--basic takes USER:PASSWORD (a `:` between them)"))?;
            credential.scheme = Some("basic".into());
            credential.values.insert("username".into(), SecretString::from(user));
            credential.values.insert("password".into(), SecretString::from(password));
        }
        for field in &self.fields {
            let (name, value) = field
                .split_once('=')
                .ok_or_else(|| miette!("--field `{field}` is not NAME=VALUE (an `=` between them)"))?;
            credential.values.insert(name.trim().to_owned(), secret(value, &format!("--field {name}"))?);
        }
        Ok(credential)
    }
}

/// The catalog's toolkit `slug`, or an error that lists the known ones.
fn find_toolkit<'r>(registry: &'r Registry, slug: &str) -> miette::Result<&'r Toolkit> {
    registry.toolkit(slug).ok_or_else(|| {
        let known: Vec<&str> = registry.toolkits().map(|t| t.slug.as_str()).collect();
        miette!("no toolkit `{slug}`; known toolkits: {}", known.join(", "))
    })
}

/// Runs the toolkit's `verify` request with `account` unless `skip`; the error when it
/// fails.
fn verify(
    rt: &tokio::runtime::Runtime,
    store: &Arc<dyn Store>,
    toolkit: &Toolkit,
    account: &ConnectedAccount,
    skip: bool,
) -> Option<toolsmith::Error> {
    if skip {
        return None;
    }
    let client = Client::builder().store(store.clone()).build();
    rt.block_on(client.verify(toolkit, account)).err()
}

/// A connect or update error, with the flags that give a credential when one is missing.
fn connect_error(e: ConnectError) -> miette::Report {
    match e {
        ConnectError::CredentialNeeded { .. } | ConnectError::NoScheme { .. } => {
            miette!("{e}\n(--api-key KEY for api_key, --bearer TOKEN for bearer, --basic USER:PASSWORD for basic, --field NAME=VALUE for fields)")
        }
        e => miette!("{e}"),
    }
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
