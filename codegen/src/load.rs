//! Loading specs for generation: errors fail, warnings are handed back.

use std::path::Path;

use toolsmith_catalog::{check_paths, has_errors, Diagnostic, Loaded, Severity, Toolkit};

use crate::error::Error;

/// Loads and validates spec files or folders; errors fail, warnings are returned.
///
/// ```no_run
/// let (toolkits, warnings) = toolsmith_codegen::load(&["catalog/toolkits"])?;
/// # Ok::<(), toolsmith_codegen::Error>(())
/// ```
pub fn load<P: AsRef<Path>>(paths: &[P]) -> Result<(Vec<Toolkit>, Vec<Diagnostic>), Error> {
    let (loaded, diagnostics) = check_paths(paths);
    split(loaded, diagnostics)
}

/// The toolkits when there is no error, with the warnings.
pub(crate) fn split(loaded: Loaded, diagnostics: Vec<Diagnostic>) -> Result<(Vec<Toolkit>, Vec<Diagnostic>), Error> {
    if has_errors(&diagnostics) {
        return Err(Error::Invalid(diagnostics.into_iter().filter(|d| d.severity() == Severity::Error).collect()));
    }
    Ok((loaded.toolkits, diagnostics))
}
