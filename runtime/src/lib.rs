//! toolsmith: a catalog of toolkits and a runtime that lets agents (or plain code)
//! find, authenticate and execute their tools.
//!
//! - [`Registry`]: every toolkit and tool, compiled in ([`CompiledToolkit`]) or
//!   loaded from YAML at run time.
//! - [`Tool`]: what generated and hand-written tools implement; `execute` runs one.
//! - [`Client`]: sends calls over HTTP; typed and dynamic calls share one path.
//!
//! ```no_run
//! let registry = toolsmith::Registry::load(&["catalog/toolkits"])?;
//! for t in registry.tools().take(5) {
//!     println!("{} — {}", t.tool.slug, t.tool.name);
//! }
//! # Ok::<(), toolsmith::LoadError>(())
//! ```

mod client;
mod compiled;
mod encode;
mod error;
mod registry;
mod request;
mod tool;
mod user;
mod validate;

pub use client::{Client, ClientBuilder};
pub use compiled::CompiledToolkit;
pub use error::Error;
pub use registry::{LoadError, Registry, ToolRef};
pub use tool::{Context, Handler, HttpBinding, Tool, ToolDefinition, ToolVisitor};
pub use toolsmith_catalog::{ToolSlug, Toolkit, ToolkitSlug};
pub use user::UserId;

/// Crates that generated code and macro expansions use, re-exported so that a crate
/// depending on `toolsmith` alone compiles them.
pub use {schemars, serde, serde_json};

/// Derive `Tool` for a hand-written tool; `#[tool]` turns an async fn into one;
/// `toolkit!("spec.yaml")` generates typed tools from a spec in place.
pub use toolsmith_macros::{tool, toolkit, Tool};

/// Includes the toolkits a build script generated with `toolsmith_codegen::Builder`.
///
/// ```ignore
/// // build.rs: toolsmith_codegen::Builder::new().catalog("specs").build().unwrap();
/// toolsmith::include_toolkits!();
/// let registry = toolsmith::Registry::from_compiled(TOOLKITS)?;
/// ```
#[macro_export]
macro_rules! include_toolkits {
    () => {
        include!(concat!(env!("OUT_DIR"), "/toolsmith_toolkits.rs"));
    };
}

/// The spec model, for code that reads toolkits.
pub use toolsmith_catalog as catalog;

/// Helpers that generated code calls. Not part of the public API.
#[doc(hidden)]
pub mod __private {
    /// Deserializes a required field that may be `null`: unlike a plain `Option`
    /// field, a missing key is an error.
    pub fn required_nullable<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
    where
        D: serde::Deserializer<'de>,
        T: serde::Deserialize<'de>,
    {
        <Option<T> as serde::Deserialize>::deserialize(deserializer)
    }
}
