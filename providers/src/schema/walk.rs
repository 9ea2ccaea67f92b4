//! Which keywords of a JSON Schema hold subschemas, and a pre-order walk over them.

use serde_json::{Map, Value};

/// Keywords whose value is a map of name → subschema.
pub(crate) const SCHEMA_MAPS: [&str; 5] =
    ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"];
/// Keywords whose value is one subschema.
pub(crate) const SCHEMA_VALUES: [&str; 11] = [
    "items",
    "additionalProperties",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedProperties",
    "unevaluatedItems",
    "additionalItems",
];
/// Keywords whose value is a list of subschemas.
pub(crate) const SCHEMA_LISTS: [&str; 4] = ["anyOf", "oneOf", "allOf", "prefixItems"];

/// The subschemas directly under `map`, each with its JSON pointer suffix.
pub(crate) fn children_mut(map: &mut Map<String, Value>) -> Vec<(String, &mut Value)> {
    let mut out = Vec::new();
    for (key, value) in map.iter_mut() {
        let k = key.as_str();
        if SCHEMA_MAPS.contains(&k) {
            if let Value::Object(entries) = value {
                for (name, child) in entries.iter_mut() {
                    out.push((format!("/{}/{}", k, escape(name)), child));
                }
            }
        } else if SCHEMA_LISTS.contains(&k) || (k == "items" && value.is_array()) {
            if let Value::Array(items) = value {
                for (i, child) in items.iter_mut().enumerate() {
                    out.push((format!("/{k}/{i}"), child));
                }
            }
        } else if SCHEMA_VALUES.contains(&k) {
            out.push((format!("/{k}"), value));
        }
    }
    out
}

/// Calls `f` on every schema object, parents before children, with its JSON pointer.
pub(crate) fn walk_mut(schema: &mut Value, path: &str, f: &mut dyn FnMut(&mut Map<String, Value>, &str)) {
    if let Value::Object(map) = schema {
        f(map, path);
        for (suffix, child) in children_mut(map) {
            walk_mut(child, &format!("{path}{suffix}"), f);
        }
    }
}

/// A JSON pointer token: `~` → `~0`, `/` → `~1`.
pub(crate) fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}
