//! The meta tools' slugs, names, hints and input schemas (`tools.json`: the input
//! schemas of Composio's `meta-tools.json`, with our descriptions).

use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::{json, Value};

/// A meta tool.
///
/// ```
/// use toolsmith_session::MetaTool;
/// let tool = MetaTool::parse("composio_search_tools").unwrap();
/// assert_eq!(tool.slug(), "COMPOSIO_SEARCH_TOOLS");
/// assert_eq!(tool.definition().input_schema["required"][0], "queries");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MetaTool {
    /// `COMPOSIO_SEARCH_TOOLS`.
    SearchTools,
    /// `COMPOSIO_GET_TOOL_SCHEMAS`.
    GetToolSchemas,
    /// `COMPOSIO_MANAGE_CONNECTIONS`.
    ManageConnections,
    /// `COMPOSIO_WAIT_FOR_CONNECTIONS`.
    WaitForConnections,
    /// `COMPOSIO_MULTI_EXECUTE_TOOL`.
    MultiExecuteTool,
    /// `COMPOSIO_PROXY_EXECUTE`.
    ProxyExecute,
    /// `COMPOSIO_REMOTE_WORKBENCH`.
    RemoteWorkbench,
    /// `COMPOSIO_REMOTE_BASH_TOOL`.
    RemoteBashTool,
}

impl MetaTool {
    /// Every meta tool, in the order sessions list them.
    pub const ALL: [MetaTool; 8] = [
        MetaTool::SearchTools,
        MetaTool::GetToolSchemas,
        MetaTool::MultiExecuteTool,
        MetaTool::ManageConnections,
        MetaTool::WaitForConnections,
        MetaTool::ProxyExecute,
        MetaTool::RemoteWorkbench,
        MetaTool::RemoteBashTool,
    ];

    /// The slug (`COMPOSIO_SEARCH_TOOLS`).
    pub fn slug(self) -> &'static str {
        match self {
            MetaTool::SearchTools => "COMPOSIO_SEARCH_TOOLS",
            MetaTool::GetToolSchemas => "COMPOSIO_GET_TOOL_SCHEMAS",
            MetaTool::ManageConnections => "COMPOSIO_MANAGE_CONNECTIONS",
            MetaTool::WaitForConnections => "COMPOSIO_WAIT_FOR_CONNECTIONS",
            MetaTool::MultiExecuteTool => "COMPOSIO_MULTI_EXECUTE_TOOL",
            MetaTool::ProxyExecute => "COMPOSIO_PROXY_EXECUTE",
            MetaTool::RemoteWorkbench => "COMPOSIO_REMOTE_WORKBENCH",
            MetaTool::RemoteBashTool => "COMPOSIO_REMOTE_BASH_TOOL",
        }
    }

    /// The meta tool of a slug, any case.
    pub fn parse(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.slug().eq_ignore_ascii_case(slug))
    }

    /// Its definition.
    pub fn definition(self) -> &'static MetaToolDefinition {
        let all = definitions();
        // tools.json has every slug (a unit test checks it); fall back to the first.
        all.iter().find(|d| d.slug == self.slug()).unwrap_or(&all[0])
    }
}

/// A meta tool's definition, in the shape of Composio's `meta-tools.json` entries.
#[derive(Clone, Debug, Deserialize)]
pub struct MetaToolDefinition {
    /// `COMPOSIO_SEARCH_TOOLS`.
    pub slug: String,
    /// `search_tools`.
    pub name: String,
    /// `Search tools`.
    #[serde(rename = "displayName")]
    pub display_name: String,
    /// What it does, for the model.
    pub description: String,
    /// MCP hints and `important`.
    pub tags: Vec<String>,
    /// The input JSON Schema.
    #[serde(rename = "input")]
    pub input_schema: Value,
}

impl MetaToolDefinition {
    /// The output schema every meta tool shares: `{data, error, successful}`.
    pub fn output_schema(&self) -> Value {
        json!({
            "type": "object",
            "properties": {
                "data": {"type": "object", "description": "The answer."},
                "error": {"type": ["string", "null"], "description": "What went wrong, or null."},
                "successful": {"type": "boolean", "description": "Whether the call succeeded."},
            },
            "required": ["data", "successful"],
        })
    }
}

fn definitions() -> &'static [MetaToolDefinition] {
    static DEFINITIONS: OnceLock<Vec<MetaToolDefinition>> = OnceLock::new();
    DEFINITIONS.get_or_init(|| serde_json::from_str(include_str!("tools.json")).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_meta_tool_has_a_definition_with_an_object_schema() {
        assert_eq!(definitions().len(), MetaTool::ALL.len());
        for tool in MetaTool::ALL {
            let d = tool.definition();
            assert_eq!(d.slug, tool.slug());
            assert_eq!(d.input_schema["type"], "object", "{}", d.slug);
            assert!(d.description.len() > 80, "{}", d.slug);
            jsonschema::draft202012::new(&d.input_schema).unwrap();
        }
    }

    #[test]
    fn composio_input_schemas_are_kept() {
        let search = &MetaTool::SearchTools.definition().input_schema;
        assert_eq!(search["properties"]["queries"]["items"]["properties"]["use_case"]["maxLength"], 1024);
        let multi = &MetaTool::MultiExecuteTool.definition().input_schema;
        assert_eq!(multi["required"], json!(["tools", "sync_response_to_workbench"]));
        assert_eq!(multi["properties"]["tools"]["maxItems"], 50);
        let wait = &MetaTool::WaitForConnections.definition().input_schema;
        assert_eq!(wait["properties"]["mode"]["enum"], json!(["any", "all"]));
        assert_eq!(MetaTool::ManageConnections.definition().tags, ["openWorldHint", "destructiveHint"]);
        let workbench = &MetaTool::RemoteWorkbench.definition().input_schema;
        assert_eq!(workbench["required"], json!(["code_to_execute"]));
        assert_eq!(workbench["title"], "RemoteWorkbenchRequest");
        let bash = &MetaTool::RemoteBashTool.definition().input_schema;
        assert_eq!(bash["required"], json!(["command"]));
        assert_eq!(MetaTool::RemoteBashTool.definition().tags, ["destructiveHint", "openWorldHint"]);
    }
}
