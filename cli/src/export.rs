//! `toolsmith tools export --provider P [--toolkit T]… [--tool SLUG]… [--strict] [--all]`:
//! the JSON array of tools a developer pastes into an API call.

use std::process::ExitCode;

use miette::IntoDiagnostic;
use toolsmith::{Registry, ToolRef};
use toolsmith_providers::{render, Provider, RenderOptions, ToolDescription};

use crate::catalog::{registry, CatalogArgs};
use crate::out::outln;

/// Arguments of `toolsmith tools export`.
#[derive(clap::Args)]
pub(crate) struct Args {
    #[command(flatten)]
    catalog: CatalogArgs,
    /// The provider format: openai, openai-responses, anthropic, gemini (parametersJsonSchema)
    /// or gemini-openapi (the older OpenAPI-subset parameters).
    #[arg(long, value_parser = parse_provider)]
    provider: Provider,
    /// Every tool of this toolkit (repeatable).
    #[arg(long = "toolkit")]
    toolkits: Vec<String>,
    /// This tool (repeatable; any case).
    #[arg(long = "tool")]
    tools: Vec<String>,
    /// Strict (grammar-constrained) tools where the schema allows; a tool that cannot be
    /// strict is sent non-strict and named on standard error. OpenAI Responses tools are
    /// strict unless `--strict=false`.
    #[arg(long, num_args = 0..=1, default_missing_value = "true")]
    strict: Option<bool>,
    /// Every tool of the catalog (thousands), when neither --toolkit nor --tool is given.
    #[arg(long)]
    all: bool,
}

fn parse_provider(name: &str) -> Result<Provider, String> {
    name.parse().map_err(|e: toolsmith_providers::UnknownProvider| e.to_string())
}

/// Prints the rendered tools as a pretty JSON array; fallbacks to non-strict go to
/// standard error, one line per tool. Exit code 1 for an unknown toolkit or tool, 2
/// when nothing was selected.
pub(crate) fn run(args: Args) -> miette::Result<ExitCode> {
    if args.toolkits.is_empty() && args.tools.is_empty() && !args.all {
        eprintln!(
            "error: name the tools to export with --toolkit T or --tool SLUG (repeatable); \
             --all exports every tool of the catalog (thousands)"
        );
        return Ok(ExitCode::from(2));
    }
    let registry = registry(&args.catalog)?;
    let mut selected: Vec<ToolRef<'_>> = Vec::new();
    if args.all && args.toolkits.is_empty() && args.tools.is_empty() {
        selected.extend(registry.tools());
    }
    for slug in &args.toolkits {
        let Some(toolkit) = registry.toolkit(slug) else {
            let slugs: Vec<&str> = registry.toolkits().map(|t| t.slug.as_str()).collect();
            let hint = did_you_mean(slug, &slugs);
            eprintln!("error: no toolkit `{slug}`{hint}; the toolkits are: {}", slugs.join(", "));
            return Ok(ExitCode::from(1));
        };
        selected.extend(toolkit.tools.iter().map(|tool| ToolRef { toolkit, tool }));
    }
    for slug in &args.tools {
        match registry.tool(slug) {
            Some(tool) => selected.push(tool),
            None => {
                let hint = did_you_mean(slug, &candidates(&registry, slug));
                eprintln!("error: no tool `{slug}`{hint}; `toolsmith tools list` shows them");
                return Ok(ExitCode::from(1));
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    selected.retain(|t| seen.insert(t.tool.slug.as_str().to_owned()));
    let tools: Vec<ToolDescription> = selected
        .iter()
        .map(|t| ToolDescription {
            name: t.tool.slug.as_str().to_owned(),
            description: t.tool.description.trim().to_owned(),
            input_schema: t.toolkit.input_schema(t.tool),
        })
        .collect();
    let rendered = render(args.provider, &tools, &RenderOptions { strict: args.strict });
    for fallback in &rendered.fallbacks {
        eprintln!("note: {} is not strict: {}", fallback.tool, fallback.reason);
    }
    outln!("{}", serde_json::to_string_pretty(&rendered.tools).into_diagnostic()?);
    Ok(ExitCode::SUCCESS)
}

/// The slugs to suggest from: the tools of the toolkit the slug starts with, when
/// there is one, else every tool.
fn candidates<'r>(registry: &'r Registry, slug: &str) -> Vec<&'r str> {
    let prefix = slug.split('_').next().unwrap_or_default();
    match registry.toolkit(prefix) {
        Some(toolkit) => toolkit.tools.iter().map(|t| t.slug.as_str()).collect(),
        None => registry.tools().map(|t| t.tool.slug.as_str()).collect(),
    }
}

fn did_you_mean(word: &str, candidates: &[&str]) -> String {
    toolsmith_catalog::did_you_mean(word, candidates)
        .map(|best| format!(" (did you mean `{best}`?)"))
        .unwrap_or_default()
}
