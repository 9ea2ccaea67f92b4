//! Composio's object shapes built from ours: the Tool object (`GET /tools` items, session
//! tools, meta tools), the toolkit reference and an execution's `data`.

use serde::Serialize;
use serde_json::{json, Value};
use toolsmith_session::{MetaTool, SessionTool};
use toolsmith_spec::{Tool, Toolkit};
use utoipa::ToSchema;

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
        "output_parameters": output_parameters(toolkit.output_schema(tool)),
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

/// Composio's `output_parameters`: the schema of the execute answer `{data, error,
/// successful}`, whose `data` is the tool's output as [`object_data`] shapes it. The
/// TypeScript SDK requires an object schema here (`type: "object"`), so a tool whose
/// output is a list or a scalar must not send its own schema as is.
pub fn output_parameters(output: Option<Value>) -> Value {
    let data = match output {
        Some(schema) if schema.get("type").and_then(Value::as_str) == Some("object") => schema,
        Some(schema) => json!({"type": "object", "properties": {"value": schema}, "required": ["value"]}),
        None => json!({"type": "object"}),
    };
    json!({
        "type": "object",
        "properties": {
            "data": data,
            "error": {"type": ["string", "null"], "description": "What went wrong, or null."},
            "successful": {"type": "boolean", "description": "Whether the call succeeded."},
        },
        "required": ["data", "successful"],
    })
}

/// An execution's output as Composio's `data`, always an object (the TypeScript SDK
/// requires one): an object as is, anything else as `{"value": output}`.
pub fn object_data(output: Value) -> Value {
    if output.is_object() {
        output
    } else {
        json!({"value": output})
    }
}

/// A page of items in Composio's list shape: the answer of every list route (built by
/// `page`).
#[derive(Debug, Serialize, ToSchema)]
pub struct Page {
    /// The items of this page.
    pub items: Vec<Value>,
    /// The cursor of the next page; null on the last one.
    pub next_cursor: Option<String>,
    /// How many items the list has.
    pub total_items: usize,
    /// How many pages of this size the list has (at least 1).
    pub total_pages: usize,
    /// Always 1: pages are reached by cursor.
    pub current_page: usize,
}

/// A page of items in Composio's list shape.
pub fn page(items: Vec<Value>, next_cursor: Option<String>, total_items: usize, limit: usize) -> Value {
    let limit = limit.max(1);
    let page =
        Page { items, next_cursor, total_items, total_pages: total_items.div_ceil(limit).max(1), current_page: 1 };
    serde_json::to_value(page).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{object_data, output_parameters};

    #[test]
    fn output_parameters_are_an_object_schema_whatever_the_tool_outputs() {
        let list = json!({"type": "array", "items": {"type": "object"}});
        let wrapped = output_parameters(Some(list.clone()));
        assert_eq!(wrapped["type"], "object");
        assert_eq!(wrapped["required"], json!(["data", "successful"]));
        assert_eq!(
            wrapped["properties"]["data"],
            json!({"type": "object", "properties": {"value": list}, "required": ["value"]})
        );
        let object = json!({"type": "object", "properties": {"login": {"type": "string"}}});
        assert_eq!(output_parameters(Some(object.clone()))["properties"]["data"], object);
        assert_eq!(output_parameters(None)["properties"]["data"], json!({"type": "object"}));
    }

    #[test]
    fn data_is_always_an_object() {
        assert_eq!(object_data(json!([1, 2])), json!({"value": [1, 2]}));
        assert_eq!(object_data(json!("text")), json!({"value": "text"}));
        assert_eq!(object_data(json!({"a": 1})), json!({"a": 1}));
    }
}
