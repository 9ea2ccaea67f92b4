//! OpenAI Chat Completions: `{"type":"function","function":{name, description,
//! parameters, strict}}` tools, `message.tool_calls`, and `role: tool` results.

use serde_json::{json, Value};
use toolsmith_core::ExecutionResult;

use crate::json::{arguments_string, array, base_schema, canonical_call, field, join, result_text, string};
use crate::names::NameMap;
use crate::schema::strict::{strict, OPENAI};
use crate::types::{ParseError, ToolCall};

/// The parameters OpenAI gets for one tool: strict when asked and possible.
pub(crate) struct Parameters {
    /// The schema.
    pub(crate) schema: Value,
    /// Whether it is the strict form.
    pub(crate) strict: bool,
    /// Why strict was asked for but not possible.
    pub(crate) fallback: Option<String>,
}

/// The parameters of a tool: the strict form when `want_strict` and the schema has
/// one within OpenAI's limits, else the original schema (without `$schema`).
pub(crate) fn parameters(schema: &Value, want_strict: bool) -> Parameters {
    let base = base_schema(schema);
    if !want_strict {
        return Parameters { schema: base, strict: false, fallback: None };
    }
    match strict(&base, &OPENAI).and_then(|s| limits(&s).map(|()| s)) {
        Ok(schema) => Parameters { schema, strict: true, fallback: None },
        Err(reason) => Parameters { schema: base, strict: false, fallback: Some(reason) },
    }
}

/// One Chat Completions tool.
pub(crate) fn tool(name: &str, description: &str, schema: &Value, want_strict: bool) -> (Value, Option<String>) {
    let p = parameters(schema, want_strict);
    let mut function = json!({"name": name, "description": description, "parameters": p.schema});
    if want_strict {
        function["strict"] = Value::Bool(p.strict);
    }
    (json!({"type": "function", "function": function}), p.fallback)
}

/// Structured Outputs limits: at most 5,000 properties, 10 levels of nesting, 1,000
/// enum values, 120,000 characters of names and enum values, and 15,000 characters
/// for a string enum of more than 250 values.
fn limits(schema: &Value) -> Result<(), String> {
    #[derive(Default)]
    struct Count {
        properties: usize,
        depth: usize,
        enum_values: usize,
        chars: usize,
    }
    fn visit(v: &Value, depth: usize, c: &mut Count) -> Result<(), String> {
        let Value::Object(m) = v else { return Ok(()) };
        if let Some(Value::Object(props)) = m.get("properties") {
            c.properties += props.len();
            c.depth = c.depth.max(depth + 1);
            c.chars += props.keys().map(String::len).sum::<usize>();
            for p in props.values() {
                visit(p, depth + 1, c)?;
            }
        }
        if let Some(Value::Array(values)) = m.get("enum") {
            c.enum_values += values.len();
            let text: usize = values.iter().map(|v| v.as_str().map_or_else(|| v.to_string().len(), str::len)).sum();
            c.chars += text;
            if values.len() > 250 && text > 15_000 {
                return Err(format!("a string enum of {} values and {text} characters (at most 15,000)", values.len()));
            }
        }
        if let Some(items) = m.get("items") {
            visit(items, depth, c)?;
        }
        for branch in m.get("anyOf").and_then(Value::as_array).into_iter().flatten() {
            visit(branch, depth, c)?;
        }
        Ok(())
    }
    let mut c = Count::default();
    visit(schema, 0, &mut c)?;
    if c.properties > 5_000 {
        return Err(format!("{} properties (at most 5,000 in strict mode)", c.properties));
    }
    if c.depth > 10 {
        return Err(format!("{} levels of nesting (at most 10 in strict mode)", c.depth));
    }
    if c.enum_values > 1_000 {
        return Err(format!("{} enum values (at most 1,000 in strict mode)", c.enum_values));
    }
    if c.chars > 120_000 {
        return Err(format!("{} characters of names and enum values (at most 120,000 in strict mode)", c.chars));
    }
    Ok(())
}

/// The tool calls of a completion (`choices[0].message`) or of a message.
pub(crate) fn parse(response: &Value, names: &NameMap) -> Result<Vec<ToolCall>, ParseError> {
    let (message, path) = match response.get("choices") {
        Some(_) => {
            let choices = array(response, "choices", "")?;
            let first = choices.first().ok_or_else(|| ParseError::shape("choices", "empty: no message"))?;
            (field(first, "message", "choices[0]")?, "choices[0].message".to_owned())
        }
        None => (response, String::new()),
    };
    let Some(calls) = message.get("tool_calls").filter(|c| !c.is_null()) else { return Ok(Vec::new()) };
    let calls_path = join(&path, "tool_calls");
    let calls = calls.as_array().ok_or_else(|| ParseError::shape(&calls_path, "expected an array"))?;
    calls
        .iter()
        .enumerate()
        .map(|(i, call)| {
            let at = format!("{calls_path}[{i}]");
            let id = string(call, "id", &at)?;
            let function = field(call, "function", &at)?;
            let at = format!("{at}.function");
            let wire_name = string(function, "name", &at)?;
            let arguments = arguments_string(function, "arguments", &at)?;
            Ok(canonical_call(names, id.to_owned(), false, wire_name, arguments))
        })
        .collect()
}

/// `{"role":"tool","tool_call_id":…,"content":"<result JSON>"}`.
pub(crate) fn result_message(call: &ToolCall, result: &ExecutionResult) -> Value {
    json!({"role": "tool", "tool_call_id": call.id, "content": result_text(result)})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_enforced() {
        let values: Vec<Value> = (0..1001).map(|i| Value::from(format!("v{i}"))).collect();
        let schema = json!({"type": "object", "properties": {"e": {"type": "string", "enum": values}}});
        assert_eq!(limits(&schema).unwrap_err(), "1001 enum values (at most 1,000 in strict mode)");
        let mut deep = json!({"type": "string"});
        for _ in 0..11 {
            deep = json!({"type": "object", "properties": {"x": deep}});
        }
        assert_eq!(limits(&deep).unwrap_err(), "11 levels of nesting (at most 10 in strict mode)");
    }
}
