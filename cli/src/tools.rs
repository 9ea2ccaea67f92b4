//! `toolsmith tools list|get|export`

use std::process::ExitCode;

use miette::IntoDiagnostic;
use serde_json::json;
use toolsmith::{ToolQuery, ToolRef};

use crate::catalog::{registry, CatalogArgs};
use crate::out::outln;

/// `toolsmith tools …`
#[derive(clap::Subcommand)]
pub(crate) enum Command {
    /// List tools, toolkit by toolkit, a page at a time.
    List {
        #[command(flatten)]
        catalog: CatalogArgs,
        /// Only this toolkit's tools.
        #[arg(long)]
        toolkit: Option<String>,
        /// Only tools with this tag (repeatable: all must match), e.g. `readOnlyHint`.
        #[arg(long = "tag")]
        tags: Vec<String>,
        /// Only tools tagged `important`.
        #[arg(long)]
        important: bool,
        /// Tools per page (1 or more).
        #[arg(long, default_value_t = 20, value_parser = crate::limit::parse)]
        limit: usize,
        /// Continue after this cursor (printed at the end of the previous page).
        #[arg(long)]
        cursor: Option<String>,
        /// Print `{items, next_cursor}` as JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show one tool with its input schema.
    Get {
        #[command(flatten)]
        catalog: CatalogArgs,
        /// The tool slug (any case).
        slug: String,
    },
    /// Print tools as a provider's `tools` array (OpenAI, Anthropic, Gemini), ready to
    /// paste into an API call.
    Export(crate::export::Args),
}

pub(crate) fn run(command: Command) -> miette::Result<ExitCode> {
    match command {
        Command::List { catalog, toolkit, tags, important, limit, cursor, json } => {
            let registry = registry(&catalog)?;
            let query = ToolQuery { toolkit, tags, important, limit, cursor };
            let page = match registry.list(&query) {
                Ok(page) => page,
                Err(e) => {
                    eprintln!("error: {e}");
                    return Ok(ExitCode::from(1));
                }
            };
            if json {
                let items: Vec<_> = page.items.iter().map(summary).collect();
                let value = json!({ "items": items, "next_cursor": page.next_cursor });
                outln!("{}", serde_json::to_string_pretty(&value).into_diagnostic()?);
            } else {
                print_table(&page.items);
                if let Some(cursor) = &page.next_cursor {
                    outln!("more: --cursor {cursor}");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Get { catalog, slug } => {
            let registry = registry(&catalog)?;
            let Some(t) = registry.tool(&slug) else {
                eprintln!("error: no tool `{slug}`; `toolsmith tools list` shows them");
                return Ok(ExitCode::from(1));
            };
            let mut value = summary(&t);
            value["input_schema"] = t.toolkit.input_schema(t.tool);
            if let Some(output) = t.toolkit.output_schema(t.tool) {
                value["output_schema"] = output;
            }
            outln!("{}", serde_json::to_string_pretty(&value).into_diagnostic()?);
            Ok(ExitCode::SUCCESS)
        }
        Command::Export(args) => crate::export::run(args),
    }
}

fn summary(t: &ToolRef<'_>) -> serde_json::Value {
    json!({
        "slug": t.tool.slug,
        "toolkit": t.toolkit.slug,
        "name": t.tool.name,
        "description": t.tool.description.trim(),
        "method": t.tool.http.method.as_str(),
        "path": t.tool.http.path,
        "tags": t.tool.tags.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
    })
}

fn print_table(tools: &[ToolRef<'_>]) {
    let width = tools.iter().map(|t| t.tool.slug.as_str().len()).max().unwrap_or(4).max(4);
    outln!("{:<width$}  {:<7}  NAME", "SLUG", "METHOD");
    for t in tools {
        outln!("{:<width$}  {:<7}  {}", t.tool.slug.as_str(), t.tool.http.method.as_str(), t.tool.name);
    }
    let toolkits: std::collections::BTreeSet<&str> = tools.iter().map(|t| t.toolkit.slug.as_str()).collect();
    outln!("{} tools in {} toolkits", tools.len(), toolkits.len());
}
