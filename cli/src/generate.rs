//! `toolsmith generate <spec-or-folder>... --out <file.rs>`

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use miette::miette;
use toolsmith_codegen::{load, Error, Generator};

use crate::out::out;

/// Arguments of `toolsmith generate`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// Spec files, toolkit folders, or folders of toolkits.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// The Rust file to write; `-` for standard output.
    #[arg(long, short)]
    out: PathBuf,
}

pub(crate) fn run(args: Args) -> miette::Result<ExitCode> {
    let start = Instant::now();
    let toolkits = match load(&args.paths) {
        Ok((toolkits, _warnings)) => toolkits,
        Err(Error::Invalid(diagnostics)) => {
            eprint!("{}", toolsmith_catalog::render_human(&diagnostics, toolsmith_catalog::Style::default()));
            eprintln!("error: no code generated; fix the errors above (`toolsmith validate` shows warnings too)");
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(miette!("{e}")),
    };
    let code = Generator::new().source(&toolkits);
    if args.out.as_os_str() == "-" {
        out!("{code}");
    } else {
        std::fs::write(&args.out, &code).map_err(|e| crate::files::error("write", &args.out, &e))?;
        let tools: usize = toolkits.iter().map(|t| t.tools.len()).sum();
        eprintln!(
            "wrote {} ({} toolkits, {tools} tools, {} lines) in {:.1} ms",
            args.out.display(),
            toolkits.len(),
            code.lines().count(),
            start.elapsed().as_secs_f64() * 1000.0
        );
    }
    Ok(ExitCode::SUCCESS)
}
