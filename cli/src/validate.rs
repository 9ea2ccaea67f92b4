//! `toolsmith validate [PATH...]`

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use std::collections::HashMap;

use toolsmith_catalog::{check_paths, count, render_human, render_json, Code, Diagnostic, Severity, Style};

use crate::out::outln;

/// Arguments of `toolsmith validate`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// Toolkit folders, spec files, or folders of toolkits.
    #[arg(default_value = "catalog/toolkits")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Fail on warnings too.
    #[arg(long)]
    deny_warnings: bool,
    /// Show every warning; by default a file's warnings of one code are cut to the
    /// first 3 when there are more than 5, with a count of the rest.
    #[arg(long)]
    all_warnings: bool,
}

/// More warnings of one code in one file than this are summarized.
const SUMMARIZE_OVER: usize = 5;
/// Warnings shown of a summarized group.
const SHOWN: usize = 3;

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    /// miette reports with the offending YAML lines.
    Human,
    /// A JSON array of diagnostics.
    Json,
}

/// The diagnostics to print, and per (file, code) how many warnings were left out.
fn summarize(diagnostics: &[Diagnostic]) -> (Vec<Diagnostic>, Vec<(String, Code, usize)>) {
    let key = |d: &Diagnostic| (d.file.as_ref().map(|f| f.path().display().to_string()).unwrap_or_default(), d.code);
    let mut groups: HashMap<(String, Code), usize> = HashMap::new();
    for d in diagnostics.iter().filter(|d| d.severity() == Severity::Warning) {
        *groups.entry(key(d)).or_default() += 1;
    }
    let mut seen: HashMap<(String, Code), usize> = HashMap::new();
    let mut shown = Vec::new();
    for d in diagnostics {
        if d.severity() == Severity::Warning && groups[&key(d)] > SUMMARIZE_OVER {
            let n = seen.entry(key(d)).or_default();
            *n += 1;
            if *n > SHOWN {
                continue;
            }
        }
        shown.push(d.clone());
    }
    let mut hidden: Vec<(String, Code, usize)> = groups
        .into_iter()
        .filter(|(_, n)| *n > SUMMARIZE_OVER)
        .map(|((file, code), n)| (file, code, n - SHOWN))
        .collect();
    hidden.sort_by(|a, b| (&a.0, a.1.id()).cmp(&(&b.0, b.1.id())));
    (shown, hidden)
}

/// `N errors, M warnings`.
fn totals(diagnostics: &[Diagnostic]) -> String {
    let (errors, warnings) = count(diagnostics);
    format!(
        "{errors} error{}, {warnings} warning{}",
        if errors == 1 { "" } else { "s" },
        if warnings == 1 { "" } else { "s" }
    )
}

/// Exit 0 when valid, 1 on any error (or warning with `--deny-warnings`).
pub(crate) fn run(args: Args) -> miette::Result<ExitCode> {
    let start = Instant::now();
    let (loaded, diagnostics) = check_paths(&args.paths);
    let elapsed = start.elapsed();
    let (errors, warnings) = count(&diagnostics);
    match args.format {
        Format::Json => outln!("{}", render_json(&diagnostics)),
        Format::Human => {
            let style = Style { color: std::io::stderr().is_terminal(), width: 100 };
            let (shown, hidden) =
                if args.all_warnings { (diagnostics.clone(), Vec::new()) } else { summarize(&diagnostics) };
            let rendered = render_human(&shown, style);
            // The totals line counts every diagnostic, the hidden ones included.
            if let Some((body, _)) = rendered.trim_end().rsplit_once('\n') {
                eprintln!("{body}");
            }
            for (file, code, count) in &hidden {
                eprintln!("  … and {count} more {code} warnings in {file} (--all-warnings shows them)");
            }
            eprintln!("{}", totals(&diagnostics));
            let tools: usize = loaded.toolkits.iter().map(|t| t.tools.len()).sum();
            let triggers: usize = loaded.toolkits.iter().map(|t| t.triggers.len()).sum();
            eprintln!(
                "checked {} toolkits, {tools} tools, {triggers} triggers in {:.1} ms",
                loaded.toolkits.len(),
                elapsed.as_secs_f64() * 1000.0
            );
        }
    }
    let failed = errors > 0 || (args.deny_warnings && warnings > 0);
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
