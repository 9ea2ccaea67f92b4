//! Why code could not be generated.

use toolsmith_catalog::{render_human, Diagnostic, Style};

/// Why code could not be generated.
#[derive(thiserror::Error)]
pub enum Error {
    /// The specs have errors (rendered like `toolsmith validate` prints them).
    #[error("{}", render_human(.0, Style::default()))]
    Invalid(Vec<Diagnostic>),
    /// The output could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// [`Builder::build`](crate::Builder::build) ran outside a build script.
    #[error("OUT_DIR is not set: Builder::build runs from a build script (use Generator elsewhere)")]
    NoOutDir,
}

/// Shows the rendered diagnostics, so `Builder::new()…build().unwrap()` in a build
/// script prints them as `toolsmith validate` would.
impl std::fmt::Debug for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}
