//! Loading and validating in one go: what `toolsmith validate`, build scripts and
//! the runtime's `Registry::load` call.

use std::path::Path;

use crate::{load, sort, validate, Diagnostic, Loaded};

/// Loads and validates in one go: all diagnostics, errors first within each file.
pub fn check_paths<P: AsRef<Path>>(paths: &[P]) -> (Loaded, Vec<Diagnostic>) {
    let mut loaded = load::read(paths);
    let mut diagnostics = std::mem::take(&mut loaded.diagnostics);
    diagnostics.extend(validate(&loaded));
    sort(&mut diagnostics);
    (loaded, diagnostics)
}
