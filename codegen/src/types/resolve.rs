//! What a schema admits once its `$ref`s are followed: the JSON types of a union's
//! branches (can two of them match one value?), and the schema whose value
//! constraints a field carries.

use serde_json::{Map, Value};

use super::keywords::is_null_schema;
use super::space::TypeSpace;

/// JSON types as bits, for telling whether union branches can overlap; integers
/// are numbers.
const NULL: u8 = 1;
const BOOLEAN: u8 = 2;
const OBJECT: u8 = 4;
const ARRAY: u8 = 8;
const NUMBER: u8 = 16;
const STRING: u8 = 32;
const ANY: u8 = 63;

fn type_bits(name: &str) -> u8 {
    match name {
        "null" => NULL,
        "boolean" => BOOLEAN,
        "object" => OBJECT,
        "array" => ARRAY,
        "integer" | "number" => NUMBER,
        "string" => STRING,
        _ => ANY,
    }
}

fn value_bits(value: &Value) -> u8 {
    match value {
        Value::Null => NULL,
        Value::Bool(_) => BOOLEAN,
        Value::Number(_) => NUMBER,
        Value::String(_) => STRING,
        Value::Array(_) => ARRAY,
        Value::Object(_) => OBJECT,
    }
}

impl TypeSpace<'_> {
    /// Whether a value could match two of the union's branches: some two branches
    /// admit a common JSON type (branches of different types never overlap).
    pub(super) fn may_overlap(&self, branches: &[&Value]) -> bool {
        let types: Vec<u8> = branches.iter().map(|b| self.json_types(b, 0)).collect();
        types.iter().enumerate().any(|(i, a)| types[..i].iter().any(|b| a & b != 0))
    }

    /// The JSON types a schema admits, as bits; every type when unsure.
    fn json_types(&self, schema: &Value, depth: usize) -> u8 {
        let Some(schema) = self.resolve(schema).filter(|_| depth < 8) else { return ANY };
        let map = match schema {
            Value::Object(map) => map,
            Value::Bool(false) => return 0,
            _ => return ANY,
        };
        if let Some(value) = map.get("const") {
            return value_bits(value);
        }
        if let Some(Value::Array(values)) = map.get("enum") {
            return values.iter().fold(0, |bits, v| bits | value_bits(v));
        }
        match map.get("type") {
            Some(Value::String(name)) => return type_bits(name),
            Some(Value::Array(names)) => {
                return names.iter().fold(0, |bits, n| bits | n.as_str().map_or(ANY, type_bits))
            }
            _ => {}
        }
        let mut bits = ANY;
        for key in ["anyOf", "oneOf"] {
            if let Some(Value::Array(branches)) = map.get(key) {
                bits &= branches.iter().fold(0, |union, b| union | self.json_types(b, depth + 1));
            }
        }
        if let Some(Value::Array(parts)) = map.get("allOf") {
            bits = parts.iter().fold(bits, |all, p| all & self.json_types(p, depth + 1));
        }
        if bits == ANY && map.contains_key("properties") {
            return OBJECT;
        }
        bits
    }

    /// The schema whose value constraints a field's attributes carry. A `$ref`
    /// (alone, or the one non-null branch of a nullable `anyOf`/`oneOf`) is resolved
    /// to its target, and so are array `items`: a definition that is not a struct or
    /// enum becomes a type alias, which carries no schema of its own.
    pub(super) fn constraint_source(&self, schema: &Value) -> Value {
        let Some(map) = schema.as_object() else { return schema.clone() };
        let mut source = self.resolved_with_siblings(map);
        if source.is_none() {
            for key in ["anyOf", "oneOf"] {
                let Some(Value::Array(branches)) = map.get(key) else { continue };
                let non_null: Vec<&Value> = branches.iter().filter(|b| !is_null_schema(b)).collect();
                if let ([one], true) = (non_null.as_slice(), non_null.len() < branches.len()) {
                    source = one.as_object().and_then(|b| self.resolved_with_siblings(b)).map(|mut target| {
                        // The field admits `null`; so does a carried `enum`.
                        if let Some(Value::Array(values)) = target.get_mut("enum") {
                            if !values.contains(&Value::Null) {
                                values.push(Value::Null);
                            }
                        }
                        target
                    });
                }
            }
        }
        let mut source = source.unwrap_or_else(|| map.clone());
        if let Some(items) = source.get("items").and_then(Value::as_object) {
            if let Some(resolved) = self.resolved_with_siblings(items) {
                source.insert("items".into(), Value::Object(resolved));
            }
        }
        Value::Object(source)
    }

    /// For a schema with a `$ref`: its target, with the schema's own keywords beside
    /// the reference added (they apply too).
    fn resolved_with_siblings(&self, map: &Map<String, Value>) -> Option<Map<String, Value>> {
        map.get("$ref")?;
        let mut target = self.resolve(&Value::Object(map.clone()))?.as_object()?.clone();
        for (key, value) in map {
            if key != "$ref" && key != "description" {
                target.insert(key.clone(), value.clone());
            }
        }
        Some(target)
    }
}
