//! Checks of the JSON Schemas inside a spec: known keywords, the 2020-12 meta-schema,
//! `$ref`s, and what each LLM provider accepts (../shared/reference §5).

use std::collections::BTreeSet;

use serde_json::Value;

pub(crate) use super::shared::Shared;
use crate::load::did_you_mean;
use crate::source::child;
use crate::{Code, Diagnostic, NodeRef};

/// Every keyword of JSON Schema 2020-12 (core, applicator, validation, unevaluated,
/// format, content and meta-data vocabularies) plus OpenAPI's `discriminator`.
pub(crate) const KEYWORDS: &[&str] = &[
    "$schema",
    "$id",
    "$ref",
    "$defs",
    "$comment",
    "$anchor",
    "$dynamicRef",
    "$dynamicAnchor",
    "$vocabulary",
    "type",
    "enum",
    "const",
    "multipleOf",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "maxContains",
    "minContains",
    "maxProperties",
    "minProperties",
    "required",
    "dependentRequired",
    "properties",
    "patternProperties",
    "additionalProperties",
    "propertyNames",
    "items",
    "prefixItems",
    "contains",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "if",
    "then",
    "else",
    "dependentSchemas",
    "unevaluatedItems",
    "unevaluatedProperties",
    "title",
    "description",
    "default",
    "deprecated",
    "readOnly",
    "writeOnly",
    "examples",
    "format",
    "contentEncoding",
    "contentMediaType",
    "contentSchema",
    "discriminator",
];

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

/// Calls `f(schema, pointer)` on every sub-schema of `schema`, itself included.
pub(crate) fn walk<'a>(schema: &'a Value, pointer: &str, f: &mut dyn FnMut(&'a Value, &str)) {
    f(schema, pointer);
    let Value::Object(map) = schema else { return };
    for (key, value) in map {
        let here = child(pointer, key);
        if SCHEMA_MAPS.contains(&key.as_str()) {
            if let Value::Object(children) = value {
                for (name, sub) in children {
                    walk(sub, &child(&here, name), f);
                }
            }
        } else if SCHEMA_ONE.contains(&key.as_str()) {
            walk(value, &here, f);
        } else if SCHEMA_LISTS.contains(&key.as_str()) {
            if let Value::Array(items) = value {
                for (i, sub) in items.iter().enumerate() {
                    walk(sub, &child(&here, i), f);
                }
            }
        }
    }
}

/// What a schema is used for, which decides the checks.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Use {
    /// A tool's input: sent to LLM providers, so provider rules apply.
    ToolInput,
    /// Any other schema (outputs, trigger config and payload).
    Other,
}

/// Checks one schema; `at` is where its root stands in the file. References resolve
/// inside the schema or to the toolkit's `shared` definitions.
pub(crate) fn check(schema: &Value, at: &NodeRef, usage: Use, shared: &mut Shared<'_>, out: &mut Vec<Diagnostic>) {
    let before = out.len();
    check_keywords(schema, at, out);
    check_meta(schema, at, out);
    check_refs(schema, at, shared, out);
    if usage == Use::ToolInput && out.len() == before {
        check_providers(schema, at, shared, out);
    }
}

fn check_keywords(schema: &Value, at: &NodeRef, out: &mut Vec<Diagnostic>) {
    walk(schema, "", &mut |node, pointer| {
        let Value::Object(map) = node else { return };
        for key in map.keys() {
            if KEYWORDS.contains(&key.as_str()) || key.starts_with("x-") {
                continue;
            }
            let node = NodeRef { file: at.file.clone(), pointer: format!("{}{}", at.pointer, child(pointer, key)) };
            let help = match key.as_str() {
                "nullable" => "JSON Schema 2020-12 has no `nullable`: write `type: [string, \"null\"]`".to_owned(),
                "example" => "JSON Schema 2020-12 has `examples` (a list): write `examples: [...]`".to_owned(),
                "in" | "wire_name" | "from" | "style" | "explode" | "allow_reserved" => {
                    format!("`{key}` is only allowed on a tool's top-level input properties, not in nested schemas")
                }
                _ => match did_you_mean(key, KEYWORDS) {
                    Some(best) => format!("did you mean `{best}`? Vendor extensions start with `x-`"),
                    None => "remove it, or prefix a vendor extension with `x-`".to_owned(),
                },
            };
            let d = node.diag_key(Code::UnknownKey, format!("unknown JSON Schema keyword `{key}`"));
            let help = if crate::load::comma_split(&d) { crate::load::COMMA_SPLIT_HELP.to_owned() } else { help };
            out.push(d.label("not a JSON Schema 2020-12 keyword").help(help));
        }
    });
}

fn check_meta(schema: &Value, at: &NodeRef, out: &mut Vec<Diagnostic>) {
    let meta = jsonschema::draft202012::meta::validator();
    for error in meta.iter_errors(schema) {
        let node =
            NodeRef { file: at.file.clone(), pointer: format!("{}{}", at.pointer, error.instance_path().as_str()) };
        out.push(
            node.diag(Code::InvalidSchema, format!("not valid JSON Schema 2020-12: {error}"))
                .help("fix the schema; `type` is one of string, number, integer, boolean, array, object, null"),
        );
    }
}

fn check_refs(schema: &Value, at: &NodeRef, shared: &Shared<'_>, out: &mut Vec<Diagnostic>) {
    walk(schema, "", &mut |node, pointer| {
        let Some(reference) = node.get("$ref").and_then(Value::as_str) else {
            return;
        };
        let target = reference.strip_prefix('#').map(|p| p.replace("%25", "%"));
        let resolves = match &target {
            Some(p) if p.is_empty() => true,
            Some(p) => schema.pointer(p).is_some() || shared.resolves(p),
            None => false,
        };
        if !resolves {
            let node = NodeRef { file: at.file.clone(), pointer: format!("{}{}", at.pointer, child(pointer, "$ref")) };
            let help = if target.is_none() {
                "only references inside the same schema are allowed (`#/$defs/Name`); copy the referenced schema into `$defs`".to_owned()
            } else {
                let mut defs: Vec<&str> = schema
                    .get("$defs")
                    .and_then(Value::as_object)
                    .map(|m| m.keys().map(String::as_str).collect())
                    .unwrap_or_default();
                defs.extend(shared.names().take(20));
                format!(
                    "add it under `$defs`, or point at one of: {}",
                    if defs.is_empty() { "(no $defs yet)".to_owned() } else { defs.join(", ") }
                )
            };
            out.push(node.diag(Code::UnresolvedRef, format!("`$ref: {reference}` does not resolve")).help(help));
        }
    });
}

/// Provider rules. An error where no provider rendering can take the construct; one
/// warning per tool listing what OpenAI strict mode / Gemini `parameters` cannot take,
/// in its own schema and in the shared definitions it reaches.
fn check_providers(schema: &Value, at: &NodeRef, shared: &mut Shared<'_>, out: &mut Vec<Diagnostic>) {
    let (mut fallbacks, depth_max) = provider_rules(schema, at, out);
    if depth_max > 5 {
        fallbacks.insert(format!("{depth_max} levels of nesting (OpenAI strict allows 5)"));
    }
    for name in shared.reached(schema) {
        fallbacks.extend(shared.fallbacks(&name, out).iter().cloned());
    }
    if !fallbacks.is_empty() {
        let list: Vec<String> = fallbacks.into_iter().collect();
        out.push(
            at.diag_key(Code::ProviderFallback, format!("OpenAI strict mode / Gemini `parameters` cannot take: {}", list.join("; ")))
                .help("the tool is then sent with `strict: false` (OpenAI) and `parametersJsonSchema` (Gemini); rewrite with `anyOf` and fixed properties if the API allows"),
        );
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn run(schema: Value) -> Vec<Diagnostic> {
        let text = serde_yaml::to_string(&schema).unwrap();
        let node = NodeRef { file: Arc::new(crate::SourceFile::new("s.yaml", text)), pointer: String::new() };
        let mut out = Vec::new();
        let definitions = crate::Definitions::default();
        let source = crate::ToolkitSource {
            header: node.clone(),
            tools: Vec::new(),
            triggers: Vec::new(),
            imported_definitions: Default::default(),
        };
        check(&schema, &node, Use::ToolInput, &mut Shared::new(&definitions, &source), &mut out);
        out
    }

    fn codes(schema: Value) -> Vec<Code> {
        run(schema).into_iter().map(|d| d.code).collect()
    }

    #[test]
    fn clean_schema_passes() {
        let s = serde_json::json!({"type": "object", "additionalProperties": false,
            "properties": {"a": {"type": ["string", "null"], "description": "x"}}});
        assert!(codes(s).is_empty());
    }

    #[test]
    fn finds_each_problem() {
        assert_eq!(
            codes(serde_json::json!({"type": "object", "properties": {"a": {"typ": "string"}}})),
            [Code::UnknownKey]
        );
        assert_eq!(
            codes(serde_json::json!({"type": "object", "properties": {"a": {"type": "strin"}}})),
            [Code::InvalidSchema]
        );
        assert_eq!(
            codes(serde_json::json!({"type": "object", "properties": {"a": {"$ref": "#/$defs/X"}}})),
            [Code::UnresolvedRef]
        );
        assert_eq!(
            codes(serde_json::json!({"type": "object", "properties": {"a": {"enum": []}}})),
            [Code::ProviderIncompatible]
        );
        assert_eq!(
            codes(
                serde_json::json!({"type": "object", "additionalProperties": false, "properties": {"a": {"oneOf": [{"type": "string"}, {"type": "integer"}]}}})
            ),
            [Code::ProviderFallback]
        );
    }

    #[test]
    fn nullable_gets_a_specific_help() {
        let d = run(serde_json::json!({"type": "object", "properties": {"a": {"type": "string", "nullable": true}}}));
        assert!(d[0].help.as_deref().unwrap().contains("type: [string"));
    }
}
