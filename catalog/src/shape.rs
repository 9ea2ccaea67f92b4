//! Checking the shape of a spec value against the published JSON Schema of the spec
//! format, before it is deserialized.
//!
//! serde's derived `Deserialize` stops at the first error: every visitor returns its
//! error with `?`, and a `Result` holds one error, so a file with a wrong type, a
//! missing key and a misspelled value took one edit/validate round each. This walk
//! finds them all at once, each at its JSON pointer: a wrong type, a missing required
//! key, an unknown key, a value not among the allowed ones, a number out of range.
//! It understands the constructs the schemas of `catalog/schema/` use (`$ref`, `type`,
//! `const`, `properties`, `additionalProperties`, `required`, `items`, `minimum`,
//! `maximum`, `anyOf`/`oneOf` of constants, of tagged mappings, or with `null`);
//! patterns are left to validation, which gives slugs and versions their own codes.
//! Deserialization stays the last step and reports whatever this walk does not.

use serde_json::{Map, Value};

use toolsmith_spec::pointer;

use crate::schema::schema_values;
use crate::structural::{self, kind};
use crate::{Diagnostic, NodeRef};

/// What a value is read as.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Shape {
    /// The root mapping of `toolkit.yaml` (its `tools` and `triggers` taken out).
    Toolkit,
    /// The root mapping of another YAML file of a toolkit folder.
    ToolkitPart,
    /// One item of `tools:`.
    Tool,
    /// One item of `triggers:`.
    Trigger,
}

/// The schema that accepts anything.
static ANYTHING: Value = Value::Bool(true);

impl Shape {
    /// The root schema (for `$ref`s) and the schema of this shape within it.
    fn schemas(self) -> (&'static Value, &'static Value) {
        let [toolkit, part] = schema_values();
        let def = |name: &str| toolkit.get("$defs").and_then(|d| d.get(name)).unwrap_or(&ANYTHING);
        match self {
            Shape::Toolkit => (toolkit, toolkit),
            Shape::ToolkitPart => (part, part),
            Shape::Tool => (toolkit, def("Tool")),
            Shape::Trigger => (toolkit, def("Trigger")),
        }
    }
}

/// What the walk found in one value.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    /// Every mistake, located.
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// The pointers of the unknown keys among them: without these keys (and no other
    /// finding) the value deserializes.
    pub(crate) unknown_keys: Vec<String>,
}

impl Findings {
    /// Whether every finding is an unknown key.
    pub(crate) fn only_unknown_keys(&self) -> bool {
        self.diagnostics.len() == self.unknown_keys.len()
    }
}

/// Every shape mistake of `value`, read from `node` as a `shape`.
pub(crate) fn check(shape: Shape, value: &Value, node: &NodeRef) -> Findings {
    let (root, schema) = shape.schemas();
    let mut walker = Walker { root, node, findings: Findings::default() };
    walker.walk(schema, value, &mut node.pointer.clone(), 0);
    walker.findings
}

/// Deeper than the spec format goes: a `$ref` circle.
const MAX_DEPTH: usize = 128;

struct Walker<'a> {
    root: &'a Value,
    node: &'a NodeRef,
    findings: Findings,
}

impl<'a> Walker<'a> {
    fn at(&self, pointer: &str) -> NodeRef {
        NodeRef { file: self.node.file.clone(), pointer: pointer.to_owned() }
    }

    fn push(&mut self, diagnostic: Diagnostic) {
        self.findings.diagnostics.push(diagnostic);
    }

    fn walk(&mut self, schema: &'a Value, value: &Value, at: &mut String, depth: usize) {
        let Some(schema) = schema.as_object().filter(|_| depth < MAX_DEPTH) else { return };
        if let Some(target) = schema.get("$ref").and_then(Value::as_str) {
            if let Some(target) = self.root.pointer(target.trim_start_matches('#')) {
                self.walk(target, value, at, depth + 1);
            }
            return;
        }
        if let Some(branches) = schema.get("oneOf").or_else(|| schema.get("anyOf")).and_then(Value::as_array) {
            self.branches(branches, value, at, depth);
            return;
        }
        if !self.type_fits(schema, value, at) {
            return;
        }
        if let Some(constant) = schema.get("const") {
            if constant != value {
                let expected = constant.to_string();
                self.push(structural::not_allowed(&self.at(at), &written(value), &[expected.trim_matches('"')]));
            }
            return;
        }
        self.bounds(schema, value, at);
        match value {
            Value::Object(map) => self.object(schema, map, at, depth),
            Value::Array(items) => {
                if let Some(item_schema) = schema.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        let len = at.len();
                        pointer::push(at, i);
                        self.walk(item_schema, item, at, depth + 1);
                        at.truncate(len);
                    }
                }
            }
            _ => {}
        }
    }

    /// `type`: reports a value of none of the types; says whether the value has one.
    fn type_fits(&mut self, schema: &Map<String, Value>, value: &Value, at: &str) -> bool {
        let types: Vec<&str> = match schema.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(types)) => types.iter().filter_map(Value::as_str).collect(),
            _ => return true,
        };
        if types.iter().any(|t| has_type(value, t)) {
            return true;
        }
        let expected: Vec<&str> = types.iter().map(|t| type_name(t)).collect();
        let problem = format!("wrong type: expected {}, found {}", expected.join(" or "), found(value));
        self.push(structural::wrong_value(&self.at(at), problem));
        false
    }

    /// `minimum` and `maximum`.
    fn bounds(&mut self, schema: &Map<String, Value>, value: &Value, at: &str) {
        let Some(n) = value.as_f64() else { return };
        if let Some(min) = schema.get("minimum").filter(|m| m.as_f64().is_some_and(|m| n < m)) {
            self.push(structural::wrong_value(
                &self.at(at),
                format!("`{value}` is too small: the least allowed is {min}"),
            ));
        }
        if let Some(max) = schema.get("maximum").filter(|m| m.as_f64().is_some_and(|m| n > m)) {
            self.push(structural::wrong_value(
                &self.at(at),
                format!("`{value}` is too large: the most allowed is {max}"),
            ));
        }
    }

    /// `properties`, `additionalProperties` and `required`.
    fn object(&mut self, schema: &'a Map<String, Value>, map: &Map<String, Value>, at: &mut String, depth: usize) {
        let properties = schema.get("properties").and_then(Value::as_object);
        let len = at.len();
        for (key, value) in map {
            pointer::push(at, key);
            match (properties.and_then(|p| p.get(key)), schema.get("additionalProperties")) {
                (Some(sub), _) => self.walk(sub, value, at, depth + 1),
                (None, Some(Value::Bool(false))) => {
                    let expected: Vec<&str> =
                        properties.into_iter().flat_map(|p| p.keys()).map(String::as_str).collect();
                    self.push(structural::unknown_key(&self.at(at), key, &expected));
                    self.findings.unknown_keys.push(at.clone());
                }
                (None, Some(sub)) => self.walk(sub, value, at, depth + 1),
                (None, None) => {}
            }
            at.truncate(len);
        }
        let required = schema.get("required").and_then(Value::as_array).into_iter().flatten();
        for key in required.filter_map(Value::as_str).filter(|k| !map.contains_key(*k)) {
            self.push(structural::missing_key(&self.at(at), key));
        }
    }

    /// `oneOf` / `anyOf`: constants (a string enum), mappings told apart by a constant
    /// tag (`scheme: oauth2`), or any schemas, one of which may be `null`.
    fn branches(&mut self, branches: &'a [Value], value: &Value, at: &mut String, depth: usize) {
        if value.is_null() && branches.iter().any(|b| b.get("type").is_some_and(|t| has_type_name(t, "null"))) {
            return;
        }
        let constants: Option<Vec<&str>> = branches.iter().map(|b| b.get("const").and_then(Value::as_str)).collect();
        if let Some(constants) = constants {
            match value.as_str() {
                Some(s) if constants.contains(&s) => {}
                Some(s) => self.push(structural::not_allowed(&self.at(at), s, &constants)),
                None => self.push(structural::wrong_value(
                    &self.at(at),
                    format!("wrong type: expected one of {}, found {}", constants.join(", "), found(value)),
                )),
            }
            return;
        }
        if let Some(tag) = tag_of(branches) {
            self.tagged(branches, tag, value, at, depth);
            return;
        }
        // The first branch that fits, or the mistakes of the one that fits best.
        let mut best: Option<Findings> = None;
        for branch in branches.iter().filter(|b| !b.get("type").is_some_and(|t| t == "null")) {
            let mut sub = Walker { root: self.root, node: self.node, findings: Findings::default() };
            sub.walk(branch, value, at, depth + 1);
            if sub.findings.diagnostics.is_empty() {
                return;
            }
            if best.as_ref().is_none_or(|b| sub.findings.diagnostics.len() < b.diagnostics.len()) {
                best = Some(sub.findings);
            }
        }
        if let Some(best) = best {
            self.findings.diagnostics.extend(best.diagnostics);
            self.findings.unknown_keys.extend(best.unknown_keys);
        }
    }

    /// A mapping whose `tag` key says which branch it follows.
    fn tagged(&mut self, branches: &'a [Value], tag: &str, value: &Value, at: &mut String, depth: usize) {
        let Value::Object(map) = value else {
            let problem = format!("wrong type: expected a mapping, found {}", found(value));
            self.push(structural::wrong_value(&self.at(at), problem));
            return;
        };
        let names: Vec<&str> = branches.iter().filter_map(|b| tag_value(b, tag)).collect();
        let tag_at = pointer::child(at, tag);
        match map.get(tag) {
            None => self.push(structural::missing_key(&self.at(at), tag)),
            Some(Value::String(name)) => match branches.iter().find(|b| tag_value(b, tag) == Some(name.as_str())) {
                Some(branch) => self.walk(branch, value, at, depth + 1),
                None => self.push(structural::not_allowed(&self.at(&tag_at), name, &names)),
            },
            Some(other) => {
                let problem = format!("wrong type: expected one of {}, found {}", names.join(", "), found(other));
                self.push(structural::wrong_value(&self.at(&tag_at), problem));
            }
        }
    }
}

/// The property every branch fixes with a `const`, if there is one.
fn tag_of(branches: &[Value]) -> Option<&str> {
    let first = branches.first()?.get("properties")?.as_object()?;
    let tag = first.iter().find(|(_, p)| p.get("const").is_some())?.0.as_str();
    branches.iter().all(|b| tag_value(b, tag).is_some()).then_some(tag)
}

/// The constant a branch gives its tag.
fn tag_value<'v>(branch: &'v Value, tag: &str) -> Option<&'v str> {
    branch.get("properties")?.get(tag)?.get("const")?.as_str()
}

fn has_type_name(types: &Value, name: &str) -> bool {
    match types {
        Value::String(t) => t == name,
        Value::Array(types) => types.iter().any(|t| t == name),
        _ => false,
    }
}

fn has_type(value: &Value, ty: &str) -> bool {
    match ty {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => true,
    }
}

fn type_name(ty: &str) -> &str {
    match ty {
        "null" => "nothing (null)",
        "boolean" => "a boolean",
        "string" => "a string",
        "number" => "a number",
        "integer" => "a whole number",
        "array" => "a list",
        "object" => "a mapping",
        other => other,
    }
}

/// A value as a message shows it: short scalars as written.
fn found(value: &Value) -> String {
    match value {
        Value::String(s) if s.chars().count() <= 40 && !s.contains('\n') => format!("the string `{s}`"),
        Value::Number(n) => format!("the number {n}"),
        Value::Bool(b) => format!("`{b}`"),
        other => kind(other).to_owned(),
    }
}

/// A value as written in YAML, for "not an allowed value".
fn written(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
