//! Composio's object shapes built from ours: the Tool object (`GET /tools` items, session
//! tools) and the toolkit reference.

use serde_json::{json, Value};
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
