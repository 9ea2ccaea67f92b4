//! Checks of the JSON Schemas inside a spec: known keywords, the 2020-12 meta-schema,
//! `$ref`s, and what each LLM provider accepts (../shared/reference §5).

use serde_json::Value;

use toolsmith_spec::pointer;

use super::providers::provider_rules;
use super::shared::Shared;
use super::walk::walk;
use crate::diagnostic::{comma_split, COMMA_SPLIT_HELP};
use crate::{did_you_mean, Code, Diagnostic, NodeRef};

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
    walk(schema, "", &mut |node, at_schema| {
        let Value::Object(map) = node else { return };
        for key in map.keys() {
            if KEYWORDS.contains(&key.as_str()) || key.starts_with("x-") {
                continue;
            }
            let node =
                NodeRef { file: at.file.clone(), pointer: format!("{}{}", at.pointer, pointer::child(at_schema, key)) };
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
            let help = if comma_split(&d) { COMMA_SPLIT_HELP.to_owned() } else { help };
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
    walk(schema, "", &mut |node, at_schema| {
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
            let node = NodeRef {
                file: at.file.clone(),
                pointer: format!("{}{}", at.pointer, pointer::child(at_schema, "$ref")),
            };
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
