//! `toolsmith accounts connect|list|remove`: connected accounts in the local store.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::SystemTime;

use miette::{miette, IntoDiagnostic};
use secrecy::SecretString;
use serde_json::{json, Value};
use toolsmith::store::{AccountFilter, AccountStatus, AuthConfig, ConnectedAccount, Credentials, Store};
use toolsmith::{AuthConfigId, ConnectedAccountId, UserId};
use toolsmith_catalog::{AuthScheme, ConnectionField, Toolkit, ToolkitSlug};

use crate::home::{open_store, registry, runtime, secret, time};
use crate::CatalogArgs;

/// `toolsmith accounts …`
#[derive(clap::Subcommand)]
pub enum Command {
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
pub struct ConnectArgs {
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
}

pub fn run(command: Command) -> miette::Result<ExitCode> {
    let rt = runtime()?;
    let store = open_store()?;
    match command {
        Command::Connect(args) => {
            let registry = registry(&args.catalog)?;
            let toolkit = registry.toolkit(&args.toolkit).ok_or_else(|| {
                let known: Vec<&str> = registry.toolkits().map(|t| t.slug.as_str()).collect();
                miette!("no toolkit `{}`; known toolkits: {}", args.toolkit, known.join(", "))
            })?;
            let account = rt.block_on(connect(store.as_ref(), toolkit, &args))?;
            println!("{}", serde_json::to_string_pretty(&describe(&account)).into_diagnostic()?);
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
                println!("{}", serde_json::to_string_pretty(&list).into_diagnostic()?);
            } else {
                println!("{:<26}  {:<16}  {:<14}  {:<8}  ALIAS", "ID", "USER", "TOOLKIT", "STATUS");
                for a in &accounts {
                    println!(
                        "{:<26}  {:<16}  {:<14}  {:<8}  {}",
                        a.id,
                        a.user_id,
                        a.toolkit,
                        a.status,
                        a.alias.as_deref().unwrap_or("-")
                    );
                }
                println!("{} account(s)", accounts.len());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Remove { id } => {
            if rt.block_on(store.delete_account(&id)).map_err(|e| miette!("{e}"))? {
                println!("removed {id}");
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
    let scheme = choose_scheme(toolkit, args)?;
    let mut given: BTreeMap<String, SecretString> = BTreeMap::new();
    if let Some(key) = &args.api_key {
        given.insert("api_key".into(), secret(key, "--api-key")?);
    }
    if let Some(token) = &args.bearer {
        given.insert("token".into(), secret(token, "--bearer")?);
    }
    if let Some(pair) = &args.basic {
        let pair = secret(pair, "--basic")?;
        let (user, password) = secrecy::ExposeSecret::expose_secret(&pair)
            .split_once(':')
            .ok_or_else(|| miette!("--basic takes USER:PASSWORD (a `:` between them)"))?;
        given.insert("username".into(), SecretString::from(user));
        given.insert("password".into(), SecretString::from(password));
    }
    for field in &args.fields {
        let (name, value) = field
            .split_once('=')
            .ok_or_else(|| miette!("--field `{field}` is not NAME=VALUE (an `=` between them)"))?;
        given.insert(name.trim().to_owned(), secret(value, &format!("--field {name}"))?);
    }

    let declared = scheme.connection_fields();
    let (fields, secrets) = split_fields(toolkit, scheme, &declared, given)?;
    let auth_config = auth_config(store, toolkit, scheme, args.auth_config.as_ref()).await?;
    let now = SystemTime::now();
    let account = ConnectedAccount {
        id: ConnectedAccountId::generate(),
        user_id: UserId::new(args.user.clone()),
        toolkit: toolkit.slug.clone(),
        auth_config: auth_config.id,
        status: AccountStatus::Active,
        status_reason: None,
        alias: args.alias.clone(),
        fields,
        credentials: Credentials { secrets, oauth2: None },
        created_at: now,
        updated_at: now,
    };
    store.put_account(&account).await.map_err(|e| miette!("{e}"))?;
    Ok(account)
}

/// The scheme the given credential is for.
fn choose_scheme<'t>(toolkit: &'t Toolkit, args: &ConnectArgs) -> miette::Result<&'t AuthScheme> {
    let wanted = if args.api_key.is_some() {
        Some("api_key")
    } else if args.bearer.is_some() {
        Some("bearer")
    } else if args.basic.is_some() {
        Some("basic")
    } else {
        None
    };
    let offered: Vec<&str> = toolkit.auth.iter().map(AuthScheme::name).collect();
    let flags = offered
        .iter()
        .filter_map(|s| match *s {
            "api_key" => Some("--api-key KEY"),
            "bearer" => Some("--bearer TOKEN"),
            "basic" => Some("--basic USER:PASSWORD"),
            "none" => Some("--field NAME=VALUE"),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join(" or ");
    match wanted {
        Some(name) => toolkit.auth.iter().find(|s| s.name() == name).ok_or_else(|| {
            miette!(
                "toolkit `{}` has no `{name}` scheme (it offers {}); connect with {}",
                toolkit.slug,
                offered.join(", "),
                if flags.is_empty() { "an OAuth 2.0 flow" } else { &flags }
            )
        }),
        None => toolkit.auth.iter().find(|s| matches!(s, AuthScheme::None(_))).ok_or_else(|| {
            if offered == ["oauth2"] {
                miette!(
                    "toolkit `{}` only offers OAuth 2.0, which connects through the authorization flow in a \
                     browser (a Connect Link), not with this command",
                    toolkit.slug
                )
            } else {
                miette!("give a credential for toolkit `{}`: {flags}", toolkit.slug)
            }
        }),
    }
}

/// Splits the given values into plain connection fields and secrets, checking that
/// every required field is there, that none is unknown, and that values match their
/// patterns (secret values are never shown).
fn split_fields(
    toolkit: &Toolkit,
    scheme: &AuthScheme,
    declared: &[ConnectionField],
    mut given: BTreeMap<String, SecretString>,
) -> miette::Result<(BTreeMap<String, String>, BTreeMap<String, SecretString>)> {
    use secrecy::ExposeSecret;
    let mut fields = BTreeMap::new();
    let mut secrets = BTreeMap::new();
    for field in declared {
        let value = match given.remove(&field.name) {
            Some(value) => value,
            None => match &field.default {
                Some(default) => SecretString::from(default.as_str()),
                None if field.required => {
                    let about = field.description.as_deref().map(|d| format!(": {}", d.trim())).unwrap_or_default();
                    return Err(miette!(
                        "toolkit `{}` ({} scheme) needs `{}` ({}{about}); give it with --field {}=VALUE",
                        toolkit.slug,
                        scheme.name(),
                        field.name,
                        field.title,
                        field.name
                    ));
                }
                None => continue,
            },
        };
        if let Some(pattern) = &field.pattern {
            let re = regex::Regex::new(pattern).into_diagnostic()?;
            if !re.is_match(value.expose_secret()) {
                let shown = if field.secret { "the value".to_owned() } else { format!("`{}`", value.expose_secret()) };
                return Err(miette!("`{}`: {shown} does not match `{pattern}`", field.name));
            }
        }
        if field.secret {
            secrets.insert(field.name.clone(), value);
        } else {
            fields.insert(field.name.clone(), value.expose_secret().to_owned());
        }
    }
    if let Some(name) = given.keys().next() {
        let known: Vec<&str> = declared.iter().map(|f| f.name.as_str()).collect();
        return Err(miette!(
            "`{name}` is not a connection field of toolkit `{}` ({} scheme); its fields: {}",
            toolkit.slug,
            scheme.name(),
            if known.is_empty() { "none".to_owned() } else { known.join(", ") }
        ));
    }
    Ok((fields, secrets))
}

/// The auth config to connect with: the one named, else the toolkit's enabled config
/// for the scheme, else a new one.
async fn auth_config(
    store: &dyn Store,
    toolkit: &Toolkit,
    scheme: &AuthScheme,
    wanted: Option<&AuthConfigId>,
) -> miette::Result<AuthConfig> {
    if let Some(id) = wanted {
        let config = store.auth_config(id).await.map_err(|e| miette!("{e}"))?;
        let config = config.ok_or_else(|| miette!("auth config {id} does not exist"))?;
        if config.toolkit != toolkit.slug || config.scheme != scheme.name() {
            return Err(miette!(
                "auth config {id} is for toolkit `{}` with the `{}` scheme, not `{}` with `{}`",
                config.toolkit,
                config.scheme,
                toolkit.slug,
                scheme.name()
            ));
        }
        return Ok(config);
    }
    let configs = store.auth_configs(Some(&toolkit.slug)).await.map_err(|e| miette!("{e}"))?;
    if let Some(config) = configs.into_iter().find(|c| c.scheme == scheme.name() && !c.disabled) {
        return Ok(config);
    }
    let config = AuthConfig {
        id: AuthConfigId::generate(),
        toolkit: toolkit.slug.clone(),
        name: format!("{} ({})", toolkit.name, scheme.name()),
        scheme: scheme.name().to_owned(),
        client_id: None,
        client_secret: None,
        scopes: Vec::new(),
        disabled: false,
        created_at: SystemTime::now(),
    };
    store.put_auth_config(&config).await.map_err(|e| miette!("{e}"))?;
    Ok(config)
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
