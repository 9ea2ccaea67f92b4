//! `toolsmith execute SLUG --user U --args JSON [--account ca_…] [--dry-run]`

use std::io::Read;
use std::process::ExitCode;

use miette::{miette, IntoDiagnostic};
use serde_json::Value;
use toolsmith::spec::Version;
use toolsmith::{CallOptions, Client, ConnectedAccountId, UserId};

use crate::catalog::{registry_for_tool, CatalogArgs};
use crate::home::{home, open_store, runtime};
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
    /// The connected account to use (`ca_…`) when the user has several.
    #[arg(long)]
    account: Option<ConnectedAccountId>,
    /// The toolkit version to run (`20261122_00`); the newest loaded by default.
    #[arg(long)]
    version: Option<String>,
    /// Print the request that would be sent (secrets redacted) instead of sending it.
    #[arg(long)]
    dry_run: bool,
}

/// Prints `{data, error, successful, log_id}` as JSON; exit code 0 when successful.
pub(crate) fn run(args: Args) -> miette::Result<ExitCode> {
    let arguments = arguments(&args.args)?;
    let registry = registry_for_tool(&args.catalog, &args.slug)?;
    let store = open_store()?;
    let client = Client::builder().store(store).files_dir(home()?.join("files")).build();
    let user = UserId::parse(&args.user).map_err(|e| miette!("--user: {e}"))?;
    let options = CallOptions {
        account: args.account.clone(),
        version: args.version.as_deref().map(Version::from),
        dry_run: args.dry_run,
    };
    let rt = runtime()?;
    let result = rt.block_on(async {
        let result = registry.execute_tool(&client, &args.slug, &user, arguments, &options).await;
        client.flush_logs().await;
        result
    });
    // A dry run prints the request it would send; anything else Composio's result shape.
    let shown = if args.dry_run && result.successful {
        &result.data
    } else {
        &serde_json::to_value(&result).into_diagnostic()?
    };
    outln!("{}", serde_json::to_string_pretty(shown).into_diagnostic()?);
    Ok(if result.successful { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// `--args`: JSON text, `@FILE`, or `-`.
fn arguments(text: &str) -> miette::Result<Value> {
    let (source, text) = match text {
        "-" => {
            let mut buffer = String::new();
            std::io::stdin().read_to_string(&mut buffer).into_diagnostic()?;
            ("standard input".to_owned(), buffer)
        }
        _ if text.starts_with('@') => {
            let path = &text[1..];
            let content =
                std::fs::read_to_string(path).map_err(|e| miette!("--args {text}: cannot read {path}: {e}"))?;
            (path.to_owned(), content)
        }
        _ => ("--args".to_owned(), text.to_owned()),
    };
    serde_json::from_str(&text).map_err(|e| {
        miette!(
            "{source} is not JSON: {e} (at line {}, column {}); pass an object like '{{\"owner\": \"octocat\"}}'",
            e.line(),
            e.column()
        )
    })
}
