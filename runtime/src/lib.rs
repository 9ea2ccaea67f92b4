//! toolsmith: a catalog of toolkits and a runtime that lets agents (or plain code)
//! find, authenticate and execute their tools.
//!
//! This release holds the [`Registry`]; search, auth, execution, sessions and MCP
//! build on it.
//!
//! ```no_run
//! let registry = toolsmith::Registry::load(&["catalog/toolkits"])?;
//! for t in registry.tools().take(5) {
//!     println!("{} — {}", t.tool.slug, t.tool.name);
//! }
//! # Ok::<(), toolsmith::LoadError>(())
//! ```

mod registry;

pub use registry::{LoadError, Registry, ToolRef};
pub use toolsmith_catalog::{Tool, ToolSlug, Toolkit, ToolkitSlug};

/// Crates generated code and users rely on, re-exported so that depending on
/// `toolsmith` alone is enough.
pub use {serde, serde_json};
