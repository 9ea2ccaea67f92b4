//! The strict (grammar-constrained) subset of JSON Schema that OpenAI and Anthropic
//! take: closed objects, typed values, refs inlined, unsupported keywords described.

use serde_json::{Map, Value};

use super::keywords::{drop_unsupported, normalize, note, pointer};
use super::refs::{inline_all, Recursion};
use super::walk::escape;

/// One provider's strict subset.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Dialect {
    /// Every property listed in `required`, optional ones made nullable (OpenAI).
    all_required: bool,
    /// The keywords kept besides `STRICT_KEYWORDS`; others are dropped (and described
    /// when they constrain).
    keep: &'static [&'static str],
    /// The string formats kept.
    formats: &'static [&'static str],
    /// The largest `minItems` kept.
    max_min_items: Option<u64>,
    /// Whether `pattern`s with lookaround or backreferences are dropped.
    simple_patterns: bool,
    /// The most optional properties one tool may have.
    max_optional: Option<usize>,
}

const FORMATS: [&str; 9] = ["date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"];
const ANTHROPIC_FORMATS: [&str; 10] =
    ["date-time", "time", "date", "duration", "email", "hostname", "uri", "ipv4", "ipv6", "uuid"];

/// The keywords both strict subsets keep.
const STRICT_KEYWORDS: [&str; 12] = [
    "type",
    "description",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "const",
    "anyOf",
    "pattern",
    "format",
    "minItems",
];

/// OpenAI Structured Outputs (function calling with `strict: true`).
pub(crate) const OPENAI: Dialect = Dialect {
    all_required: true,
    keep: &["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "maxItems"],
    formats: &FORMATS,
    max_min_items: None,
    simple_patterns: false,
    max_optional: None,
};

/// Anthropic strict tool use.
pub(crate) const ANTHROPIC: Dialect = Dialect {
    all_required: false,
    keep: &["default"],
    formats: &ANTHROPIC_FORMATS,
    max_min_items: Some(1),
    simple_patterns: true,
    max_optional: Some(24),
};

/// Keywords that cannot be dropped without changing what is valid, and have no
/// strict equivalent: a schema using one falls back to non-strict.
const NO_STRICT_FORM: [&str; 13] = [
    "not",
    "if",
    "then",
    "else",
    "dependentRequired",
    "dependentSchemas",
    "patternProperties",
    "unevaluatedProperties",
    "unevaluatedItems",
    "prefixItems",
    "propertyNames",
    "additionalItems",
    "contains",
];

/// `schema` in `dialect`'s strict subset, or why it has none (with the JSON pointer).
pub(crate) fn strict(schema: &Value, dialect: &Dialect) -> Result<Value, String> {
    let mut schema = inline_all(schema, Recursion::Refuse)?;
    normalize(&mut schema)?;
    let is_object_root = schema.as_object().is_some_and(|m| type_includes(m, "object") || m.contains_key("properties"));
    if !is_object_root {
        return Err("the root is not an object schema".to_owned());
    }
    let out = node(&schema, "", dialect, true)?;
    if let Some(max) = dialect.max_optional {
        let optional = count_optional(&out);
        if optional > max {
            return Err(format!("{optional} optional properties (at most {max} in strict mode)"));
        }
    }
    Ok(out)
}

fn node(value: &Value, path: &str, d: &Dialect, root: bool) -> Result<Value, String> {
    let Value::Object(source) = value else {
        return Err(format!("free-form value (schema `{value}`) at {}", pointer(path)));
    };
    let mut m = source.clone();
    if let Some(key) = NO_STRICT_FORM.iter().find(|k| m.contains_key(**k)) {
        return Err(format!("`{key}` at {} has no strict form", pointer(path)));
    }
    let is_object = type_includes(&m, "object") || m.contains_key("properties");
    let is_array = type_includes(&m, "array") || m.contains_key("items");
    if is_object {
        object(&mut m, path, d, root)?;
    }
    if is_array {
        match m.get("items") {
            Some(items @ Value::Object(_)) => {
                let items = node(items, &format!("{path}/items"), d, false)?;
                m.insert("items".into(), items);
            }
            _ => return Err(format!("array without a schema for its items at {}", pointer(path))),
        }
    }
    if let Some(any_of) = m.get("anyOf").and_then(Value::as_array) {
        if root {
            return Err("anyOf at the root".to_owned());
        }
        let branches = any_of
            .iter()
            .enumerate()
            .map(|(i, b)| node(b, &format!("{path}/anyOf/{i}"), d, false))
            .collect::<Result<Vec<_>, _>>()?;
        m.insert("anyOf".into(), Value::Array(branches));
    }
    if !is_object && !is_array && !["type", "anyOf", "enum", "const"].iter().any(|k| m.contains_key(*k)) {
        return Err(format!("untyped (free-form) value at {}", pointer(path)));
    }
    restrict_values(&mut m, d);
    let keep: Vec<&str> = STRICT_KEYWORDS.iter().chain(d.keep).copied().collect();
    drop_unsupported(&mut m, &keep);
    Ok(Value::Object(m))
}

fn object(m: &mut Map<String, Value>, path: &str, d: &Dialect, root: bool) -> Result<(), String> {
    let closed = m.get("additionalProperties") == Some(&Value::Bool(false));
    if m.get("additionalProperties").is_some_and(|a| !closed && *a != Value::Bool(false)) {
        return Err(format!("open map (additionalProperties) at {}", pointer(path)));
    }
    let props = m.get("properties").and_then(Value::as_object).cloned().unwrap_or_default();
    if props.is_empty() && !root && !closed {
        return Err(format!("free-form object at {}", pointer(path)));
    }
    let required: Vec<String> = m
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).map(str::to_owned).collect())
        .unwrap_or_default();
    let mut out = Map::new();
    for (name, schema) in &props {
        let mut child = node(schema, &format!("{path}/properties/{}", escape(name)), d, false)?;
        if d.all_required && !required.contains(name) {
            make_nullable(&mut child);
        }
        out.insert(name.clone(), child);
    }
    let required: Vec<Value> = if d.all_required {
        out.keys().cloned().map(Value::String).collect()
    } else {
        required.into_iter().filter(|r| out.contains_key(r)).map(Value::String).collect()
    };
    m.insert("properties".into(), Value::Object(out));
    m.insert("required".into(), Value::Array(required));
    m.insert("additionalProperties".into(), Value::Bool(false));
    m.entry("type").or_insert_with(|| "object".into());
    Ok(())
}

/// Drops the formats, `minItems` and patterns the dialect does not take, noting them.
fn restrict_values(m: &mut Map<String, Value>, d: &Dialect) {
    if let Some(format) = m.get("format").and_then(Value::as_str).map(str::to_owned) {
        if !d.formats.contains(&format.as_str()) {
            m.remove("format");
            note(m, &format!("format: {format}"));
        }
    }
    if let (Some(cap), Some(min)) = (d.max_min_items, m.get("minItems").and_then(Value::as_u64)) {
        if min > cap {
            m.remove("minItems");
            note(m, &format!("minItems: {min}"));
        }
    }
    if d.simple_patterns {
        if let Some(pattern) = m.get("pattern").and_then(Value::as_str).map(str::to_owned) {
            if pattern.contains("(?") || pattern.contains("\\1") || pattern.contains("\\k<") {
                m.remove("pattern");
                note(m, &format!("pattern: {pattern}"));
            }
        }
    }
}

/// Makes a schema accept `null` too: `null` added to its type (and enum), or a null
/// branch added to its `anyOf`.
pub(crate) fn make_nullable(schema: &mut Value) {
    let Value::Object(m) = schema else { return };
    if let Some(Value::Array(values)) = m.get_mut("enum") {
        if !values.contains(&Value::Null) {
            values.push(Value::Null);
        }
    }
    match m.get_mut("type") {
        Some(Value::String(t)) => {
            let t = std::mem::take(t);
            m.insert("type".into(), Value::Array(vec![t.into(), "null".into()]));
        }
        Some(Value::Array(types)) => {
            if !types.contains(&Value::from("null")) {
                types.push("null".into());
            }
        }
        _ => {
            if let Some(Value::Array(branches)) = m.get_mut("anyOf") {
                if !branches.iter().any(|b| b.get("type") == Some(&Value::from("null"))) {
                    branches.push(serde_json::json!({"type": "null"}));
                }
            } else if m.contains_key("const") {
                let description = m.remove("description");
                let inner = Value::Object(std::mem::take(m));
                m.insert("anyOf".into(), Value::Array(vec![inner, serde_json::json!({"type": "null"})]));
                if let Some(description) = description {
                    m.insert("description".into(), description);
                }
            }
        }
    }
}

/// Whether the schema's `type` is or includes `name`.
pub(crate) fn type_includes(m: &Map<String, Value>, name: &str) -> bool {
    match m.get("type") {
        Some(Value::String(t)) => t == name,
        Some(Value::Array(types)) => types.iter().any(|t| t == name),
        _ => false,
    }
}

fn count_optional(schema: &Value) -> usize {
    let Value::Object(m) = schema else { return 0 };
    let mut count = 0;
    if let Some(Value::Object(props)) = m.get("properties") {
        let required = m.get("required").and_then(Value::as_array);
        count += props.keys().filter(|k| !required.is_some_and(|r| r.iter().any(|v| v == k.as_str()))).count();
        count += props.values().map(count_optional).sum::<usize>();
    }
    count += m.get("items").map_or(0, count_optional);
    count += m.get("anyOf").and_then(Value::as_array).map_or(0, |b| b.iter().map(count_optional).sum());
    count
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn optional_properties_become_nullable_and_required() {
        let schema = json!({"type": "object", "properties": {
            "a": {"type": "string"}, "b": {"type": "string", "enum": ["x"], "maxLength": 5}, "c": {"anyOf": [{"type": "string"}, {"type": "integer"}]}
        }, "required": ["a"]});
        let out = strict(&schema, &OPENAI).unwrap();
        assert_eq!(out["required"], json!(["a", "b", "c"]));
        assert_eq!(out["additionalProperties"], false);
        assert_eq!(out["properties"]["a"]["type"], "string");
        assert_eq!(out["properties"]["b"]["type"], json!(["string", "null"]));
        assert_eq!(out["properties"]["b"]["enum"], json!(["x", null]));
        assert_eq!(out["properties"]["b"]["description"], "(maxLength: 5)");
        assert_eq!(out["properties"]["c"]["anyOf"][2], json!({"type": "null"}));
    }

    #[test]
    fn what_has_no_strict_form_is_refused_with_its_path() {
        let open = json!({"type": "object", "properties": {"extra": {"type": "object"}}});
        assert_eq!(strict(&open, &OPENAI).unwrap_err(), "free-form object at /properties/extra");
        let map = json!({"type": "object", "properties": {"m": {"type": "object", "additionalProperties": {"type": "string"}}}});
        assert_eq!(strict(&map, &OPENAI).unwrap_err(), "open map (additionalProperties) at /properties/m");
        let pattern = json!({"type": "object", "patternProperties": {"^x": {"type": "string"}}});
        assert_eq!(strict(&pattern, &OPENAI).unwrap_err(), "`patternProperties` at / has no strict form");
        assert_eq!(strict(&json!({"type": "string"}), &OPENAI).unwrap_err(), "the root is not an object schema");
    }

    #[test]
    fn anthropic_keeps_optional_fields_and_drops_bounds() {
        let schema = json!({"type": "object", "properties": {"n": {"type": "integer", "minimum": 1}, "l": {"type": "array", "items": {"type": "string"}, "minItems": 2}}});
        let out = strict(&schema, &ANTHROPIC).unwrap();
        assert_eq!(out["required"], json!([]));
        assert_eq!(out["properties"]["n"], json!({"type": "integer", "description": "(minimum: 1)"}));
        assert_eq!(out["properties"]["l"]["description"], "(minItems: 2)");
    }
}
