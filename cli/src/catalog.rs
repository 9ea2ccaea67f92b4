//! Where the catalog comes from (`--catalog`, `TOOLSMITH_CATALOG`), for the commands that
//! read one, and loading it.

use std::path::PathBuf;

use miette::miette;
use toolsmith::{LazyToolkit, Registry};
use toolsmith_catalog::{render_human, Diagnostic, Severity, Style};

/// Where the catalog comes from, for commands that read one: the built-in catalog
/// (embedded in the binary, validated when it was built), plus any folders given.
#[derive(clap::Args, Clone)]
pub(crate) struct CatalogArgs {
    /// More toolkit folders or folders of toolkits, on top of the built-in catalog
    /// (repeatable; `:`-separated in TOOLSMITH_CATALOG). A toolkit given here replaces a
    /// built-in one of the same slug and version.
    #[arg(long = "catalog", env = "TOOLSMITH_CATALOG", value_delimiter = ':')]
    pub(crate) dirs: Vec<PathBuf>,
    /// Leave the built-in catalog out: only the folders given.
    #[arg(long)]
    pub(crate) no_builtin: bool,
}

/// Loads the catalog: the built-in toolkits and every toolkit of the folders given that
/// validates. A toolkit with errors is left out
/// with a warning on standard error (its first error, and the command that shows them
/// all), so that one broken toolkit fails only the commands that need it; when no
/// toolkit loads at all, every diagnostic is printed and the command fails.
pub(crate) fn registry(catalog: &CatalogArgs) -> miette::Result<Registry> {
    let dirs: Vec<&PathBuf> = catalog.dirs.iter().filter(|d| !d.as_os_str().is_empty()).collect();
    let (mut registry, broken) =
        if dirs.is_empty() { (Registry::default(), Vec::new()) } else { Registry::load_valid(&dirs) };
    if !catalog.no_builtin {
        // Validated when the binary was built; added after the folders, so that a
        // toolkit given there wins over the built-in one of the same slug and version.
        // Parsed toolkit by toolkit, when first used.
        registry.extend_lazy(builtin());
    }
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

/// The built-in catalog as toolkits the registry parses on first use.
pub(crate) fn builtin() -> impl Iterator<Item = LazyToolkit> {
    toolsmith_builtin::embedded().iter().map(|e| LazyToolkit {
        slug: e.slug,
        version: e.version,
        tools: e.tools,
        json: e.json,
    })
}
