//! Small JSON helpers the provider modules share: reading fields with a JSON path
//! for errors, decoding argument strings, result text, and the schema every
//! rendering starts from.

use serde_json::{Map, Value};
use toolsmith_core::ExecutionResult;

use crate::names::NameMap;
use crate::types::{ParseError, ToolCall};

/// The field `key` of `value` at `path`, or an error naming `path.key`.
pub(crate) fn field<'a>(value: &'a Value, key: &str, path: &str) -> Result<&'a Value, ParseError> {
    value.get(key).ok_or_else(|| ParseError::shape(&join(path, key), "missing"))
}

/// The string field `key` of `value`.
pub(crate) fn string<'a>(value: &'a Value, key: &str, path: &str) -> Result<&'a str, ParseError> {
    field(value, key, path)?.as_str().ok_or_else(|| ParseError::shape(&join(path, key), "expected a string"))
}

/// The array field `key` of `value`.
pub(crate) fn array<'a>(value: &'a Value, key: &str, path: &str) -> Result<&'a Vec<Value>, ParseError> {
    field(value, key, path)?.as_array().ok_or_else(|| ParseError::shape(&join(path, key), "expected an array"))
}

/// `path.key`, or `key` at the top.
pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// Arguments sent as a JSON string (OpenAI): an object; an empty string is `{}`.
pub(crate) fn arguments_string(value: &Value, key: &str, path: &str) -> Result<Value, ParseError> {
    let text = string(value, key, path)?;
    if text.trim().is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    let arguments: Value =
        serde_json::from_str(text).map_err(|source| ParseError::Arguments { path: join(path, key), source })?;
    object_arguments(arguments, &join(path, key))
}

/// Arguments must be a JSON object.
pub(crate) fn object_arguments(arguments: Value, path: &str) -> Result<Value, ParseError> {
    match arguments {
        Value::Object(_) => Ok(arguments),
        Value::Null => Ok(Value::Object(Map::new())),
        other => Err(ParseError::shape(path, format!("expected a JSON object of arguments, found `{other}`"))),
    }
}

/// An execution result as the text a tool-result message carries: Composio's
/// `{data, error, successful, log_id}` as JSON.
pub(crate) fn result_text(result: &ExecutionResult) -> String {
    serde_json::to_string(result).unwrap_or_else(|e| format!("{{\"error\":\"result not serializable: {e}\"}}"))
}

/// The input schema every rendering starts from: `$schema` removed, and `type:
/// object` added to a root that has properties but no type.
pub(crate) fn base_schema(schema: &Value) -> Value {
    let mut schema = schema.clone();
    if let Value::Object(m) = &mut schema {
        m.remove("$schema");
        if !m.contains_key("type") && !m.contains_key("anyOf") && !m.contains_key("oneOf") {
            m.insert("type".into(), "object".into());
        }
    }
    schema
}

/// A call with its name and argument keys mapped back to the canonical ones.
pub(crate) fn canonical_call(
    names: &NameMap,
    id: String,
    synthesized_id: bool,
    wire_name: &str,
    arguments: Value,
) -> ToolCall {
    let name = names.canonical(wire_name).unwrap_or(wire_name).to_owned();
    let arguments = names.restore_arguments(&name, arguments);
    ToolCall { id, synthesized_id, name, wire_name: wire_name.to_owned(), arguments }
}
