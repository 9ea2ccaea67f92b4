//! Toolkits compiled into the binary by `toolsmith-codegen`: no YAML at run time.

use std::sync::OnceLock;

use crate::{Client, Error, Tool, ToolDefinition, Toolkit, UserId};

/// A toolkit generated into Rust code. Its spec is embedded as JSON and parsed once,
/// on first use; its tools' definitions are static data.
///
/// Generated code declares one per toolkit (`github::TOOLKIT`) and a list of them
/// (`TOOLKITS`) that [`crate::Registry::from_compiled`] takes.
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

    /// Runs a generated tool of this toolkit: the typed entry to the same execution
    /// path as dynamic calls ([`Client::call`]). Generated `Tool::execute` calls this.
    pub async fn execute<T: Tool>(&self, input: &T, client: &Client, user: &UserId) -> Result<T::Output, Error> {
        let toolkit = self.toolkit()?;
        let tool = toolkit
            .tools
            .iter()
            .find(|t| t.slug.as_str() == T::SLUG)
            .ok_or_else(|| Error::UnknownTool(T::SLUG.to_owned()))?;
        let arguments = serde_json::to_value(input).map_err(|e| Error::Decode {
            slug: T::SLUG.to_owned(),
            message: format!("cannot encode the input: {e}"),
        })?;
        let data = client.call(toolkit, tool, user, &arguments).await?;
        serde_json::from_value(data).map_err(|e| Error::Decode { slug: T::SLUG.to_owned(), message: e.to_string() })
    }
}
