//! Where the catalog comes from (`--catalog`, `TOOLSMITH_CATALOG`), for the commands that
//! read one, and loading it.

use std::path::PathBuf;

use miette::miette;
use toolsmith::{LoadError, Registry};
use toolsmith_catalog::{render_human, Style};

/// Where the catalog comes from, for commands that read one.
#[derive(clap::Args, Clone)]
pub(crate) struct CatalogArgs {
    /// Toolkit folders or folders of toolkits (repeatable).
    #[arg(long = "catalog", env = "TOOLSMITH_CATALOG", value_delimiter = ':', default_value = "catalog/toolkits")]
    pub(crate) dirs: Vec<PathBuf>,
}

/// Loads the catalog, printing its diagnostics when it does not validate.
pub(crate) fn registry(catalog: &CatalogArgs) -> miette::Result<Registry> {
    match Registry::load(&catalog.dirs) {
        Ok(registry) => Ok(registry),
        Err(LoadError::Invalid(diagnostics)) => {
            eprint!("{}", render_human(&diagnostics, Style::default()));
            Err(miette!("the catalog does not validate; fix the errors above"))
        }
        Err(e) => Err(miette!("{e}")),
    }
}
