//! Walking the sub-schemas of a JSON Schema.

use serde_json::Value;
use toolsmith_spec::pointer;

/// Keywords whose value is a map of schemas.
const SCHEMA_MAPS: &[&str] = &["properties", "patternProperties", "$defs", "dependentSchemas"];
/// Keywords whose value is one schema.
const SCHEMA_ONE: &[&str] = &[
    "items",
    "additionalProperties",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "contentSchema",
];
/// Keywords whose value is a list of schemas.
const SCHEMA_LISTS: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems"];

/// Calls `f(schema, pointer)` on every sub-schema of `schema`, itself included.
pub(crate) fn walk<'a>(schema: &'a Value, at: &str, f: &mut dyn FnMut(&'a Value, &str)) {
    f(schema, at);
    let Value::Object(map) = schema else { return };
    for (key, value) in map {
        let here = pointer::child(at, key);
        if SCHEMA_MAPS.contains(&key.as_str()) {
            if let Value::Object(children) = value {
                for (name, sub) in children {
                    walk(sub, &pointer::child(&here, name), f);
                }
            }
        } else if SCHEMA_ONE.contains(&key.as_str()) {
            walk(value, &here, f);
        } else if SCHEMA_LISTS.contains(&key.as_str()) {
            if let Value::Array(items) = value {
                for (i, sub) in items.iter().enumerate() {
                    walk(sub, &pointer::child(&here, i), f);
                }
            }
        }
    }
}
