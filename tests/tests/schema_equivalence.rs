//! The schemars-derived schema of each generated input struct accepts exactly what
//! the spec's canonical schema accepts, on sample inputs: examples from the specs,
//! instances synthesized from each schema (minimal and full), and broken variants
//! (a required field missing, an unknown field, a value of the wrong type). serde
//! agrees with both: it deserializes exactly the samples the schemas accept.

// An integration test crate: its helpers may unwrap too (a panic fails the test).
#![allow(clippy::unwrap_used)]

use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};
use toolsmith::{Tool, ToolVisitor};
use toolsmith_tests::{catalog, specs};

/// Builds an instance of `schema` (within `root`, for `$ref`s); `full` fills every
/// property, otherwise only required ones.
fn synthesize(schema: &Value, root: &Value, full: bool, depth: usize) -> Value {
    if depth > 6 {
        return Value::Null;
    }
    let Some(map) = schema.as_object() else { return json!("x") };
    if let Some(r) = map.get("$ref").and_then(Value::as_str) {
        let target = root.pointer(r.trim_start_matches('#')).cloned().unwrap_or(Value::Bool(true));
        return synthesize(&target, root, full, depth + 1);
    }
    if let Some(c) = map.get("const") {
        return c.clone();
    }
    if let Some(values) = map.get("enum").and_then(Value::as_array) {
        return values.iter().find(|v| !v.is_null()).cloned().unwrap_or(Value::Null);
    }
    if let Some(examples) = map.get("examples").and_then(Value::as_array) {
        if let Some(first) = examples.first() {
            return first.clone();
        }
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(first) = map.get(key).and_then(Value::as_array).and_then(|b| b.first()) {
            return synthesize(first, root, full, depth + 1);
        }
    }
    if let Some(parts) = map.get("allOf").and_then(Value::as_array) {
        let mut merged = Map::new();
        for part in parts {
            if let Value::Object(o) = synthesize(part, root, full, depth + 1) {
                merged.extend(o);
            }
        }
        return Value::Object(merged);
    }
    let ty = match map.get("type") {
        Some(Value::String(t)) => t.as_str(),
        Some(Value::Array(types)) => types.iter().filter_map(Value::as_str).find(|t| *t != "null").unwrap_or("null"),
        _ if map.contains_key("properties") => "object",
        _ => "string",
    };
    match ty {
        "string" => match map.get("format").and_then(Value::as_str) {
            Some("date-time") => json!("2026-11-22T10:00:00Z"),
            Some("date") => json!("2026-11-22"),
            Some("email") => json!("a@example.com"),
            Some("uri" | "url") => json!("https://example.com/x"),
            _ => json!("x"),
        },
        "integer" => json!(map.get("minimum").and_then(Value::as_i64).unwrap_or(1).max(1)),
        "number" => json!(map.get("minimum").and_then(Value::as_f64).unwrap_or(1.5).max(1.5)),
        "boolean" => json!(true),
        "null" => Value::Null,
        "array" => {
            let n = map.get("minItems").and_then(Value::as_u64).unwrap_or(1).max(1);
            let item = map.get("items").map_or(json!("x"), |i| synthesize(i, root, full, depth + 1));
            Value::Array(vec![item; n as usize])
        }
        _ => {
            let required: Vec<&str> =
                map.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
            let mut out = Map::new();
            for (name, sub) in map.get("properties").and_then(Value::as_object).into_iter().flatten() {
                if full || required.contains(&name.as_str()) {
                    out.insert(name.clone(), synthesize(sub, root, full, depth + 1));
                }
            }
            Value::Object(out)
        }
    }
}

/// The spec schema without value constraints: what Rust types express.
fn structural(schema: &Value) -> Value {
    const CONSTRAINTS: &[&str] = &[
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
    let Value::Object(map) = schema else { return schema.clone() };
    let mut out = Map::new();
    for (key, value) in map {
        let is_constraint = CONSTRAINTS.contains(&key.as_str())
            || (key == "enum" && value.as_array().is_some_and(|e| !e.iter().all(Value::is_string)));
        if is_constraint {
            continue;
        }
        let value = match (key.as_str(), value) {
            // Maps of named schemas: the names are data, not keywords.
            ("properties" | "$defs" | "patternProperties" | "dependentSchemas", Value::Object(named)) => {
                Value::Object(named.iter().map(|(n, s)| (n.clone(), structural(s))).collect())
            }
            ("allOf" | "anyOf" | "oneOf" | "prefixItems", Value::Array(list)) => {
                Value::Array(list.iter().map(structural).collect())
            }
            (_, Value::Object(_)) => structural(value),
            _ => value.clone(),
        };
        out.insert(key.clone(), value);
    }
    Value::Object(out)
}

/// Samples for a tool: `(label, instance)`.
fn samples(schema: &Value, examples: &[Value]) -> Vec<(String, Value)> {
    let minimal = synthesize(schema, schema, false, 0);
    let full = synthesize(schema, schema, true, 0);
    let mut out = vec![("minimal".to_owned(), minimal.clone()), ("full".to_owned(), full.clone())];
    out.extend(examples.iter().enumerate().map(|(i, e)| (format!("example {i}"), e.clone())));
    let required: Vec<&str> =
        schema.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
    for name in &required {
        let mut missing = minimal.clone();
        missing.as_object_mut().map(|o| o.remove(*name));
        out.push((format!("without required `{name}`"), missing));
    }
    let mut unknown = minimal.clone();
    unknown.as_object_mut().map(|o| o.insert("zz_not_a_field".into(), json!(1)));
    out.push(("unknown field".into(), unknown));
    if let Some(props) = full.as_object() {
        for (name, value) in props {
            let wrong = match value {
                Value::String(_) => json!({"not": "a string"}),
                Value::Number(_) | Value::Bool(_) => json!("not a number or boolean"),
                Value::Array(_) => json!(17),
                Value::Object(_) => json!(false),
                Value::Null => continue,
            };
            let mut instance = full.clone();
            instance[name] = wrong;
            out.push((format!("wrong type for `{name}`"), instance));
        }
    }
    out
}

struct Check {
    registry: toolsmith::Registry,
    tools: usize,
    compared: usize,
    failures: Vec<String>,
}

impl Default for Check {
    fn default() -> Self {
        let toolkits: Vec<&toolsmith::CompiledToolkit> =
            specs::TOOLKITS.iter().chain(catalog::TOOLKITS).copied().collect();
        let registry = toolsmith::Registry::from_compiled(&toolkits).expect("compiled toolkits load");
        Check { registry, tools: 0, compared: 0, failures: Vec::new() }
    }
}

impl ToolVisitor for Check {
    fn visit<T>(&mut self)
    where
        T: Tool + DeserializeOwned + schemars::JsonSchema,
    {
        self.tools += 1;
        let definition = T::definition();
        let spec_schema = definition.input_schema_value();
        let spec = jsonschema::draft202012::new(&spec_schema).expect("the spec schema compiles");
        // serde checks types and presence, not value constraints (the executor
        // validates those against the spec schema before a request is sent).
        let structural = jsonschema::draft202012::new(&structural(&spec_schema)).expect("compiles");
        let derived_schema = serde_json::to_value(
            schemars::generate::SchemaSettings::draft2020_12().into_generator().into_root_schema_for::<T>(),
        )
        .expect("schema to JSON");
        let derived = jsonschema::draft202012::new(&derived_schema).expect("the derived schema compiles");
        let examples: Vec<Value> = self
            .registry
            .tool(T::SLUG)
            .map(|t| t.tool.examples.iter().map(|e| e.arguments.clone()).collect())
            .unwrap_or_default();
        for (label, sample) in samples(&spec_schema, &examples) {
            let by_spec = spec.is_valid(&sample);
            let by_derived = derived.is_valid(&sample);
            let by_structure = structural.is_valid(&sample);
            let by_serde = serde_json::from_value::<T>(sample.clone()).is_ok();
            self.compared += 1;
            if by_spec != by_derived || by_structure != by_serde {
                self.failures.push(format!(
                    "{} / {label}: spec {by_spec}, derived schema {by_derived}, spec structure {by_structure}, serde {by_serde}: {sample}",
                    T::SLUG
                ));
            }
        }
    }
}

#[test]
fn derived_schemas_accept_what_spec_schemas_accept() {
    let mut check = Check::default();
    specs::constructs::visit_tools(&mut check);
    specs::demo::visit_tools(&mut check);
    assert!(check.failures.is_empty(), "{} disagreements:\n{}", check.failures.len(), check.failures.join("\n"));
    assert_eq!(check.tools, 13);
    assert!(check.compared > 80, "only {} samples", check.compared);
}

/// Inputs the synthesized samples do not reach, on the tool that gathers the
/// constraints a Rust type does not say by itself: which keys are present (a key
/// with `null` counts), `null` in an optional field, a `oneOf` whose branches
/// overlap, and value constraints of referenced definitions. Each sample is given
/// with whether the spec accepts it and whether its structure does (what serde
/// checks); the derived schema must agree with the first, serde with the second.
#[test]
fn constraints_beyond_types_agree() {
    use specs::constructs::UpdateTicket;
    let spec_schema = UpdateTicket::definition().input_schema_value();
    let spec = jsonschema::draft202012::new(&spec_schema).expect("the spec schema compiles");
    let structure = jsonschema::draft202012::new(&structural(&spec_schema)).expect("compiles");
    let derived_schema = serde_json::to_value(
        schemars::generate::SchemaSettings::draft2020_12().into_generator().into_root_schema_for::<UpdateTicket>(),
    )
    .expect("schema to JSON");
    let derived = jsonschema::draft202012::new(&derived_schema).expect("the derived schema compiles");
    let with = |extra: Value| {
        let mut sample = json!({"id": "T-1", "changes": {"state": "open"}});
        sample.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        sample
    };
    let cases = [
        (with(json!({"changes": {"assignee": null}})), true, true),
        (with(json!({"changes": {}})), false, false),
        (with(json!({"changes": {"note": "n"}})), false, false),
        (with(json!({"changes": {"state": "open", "note": "n", "reason": "r"}})), false, false),
        (with(json!({"due": null})), false, false),
        (with(json!({"due": "2026-11-22"})), true, true),
        (with(json!({"rank": null})), true, true),
        (with(json!({"rank": 4})), false, true),
        (with(json!({"id": "X-1"})), false, true),
        (with(json!({"tags": ["a tag much longer than twenty"]})), false, true),
        (with(json!({"watcher": {"user": "ada"}})), true, true),
        (with(json!({"watcher": {"user": "ada", "team": "core"}})), false, false),
        (with(json!({"watcher": {}})), false, false),
    ];
    for (sample, by_spec, by_structure) in cases {
        assert_eq!(spec.is_valid(&sample), by_spec, "spec on {sample}");
        assert_eq!(structure.is_valid(&sample), by_structure, "spec structure on {sample}");
        assert_eq!(derived.is_valid(&sample), by_spec, "derived schema on {sample}");
        assert_eq!(serde_json::from_value::<UpdateTicket>(sample.clone()).is_ok(), by_structure, "serde on {sample}");
    }
}

#[test]
fn derived_schemas_match_on_the_whole_catalog() {
    let mut check = Check::default();
    catalog::airtable::visit_tools(&mut check);
    catalog::asana::visit_tools(&mut check);
    catalog::discord::visit_tools(&mut check);
    catalog::github::visit_tools(&mut check);
    catalog::gmail::visit_tools(&mut check);
    catalog::googlecalendar::visit_tools(&mut check);
    catalog::googledrive::visit_tools(&mut check);
    catalog::hubspot::visit_tools(&mut check);
    catalog::jira::visit_tools(&mut check);
    catalog::notion::visit_tools(&mut check);
    catalog::slack::visit_tools(&mut check);
    catalog::stripe::visit_tools(&mut check);
    assert_eq!(check.tools, catalog::TOOLKITS.iter().map(|t| t.definitions().len()).sum::<usize>());
    assert!(check.failures.is_empty(), "{} disagreements:\n{}", check.failures.len(), check.failures.join("\n"));
}
