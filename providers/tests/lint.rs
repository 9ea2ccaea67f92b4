//! Each lint rule fires on a hand-made bad tool, and not on a good one.

#![allow(clippy::unwrap_used)]

use serde_json::{json, Value};
use toolsmith_providers::{lint, Provider};

fn fires(provider: Provider, tool: Value, path: &str, words: &str) {
    let issues = lint(provider, &tool);
    assert!(
        issues.iter().any(|i| i.path == path && i.message.contains(words)),
        "{provider}: expected `{words}` at {path}, got {issues:?}"
    );
}

fn chat(parameters: Value, strict: bool) -> Value {
    json!({"type": "function", "function": {"name": "T", "description": "", "parameters": parameters, "strict": strict}})
}

#[test]
fn good_tools_pass() {
    let p = json!({"type": "object", "properties": {"a": {"type": ["string", "null"]}}, "required": ["a"], "additionalProperties": false});
    assert!(lint(Provider::OpenAiChat, &chat(p.clone(), true)).is_empty());
    let r = json!({"type": "function", "name": "T", "description": "", "parameters": p, "strict": true});
    assert!(lint(Provider::OpenAiResponses, &r).is_empty());
    let a = json!({"name": "T", "description": "", "input_schema": {"type": "object", "properties": {"x.y": {"type": "string"}}}});
    assert!(lint(Provider::Anthropic, &a).is_empty());
    let g = json!({"name": "a.b", "description": "", "parametersJsonSchema": {"type": "object", "properties": {"x": {"type": ["string", "null"]}}}});
    assert!(lint(Provider::Gemini, &g).is_empty());
    let l = json!({"name": "a.b", "description": "", "parameters": {"type": "OBJECT", "properties": {"x": {"type": "STRING", "nullable": true, "enum": ["a"]}}}});
    assert!(lint(Provider::GeminiLegacy, &l).is_empty());
}

#[test]
fn openai_rules() {
    let ok = json!({"type": "object", "properties": {}, "required": [], "additionalProperties": false});
    fires(
        Provider::OpenAiChat,
        json!({"type": "function", "function": {"name": "a.b", "parameters": ok}}),
        "/function/name",
        "does not match",
    );
    fires(
        Provider::OpenAiChat,
        json!({"type": "function", "function": {"name": "T"}}),
        "/function/parameters",
        "missing",
    );
    fires(
        Provider::OpenAiChat,
        chat(json!({"type": "string"}), false),
        "/function/parameters/type",
        "root must be type \"object\"",
    );
    fires(
        Provider::OpenAiChat,
        chat(json!({"type": "object", "anyOf": []}), false),
        "/function/parameters/anyOf",
        "root",
    );
    fires(
        Provider::OpenAiChat,
        chat(json!({"type": "object", "properties": {"x": {"$ref": "#/$defs/X"}}}), false),
        "/function/parameters/properties/x/$ref",
        "resolvable",
    );
    fires(Provider::OpenAiResponses, json!({"type": "function", "name": "T", "parameters": ok}), "/strict", "required");
    fires(
        Provider::OpenAiChat,
        json!({"type": "tool", "function": {"name": "T", "parameters": ok}}),
        "/type",
        "function",
    );
}

#[test]
fn openai_strict_rules() {
    let open = json!({"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]});
    fires(Provider::OpenAiChat, chat(open, true), "/function/parameters/additionalProperties", "must be false");
    let optional = json!({"type": "object", "properties": {"a": {"type": "string"}}, "required": [], "additionalProperties": false});
    fires(Provider::OpenAiChat, chat(optional, true), "/function/parameters/required", "every property");
    let keyword = json!({"type": "object", "properties": {"a": {"type": "string", "maxLength": 3}}, "required": ["a"], "additionalProperties": false});
    fires(
        Provider::OpenAiChat,
        chat(keyword, true),
        "/function/parameters/properties/a/maxLength",
        "not supported in strict",
    );
    let format = json!({"type": "object", "properties": {"a": {"type": "string", "format": "uri"}}, "required": ["a"], "additionalProperties": false});
    fires(Provider::OpenAiChat, chat(format, true), "/function/parameters/properties/a/format", "format");
    let untyped = json!({"type": "object", "properties": {"a": {"description": "anything"}}, "required": ["a"], "additionalProperties": false});
    fires(Provider::OpenAiChat, chat(untyped, true), "/function/parameters/properties/a", "untyped");
    let values: Vec<Value> = (0..1001).map(Value::from).collect();
    let many = json!({"type": "object", "properties": {"a": {"type": "integer", "enum": values}}, "required": ["a"], "additionalProperties": false});
    fires(Provider::OpenAiChat, chat(many, true), "/function/parameters", "1,000 enum values");
    let mut deep = json!({"type": "string"});
    for _ in 0..11 {
        deep = json!({"type": "object", "properties": {"x": deep}, "required": ["x"], "additionalProperties": false});
    }
    fires(Provider::OpenAiChat, chat(deep, true), "/function/parameters", "10 levels");
}

#[test]
fn anthropic_rules() {
    fires(Provider::Anthropic, json!({"name": "a:b", "input_schema": {"type": "object"}}), "/name", "does not match");
    fires(
        Provider::Anthropic,
        json!({"name": "T", "input_schema": {"type": "string"}}),
        "/input_schema/type",
        "object",
    );
    fires(
        Provider::Anthropic,
        json!({"name": "T", "input_schema": {"type": "object", "$schema": "x"}}),
        "/input_schema/$schema",
        "strip",
    );
    fires(
        Provider::Anthropic,
        json!({"name": "T", "input_schema": {"type": "object", "properties": {"a b": {}}}}),
        "/input_schema/properties",
        "property `a b`",
    );
    fires(
        Provider::Anthropic,
        json!({"name": "T", "input_schema": {"type": "object", "properties": {"x": {"$ref": "https://x/y"}}}}),
        "/input_schema/properties/x/$ref",
        "local",
    );
    let strict = |schema: Value| json!({"name": "T", "input_schema": schema, "strict": true});
    fires(
        Provider::Anthropic,
        strict(json!({"type": "object", "properties": {}})),
        "/input_schema/additionalProperties",
        "false",
    );
    let bound = json!({"type": "object", "properties": {"n": {"type": "integer", "minimum": 1}}, "additionalProperties": false});
    fires(Provider::Anthropic, strict(bound), "/input_schema/properties/n/minimum", "not supported in strict");
    let items =
        json!({"type": "object", "properties": {"l": {"type": "array", "minItems": 2}}, "additionalProperties": false});
    fires(Provider::Anthropic, strict(items), "/input_schema/properties/l/minItems", "0 or 1");
}

#[test]
fn gemini_rules() {
    let g = |schema: Value| json!({"name": "T", "parametersJsonSchema": schema});
    fires(Provider::Gemini, json!({"name": "1abc", "parametersJsonSchema": {}}), "/name", "does not match");
    fires(Provider::Gemini, json!({"name": "T"}), "/parametersJsonSchema", "missing");
    fires(
        Provider::Gemini,
        json!({"name": "T", "parametersJsonSchema": {}, "parameters": {}}),
        "/parameters",
        "exclusive",
    );
    fires(
        Provider::Gemini,
        g(json!({"type": "object", "$schema": "x"})),
        "/parametersJsonSchema/$schema",
        "unknown to Gemini",
    );
    fires(
        Provider::Gemini,
        g(json!({"type": "object", "properties": {"a": {"type": "string", "maxLength": 2}}})),
        "/parametersJsonSchema/properties/a/maxLength",
        "unknown",
    );
    fires(
        Provider::Gemini,
        g(json!({"type": "object", "properties": {"a": {"enum": [true]}}})),
        "/parametersJsonSchema/properties/a/enum",
        "strings or numbers",
    );
    fires(
        Provider::Gemini,
        g(json!({"type": "object", "properties": {"x-y": {"type": "string"}}})),
        "/parametersJsonSchema/properties",
        "property `x-y`",
    );
}

#[test]
fn gemini_legacy_rules() {
    let l = |props: Value| json!({"name": "T", "parameters": {"type": "OBJECT", "properties": props}});
    fires(
        Provider::GeminiLegacy,
        l(json!({"a": {"type": ["STRING", "NULL"]}})),
        "/parameters/properties/a/type",
        "type arrays",
    );
    fires(
        Provider::GeminiLegacy,
        l(json!({"a": {"type": "string"}})),
        "/parameters/properties/a/type",
        "is not one of",
    );
    fires(
        Provider::GeminiLegacy,
        l(json!({"a": {"type": "INTEGER", "enum": [1]}})),
        "/parameters/properties/a/enum",
        "strings",
    );
    fires(
        Provider::GeminiLegacy,
        l(json!({"a": {"type": "STRING", "format": "email"}})),
        "/parameters/properties/a/format",
        "not supported",
    );
    fires(
        Provider::GeminiLegacy,
        l(json!({"a": {"type": "STRING", "const": "x"}})),
        "/parameters/properties/a/const",
        "unknown to Gemini",
    );
    fires(
        Provider::GeminiLegacy,
        l(json!({"a": {"$ref": "#/x"}})),
        "/parameters/properties/a/$ref",
        "unknown to Gemini",
    );
    fires(Provider::GeminiLegacy, l(json!({})), "/parameters/properties", "without properties");
    let req = json!({"name": "T", "parameters": {"type": "OBJECT", "properties": {"a": {"type": "STRING"}}, "required": ["b"]}});
    fires(Provider::GeminiLegacy, req, "/parameters/required", "does not exist");
    fires(
        Provider::GeminiLegacy,
        json!({"name": "T", "parameters": {"type": "object", "properties": {"a": {"type": "STRING"}}}}),
        "/parameters/type",
        "must be OBJECT",
    );
}
