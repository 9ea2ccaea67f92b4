//! OpenAI Responses: `{"type":"function", name, description, parameters, strict}`
//! tools, `function_call` output items, and `function_call_output` items.

use serde_json::{json, Value};
use toolsmith_core::ExecutionResult;

use crate::json::{arguments_string, array, canonical_call, result_text, string};
use crate::names::NameMap;
use crate::openai::parameters;
use crate::types::{ParseError, ToolCall};

/// One Responses tool; `strict` is always present, as the API requires.
pub(crate) fn tool(name: &str, description: &str, schema: &Value, want_strict: bool) -> (Value, Option<String>) {
    let p = parameters(schema, want_strict);
    let tool = json!({"type": "function", "name": name, "description": description, "parameters": p.schema, "strict": p.strict});
    (tool, p.fallback)
}

/// The `function_call` items of a response (`{output: […]}`) or of its `output` array.
pub(crate) fn parse(response: &Value, names: &NameMap) -> Result<Vec<ToolCall>, ParseError> {
    let (items, path) = match response {
        Value::Array(items) => (items, String::new()),
        _ => (array(response, "output", "")?, "output".to_owned()),
    };
    let mut calls = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if item.get("type").and_then(Value::as_str) != Some("function_call") {
            continue;
        }
        let at = format!("{path}[{i}]");
        let id = string(item, "call_id", &at)?;
        let wire_name = string(item, "name", &at)?;
        let arguments = arguments_string(item, "arguments", &at)?;
        calls.push(canonical_call(names, id.to_owned(), false, wire_name, arguments));
    }
    Ok(calls)
}

/// `{"type":"function_call_output","call_id":…,"output":"<result JSON>"}`.
pub(crate) fn result_message(call: &ToolCall, result: &ExecutionResult) -> Value {
    json!({"type": "function_call_output", "call_id": call.id, "output": result_text(result)})
}
