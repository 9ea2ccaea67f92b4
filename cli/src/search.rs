//! `toolsmith search "<task>"`: the tools of the catalog that do a task, with the
//! tools that produce the IDs they need (the data of Composio's `SEARCH_TOOLS`).

use std::process::ExitCode;

use miette::IntoDiagnostic;
use toolsmith::search::{ResponseOptions, ToolSearch};

use crate::catalog::{registry, CatalogArgs};
use crate::out::outln;

/// `toolsmith search`
#[derive(clap::Args)]
pub(crate) struct Args {
    /// What the agent wants to do, e.g. "create a GitHub issue for the login bug".
    /// Several tasks may be given; each is searched on its own.
    #[arg(required = true)]
    tasks: Vec<String>,
    #[command(flatten)]
    catalog: CatalogArgs,
    /// Tools per task (primary and related together; 1 or more).
    #[arg(long, default_value_t = 6, value_parser = crate::limit::parse)]
    limit: usize,
    /// Only this toolkit's tools.
    #[arg(long)]
    toolkit: Option<String>,
    /// Print Composio's SEARCH_TOOLS data as JSON (schemas, dependencies, hints).
    #[arg(long)]
    json: bool,
}

pub(crate) fn run(args: Args) -> miette::Result<ExitCode> {
    let registry = registry(&args.catalog)?;
    if let Some(toolkit) = &args.toolkit {
        if registry.toolkit(toolkit).is_none() {
            let known: Vec<&str> = registry.toolkits().map(|t| t.slug.as_str()).collect();
            eprintln!("error: no toolkit `{toolkit}` in the catalog; known toolkits: {}", known.join(", "));
            return Ok(ExitCode::from(1));
        }
    }
    let search = ToolSearch::new(&registry);
    let options = ResponseOptions { limit: args.limit, toolkit: args.toolkit.clone(), ..Default::default() };
    let response = search.search(&args.tasks, &options);
    if args.json {
        outln!("{}", serde_json::to_string_pretty(&response).into_diagnostic()?);
        return Ok(ExitCode::SUCCESS);
    }
    for result in &response.results {
        outln!("{}", result.use_case);
        if result.primary_tool_slugs.is_empty() {
            outln!("  no tool matches; name the app and the action (\"create a Jira issue\")");
            continue;
        }
        for step in &result.steps {
            outln!("  step: {step}");
        }
        let line = |kind: &str, slug: &str| {
            let name = registry.tool(slug).map(|t| t.tool.name.as_str()).unwrap_or_default();
            outln!("  {kind:<8} {slug:<40} {name}");
        };
        for slug in &result.primary_tool_slugs {
            line("primary", slug);
        }
        for slug in &result.related_tool_slugs {
            line("related", slug);
        }
        for (tool, deps) in &result.dependencies {
            for d in deps {
                outln!("  needs    {tool}.{} from {}", d.parameter, d.tool_slug);
            }
        }
        for step in &result.recommended_plan_steps {
            outln!("  step     {step}");
        }
        for pitfall in &result.known_pitfalls {
            outln!("  pitfall  {pitfall}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
