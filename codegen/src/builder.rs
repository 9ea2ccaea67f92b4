//! [`Builder`]: generation from a build script.

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::generator::Generator;
use crate::load::split;

/// Generates typed tools from a build script into `OUT_DIR`.
///
/// ```no_run
/// // in build.rs's `main`:
/// toolsmith_codegen::Builder::new()
///     .toolkit("specs/demo.yaml")
///     .catalog("specs/more")
///     .build()
///     .unwrap(); // prints the spec diagnostics, each with its file:line:col
/// ```
///
/// and in the crate:
///
/// ```ignore
/// toolsmith::include_toolkits!();
/// ```
#[derive(Clone, Debug)]
pub struct Builder {
    paths: Vec<PathBuf>,
    out_file: String,
    out_dir: Option<PathBuf>,
}

impl Default for Builder {
    fn default() -> Self {
        Builder { paths: Vec::new(), out_file: "toolsmith_toolkits.rs".to_owned(), out_dir: None }
    }
}

impl Builder {
    /// A builder with no specs yet.
    pub fn new() -> Self {
        Builder::default()
    }

    /// Adds a toolkit: a spec file or a toolkit folder (with `toolkit.yaml`).
    pub fn toolkit(mut self, path: impl AsRef<Path>) -> Self {
        self.paths.push(path.as_ref().to_path_buf());
        self
    }

    /// Adds every toolkit folder of a catalog folder.
    pub fn catalog(mut self, dir: impl AsRef<Path>) -> Self {
        self.paths.push(dir.as_ref().to_path_buf());
        self
    }

    /// Names the file written in `OUT_DIR` (`toolsmith_toolkits.rs` by default, which
    /// `toolsmith::include_toolkits!()` includes).
    pub fn out_file(mut self, name: impl Into<String>) -> Self {
        self.out_file = name.into();
        self
    }

    /// Writes into `dir` instead of the `OUT_DIR` cargo gives build scripts (for tools
    /// and tests that run outside a build script).
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// Validates the specs, generates the code and writes it to `OUT_DIR`; prints
    /// `cargo:rerun-if-changed` for every spec read. Returns the path written.
    pub fn build(self) -> Result<PathBuf, Error> {
        let out_dir = match self.out_dir {
            Some(dir) => dir.into_os_string(),
            None => std::env::var_os("OUT_DIR").ok_or(Error::NoOutDir)?,
        };
        for path in &self.paths {
            println!("cargo:rerun-if-changed={}", path.display());
        }
        let (loaded, diagnostics) = toolsmith_catalog::check_paths(&self.paths);
        for file in &loaded.files {
            println!("cargo:rerun-if-changed={}", file.display());
        }
        // Warnings are left to `toolsmith validate`: repeating them in every
        // downstream build would only be noise.
        let (toolkits, _warnings) = split(loaded, diagnostics)?;
        let path = Path::new(&out_dir).join(&self.out_file);
        let code = Generator::new().source(&toolkits);
        std::fs::write(&path, code).map_err(|source| Error::Write { path: path.display().to_string(), source })?;
        Ok(path)
    }
}
