//! Where the catalog comes from (`--catalog`, `TOOLSMITH_CATALOG`), for the commands that
//! read one, and loading it.

use std::path::PathBuf;

use miette::miette;
use toolsmith::Registry;
use toolsmith_catalog::{render_human, Diagnostic, Severity, Style};

/// Where the catalog comes from, for commands that read one.
#[derive(clap::Args, Clone)]
pub(crate) struct CatalogArgs {
    /// Toolkit folders or folders of toolkits (repeatable).
    #[arg(long = "catalog", env = "TOOLSMITH_CATALOG", value_delimiter = ':', default_value = "catalog/toolkits")]
    pub(crate) dirs: Vec<PathBuf>,
}

/// Loads the catalog: every toolkit that validates. A toolkit with errors is left out
/// with a warning on standard error (its first error, and the command that shows them
/// all), so that one broken toolkit fails only the commands that need it; when no
/// toolkit loads at all, every diagnostic is printed and the command fails.
pub(crate) fn registry(catalog: &CatalogArgs) -> miette::Result<Registry> {
    let (registry, broken) = Registry::load_valid(&catalog.dirs);
    if registry.toolkits().next().is_none() && !broken.is_empty() {
        let diagnostics: Vec<Diagnostic> = broken.into_iter().flat_map(|b| b.diagnostics).collect();
        eprint!("{}", render_human(&diagnostics, Style::default()));
        return Err(miette!("no toolkit of the catalog loads; fix the errors above"));
    }
    for toolkit in &broken {
        let errors: Vec<&Diagnostic> = toolkit.diagnostics.iter().filter(|d| d.severity() == Severity::Error).collect();
        let name = match &toolkit.slug {
            Some(slug) => format!("toolkit `{slug}`"),
            None => "a toolkit".to_owned(),
        };
        let first = errors.first().map(|d| d.one_line()).unwrap_or_default();
        eprintln!(
            "warning: {name} in {} did not load ({} error(s)); its tools are unavailable until it is fixed\n  \
             first: {first}\n  all of them: toolsmith validate {}",
            toolkit.path.display(),
            errors.len(),
            toolkit.path.display()
        );
    }
    Ok(registry)
}
