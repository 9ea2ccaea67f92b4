//! The MCP server of one session: its tools (meta tools, then preloaded tools) with
//! annotations from their tags, and calls that run through `Session::execute`.

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, Implementation, JsonObject, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool, ToolAnnotations,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::{json, Value};
use toolsmith_session::{MetaTool, Session, SessionTool};

/// The handler; stateless: the session comes with each request (see [`session_of`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Handler;

/// The session the authentication layer put into the HTTP request's extensions.
fn session_of(cx: &RequestContext<RoleServer>) -> Result<Session, ErrorData> {
    cx.extensions
        .get::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Session>())
        .cloned()
        .ok_or_else(|| {
            ErrorData::internal_error(
                "this MCP request reached the server without its session: the endpoint is mounted without its authentication layer",
                None,
            )
        })
}

impl ServerHandler for Handler {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("toolsmith", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "The tools of a toolsmith session. Find app tools with COMPOSIO_SEARCH_TOOLS, connect accounts \
                 with COMPOSIO_MANAGE_CONNECTIONS and run tools with COMPOSIO_MULTI_EXECUTE_TOOL.",
            )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        cx: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let session = session_of(&cx)?;
        Ok(ListToolsResult::with_all_items(session.tools().iter().map(mcp_tool).collect()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        cx: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let session = session_of(&cx)?;
        let name = request.name.as_ref();
        if !session.tools().iter().any(|t| t.slug == name) {
            return Err(ErrorData::invalid_params(
                format!("session {} has no tool `{name}`", session.id()),
                Some(
                    json!({"tool": name, "fix": "call a tool that tools/list names, or find one with COMPOSIO_SEARCH_TOOLS"}),
                ),
            ));
        }
        let arguments = Value::Object(request.arguments.unwrap_or_default());
        let result = session.execute(name, arguments, None).await;
        let successful = result.successful;
        let value = serde_json::to_value(&result)
            .map_err(|e| ErrorData::internal_error(format!("the result of `{name}` is not JSON: {e}"), None))?;
        Ok(if successful { CallToolResult::structured(value) } else { CallToolResult::structured_error(value) }.into())
    }
}

/// A session tool as MCP lists it.
fn mcp_tool(tool: &SessionTool) -> Tool {
    let mut mcp = Tool::new(tool.slug.clone(), tool.description.clone(), object(&tool.input_parameters));
    mcp.title = Some(tool.name.clone());
    mcp.output_schema = output_schema(tool).map(|schema| object(&schema).into());
    mcp.annotations = annotations(&tool.tags);
    mcp
}

/// A JSON Schema as an object (an empty object schema for anything else).
fn object(schema: &Value) -> JsonObject {
    match schema {
        Value::Object(map) => map.clone(),
        _ => JsonObject::from_iter([("type".to_owned(), json!("object"))]),
    }
}

/// The schema of what a call answers (`{data, error, successful, log_id}`): a meta tool's
/// own; an app tool's data schema inside that envelope; none for an app tool whose output
/// is not described (the session's placeholder, a bare object schema).
fn output_schema(tool: &SessionTool) -> Option<Value> {
    if MetaTool::parse(&tool.slug).is_some() {
        return Some(tool.output_parameters.clone());
    }
    if tool.output_parameters == json!({"type": "object"}) {
        return None;
    }
    Some(json!({
        "type": "object",
        "properties": {
            "data": tool.output_parameters,
            "error": {"type": ["string", "null"], "description": "What went wrong, or null."},
            "successful": {"type": "boolean", "description": "Whether the call succeeded."},
            "log_id": {"type": ["string", "null"], "description": "The execution's log entry."},
        },
        "required": ["data", "successful"],
    }))
}

/// MCP's hints from a tool's tags: a hint the tags name is `true`; the others are left
/// out (the client's defaults), since a tag's absence says nothing.
fn annotations(tags: &[String]) -> Option<ToolAnnotations> {
    let has = |hint: &str| tags.iter().any(|t| t == hint).then_some(true);
    let hints = ToolAnnotations::from_raw(
        None,
        has("readOnlyHint"),
        has("destructiveHint"),
        has("idempotentHint"),
        has("openWorldHint"),
    );
    (hints != ToolAnnotations::default()).then_some(hints)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_come_from_tags_and_only_named_hints_are_set() {
        let hints = annotations(&["readOnlyHint".into(), "important".into(), "openWorldHint".into()]);
        assert_eq!(hints, Some(ToolAnnotations::from_raw(None, Some(true), None, None, Some(true))));
        assert_eq!(annotations(&["important".into()]), None);
    }

    #[test]
    fn an_app_tools_output_schema_is_the_envelope_around_its_data() {
        let mut tool = SessionTool {
            slug: "GITHUB_GET_REPO".into(),
            name: "Get a repository".into(),
            description: "d".into(),
            input_parameters: json!({"type": "object"}),
            output_parameters: json!({"type": "object"}),
            toolkit: json!({"slug": "github"}),
            tags: vec![],
            no_auth: false,
        };
        assert_eq!(output_schema(&tool), None);
        tool.output_parameters = json!({"type": "object", "properties": {"id": {"type": "integer"}}});
        let schema = output_schema(&tool).unwrap();
        assert_eq!(schema["properties"]["data"]["properties"]["id"]["type"], "integer");
        assert_eq!(schema["required"], json!(["data", "successful"]));
    }
}
