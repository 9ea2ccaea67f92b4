//! `toolsmith schema [--check] [--dir catalog/schema]`

use std::path::PathBuf;
use std::process::ExitCode;

use crate::files::error;

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
        let current = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            // Missing, or a file where its folder should be (reported when the folder is made).
            Err(e) if matches!(e.kind(), std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory) => {
                String::new()
            }
            Err(e) => return Err(error("read", &path, &e)),
        };
        if current == content {
            continue;
        }
        if args.check {
            stale.push(path.display().to_string());
        } else {
            std::fs::create_dir_all(&args.dir).map_err(|e| error("create the folder", &args.dir, &e))?;
            std::fs::write(&path, content).map_err(|e| error("write", &path, &e))?;
            eprintln!("wrote {}", path.display());
        }
    }
    if !stale.is_empty() {
        eprintln!("stale: {} — run `toolsmith schema` to regenerate", stale.join(", "));
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
