//! The OpenAPI 3.0 subset of Gemini's classic `parameters`: upper-case types,
//! `nullable` instead of type arrays, string-only enums, no unknown keywords, no `$ref`.

use serde_json::{Map, Value};

use super::keywords::{drop_unsupported, normalize, note};
use super::refs::{inline_all, Recursion};
use super::walk::walk_mut;

/// The fields of Gemini's `Schema` message.
pub(crate) const GEMINI_SCHEMA_FIELDS: [&str; 21] = [
    "type",
    "format",
    "title",
    "description",
    "nullable",
    "enum",
    "items",
    "minItems",
    "maxItems",
    "properties",
    "required",
    "minProperties",
    "maxProperties",
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "anyOf",
    "propertyOrdering",
    "default",
];

/// The formats Gemini's `Schema` takes, by type.
fn format_allowed(kind: &str, format: &str) -> bool {
    match kind {
        "STRING" => matches!(format, "enum" | "date-time"),
        "NUMBER" => matches!(format, "float" | "double"),
        "INTEGER" => matches!(format, "int32" | "int64"),
        _ => false,
    }
}

/// `schema` as Gemini's OpenAPI-subset `Schema`. Recursive refs are cut (an object
/// with a note); the only failure is an `allOf` that cannot be merged.
pub(crate) fn to_openapi_subset(schema: &Value) -> Result<Value, String> {
    let mut schema = inline_all(schema, Recursion::Cut)?;
    normalize(&mut schema)?;
    walk_mut(&mut schema, "", &mut |m, _| convert(m));
    Ok(schema)
}

fn convert(m: &mut Map<String, Value>) {
    let mut nullable = false;
    match m.remove("type") {
        Some(Value::String(t)) if t == "null" => nullable = true,
        Some(Value::String(t)) => {
            m.insert("type".into(), t.to_ascii_uppercase().into());
        }
        Some(Value::Array(types)) => {
            let kinds: Vec<String> =
                types.iter().filter_map(Value::as_str).filter(|t| *t != "null").map(str::to_ascii_uppercase).collect();
            nullable = kinds.len() < types.len();
            match kinds.as_slice() {
                [] => {}
                [one] => {
                    m.insert("type".into(), one.clone().into());
                }
                many => {
                    let branches = many.iter().map(|k| serde_json::json!({"type": k})).collect();
                    m.insert("anyOf".into(), Value::Array(branches));
                }
            }
        }
        _ => {}
    }
    if let Some(Value::Array(branches)) = m.get_mut("anyOf") {
        let before = branches.len();
        branches.retain(|b| b.get("type") != Some(&Value::from("null")));
        nullable |= branches.len() < before;
    }
    let kind = m.get("type").and_then(Value::as_str).unwrap_or("").to_owned();
    if let Some(constant) = m.remove("const") {
        match constant {
            Value::String(s) if kind.is_empty() || kind == "STRING" => {
                m.insert("type".into(), "STRING".into());
                m.insert("enum".into(), Value::Array(vec![s.into()]));
            }
            other => note(m, &format!("always {other}")),
        }
    }
    if let Some(Value::Array(values)) = m.remove("enum") {
        nullable |= values.contains(&Value::Null);
        let values: Vec<Value> = values.into_iter().filter(|v| !v.is_null()).collect();
        if kind.is_empty() || kind == "STRING" {
            let strings = values.iter().map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned));
            m.insert("type".into(), "STRING".into());
            m.insert("enum".into(), strings.map(Value::String).collect());
        } else {
            let listed: Vec<String> = values.iter().map(Value::to_string).collect();
            note(m, &format!("one of: {}", listed.join(", ")));
        }
    }
    if let Some(format) = m.get("format").and_then(Value::as_str).map(str::to_owned) {
        if !format_allowed(&kind, &format) {
            m.remove("format");
            note(m, &format!("format: {format}"));
        }
    }
    if let Some(additional) = m.remove("additionalProperties") {
        if additional != Value::Bool(false) {
            note(m, "any other properties are accepted too");
        }
    }
    if nullable {
        m.insert("nullable".into(), Value::Bool(true));
    }
    drop_unsupported(m, &GEMINI_SCHEMA_FIELDS);
    if let Some(Value::Array(required)) = m.get("required") {
        let props = m.get("properties").and_then(Value::as_object);
        let kept: Vec<Value> = required
            .iter()
            .filter(|r| r.as_str().is_some_and(|r| props.is_some_and(|p| p.contains_key(r))))
            .cloned()
            .collect();
        m.insert("required".into(), Value::Array(kept));
    }
    if let Some(kind) = m.remove("type") {
        let rest = std::mem::take(m);
        m.insert("type".into(), kind);
        m.extend(rest);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn json_schema_becomes_the_openapi_subset() {
        let schema = json!({"type": "object", "properties": {
            "s": {"$ref": "#/$defs/S"},
            "n": {"type": ["integer", "null"], "enum": [1, 2, null], "exclusiveMinimum": 0},
            "u": {"type": "string", "format": "uri", "const": "x"},
            "m": {"type": "object", "additionalProperties": {"type": "string"}}
        }, "additionalProperties": false, "$defs": {"S": {"type": "string", "enum": ["a", "b"]}}});
        let out = to_openapi_subset(&schema).unwrap();
        assert_eq!(out["type"], "OBJECT");
        assert!(out.get("additionalProperties").is_none() && out.get("$defs").is_none());
        assert_eq!(out["properties"]["s"], json!({"type": "STRING", "enum": ["a", "b"]}));
        assert_eq!(out["properties"]["n"]["type"], "INTEGER");
        assert_eq!(out["properties"]["n"]["nullable"], true);
        assert!(out["properties"]["n"].get("enum").is_none());
        assert_eq!(out["properties"]["u"]["enum"], json!(["x"]));
        assert!(out["properties"]["u"]["description"].as_str().unwrap().contains("format: uri"));
        assert!(out["properties"]["m"]["description"].as_str().unwrap().contains("other properties"));
    }
}
