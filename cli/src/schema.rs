//! `toolsmith schema [--check] [--dir catalog/schema]`

use std::path::PathBuf;
use std::process::ExitCode;

use miette::{miette, IntoDiagnostic};

/// Arguments of `toolsmith schema`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// Folder the schemas are written to.
    #[arg(long, default_value = "catalog/schema")]
    dir: PathBuf,
    /// Only check that the files are up to date (exit 1 if not).
    #[arg(long)]
    check: bool,
}

pub(crate) fn run(args: Args) -> miette::Result<ExitCode> {
    let mut stale = Vec::new();
    for (name, content) in toolsmith_catalog::published_schemas() {
        let path = args.dir.join(name);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current == content {
            continue;
        }
        if args.check {
            stale.push(path.display().to_string());
        } else {
            std::fs::create_dir_all(&args.dir).into_diagnostic()?;
            std::fs::write(&path, content).map_err(|e| miette!("cannot write {}: {e}", path.display()))?;
            eprintln!("wrote {}", path.display());
        }
    }
    if !stale.is_empty() {
        eprintln!("stale: {} — run `toolsmith schema` to regenerate", stale.join(", "));
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
