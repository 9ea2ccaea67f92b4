//! The built-in toolkit catalog, embedded in the binary, so that `toolsmith` works from
//! any folder. The specs under `catalog/toolkits` are validated when this crate is built
//! (an error fails the build) and embedded as one JSON document per toolkit, with an index
//! of tool slugs: finding which toolkit holds a tool reads no JSON, and a toolkit's JSON
//! is parsed only when it is asked for.
//!
//! ```
//! let slugs: Vec<&str> = toolsmith_builtin::slugs().collect();
//! assert!(slugs.contains(&"github"));
//! assert_eq!(toolsmith_builtin::toolkit_of("GITHUB_CREATE_RELEASE"), Some("github"));
//! let github = toolsmith_builtin::toolkit("github").unwrap()?;
//! assert!(github.tools.len() > 1000);
//! # Ok::<(), serde_json::Error>(())
//! ```

use toolsmith_spec::Toolkit;

/// One embedded toolkit: what a registry needs to know it without parsing it.
#[derive(Clone, Copy, Debug)]
pub struct Embedded {
    /// The toolkit slug.
    pub slug: &'static str,
    /// Its version.
    pub version: &'static str,
    /// The toolkit spec as JSON (overlays applied).
    pub json: &'static str,
    /// Its tool slugs, in the order of the spec's `tools`.
    pub tools: &'static [&'static str],
}

include!(concat!(env!("OUT_DIR"), "/builtin.rs"));

/// Every built-in toolkit, unparsed: for a registry that parses a toolkit only when it
/// is first used (`toolsmith::LazyToolkit`).
pub fn embedded() -> &'static [Embedded] {
    TOOLKITS
}

/// The slugs of the built-in toolkits, in order.
pub fn slugs() -> impl Iterator<Item = &'static str> {
    TOOLKITS.iter().map(|t| t.slug)
}

/// The number of built-in tools.
pub fn tool_count() -> usize {
    TOOLKITS.iter().map(|t| t.tools.len()).sum()
}

/// The built-in toolkit that has the tool `slug` (any case), found without parsing.
pub fn toolkit_of(tool: &str) -> Option<&'static str> {
    TOOLKITS.iter().find(|t| t.tools.iter().any(|s| s.eq_ignore_ascii_case(tool))).map(|t| t.slug)
}

/// The built-in toolkit `slug` (any case), parsed; `None` when there is none. It was
/// validated at build time, so an error here means the embedded JSON and this build's
/// spec model disagree, which a clean build fixes.
pub fn toolkit(slug: &str) -> Option<Result<Toolkit, serde_json::Error>> {
    TOOLKITS.iter().find(|t| t.slug.eq_ignore_ascii_case(slug)).map(|t| serde_json::from_str(t.json))
}

/// Every built-in toolkit, parsed.
pub fn toolkits() -> Result<Vec<Toolkit>, serde_json::Error> {
    TOOLKITS.iter().map(|t| serde_json::from_str(t.json)).collect()
}
