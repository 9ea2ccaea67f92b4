//! Anthropic Messages: `{name, description, input_schema}` tools, `tool_use` content
//! blocks, and `tool_result` blocks in a user message.

use serde_json::{json, Value};
use toolsmith_core::ExecutionResult;

use crate::json::{array, base_schema, canonical_call, field, object_arguments, result_text, string};
use crate::names::NameMap;
use crate::schema::refs::replace_unresolvable;
use crate::schema::strict::{strict, ANTHROPIC};
use crate::types::{ParseError, ToolCall};

/// The most strict tools Anthropic compiles in one request.
pub(crate) const MAX_STRICT_TOOLS: usize = 20;

/// One Anthropic tool: the schema without `$schema` and with unresolvable `$ref`s
/// replaced; with `strict: true` and Anthropic's strict subset when asked and possible.
pub(crate) fn tool(name: &str, description: &str, schema: &Value, want_strict: bool) -> (Value, Option<String>) {
    let mut base = base_schema(schema);
    replace_unresolvable(&mut base);
    if want_strict {
        match strict(&base, &ANTHROPIC) {
            Ok(schema) => {
                let tool = json!({"name": name, "description": description, "input_schema": schema, "strict": true});
                return (tool, None);
            }
            Err(reason) => return (plain(name, description, base), Some(reason)),
        }
    }
    (plain(name, description, base), None)
}

fn plain(name: &str, description: &str, schema: Value) -> Value {
    json!({"name": name, "description": description, "input_schema": schema})
}

/// The `tool_use` blocks of a message (`{content: […]}`) or of its content array.
pub(crate) fn parse(message: &Value, names: &NameMap) -> Result<Vec<ToolCall>, ParseError> {
    let (blocks, path) = match message {
        Value::Array(blocks) => (blocks, String::new()),
        _ => (array(message, "content", "")?, "content".to_owned()),
    };
    let mut calls = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        if block.get("type").and_then(Value::as_str) != Some("tool_use") {
            continue;
        }
        let at = format!("{path}[{i}]");
        let id = string(block, "id", &at)?;
        let wire_name = string(block, "name", &at)?;
        let input = object_arguments(field(block, "input", &at)?.clone(), &format!("{at}.input"))?;
        calls.push(canonical_call(names, id.to_owned(), false, wire_name, input));
    }
    Ok(calls)
}

/// `{"type":"tool_result","tool_use_id":…,"content":"<result JSON>","is_error":…}`.
pub(crate) fn result_block(call: &ToolCall, result: &ExecutionResult) -> Value {
    json!({"type": "tool_result", "tool_use_id": call.id, "content": result_text(result), "is_error": !result.successful})
}
