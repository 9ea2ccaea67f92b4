//! The registry: every toolkit and tool the runtime knows, looked up by slug.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use toolsmith_catalog::{check_paths, has_errors, Diagnostic, Tool, Toolkit};

/// Why a catalog could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The specs have errors; every diagnostic is kept.
    #[error("the catalog has {} error(s); run `toolsmith validate` for details", .0.iter().filter(|d| d.severity() == toolsmith_catalog::Severity::Error).count())]
    Invalid(Vec<Diagnostic>),
}

/// A tool together with its toolkit.
#[derive(Clone, Copy, Debug)]
pub struct ToolRef<'a> {
    /// The toolkit the tool belongs to.
    pub toolkit: &'a Toolkit,
    /// The tool.
    pub tool: &'a Tool,
}

/// Toolkits and tools by slug. Tool lookups ignore case (`github_create_issue` finds
/// `GITHUB_CREATE_ISSUE`).
///
/// ```
/// let toolkit: toolsmith::Toolkit = serde_yaml::from_str(r#"
/// slug: demo
/// name: Demo
/// description: A demonstration toolkit.
/// version: 20261122_00
/// base_url: https://api.example.com
/// auth: [{ scheme: none }]
/// tools:
///   - slug: DEMO_PING
///     name: Ping
///     description: Checks that the service answers.
///     http: { method: GET, path: /ping }
///     input: { type: object }
/// "#).unwrap();
/// let registry = toolsmith::Registry::from_toolkits(vec![toolkit]);
/// assert_eq!(registry.tool("demo_ping").unwrap().tool.name, "Ping");
/// assert_eq!(registry.tools().count(), 1);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Registry {
    toolkits: Vec<Arc<Toolkit>>,
    toolkit_index: HashMap<String, usize>,
    tool_index: HashMap<String, (usize, usize)>,
}

impl Registry {
    /// Builds a registry from toolkits. A later toolkit or tool with a slug already
    /// present is ignored (the validator reports such duplicates).
    pub fn from_toolkits(toolkits: impl IntoIterator<Item = Toolkit>) -> Self {
        let mut registry = Registry::default();
        for toolkit in toolkits {
            registry.insert(toolkit);
        }
        registry
    }

    /// Loads and validates spec folders or files; fails when any spec has an error.
    pub fn load<P: AsRef<Path>>(paths: &[P]) -> Result<Self, LoadError> {
        let (loaded, diagnostics) = check_paths(paths);
        if has_errors(&diagnostics) {
            return Err(LoadError::Invalid(diagnostics));
        }
        Ok(Registry::from_toolkits(loaded.toolkits))
    }

    fn insert(&mut self, toolkit: Toolkit) {
        let key = toolkit.slug.as_str().to_ascii_lowercase();
        if self.toolkit_index.contains_key(&key) {
            return;
        }
        let index = self.toolkits.len();
        for (i, tool) in toolkit.tools.iter().enumerate() {
            self.tool_index.entry(tool.slug.as_str().to_ascii_uppercase()).or_insert((index, i));
        }
        self.toolkit_index.insert(key, index);
        self.toolkits.push(Arc::new(toolkit));
    }

    /// A tool by slug, ignoring case.
    pub fn tool(&self, slug: &str) -> Option<ToolRef<'_>> {
        let &(k, t) = self.tool_index.get(&slug.to_ascii_uppercase())?;
        let toolkit = &self.toolkits[k];
        Some(ToolRef { toolkit, tool: &toolkit.tools[t] })
    }

    /// A toolkit by slug, ignoring case.
    pub fn toolkit(&self, slug: &str) -> Option<&Toolkit> {
        self.toolkit_index.get(&slug.to_ascii_lowercase()).map(|&i| self.toolkits[i].as_ref())
    }

    /// Every toolkit, in load order.
    pub fn toolkits(&self) -> impl Iterator<Item = &Toolkit> {
        self.toolkits.iter().map(AsRef::as_ref)
    }

    /// Every tool, toolkit by toolkit.
    pub fn tools(&self) -> impl Iterator<Item = ToolRef<'_>> {
        self.toolkits.iter().flat_map(|toolkit| toolkit.tools.iter().map(move |tool| ToolRef { toolkit, tool }))
    }
}
