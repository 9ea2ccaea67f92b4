//! OpenAPI schemas → JSON Schema 2020-12 that the validator accepts.
//!
//! OpenAPI 3.0 and Swagger schemas are dialects: `nullable`, boolean
//! `exclusiveMinimum`, `example`, `x-…` extensions, `type: file`. Referenced
//! components become the toolkit's shared definitions (cycles stay references; the
//! generator boxes them). What cannot be expressed becomes a permissive schema, with a
//! warning naming the JSON pointer.

use std::collections::{HashMap, HashSet};

use serde_json::{json, Map, Value};

use toolsmith_spec::pointer as json_pointer;

use super::document::percent_decode;
use super::text;
use super::ImportWarning;
use crate::Definitions;

/// Which side of an operation a schema describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Side {
    /// Request: `readOnly` properties are left out.
    Request,
    /// Response: `writeOnly` properties are left out.
    Response,
}

/// Deepest nesting followed inline; deeper schemas accept any value.
const MAX_DEPTH: usize = 48;

/// How many references deep a response schema is expanded. Response schemas type a
/// tool's output and document it; APIs like Stripe reach hundreds of components from
/// every response (expandable fields), and typing all of them makes big toolkits
/// slow to compile for no gain: deeper components are described, not expanded.
const MAX_RESPONSE_REF_DEPTH: usize = 2;

/// Converts the schemas of a document's operations. Referenced components become
/// the toolkit's shared definitions, each converted once per side (once in all when
/// the side makes no difference).
pub(crate) struct Normalizer<'a> {
    document: &'a Value,
    /// The side being converted.
    side: Side,
    /// The toolkit's shared definitions, by name, in first-use order.
    pub defs: Definitions,
    /// (Source pointer, side) → definition name.
    names: HashMap<(String, Side), String>,
    /// The entries of `names` whose name has no side suffix.
    plain: HashSet<(String, Side)>,
    /// Components whose schema differs between requests and responses, found on
    /// first use.
    sided: Option<HashSet<String>>,
    /// What was changed or dropped.
    pub warnings: Vec<ImportWarning>,
    /// References being expanded (for the response depth bound).
    ref_depth: usize,
}

impl<'a> Normalizer<'a> {
    pub(crate) fn new(document: &'a Value) -> Self {
        Normalizer {
            document,
            side: Side::Request,
            defs: Definitions::default(),
            names: HashMap::new(),
            plain: HashSet::new(),
            sided: None,
            warnings: Vec::new(),
            ref_depth: 0,
        }
    }

    fn warn(&mut self, pointer: &str, message: impl Into<String>) {
        self.warnings.push(ImportWarning { pointer: pointer.to_owned(), message: message.into() });
    }

    /// Follows `$ref`s (internal only) to the schema they name.
    pub(crate) fn resolve<'v>(&self, schema: &'v Value) -> &'v Value
    where
        'a: 'v,
    {
        let mut current = schema;
        for _ in 0..16 {
            match current.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) {
                Some(pointer) => match self.document.pointer(&percent_decode(pointer)) {
                    Some(target) => current = target,
                    None => return current,
                },
                None => return current,
            }
        }
        current
    }

    /// The normalized form of `schema`, found at `pointer` in the document, for one
    /// side of an operation.
    pub(crate) fn normalize(&mut self, schema: &Value, pointer: &str, side: Side) -> Value {
        self.side = side;
        self.ref_depth = 0;
        self.convert(schema, pointer, 0)
    }

    fn convert(&mut self, schema: &Value, pointer: &str, depth: usize) -> Value {
        if depth > MAX_DEPTH {
            self.warn(pointer, "schema nested too deeply; accepting any value below this point");
            return json!({});
        }
        let map = match schema {
            Value::Bool(b) => return Value::Bool(*b),
            Value::Object(map) => map,
            _ => {
                self.warn(pointer, "a schema must be an object; accepting any value");
                return json!({});
            }
        };
        if let Some(reference) = map.get("$ref") {
            return self.reference(reference, map, pointer);
        }
        let mut out = Map::new();
        let nullable = map.get("nullable").and_then(Value::as_bool) == Some(true);
        for (key, value) in map {
            let here = json_pointer::child(pointer, key);
            match key.as_str() {
                "properties" | "patternProperties" | "$defs" | "dependentSchemas" => {
                    let Value::Object(children) = value else { continue };
                    let mut converted = Map::new();
                    for (name, sub) in children {
                        if key == "properties" && self.skipped_for_side(sub) {
                            continue;
                        }
                        let sub_pointer = json_pointer::child(&here, name);
                        converted.insert(name.clone(), self.convert(sub, &sub_pointer, depth + 1));
                    }
                    out.insert(key.clone(), Value::Object(converted));
                }
                "items" if value.is_array() => {
                    // Draft 4 tuples.
                    let items = value.as_array().into_iter().flatten().enumerate();
                    let items: Vec<Value> =
                        items.map(|(i, s)| self.convert(s, &format!("{here}/{i}"), depth + 1)).collect();
                    out.insert("prefixItems".into(), Value::Array(items));
                }
                "items"
                | "additionalProperties"
                | "not"
                | "if"
                | "then"
                | "else"
                | "contains"
                | "propertyNames"
                | "unevaluatedItems"
                | "unevaluatedProperties"
                | "contentSchema"
                    if value.is_object() || value.is_boolean() =>
                {
                    out.insert(key.clone(), self.convert(value, &here, depth + 1));
                }
                "allOf" | "anyOf" | "oneOf" | "prefixItems" => {
                    let Value::Array(branches) = value else { continue };
                    let mut converted: Vec<Value> = branches
                        .iter()
                        .enumerate()
                        .map(|(i, s)| self.convert(s, &format!("{here}/{i}"), depth + 1))
                        .collect();
                    if key == "allOf" {
                        // `allOf: [{$ref: X}, {description: …}]`: parts that only
                        // annotate constrain nothing; their description is the schema's.
                        for part in converted.iter().filter(|p| is_annotation(p)) {
                            if let Some(d) = part.get("description").filter(|_| !map.contains_key("description")) {
                                out.entry("description").or_insert_with(|| d.clone());
                            }
                        }
                        converted.retain(|p| !is_annotation(p));
                    }
                    if !converted.is_empty() {
                        out.insert(key.clone(), Value::Array(converted));
                    }
                }
                "type" => {
                    if let Some(ty) = self.convert_type(value, &mut out, &here) {
                        out.insert("type".into(), ty);
                    }
                }
                "enum" => match value {
                    Value::Array(values)
                        if !values.is_empty() && values.iter().all(|v| !v.is_object() && !v.is_array()) =>
                    {
                        let mut values = values.clone();
                        dedupe(&mut values);
                        out.insert("enum".into(), Value::Array(values));
                    }
                    _ => self.warn(&here, "`enum` is empty or holds objects; the allowed values are not enforced"),
                },
                "required" => {
                    if let Value::Array(names) = value {
                        let names: Vec<Value> = names.iter().filter(|n| n.is_string()).cloned().collect();
                        if !names.is_empty() {
                            out.insert("required".into(), Value::Array(names));
                        }
                    }
                }
                "exclusiveMinimum" | "exclusiveMaximum" => match value {
                    Value::Number(_) => {
                        out.insert(key.clone(), value.clone());
                    }
                    Value::Bool(true) => {
                        let bound = if key == "exclusiveMinimum" { "minimum" } else { "maximum" };
                        if let Some(limit) = map.get(bound).filter(|v| v.is_number()) {
                            out.insert(key.clone(), limit.clone());
                        }
                    }
                    _ => {}
                },
                "minimum" | "maximum" => {
                    let exclusive = if key == "minimum" { "exclusiveMinimum" } else { "exclusiveMaximum" };
                    if value.is_number() && map.get(exclusive) != Some(&Value::Bool(true)) {
                        out.insert(key.clone(), value.clone());
                    }
                }
                "pattern" => match value.as_str() {
                    Some(p) if regex::Regex::new(p).is_ok() => {
                        out.insert(key.clone(), value.clone());
                    }
                    _ => {
                        self.warn(&here, "`pattern` is not a regular expression this runtime understands; not enforced")
                    }
                },
                "description" => {
                    if let Some(text) = value.as_str() {
                        let cleaned = text::clean(text, 400);
                        if !cleaned.is_empty() {
                            out.insert(key.clone(), Value::String(cleaned));
                        }
                    }
                }
                "example" if is_small(value) && !map.contains_key("examples") => {
                    out.insert("examples".into(), Value::Array(vec![value.clone()]));
                }
                "examples" => {
                    if let Value::Array(values) = value {
                        let small: Vec<Value> = values.iter().filter(|v| is_small(v)).take(3).cloned().collect();
                        if !small.is_empty() {
                            out.insert(key.clone(), Value::Array(small));
                        }
                    }
                }
                "discriminator" => {
                    if let Some(property) = value.get("propertyName").filter(|p| p.is_string()) {
                        out.insert(key.clone(), json!({ "propertyName": property }));
                    }
                }
                "const" | "default" | "format" | "minLength" | "maxLength" | "minItems" | "maxItems"
                | "uniqueItems" | "minProperties" | "maxProperties" | "multipleOf" | "deprecated" | "readOnly"
                | "writeOnly" | "contentEncoding" | "contentMediaType" | "dependentRequired" | "minContains"
                | "maxContains"
                    if valid_keyword_value(key, value) =>
                {
                    out.insert(key.clone(), value.clone());
                }
                // Everything else: annotations (`title`, `xml`, `externalDocs`), vendor
                // extensions (`x-…`) and malformed keywords — noise for an LLM.
                _ => {}
            }
        }
        if !out.contains_key("type") && self.implies_object(map) {
            out.insert("type".into(), "object".into());
        }
        hoist_single_all_of(&mut out);
        if nullable && out.contains_key("$ref") {
            return json!({ "anyOf": [Value::Object(out), { "type": "null" }] });
        }
        if nullable {
            make_nullable(&mut out);
        }
        if let Some(Value::Array(required)) = out.get("required") {
            // Keep `required` consistent with the properties that remain.
            if let Some(Value::Object(props)) = out.get("properties") {
                let kept: Vec<Value> =
                    required.iter().filter(|r| r.as_str().is_some_and(|n| props.contains_key(n))).cloned().collect();
                if kept.is_empty() {
                    out.remove("required");
                } else {
                    out.insert("required".into(), Value::Array(kept));
                }
            }
        }
        Value::Object(out)
    }

    /// Whether a property is left out on this side (`readOnly` in requests,
    /// `writeOnly` in responses).
    fn skipped_for_side(&self, schema: &Value) -> bool {
        let schema = self.resolve(schema);
        match self.side {
            Side::Request => schema.get("readOnly") == Some(&Value::Bool(true)),
            Side::Response => schema.get("writeOnly") == Some(&Value::Bool(true)),
        }
    }

    /// Whether a schema without `type` describes objects: it has `properties`, and
    /// no `enum`, `const` or `allOf`/`anyOf`/`oneOf` branch names another type.
    /// OpenAPI descriptions often leave `type: object` out beside `properties`;
    /// JSON Schema would then accept any string or number too.
    fn implies_object(&self, map: &Map<String, Value>) -> bool {
        let branches = ["allOf", "anyOf", "oneOf"].into_iter().filter_map(|k| map.get(k)?.as_array()).flatten();
        map.contains_key("properties")
            && !["type", "enum", "const"].iter().any(|k| map.contains_key(*k))
            && branches.map(|b| self.resolve(b)).all(|b| {
                b.get("type").is_none_or(|t| t == "object") && b.get("enum").is_none() && b.get("const").is_none()
            })
    }

    fn convert_type(&mut self, value: &Value, out: &mut Map<String, Value>, pointer: &str) -> Option<Value> {
        let one = |t: &str, out: &mut Map<String, Value>| -> Option<&'static str> {
            match t {
                "string" => Some("string"),
                "number" => Some("number"),
                "integer" => Some("integer"),
                "boolean" => Some("boolean"),
                "array" => Some("array"),
                "object" => Some("object"),
                "null" => Some("null"),
                "file" => {
                    out.insert("format".into(), "binary".into());
                    Some("string")
                }
                "int" | "long" | "int32" | "int64" => Some("integer"),
                "float" | "double" | "decimal" => Some("number"),
                "bool" => Some("boolean"),
                "date" | "date-time" | "datetime" => {
                    out.entry("format").or_insert_with(|| if t == "date" { "date" } else { "date-time" }.into());
                    Some("string")
                }
                _ => None,
            }
        };
        match value {
            Value::String(t) => match one(t, out) {
                Some(t) => Some(Value::String(t.into())),
                None => {
                    self.warn(pointer, format!("unknown type `{t}`; accepting any value"));
                    None
                }
            },
            Value::Array(types) => {
                let mut kept: Vec<Value> = Vec::new();
                for t in types.iter().filter_map(Value::as_str) {
                    if let Some(t) = one(t, out) {
                        if !kept.iter().any(|k| k == t) {
                            kept.push(Value::String(t.into()));
                        }
                    }
                }
                match kept.len() {
                    0 => None,
                    1 => kept.pop(),
                    _ => Some(Value::Array(kept)),
                }
            }
            _ => None,
        }
    }

    fn reference(&mut self, reference: &Value, map: &Map<String, Value>, pointer: &str) -> Value {
        let Some(target_pointer) = reference.as_str().and_then(|r| r.strip_prefix('#')).map(percent_decode) else {
            self.warn(pointer, format!("reference {reference} is not inside the document; accepting any value"));
            return json!({});
        };
        let Some(target) = self.document.pointer(&target_pointer) else {
            self.warn(pointer, format!("reference {reference} does not resolve; accepting any value"));
            return json!({});
        };
        if self.side == Side::Response && self.ref_depth >= MAX_RESPONSE_REF_DEPTH {
            // Not expanded: say what it is.
            let component = target_pointer.rsplit('/').next().unwrap_or("object");
            let mut shallow = Map::new();
            if let Some(ty) = target.get("type").filter(|t| t.is_string()) {
                shallow.insert("type".into(), ty.clone());
            }
            shallow.insert("description".into(), Value::String(format!("A `{component}` (not expanded here).")));
            return Value::Object(shallow);
        }
        // Response forms are bounded in depth, so requests and responses never share
        // a definition; requests share theirs, and so do responses.
        let key = (target_pointer.clone(), self.side);
        let name = match self.names.get(&key) {
            Some(name) => name.clone(),
            None => {
                let twin = match self.side {
                    Side::Request => Side::Response,
                    Side::Response => Side::Request,
                };
                // When the twin holds the plain name, this side's name says which side it is.
                let twin_is_plain = self.plain.contains(&(target_pointer.clone(), twin));
                let sided = self.side == Side::Request && self.is_sided(&target_pointer);
                let suffix = match self.side {
                    Side::Request if twin_is_plain || sided => "Request",
                    Side::Response if twin_is_plain => "Response",
                    _ => "",
                };
                let name = self.def_name(&target_pointer, suffix);
                if suffix.is_empty() {
                    self.plain.insert(key.clone());
                }
                self.names.insert(key, name.clone());
                // Reserve the slot first: a cycle back to it finds the name.
                self.defs.insert(name.clone(), json!({}));
                self.ref_depth += 1;
                let converted = self.convert(target, &target_pointer, 1);
                self.ref_depth -= 1;
                self.defs.insert(name.clone(), converted);
                name
            }
        };
        let mut out = Map::new();
        out.insert("$ref".into(), Value::String(format!("#/$defs/{name}")));
        if let Some(text) = map.get("description").and_then(Value::as_str) {
            let cleaned = text::clean(text, 400);
            if !cleaned.is_empty() {
                out.insert("description".into(), Value::String(cleaned));
            }
        }
        if map.get("nullable") == Some(&Value::Bool(true)) {
            return json!({ "anyOf": [Value::Object(out), { "type": "null" }] });
        }
        Value::Object(out)
    }

    /// A definition name for a component: its last segment plus `suffix`, made unique.
    fn def_name(&self, pointer: &str, suffix: &str) -> String {
        let last = json_pointer::last(pointer).unwrap_or_default();
        let mut base: String =
            last.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '_' }).collect();
        if base.is_empty() {
            base = "Schema".into();
        }
        base.truncate(80);
        base.push_str(suffix);
        let mut name = base.clone();
        let mut n = 2;
        while self.defs.get(&name).is_some() {
            name = format!("{base}{n}");
            n += 1;
        }
        name
    }

    /// Whether the component at `pointer` converts differently for requests and
    /// responses: it reaches a `readOnly` or `writeOnly` schema.
    fn is_sided(&mut self, pointer: &str) -> bool {
        self.sided.get_or_insert_with(|| sided_components(self.document)).contains(pointer)
    }
}

/// The `$ref` targets of a document that reach (through other targets) a schema
/// marked `readOnly` or `writeOnly`. Linear in the document: one walk of each
/// target, then a backwards search from the marked ones.
fn sided_components(document: &Value) -> HashSet<String> {
    let mut targets = Vec::new();
    collect_targets_and_marks(document, &mut targets);
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut pending: Vec<String> = Vec::new();
    for target in targets {
        if !index.contains_key(&target) {
            index.insert(target.clone(), index.len());
            pending.push(target);
        }
    }
    let mut names: Vec<String> = pending.clone();
    let mut referrers: Vec<Vec<usize>> = vec![Vec::new(); names.len()];
    let mut marked = Vec::new();
    let mut i = 0;
    while i < names.len() {
        let Some(body) = document.pointer(&names[i]) else {
            i += 1;
            continue;
        };
        let mut refs = Vec::new();
        if collect_targets_and_marks(body, &mut refs) {
            marked.push(i);
        }
        for target in refs {
            let j = *index.entry(target.clone()).or_insert_with(|| {
                names.push(target);
                referrers.push(Vec::new());
                names.len() - 1
            });
            referrers[j].push(i);
        }
        i += 1;
    }
    let mut sided = vec![false; names.len()];
    while let Some(j) = marked.pop() {
        if std::mem::replace(&mut sided[j], true) {
            continue;
        }
        marked.extend(referrers[j].iter().copied().filter(|&k| !sided[k]));
    }
    names.into_iter().zip(sided).filter_map(|(name, s)| s.then_some(name)).collect()
}

/// Pushes the internal `$ref` targets (as decoded JSON pointers) under `value`;
/// tells whether a `readOnly: true` or `writeOnly: true` is under it.
fn collect_targets_and_marks(value: &Value, out: &mut Vec<String>) -> bool {
    let mut marked = false;
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("$ref", Value::String(r)) => {
                        if let Some(p) = r.strip_prefix('#') {
                            out.push(percent_decode(p));
                        }
                    }
                    ("readOnly" | "writeOnly", Value::Bool(true)) => marked = true,
                    _ => marked |= collect_targets_and_marks(v, out),
                }
            }
        }
        Value::Array(items) => {
            for v in items {
                marked |= collect_targets_and_marks(v, out);
            }
        }
        _ => {}
    }
    marked
}

/// Keywords that describe a schema without constraining its values.
const ANNOTATIONS: &[&str] = &["description", "title", "examples", "default", "deprecated", "readOnly", "writeOnly"];

/// Whether a schema only annotates (`{}` included).
fn is_annotation(schema: &Value) -> bool {
    schema.as_object().is_some_and(|m| m.keys().all(|k| ANNOTATIONS.contains(&k.as_str())))
}

/// `{allOf: [S], description: …}` → `S` with the description: one part needs no
/// `allOf` (strict provider modes reject it, and generators see through it).
fn hoist_single_all_of(out: &mut Map<String, Value>) {
    let single = matches!(out.get("allOf"), Some(Value::Array(parts)) if parts.len() == 1 && parts[0].is_object());
    if !single || !out.keys().all(|k| k == "allOf" || ANNOTATIONS.contains(&k.as_str())) {
        return;
    }
    let Some(Value::Array(mut parts)) = out.remove("allOf") else { return };
    let Some(Value::Object(part)) = parts.pop() else { return };
    let annotations = std::mem::replace(out, part);
    for (key, value) in annotations {
        out.entry(key).or_insert(value);
    }
}

/// Adds `null` to a schema's accepted values (OpenAPI 3.0 `nullable: true`).
fn make_nullable(out: &mut Map<String, Value>) {
    match out.get_mut("type") {
        Some(Value::String(t)) if t != "null" => {
            let t = t.clone();
            out.insert("type".into(), json!([t, "null"]));
        }
        Some(Value::Array(types)) if !types.iter().any(|t| t == "null") => types.push("null".into()),
        _ => {}
    }
    if let Some(Value::Array(values)) = out.get_mut("enum") {
        if !values.contains(&Value::Null) {
            values.push(Value::Null);
        }
    }
}

fn dedupe(values: &mut Vec<Value>) {
    let mut seen = Vec::new();
    values.retain(|v| {
        if seen.contains(v) {
            false
        } else {
            seen.push(v.clone());
            true
        }
    });
}

/// Whether an example is small enough to keep (it is context for an LLM, not data).
fn is_small(value: &Value) -> bool {
    value.to_string().len() <= 200
}

/// Whether a keyword's value has the type JSON Schema 2020-12 requires.
fn valid_keyword_value(key: &str, value: &Value) -> bool {
    match key {
        "format" | "contentEncoding" | "contentMediaType" => value.is_string(),
        "minLength" | "maxLength" | "minItems" | "maxItems" | "minProperties" | "maxProperties" | "minContains"
        | "maxContains" => value.as_u64().is_some(),
        "multipleOf" => value.as_f64().is_some_and(|v| v > 0.0),
        "uniqueItems" | "deprecated" | "readOnly" | "writeOnly" => value.is_boolean(),
        "dependentRequired" => value
            .as_object()
            .is_some_and(|m| m.values().all(|v| v.as_array().is_some_and(|a| a.iter().all(Value::is_string)))),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn normalize(document: Value, schema: Value) -> (Value, Map<String, Value>, Vec<ImportWarning>) {
        let mut n = Normalizer::new(&document);
        let out = n.normalize(&schema, "/x", Side::Request);
        (out, n.defs.0.into_iter().collect(), n.warnings)
    }

    #[test]
    fn openapi_30_dialect_becomes_2020_12() {
        let (out, _, warnings) = normalize(
            json!({}),
            json!({"type": "integer", "nullable": true, "minimum": 0, "exclusiveMinimum": true, "example": 3,
                   "x-internal": true, "xml": {"name": "n"}, "enum": [1, 2]}),
        );
        assert_eq!(
            out,
            json!({"type": ["integer", "null"], "exclusiveMinimum": 0, "examples": [3], "enum": [1, 2, null]})
        );
        assert!(warnings.is_empty());
    }

    #[test]
    fn refs_become_defs_and_cycles_stay_references() {
        let document = json!({"components": {"schemas": {
            "Node": {"type": "object", "properties": {"child": {"$ref": "#/components/schemas/Node"}, "id": {"type": "string", "readOnly": true}}}
        }}});
        let (out, defs, _) = normalize(document, json!({"$ref": "#/components/schemas/Node"}));
        // `Node` has a read-only property: its request form has its own name.
        assert_eq!(out, json!({"$ref": "#/$defs/NodeRequest"}));
        assert_eq!(
            defs["NodeRequest"],
            json!({"type": "object", "properties": {"child": {"$ref": "#/$defs/NodeRequest"}}})
        );
    }

    #[test]
    fn components_are_shared_across_operations_and_sides() {
        let document = json!({"components": {"schemas": {
            "Pet": {"type": "object", "properties": {"tag": {"$ref": "#/components/schemas/Tag"}, "id": {"type": "integer", "readOnly": true}}},
            "Tag": {"type": "string", "maxLength": 9}
        }}, "paths": {"/pets": {"post": {"requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}}}}}});
        let mut n = Normalizer::new(&document);
        let pet = json!({"$ref": "#/components/schemas/Pet"});
        let tag = json!({"$ref": "#/components/schemas/Tag"});
        assert_eq!(n.normalize(&pet, "/a", Side::Request), json!({"$ref": "#/$defs/PetRequest"}));
        assert_eq!(n.normalize(&pet, "/b", Side::Response), json!({"$ref": "#/$defs/Pet"}));
        assert_eq!(n.normalize(&tag, "/c", Side::Response), json!({"$ref": "#/$defs/TagResponse"}));
        assert_eq!(n.normalize(&pet, "/d", Side::Request), json!({"$ref": "#/$defs/PetRequest"}));
        assert_eq!(n.normalize(&tag, "/e", Side::Request), json!({"$ref": "#/$defs/Tag"}));
        let names: Vec<&String> = n.defs.iter().map(|(name, _)| name).collect();
        assert_eq!(names, ["PetRequest", "Tag", "Pet", "TagResponse"]);
        assert_eq!(n.defs.get("Pet").unwrap()["properties"]["id"], json!({"type": "integer", "readOnly": true}));
    }

    #[test]
    fn what_cannot_be_expressed_is_permissive_with_a_warning() {
        let (out, _, warnings) = normalize(
            json!({}),
            json!({"type": "object", "properties": {"a": {"$ref": "#/nope"}, "b": {"type": "fancy"}, "c": {"enum": []}, "d": {"pattern": "(?<=x)y"}}}),
        );
        assert_eq!(out, json!({"type": "object", "properties": {"a": {}, "b": {}, "c": {}, "d": {}}}));
        assert_eq!(warnings.len(), 4, "{warnings:?}");
        assert!(warnings[0].pointer.starts_with("/x/properties/a"));
    }

    #[test]
    fn annotation_parts_of_all_of_are_dropped() {
        let document = json!({"components": {"schemas": {
            "Expr": {"type": "object", "properties": {"not": {"allOf": [{"$ref": "#/components/schemas/Expr"}, {"description": "Negated", "xml": {"name": "x"}}]}}}
        }}, "paths": {"/a": {"get": {"parameters": [{"schema": {"$ref": "#/components/schemas/Expr"}}]}}}});
        let (out, defs, _) =
            normalize(document, json!({"allOf": [{"$ref": "#/components/schemas/Expr"}], "nullable": true}));
        assert_eq!(out, json!({"anyOf": [{"$ref": "#/$defs/Expr"}, {"type": "null"}]}));
        assert_eq!(defs["Expr"]["properties"]["not"], json!({"$ref": "#/$defs/Expr", "description": "Negated"}));
    }

    #[test]
    fn properties_without_a_type_describe_objects() {
        let document = json!({"components": {"schemas": {"Name": {"type": "string"}}}});
        let (out, _, _) = normalize(
            document.clone(),
            json!({"properties": {"a": {"type": "string"}}, "anyOf": [{"required": ["a"]}], "nullable": true}),
        );
        assert_eq!(out["type"], json!(["object", "null"]));
        let (out, _, _) = normalize(
            document,
            json!({"properties": {"a": {"type": "string"}}, "oneOf": [{"$ref": "#/components/schemas/Name"}]}),
        );
        assert!(out.get("type").is_none(), "{out}");
    }

    #[test]
    fn swagger_style_types_are_mapped() {
        let (out, _, _) = normalize(json!({}), json!({"type": "file"}));
        assert_eq!(out, json!({"format": "binary", "type": "string"}));
    }
}
