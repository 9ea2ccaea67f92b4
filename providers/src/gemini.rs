//! Gemini: function declarations (`parametersJsonSchema`, or the older OpenAPI-subset
//! `parameters`), `functionCall` parts, and `functionResponse` parts.

use serde_json::{json, Map, Value};
use toolsmith_core::ExecutionResult;

use crate::json::{array, base_schema, canonical_call, field, object_arguments, string};
use crate::names::NameMap;
use crate::schema::keywords::{drop_unsupported, normalize, note};
use crate::schema::legacy::to_openapi_subset;
use crate::schema::refs::{inline_all, Recursion};
use crate::schema::walk::walk_mut;
use crate::types::{ParseError, ToolCall};

/// The JSON Schema keywords Gemini documents for `parametersJsonSchema`.
pub(crate) const JSON_SCHEMA_KEYWORDS: [&str; 21] = [
    "$id",
    "$defs",
    "$ref",
    "$anchor",
    "type",
    "format",
    "title",
    "description",
    "enum",
    "items",
    "prefixItems",
    "minItems",
    "maxItems",
    "minimum",
    "maximum",
    "anyOf",
    "oneOf",
    "properties",
    "additionalProperties",
    "required",
    "propertyOrdering",
];

/// One declaration with `parametersJsonSchema`: `$schema` stripped, refs outside
/// `#/$defs` inlined (all of them when an `allOf` must be merged), undocumented keywords described, enums of strings and numbers.
/// The reason returned says what was lost when an `allOf` could not be merged.
pub(crate) fn declaration(name: &str, description: &str, schema: &Value) -> (Value, Option<String>) {
    let mut schema = base_schema(schema);
    let mut only_defs_refs = true;
    walk_mut(&mut schema, "", &mut |m, _| {
        let foreign_ref = m.get("$ref").and_then(Value::as_str).is_some_and(|r| !r.starts_with("#/$defs/"));
        if foreign_ref || m.contains_key("definitions") || m.contains_key("allOf") {
            only_defs_refs = false;
        }
    });
    if !only_defs_refs {
        if let Ok(inlined) = inline_all(&schema, Recursion::Cut) {
            schema = inlined;
        }
    }
    let fallback = normalize(&mut schema).err().map(|e| format!("{e}; the part that could not be merged was dropped"));
    walk_mut(&mut schema, "", &mut |m, _| {
        json_enum(m);
        drop_unsupported(m, &JSON_SCHEMA_KEYWORDS);
    });
    (json!({"name": name, "description": description, "parametersJsonSchema": schema}), fallback)
}

/// Enum values Gemini takes are strings and numbers: `null` goes into the type,
/// booleans into the description.
fn json_enum(m: &mut Map<String, Value>) {
    let Some(Value::Array(values)) = m.get("enum").cloned() else { return };
    if values.iter().all(|v| v.is_string() || v.is_number()) {
        return;
    }
    let has_null = values.contains(&Value::Null);
    let (kept, other): (Vec<Value>, Vec<Value>) =
        values.iter().filter(|v| !v.is_null()).cloned().partition(|v| v.is_string() || v.is_number());
    if other.is_empty() && !kept.is_empty() {
        m.insert("enum".into(), Value::Array(kept));
    } else {
        m.remove("enum");
        let listed: Vec<String> = values.iter().map(Value::to_string).collect();
        note(m, &format!("one of: {}", listed.join(", ")));
    }
    if has_null {
        match m.get_mut("type") {
            Some(Value::String(t)) => {
                let t = std::mem::take(t);
                m.insert("type".into(), json!([t, "null"]));
            }
            Some(Value::Array(types)) if !types.contains(&Value::from("null")) => types.push("null".into()),
            _ => {}
        }
    }
}

/// One declaration with the OpenAPI-subset `parameters` (none for a tool without
/// properties, which Gemini refuses as an empty OBJECT).
pub(crate) fn legacy_declaration(name: &str, description: &str, schema: &Value) -> (Value, Option<String>) {
    let base = base_schema(schema);
    let mut declaration = json!({"name": name, "description": description});
    match to_openapi_subset(&base) {
        Ok(parameters) => {
            if parameters.get("properties").and_then(Value::as_object).is_some_and(|p| !p.is_empty()) {
                declaration["parameters"] = parameters;
            }
            (declaration, None)
        }
        Err(reason) => {
            declaration["parameters"] = json!({"type": "OBJECT", "description": "(arguments as described above)"});
            (declaration, Some(format!("no OpenAPI-subset form: {reason}")))
        }
    }
}

/// The `functionCall` parts of a response (`{candidates:[{content:{parts}}]}`), of a
/// content (`{parts}`) or of a parts array; ids are synthesized (`call_N`) when absent.
pub(crate) fn parse(response: &Value, names: &NameMap) -> Result<Vec<ToolCall>, ParseError> {
    let (parts, path) = if response.get("candidates").is_some() {
        let candidates = array(response, "candidates", "")?;
        let first = candidates.first().ok_or_else(|| ParseError::shape("candidates", "empty: no content"))?;
        let content = field(first, "content", "candidates[0]")?;
        (array(content, "parts", "candidates[0].content")?, "candidates[0].content.parts".to_owned())
    } else if let Value::Array(parts) = response {
        (parts, String::new())
    } else {
        (array(response, "parts", "")?, "parts".to_owned())
    };
    let mut calls = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let Some(call) = part.get("functionCall") else { continue };
        let at = format!("{path}[{i}].functionCall");
        let wire_name = string(call, "name", &at)?;
        let args = object_arguments(call.get("args").cloned().unwrap_or(Value::Null), &format!("{at}.args"))?;
        let (id, synthesized) = match call.get("id").and_then(Value::as_str) {
            Some(id) => (id.to_owned(), false),
            None => (format!("call_{}", calls.len()), true),
        };
        calls.push(canonical_call(names, id, synthesized, wire_name, args));
    }
    Ok(calls)
}

/// `{"functionResponse":{"name":…,"response":{…}}}` (with the call's `id` when the
/// model gave one): the result's fields as the response object.
pub(crate) fn response_part(call: &ToolCall, result: &ExecutionResult) -> Value {
    let response = serde_json::to_value(result).unwrap_or_else(|e| json!({"error": e.to_string()}));
    let mut function_response = json!({"name": call.wire_name, "response": response});
    if !call.synthesized_id {
        function_response["id"] = Value::String(call.id.clone());
    }
    json!({"functionResponse": function_response})
}
