//! What a schema says, read keyword by keyword: its description, whether it is
//! `null`, the `$ref`s under it, and the value constraints a field carries.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::{Map, Value};

use super::constraints;
use super::literal::json_tokens;

/// Adds the internal `$ref` targets under `schema` to `seen` (once each).
pub(super) fn collect_refs(schema: &Value, seen: &mut Vec<String>) {
    match schema {
        Value::Object(map) => {
            for (key, value) in map {
                if key == "$ref" {
                    if let Some(p) = value.as_str().and_then(|r| r.strip_prefix('#')) {
                        if !seen.iter().any(|s| s == p) {
                            seen.push(p.to_owned());
                        }
                    }
                } else {
                    collect_refs(value, seen);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, seen)),
        _ => {}
    }
}

pub(super) fn is_null_schema(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("null")
        || schema.get("const").is_some_and(Value::is_null)
        || schema.get("enum").and_then(Value::as_array).is_some_and(|e| e.len() == 1 && e[0].is_null())
}

pub(super) fn description(schema: &Value) -> Option<&str> {
    schema.get("description").and_then(Value::as_str)
}

pub(super) fn description_of(map: &Map<String, Value>) -> Option<&str> {
    map.get("description").and_then(Value::as_str)
}

/// Whether a union branch only constrains which keys are present (no type,
/// properties or reference): `{ "required": ["a"] }`, `{ "not": { "required": ["b"] } }`.
pub(super) fn constraint_only(branch: &Value) -> bool {
    constraints::keys(branch).is_some()
}

/// Keywords that constrain values beyond what a Rust type says. They are copied to
/// the derived schema (schemars `extend`) so it accepts what the spec accepts.
pub(super) const CONSTRAINTS: &[&str] = &[
    "pattern",
    "format",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
];

/// `#[schemars(extend(...))]` with the value constraints of a field's schema: its
/// own keywords, a non-string `enum`, and constrained primitive array items.
pub(super) fn constraint_attrs(schema: &Value) -> TokenStream {
    let Some(map) = schema.as_object() else { return quote!() };
    let mut pairs: Vec<TokenStream> = CONSTRAINTS
        .iter()
        .filter_map(|k| map.get(*k).map(|v| (*k, v)))
        .map(|(k, v)| {
            let v = json_tokens(v);
            quote!(#k = #v)
        })
        .collect();
    if let Some(Value::Array(values)) = map.get("enum") {
        if !values.iter().all(|v| v.is_string() || v.is_null()) {
            let mut allowed = values.clone();
            if map.get("type").and_then(Value::as_array).is_some_and(|t| t.iter().any(|t| t == "null"))
                && !allowed.contains(&Value::Null)
            {
                allowed.push(Value::Null);
            }
            let v = json_tokens(&Value::Array(allowed));
            pairs.push(quote!("enum" = #v));
        }
    }
    if let Some(items) = map.get("items").and_then(Value::as_object) {
        let primitive =
            matches!(items.get("type").and_then(Value::as_str), Some("string" | "integer" | "number" | "boolean"));
        let constrained = CONSTRAINTS.iter().any(|k| items.contains_key(*k))
            || items.get("enum").and_then(Value::as_array).is_some_and(|e| !e.iter().all(Value::is_string));
        if primitive && constrained && !items.contains_key("$ref") {
            let v = json_tokens(&Value::Object(items.clone()));
            pairs.push(quote!("items" = #v));
        }
    }
    if pairs.is_empty() {
        return quote!();
    }
    quote!(#[schemars(extend(#(#pairs),*))])
}
