//! Composio's object shapes built from ours: the Tool object (`GET /tools` items, session
//! tools, meta tools) and the toolkit reference.

use serde_json::{json, Value};
use toolsmith_session::{MetaTool, SessionTool};
use toolsmith_spec::{Tool, Toolkit};

/// `{slug, name, logo}` of a toolkit.
pub fn toolkit_ref(toolkit: &Toolkit) -> Value {
    json!({"slug": toolkit.slug.as_str(), "name": toolkit.name, "logo": toolkit.logo_url})
}

/// The MCP hints and `important` of a tool, as Composio writes them.
pub fn tags(tool: &Tool) -> Vec<String> {
    tool.tags.iter().filter_map(|t| serde_json::to_value(t).ok()?.as_str().map(String::from)).collect()
}

/// Composio's Tool object.
pub fn tool_object(toolkit: &Toolkit, tool: &Tool) -> Value {
    let version = toolkit.version.as_str();
    json!({
        "slug": tool.slug.as_str(),
        "name": tool.name,
        "description": tool.description,
        "human_description": tool.description,
        "input_parameters": toolkit.input_schema(tool),
        "output_parameters": toolkit.output_schema(tool).unwrap_or_else(|| json!({"type": "object"})),
        "toolkit": toolkit_ref(toolkit),
        "version": version,
        "available_versions": [version],
        "tags": tags(tool),
        "scopes": tool.scopes,
        "no_auth": !toolsmith_auth::needs_account(toolkit),
        "is_deprecated": tool.deprecated.is_some(),
        "deprecated": {"available_versions": [version], "displayName": tool.name, "is_deprecated": tool.deprecated.is_some(), "toolkit": {"logo": toolkit.logo_url}, "version": version},
        "scope_requirements": null,
        "instant": null,
    })
}

/// Composio's Tool object of a tool outside the catalog: a meta tool (toolkit `composio`)
/// or a tool a session adds; one version, no scopes.
pub fn session_tool_object(tool: &SessionTool) -> Value {
    json!({
        "slug": tool.slug, "name": tool.name, "description": tool.description,
        "input_parameters": tool.input_parameters, "output_parameters": tool.output_parameters,
        "toolkit": tool.toolkit, "tags": tool.tags, "no_auth": tool.no_auth, "version": "00000000_00",
        "available_versions": ["00000000_00"], "scopes": [], "is_deprecated": false,
    })
}

/// The Tool object of a meta tool outside any session (`GET /tools/COMPOSIO_SEARCH_TOOLS`):
/// the SDK fetches it before executing a slug, so that executing it outside a session
/// is refused with its own message rather than as an unknown tool.
pub fn meta_tool_object(tool: MetaTool) -> Value {
    session_tool_object(&SessionTool::meta(tool))
}

/// A page of items in Composio's list shape.
pub fn page(items: Vec<Value>, next_cursor: Option<String>, total_items: usize, limit: usize) -> Value {
    let limit = limit.max(1);
    json!({
        "items": items,
        "next_cursor": next_cursor,
        "total_items": total_items,
        "total_pages": total_items.div_ceil(limit).max(1),
        "current_page": 1,
    })
}
