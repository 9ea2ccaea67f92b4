//! `toolsmith import openapi <file> --slug <slug> --out <dir>`

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use miette::MietteDiagnostic;
use toolsmith_catalog::openapi::{import_file, ImportError, ImportOptions, DEFAULT_MAX_FILE_BYTES};
use toolsmith_catalog::Version;

use crate::import_out::write;

/// `toolsmith import …`
#[derive(clap::Subcommand)]
pub(crate) enum Command {
    /// Import a Swagger 2.0 / OpenAPI 3.0 / 3.1 document (JSON or YAML) as a toolkit.
    Openapi(Args),
}

/// Bytes in a MiB, the unit of `--max-file-mib`.
const MIB: u64 = 1024 * 1024;

/// Arguments of `toolsmith import openapi`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The OpenAPI document.
    file: PathBuf,
    /// The toolkit slug (lower snake case), the prefix of every tool slug.
    #[arg(long, value_parser = parse_slug)]
    slug: String,
    /// The toolkit folder to write (`catalog/toolkits/<slug>`): new or empty, unless --force.
    #[arg(long)]
    out: PathBuf,
    /// Import over an earlier import in --out: replace the files an import wrote there
    /// and remove those it no longer writes; other files are kept, never overwritten.
    #[arg(long)]
    force: bool,
    /// Let `$ref`s read files below DIR too (repeatable). By default they may only name
    /// files in the document's own folder and below it.
    #[arg(long, value_name = "DIR")]
    allow_ref_outside: Vec<PathBuf>,
    /// The most MiB read from any one file (the document or a file a `$ref` names).
    #[arg(long, value_name = "MIB", default_value_t = DEFAULT_MAX_FILE_BYTES / MIB,
          value_parser = clap::value_parser!(u64).range(1..=1 << 20))]
    max_file_mib: u64,
    /// The toolkit version (`YYYYMMDD_NN`); today's date by default.
    #[arg(long)]
    version: Option<String>,
    /// Print every warning, not only their count.
    #[arg(long, short)]
    verbose: bool,
}

/// A valid toolkit slug, or why not and what to use instead (clap exits 2).
fn parse_slug(slug: &str) -> Result<String, String> {
    ImportOptions::checked(slug).map(|_| slug.to_owned()).map_err(|e| e.to_string())
}

pub(crate) fn run(command: Command) -> miette::Result<ExitCode> {
    let Command::Openapi(args) = command;
    let start = Instant::now();
    let mut options = ImportOptions::new(&args.slug);
    options.version = args.version.map(Version::new);
    options.read.allowed_folders = args.allow_ref_outside;
    options.read.max_file_bytes = args.max_file_mib * MIB;
    let imported = import_file(&args.file, &options).map_err(|e| {
        let help = match e {
            ImportError::RefOutside { .. } => {
                Some("`--allow-ref-outside DIR` lets references read below DIR".to_owned())
            }
            ImportError::TooLarge { .. } => {
                Some(format!("raise the limit with `--max-file-mib N` ({} by default)", DEFAULT_MAX_FILE_BYTES / MIB))
            }
            ImportError::Read { .. } => {
                Some("give the path of a Swagger 2.0 or OpenAPI 3.x document (JSON or YAML)".to_owned())
            }
            _ => None,
        };
        let diagnostic = MietteDiagnostic::new(e.to_string());
        miette::Report::new(match help {
            Some(help) => diagnostic.with_help(help),
            None => diagnostic,
        })
    })?;
    let written = write(&imported.toolkit, &args.out, args.force)?;
    let tools = imported.toolkit.tools.len();
    if args.verbose {
        for w in &imported.warnings {
            eprintln!("warning: {}: {}", if w.pointer.is_empty() { "(document)" } else { &w.pointer }, w.message);
        }
    }
    for path in &written.removed {
        eprintln!("removed {} (written by an earlier import, not by this one)", path.display());
    }
    eprintln!(
        "imported {} of {} operations as tools into {} ({} files) in {:.0} ms; {} warnings{}",
        tools,
        imported.operations,
        args.out.display(),
        written.files,
        start.elapsed().as_secs_f64() * 1000.0,
        imported.warnings.len(),
        if args.verbose || imported.warnings.is_empty() { "" } else { " (--verbose lists them)" }
    );
    eprintln!("next: toolsmith validate {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}
