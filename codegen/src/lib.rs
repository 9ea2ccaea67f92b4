//! Generates typed Rust tools from toolkit specs.
//!
//! One generator, three front ends (progenitor's pattern):
//!
//! - a build script: [`Builder`] writes the code into `OUT_DIR`, and the crate
//!   includes it with `toolsmith::include_toolkits!()`;
//! - the proc macro `toolsmith::toolkit!("spec.yaml")`, which expands in place;
//! - the CLI: `toolsmith generate <spec-or-folder>... --out tools.rs`.
//!
//! For each toolkit the output has a module (`github`) with, per tool, an input
//! struct (`CreateIssue`), an output type (`CreateIssueOutput`) and an
//! `impl toolsmith::Tool`; plus `TOOLKITS`, the list `toolsmith::Registry::from_compiled`
//! takes. Generated code names only `::toolsmith::…` and `::std::…` paths, so a crate
//! whose only dependency is `toolsmith` compiles it.
//!
//! ```
//! let loaded = toolsmith_catalog::Loaded::from_str("demo.yaml", r#"
//! slug: demo
//! name: Demo
//! description: A demonstration toolkit.
//! version: 20261122_00
//! base_url: https://api.example.com
//! auth: [{ scheme: none }]
//! tools:
//!   - slug: DEMO_GET_THING
//!     name: Get a thing
//!     description: Returns one thing by its id.
//!     http: { method: GET, path: "/things/{id}" }
//!     input:
//!       type: object
//!       required: [id]
//!       properties:
//!         id: { type: string, in: path, description: Id of the thing }
//! "#);
//! let code = toolsmith_codegen::Generator::new().source(&loaded.toolkits);
//! assert!(code.contains("pub struct GetThing"));
//! assert!(code.contains("impl ::toolsmith::Tool for GetThing"));
//! ```

mod builder;
mod docs;
mod names;
mod tool;
mod toolkit;
mod types;

use std::path::Path;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use toolsmith_catalog::{check_paths, has_errors, render_human, Diagnostic, Loaded, Severity, Style, Toolkit};

pub use builder::Builder;

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
    /// [`Builder::build`] ran outside a build script.
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
fn split(loaded: Loaded, diagnostics: Vec<Diagnostic>) -> Result<(Vec<Toolkit>, Vec<Diagnostic>), Error> {
    if has_errors(&diagnostics) {
        return Err(Error::Invalid(diagnostics.into_iter().filter(|d| d.severity() == Severity::Error).collect()));
    }
    Ok((loaded.toolkits, diagnostics))
}

/// Turns toolkits into Rust code. Deterministic: the same specs give the same bytes.
#[derive(Clone, Debug, Default)]
pub struct Generator {}

impl Generator {
    /// A generator with default settings.
    pub fn new() -> Self {
        Generator::default()
    }

    /// The code as tokens (for proc macros).
    pub fn tokens(&self, toolkits: &[Toolkit]) -> TokenStream {
        let mut modules = names::Scope::default();
        let mut module_tokens = Vec::new();
        let mut refs = Vec::new();
        for toolkit in toolkits {
            let module = modules.claim(names::snake(toolkit.slug.as_str(), "toolkit"));
            module_tokens.push(toolkit::generate(toolkit, &module));
            let ident = format_ident!("{module}");
            refs.push(quote!(&#ident::TOOLKIT));
        }
        quote! {
            #(#module_tokens)*

            /// Every toolkit generated here, for `toolsmith::Registry::from_compiled`.
            pub static TOOLKITS: &[&::toolsmith::CompiledToolkit] = &[#(#refs),*];
        }
    }

    /// The code as a pretty-printed Rust file (for build scripts and the CLI).
    pub fn source(&self, toolkits: &[Toolkit]) -> String {
        let tokens = self.tokens(toolkits);
        let body = match syn::parse2::<syn::File>(tokens.clone()) {
            Ok(file) => prettyplease::unparse(&file),
            // Unreachable for tokens we build; keep the code rather than lose it.
            Err(_) => tokens.to_string(),
        };
        let slugs: Vec<&str> = toolkits.iter().map(|t| t.slug.as_str()).collect();
        format!(
            "// Generated by toolsmith-codegen {} from the toolkit specs: {}. Do not edit.\n\n{body}",
            env!("CARGO_PKG_VERSION"),
            slugs.join(", ")
        )
    }
}
