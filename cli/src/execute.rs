//! `toolsmith execute SLUG --user U --args JSON [--account ca_…|ALIAS] [--dry-run]`

use std::process::ExitCode;

use miette::{miette, IntoDiagnostic};
use serde_json::Value;
use toolsmith::spec::Version;
use toolsmith::{CallOptions, Client, ConnectedAccountId, ExecutionResult, UserId};

use crate::account_ref::{self, Scope};
use crate::catalog::{registry, CatalogArgs};
use crate::files::read_stdin;
use crate::home::{home, runtime, Database};
use crate::out::outln;

/// Arguments of `toolsmith execute`.
#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    catalog: CatalogArgs,
    /// The tool slug (any case).
    slug: String,
    /// The user the call is made for: their connected account is used.
    #[arg(long)]
    user: String,
    /// The arguments: JSON text, `@FILE` for a file, or `-` for standard input.
    #[arg(long, default_value = "{}")]
    args: String,
    /// The connected account to use when the user has several: its id (`ca_…`) or
    /// its alias (`work`).
    #[arg(long)]
    account: Option<String>,
    /// The toolkit version to run (`20261122_00`); the newest loaded by default.
    #[arg(long)]
    version: Option<String>,
    /// Print the request that would be sent (secrets redacted) instead of sending it.
    #[arg(long)]
    dry_run: bool,
    #[command(flatten)]
    db: Database,
}

/// Prints `{data, error, successful, log_id}` as JSON; exit code 0 when successful. A
/// mistake in `--args` or `--account` is printed in the same shape (not successful).
pub(crate) fn run(args: Args) -> miette::Result<ExitCode> {
    let arguments = match arguments(&args.args) {
        Ok(arguments) => arguments,
        Err(message) => return print(&failure(message), false),
    };
    let registry = registry(&args.catalog)?;
    let user = UserId::parse(&args.user).map_err(|e| miette!("--user: {e}"))?;
    let rt = runtime()?;
    let store = rt.block_on(args.db.open())?.store();
    let account = match &args.account {
        None => None,
        Some(name) => match ConnectedAccountId::parse(name) {
            Some(id) => Some(id),
            None => {
                let toolkit = registry.tool(&args.slug).map(|t| t.toolkit.slug.clone());
                let scope = Scope { user: Some(&user), toolkit: toolkit.as_ref() };
                match rt.block_on(account_ref::by_alias(store.as_ref(), name, &scope)) {
                    Ok(account) => Some(account.id),
                    Err(message) => return print(&failure(format!("--account: {message}")), false),
                }
            }
        },
    };
    let client = Client::builder().store(store).files_dir(home()?.join("files")).build();
    let options = CallOptions { account, version: args.version.as_deref().map(Version::from), dry_run: args.dry_run };
    let result = rt.block_on(async {
        let result = registry.execute_tool(&client, &args.slug, &user, arguments, &options).await;
        client.flush_logs().await;
        result
    });
    print(&result, args.dry_run)
}

/// Prints a result: a successful dry run as the request it would send, anything else
/// as Composio's result shape. Exit code 0 when successful.
fn print(result: &ExecutionResult, dry_run: bool) -> miette::Result<ExitCode> {
    let shown =
        if dry_run && result.successful { &result.data } else { &serde_json::to_value(result).into_diagnostic()? };
    outln!("{}", serde_json::to_string_pretty(shown).into_diagnostic()?);
    Ok(if result.successful { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// A call that failed before it was made: no data, no log entry.
fn failure(message: String) -> ExecutionResult {
    ExecutionResult { data: Value::Object(Default::default()), error: Some(message), successful: false, log_id: None }
}

/// `--args`: JSON text, `@FILE`, or `-`; a JSON object. The error says what is wrong.
fn arguments(text: &str) -> Result<Value, String> {
    json_object(text, "--args", "the tool's arguments", r#"pass an object like '{"owner": "octocat"}'"#)
}

/// The value of option `flag`: JSON text, `@FILE` for a file, or `-` for standard input;
/// a JSON object of `what`. The error says what is wrong and gives `example`.
pub(crate) fn json_object(text: &str, flag: &str, what: &str, example: &str) -> Result<Value, String> {
    let (source, text) = match text {
        "-" => {
            let text = read_stdin(&format!("{flag} -")).map_err(|e| e.to_string())?;
            (format!("{flag} - (standard input)"), text)
        }
        _ if text.starts_with('@') => {
            let path = &text[1..];
            let content = std::fs::read_to_string(path)
                .map_err(|e| format!("{flag} {text}: cannot read `{path}`: {e}; give the path of a JSON file"))?;
            (format!("{flag} {text}"), content)
        }
        _ => (flag.to_owned(), text.to_owned()),
    };
    let value: Value = serde_json::from_str(&text).map_err(|e| format!("{source} is not JSON: {e}; {example}"))?;
    let kind = match &value {
        Value::Object(_) => return Ok(value),
        Value::Array(_) => "an array",
        Value::String(_) => "a string",
        Value::Number(_) => "a number",
        Value::Bool(_) => "a boolean",
        Value::Null => "null",
    };
    Err(format!("{source} is {kind}, not a JSON object of {what}; {example}"))
}
