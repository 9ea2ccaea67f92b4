//! Provider rules of tool input schemas: what no LLM provider can take (errors),
//! and what OpenAI strict mode or Gemini `parameters` cannot take (a fallback).

use std::collections::BTreeSet;

use serde_json::Value;

use super::walk::walk;
use crate::{Code, Diagnostic, NodeRef};

/// Keywords OpenAI strict mode rejects (and, for most, Gemini's legacy `parameters`).
const STRICT_UNSUPPORTED: &[&str] = &[
    "allOf",
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
    "oneOf",
];

/// Pushes the provider errors of `schema`; returns what strict modes cannot take
/// and how deep properties nest.
pub(crate) fn provider_rules(schema: &Value, at: &NodeRef, out: &mut Vec<Diagnostic>) -> (BTreeSet<String>, usize) {
    let mut fallbacks = BTreeSet::new();
    let mut depth_max = 0usize;
    walk(schema, "", &mut |node, pointer| {
        let here = NodeRef { file: at.file.clone(), pointer: format!("{}{}", at.pointer, pointer) };
        depth_max = depth_max.max(pointer.matches("/properties/").count() + pointer.matches("/items").count());
        match node {
            Value::Bool(false) if is_property_or_items(pointer) => {
                out.push(
                    here.diag(
                        Code::ProviderIncompatible,
                        "a `false` schema accepts no value, so no call can satisfy it",
                    )
                    .help("remove the property, or give it a real schema"),
                );
            }
            Value::Object(map) => {
                if let Some(Value::Array(values)) = map.get("enum") {
                    if values.is_empty() {
                        out.push(
                            here.child("enum")
                                .diag(Code::ProviderIncompatible, "an empty `enum` accepts no value")
                                .help("list the allowed values, or remove `enum`"),
                        );
                    } else if values.iter().any(|v| v.is_object() || v.is_array()) {
                        out.push(
                            here.child("enum")
                                .diag(Code::ProviderIncompatible, "`enum` values must be strings, numbers, booleans or null")
                                .help("Anthropic and Gemini reject structured enum values; use `anyOf` of `const` schemas"),
                        );
                    }
                }
                for key in map.keys() {
                    if STRICT_UNSUPPORTED.contains(&key.as_str()) {
                        fallbacks.insert(format!("`{key}` at {}", display_pointer(pointer)));
                    }
                }
                match map.get("additionalProperties") {
                    Some(Value::Bool(false)) | None => {}
                    Some(_) if pointer.is_empty() => {
                        fallbacks.insert("open root (`additionalProperties` not false)".to_owned());
                    }
                    Some(_) => {
                        fallbacks.insert(format!("free-form map at {}", display_pointer(pointer)));
                    }
                }
                if let Some(Value::Object(props)) = map.get("properties") {
                    if !pointer.is_empty() {
                        for name in props.keys().filter(|n| !gemini_name(n)) {
                            fallbacks.insert(format!("property name `{name}` at {}", display_pointer(pointer)));
                        }
                    }
                }
            }
            _ => {}
        }
    });
    (fallbacks, depth_max)
}

/// Whether `pointer` addresses a property schema (`…/properties/name`) or `…/items`.
fn is_property_or_items(pointer: &str) -> bool {
    let mut segments = pointer.rsplit('/');
    let last = segments.next();
    last == Some("items") || segments.next() == Some("properties")
}

/// Whether Gemini accepts the name as a parameter name.
pub(crate) fn gemini_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() <= 64
}

fn display_pointer(pointer: &str) -> String {
    if pointer.is_empty() {
        "the root".to_owned()
    } else {
        format!("`{}`", pointer.trim_start_matches('/').replace("/properties/", ".").replace("properties/", ""))
    }
}
