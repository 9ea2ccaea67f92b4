//! Toolkits compiled into the binary by `toolsmith-codegen`: no YAML at run time.

use std::sync::OnceLock;

use toolsmith_spec::{Tool as ToolSpec, Toolkit};

use crate::{Error, ToolDefinition};

/// A toolkit generated into Rust code. Its spec is embedded as JSON and parsed once,
/// on first use; its tools' definitions are static data.
///
/// Generated code declares one per toolkit (`github::TOOLKIT`) and a list of them
/// (`TOOLKITS`) that `Registry::from_compiled` (in `toolsmith-runtime`) takes.
pub struct CompiledToolkit {
    slug: &'static str,
    spec_json: &'static str,
    tools: &'static [ToolDefinition],
    parsed: OnceLock<Result<Toolkit, String>>,
}

impl std::fmt::Debug for CompiledToolkit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompiledToolkit").field("slug", &self.slug).field("tools", &self.tools.len()).finish()
    }
}

impl CompiledToolkit {
    /// Used by generated code.
    #[doc(hidden)]
    pub const fn new(slug: &'static str, spec_json: &'static str, tools: &'static [ToolDefinition]) -> Self {
        CompiledToolkit { slug, spec_json, tools, parsed: OnceLock::new() }
    }

    /// The toolkit slug.
    pub fn slug(&self) -> &'static str {
        self.slug
    }

    /// The definitions of the toolkit's tools.
    pub fn definitions(&self) -> &'static [ToolDefinition] {
        self.tools
    }

    /// The full toolkit spec (auth, base URL, tools), parsed on first use.
    pub fn toolkit(&self) -> Result<&Toolkit, Error> {
        self.parsed
            .get_or_init(|| serde_json::from_str(self.spec_json).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|message| Error::CompiledToolkit { toolkit: self.slug.to_owned(), message: message.clone() })
    }

    /// The spec of the tool at `index` with its toolkit: what an executor needs to
    /// call a generated tool.
    pub fn tool(&self, index: usize) -> Result<(&Toolkit, &ToolSpec), Error> {
        let toolkit = self.toolkit()?;
        let tool = toolkit.tools.get(index).ok_or_else(|| Error::CompiledToolkit {
            toolkit: self.slug.to_owned(),
            message: format!("it has no tool number {index}"),
        })?;
        Ok((toolkit, tool))
    }
}
