//! `toolsmith import openapi <file> --slug <slug> --out <dir>`

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use miette::{miette, IntoDiagnostic};
use toolsmith_catalog::openapi::{import_file, ImportOptions};
use toolsmith_catalog::{Toolkit, ToolkitPart, Version};

/// `toolsmith import …`
#[derive(clap::Subcommand)]
pub(crate) enum Command {
    /// Import a Swagger 2.0 / OpenAPI 3.0 / 3.1 document (JSON or YAML) as a toolkit.
    Openapi(Args),
}

/// Arguments of `toolsmith import openapi`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The OpenAPI document.
    file: PathBuf,
    /// The toolkit slug (lower snake case), the prefix of every tool slug.
    #[arg(long)]
    slug: String,
    /// The toolkit folder to write (`catalog/toolkits/<slug>`).
    #[arg(long)]
    out: PathBuf,
    /// The toolkit version (`YYYYMMDD_NN`); today's date by default.
    #[arg(long)]
    version: Option<String>,
    /// Print every warning, not only their count.
    #[arg(long, short)]
    verbose: bool,
}

/// Tools per file before a toolkit is split by the first segment of the path.
const SPLIT_ABOVE: usize = 80;

pub(crate) fn run(command: Command) -> miette::Result<ExitCode> {
    let Command::Openapi(args) = command;
    let start = Instant::now();
    let mut options = ImportOptions::new(&args.slug);
    options.version = args.version.map(Version::new);
    let imported = import_file(&args.file, &options).map_err(|e| miette!("{e}"))?;
    let written = write(&imported.toolkit, &args.out)?;
    let tools = imported.toolkit.tools.len();
    if args.verbose {
        for w in &imported.warnings {
            eprintln!("warning: {}: {}", if w.pointer.is_empty() { "(document)" } else { &w.pointer }, w.message);
        }
    }
    eprintln!(
        "imported {} of {} operations as tools into {} ({} files) in {:.0} ms; {} warnings{}",
        tools,
        imported.operations,
        args.out.display(),
        written,
        start.elapsed().as_secs_f64() * 1000.0,
        imported.warnings.len(),
        if args.verbose || imported.warnings.is_empty() { "" } else { " (--verbose lists them)" }
    );
    eprintln!("next: toolsmith validate {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}

/// Writes `toolkit.yaml`, and more files by path segment when the toolkit is large.
/// Returns how many files were written.
pub(crate) fn write(toolkit: &Toolkit, dir: &Path) -> miette::Result<usize> {
    std::fs::create_dir_all(dir).into_diagnostic()?;
    let mut header = toolkit.clone();
    let mut groups: BTreeMap<String, Vec<toolsmith_catalog::Tool>> = BTreeMap::new();
    if toolkit.tools.len() > SPLIT_ABOVE {
        for tool in std::mem::take(&mut header.tools) {
            let segment = tool.http.path.split('/').find(|s| !s.is_empty() && !s.starts_with('{')).unwrap_or("root");
            let file: String =
                segment.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
            let file = if file == "toolkit" { "toolkit_".to_owned() } else { file };
            groups.entry(file).or_default().push(tool);
        }
    }
    std::fs::write(
        dir.join("toolkit.yaml"),
        format!("# yaml-language-server: $schema=../../schema/toolkit.schema.json\n{}", to_yaml(&header)?),
    )
    .into_diagnostic()?;
    for (name, tools) in &groups {
        let part = ToolkitPart { tools: tools.clone(), triggers: Vec::new() };
        std::fs::write(
            dir.join(format!("{name}.yaml")),
            format!("# yaml-language-server: $schema=../../schema/toolkit-part.schema.json\n{}", to_yaml(&part)?),
        )
        .into_diagnostic()?;
    }
    Ok(1 + groups.len())
}

fn to_yaml<T: serde::Serialize>(value: &T) -> miette::Result<String> {
    serde_yaml::to_string(value).map_err(|e| miette!("cannot write YAML: {e}"))
}
