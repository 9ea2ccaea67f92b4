//! `toolsmith validate [PATH...]`

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use toolsmith_catalog::{check_paths, count, render_human, render_json, Style};

/// Arguments of `toolsmith validate`.
#[derive(clap::Args)]
pub struct Args {
    /// Toolkit folders, spec files, or folders of toolkits.
    #[arg(default_value = "catalog/toolkits")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Fail on warnings too.
    #[arg(long)]
    deny_warnings: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    /// miette reports with the offending YAML lines.
    Human,
    /// A JSON array of diagnostics.
    Json,
}

/// Exit 0 when valid, 1 on any error (or warning with `--deny-warnings`).
pub fn run(args: Args) -> miette::Result<ExitCode> {
    let start = Instant::now();
    let (loaded, diagnostics) = check_paths(&args.paths);
    let elapsed = start.elapsed();
    let (errors, warnings) = count(&diagnostics);
    match args.format {
        Format::Json => println!("{}", render_json(&diagnostics)),
        Format::Human => {
            let style = Style { color: std::io::stderr().is_terminal(), width: 100 };
            eprint!("{}", render_human(&diagnostics, style));
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
