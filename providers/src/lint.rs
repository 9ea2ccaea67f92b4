//! A checker of rendered tools against each provider's documented rules. It shares no
//! code with the renderers (its own name checks, keyword lists and traversal), so
//! that it catches their mistakes.

use serde_json::{Map, Value};

use crate::types::{LintIssue, Provider};

/// The rules a rendered tool of `provider` breaks; empty when it is valid.
///
/// ```
/// use toolsmith_providers::{lint, Provider};
/// let tool = serde_json::json!({"name": "demo.ping", "description": "", "input_schema": {"type": "object"}});
/// let issues = lint(Provider::Anthropic, &tool);
/// assert_eq!(issues[0].path, "/name");
/// ```
pub fn lint(provider: Provider, tool: &Value) -> Vec<LintIssue> {
    let mut l = Linter::default();
    match provider {
        Provider::OpenAiChat => {
            l.expect(tool.get("type") == Some(&Value::from("function")), "/type", "must be \"function\"");
            match tool.get("function") {
                Some(function) => l.openai(function, "/function"),
                None => l.issue("/function", "missing"),
            }
        }
        Provider::OpenAiResponses => {
            l.expect(tool.get("type") == Some(&Value::from("function")), "/type", "must be \"function\"");
            l.expect(tool.get("strict").is_some_and(Value::is_boolean), "/strict", "must be a boolean (required)");
            l.openai(tool, "");
        }
        Provider::Anthropic => l.anthropic(tool),
        Provider::Gemini | Provider::GeminiLegacy => l.gemini(tool, provider == Provider::GeminiLegacy),
    }
    l.issues
}

#[derive(Default)]
struct Linter {
    issues: Vec<LintIssue>,
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// `^[a-zA-Z0-9_-]{1,64}$`
fn openai_name(name: &str) -> bool {
    (1..=64).contains(&name.len()) && name.chars().all(|c| is_word(c) || c == '-')
}

/// `^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$`
fn gemini_name(name: &str) -> bool {
    name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| is_word(c) || matches!(c, '.' | ':' | '-'))
}

/// `^[A-Za-z_][A-Za-z0-9_]{0,63}$`
fn gemini_property(name: &str) -> bool {
    name.len() <= 64 && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') && name.chars().all(is_word)
}

/// `^[a-zA-Z0-9_.-]{1,64}$`
fn anthropic_property(name: &str) -> bool {
    (1..=64).contains(&name.len()) && name.chars().all(|c| is_word(c) || matches!(c, '.' | '-'))
}

const OPENAI_STRICT: [&str; 20] = [
    "type",
    "description",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "const",
    "anyOf",
    "pattern",
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "$defs",
    "$ref",
];
const OPENAI_FORMATS: [&str; 9] =
    ["date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"];
const ANTHROPIC_STRICT_FORBIDDEN: [&str; 10] = [
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "maxItems",
    "minProperties",
    "maxProperties",
];
const GEMINI_JSON: [&str; 21] = [
    "$id",
    "$defs",
    "$ref",
    "$anchor",
    "type",
    "format",
    "title",
    "description",
    "enum",
    "items",
    "prefixItems",
    "minItems",
    "maxItems",
    "minimum",
    "maximum",
    "anyOf",
    "oneOf",
    "properties",
    "additionalProperties",
    "required",
    "propertyOrdering",
];
const GEMINI_SCHEMA: [&str; 21] = [
    "type",
    "format",
    "title",
    "description",
    "nullable",
    "enum",
    "items",
    "minItems",
    "maxItems",
    "properties",
    "required",
    "minProperties",
    "maxProperties",
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "anyOf",
    "propertyOrdering",
    "default",
];
const GEMINI_TYPES: [&str; 7] = ["STRING", "NUMBER", "INTEGER", "BOOLEAN", "ARRAY", "OBJECT", "NULL"];

/// Every schema object under `schema` (itself included) with its JSON pointer.
fn schemas<'a>(schema: &'a Value, path: String, out: &mut Vec<(&'a Map<String, Value>, String)>) {
    let Value::Object(m) = schema else { return };
    out.push((m, path.clone()));
    for (key, value) in m {
        match (key.as_str(), value) {
            ("properties" | "$defs" | "definitions" | "patternProperties", Value::Object(named)) => {
                for (name, child) in named {
                    schemas(child, format!("{path}/{key}/{}", name.replace('~', "~0").replace('/', "~1")), out);
                }
            }
            ("anyOf" | "oneOf" | "allOf" | "prefixItems" | "items", Value::Array(list)) => {
                for (i, child) in list.iter().enumerate() {
                    schemas(child, format!("{path}/{key}/{i}"), out);
                }
            }
            ("items" | "additionalProperties" | "not" | "if" | "then" | "else" | "contains", Value::Object(_)) => {
                schemas(value, format!("{path}/{key}"), out);
            }
            _ => {}
        }
    }
}

fn is_object_schema(m: &Map<String, Value>) -> bool {
    match m.get("type") {
        Some(Value::String(t)) => t == "object",
        Some(Value::Array(ts)) => ts.iter().any(|t| t == "object"),
        _ => m.contains_key("properties"),
    }
}

impl Linter {
    fn issue(&mut self, path: &str, message: impl Into<String>) {
        self.issues.push(LintIssue { path: path.to_owned(), message: message.into() });
    }

    fn expect(&mut self, ok: bool, path: &str, message: &str) {
        if !ok {
            self.issue(path, message);
        }
    }

    fn name(&mut self, tool: &Value, path: &str, rule: fn(&str) -> bool, pattern: &str) {
        match tool.get("name").and_then(Value::as_str) {
            Some(name) if rule(name) => {}
            Some(name) => self.issue(&format!("{path}/name"), format!("`{name}` does not match {pattern}")),
            None => self.issue(&format!("{path}/name"), "missing"),
        }
    }

    fn object_root(&mut self, schema: Option<&Value>, path: &str) -> Option<Value> {
        match schema {
            Some(s @ Value::Object(m)) => {
                self.expect(
                    m.get("type") == Some(&Value::from("object")),
                    &format!("{path}/type"),
                    "the root must be type \"object\"",
                );
                for key in ["anyOf", "oneOf", "allOf", "not", "enum"] {
                    self.expect(!m.contains_key(key), &format!("{path}/{key}"), "not allowed at the root");
                }
                Some(s.clone())
            }
            _ => {
                self.issue(path, "missing or not a JSON object");
                None
            }
        }
    }

    fn refs_resolve(&mut self, root: &Value, path: &str) {
        let mut all = Vec::new();
        schemas(root, String::new(), &mut all);
        for (m, at) in all {
            if let Some(r) = m.get("$ref").and_then(Value::as_str) {
                let ok = r == "#" || r.strip_prefix('#').is_some_and(|p| root.pointer(p).is_some());
                self.expect(ok, &format!("{path}{at}/$ref"), "must point into this schema (local and resolvable)");
            }
        }
    }

    fn property_names(&mut self, root: &Value, path: &str, rule: fn(&str) -> bool, pattern: &str) {
        let mut all = Vec::new();
        schemas(root, String::new(), &mut all);
        for (m, at) in all {
            for name in m.get("properties").and_then(Value::as_object).into_iter().flat_map(Map::keys) {
                if !rule(name) {
                    self.issue(
                        &format!("{path}{at}/properties"),
                        format!("property `{name}` does not match {pattern}"),
                    );
                }
            }
        }
    }

    fn openai(&mut self, function: &Value, path: &str) {
        self.name(function, path, openai_name, "^[a-zA-Z0-9_-]{1,64}$");
        let at = format!("{path}/parameters");
        let Some(parameters) = self.object_root(function.get("parameters"), &at) else { return };
        self.refs_resolve(&parameters, &at);
        if function.get("strict") != Some(&Value::Bool(true)) {
            return;
        }
        let mut all = Vec::new();
        schemas(&parameters, String::new(), &mut all);
        let (mut properties, mut enums) = (0, 0);
        for (m, p) in all {
            let p = format!("{at}{p}");
            for key in m.keys().filter(|k| !OPENAI_STRICT.contains(&k.as_str())) {
                self.issue(&format!("{p}/{key}"), "not supported in strict mode");
            }
            if let Some(format) = m.get("format").and_then(Value::as_str) {
                self.expect(
                    OPENAI_FORMATS.contains(&format),
                    &format!("{p}/format"),
                    "format not supported in strict mode",
                );
            }
            let typed = ["type", "anyOf", "enum", "const", "$ref"].iter().any(|k| m.contains_key(*k));
            self.expect(typed, &p, "an untyped value has no strict form");
            if is_object_schema(m) {
                self.closed_object(m, &p, true);
                properties += m.get("properties").and_then(Value::as_object).map_or(0, Map::len);
            }
            enums += m.get("enum").and_then(Value::as_array).map_or(0, Vec::len);
        }
        self.expect(properties <= 5_000, &at, "more than 5,000 properties in strict mode");
        self.expect(enums <= 1_000, &at, "more than 1,000 enum values in strict mode");
        self.expect(depth(&parameters) <= 10, &at, "more than 10 levels of nesting in strict mode");
    }

    fn closed_object(&mut self, m: &Map<String, Value>, p: &str, all_required: bool) {
        self.expect(
            m.get("additionalProperties") == Some(&Value::Bool(false)),
            &format!("{p}/additionalProperties"),
            "must be false in strict mode",
        );
        if all_required {
            let names: Vec<&String> =
                m.get("properties").and_then(Value::as_object).map(|o| o.keys().collect()).unwrap_or_default();
            let required = m.get("required").and_then(Value::as_array);
            let missing: Vec<&&String> =
                names.iter().filter(|n| !required.is_some_and(|r| r.iter().any(|v| v == n.as_str()))).collect();
            if !missing.is_empty() {
                self.issue(
                    &format!("{p}/required"),
                    format!("must list every property in strict mode; missing {missing:?}"),
                );
            }
        }
    }

    fn anthropic(&mut self, tool: &Value) {
        self.name(tool, "", openai_name, "^[a-zA-Z0-9_-]{1,64}$");
        let Some(schema) = self.object_root(tool.get("input_schema"), "/input_schema") else { return };
        self.expect(schema.get("$schema").is_none(), "/input_schema/$schema", "strip $schema");
        self.refs_resolve(&schema, "/input_schema");
        self.property_names(&schema, "/input_schema", anthropic_property, "^[a-zA-Z0-9_.-]{1,64}$");
        if tool.get("strict") != Some(&Value::Bool(true)) {
            return;
        }
        let mut all = Vec::new();
        schemas(&schema, String::new(), &mut all);
        for (m, p) in all {
            let p = format!("/input_schema{p}");
            for key in ANTHROPIC_STRICT_FORBIDDEN.iter().filter(|k| m.contains_key(**k)) {
                self.issue(&format!("{p}/{key}"), "not supported in strict mode");
            }
            if m.get("minItems").and_then(Value::as_u64).is_some_and(|n| n > 1) {
                self.issue(&format!("{p}/minItems"), "only 0 or 1 in strict mode");
            }
            if is_object_schema(m) {
                self.closed_object(m, &p, false);
            }
        }
    }

    fn gemini(&mut self, tool: &Value, legacy: bool) {
        self.name(tool, "", gemini_name, "^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$");
        let (field, other) =
            if legacy { ("parameters", "parametersJsonSchema") } else { ("parametersJsonSchema", "parameters") };
        self.expect(
            tool.get(other).is_none(),
            &format!("/{other}"),
            "parameters and parametersJsonSchema are exclusive",
        );
        let Some(schema) = tool.get(field) else {
            self.expect(legacy, &format!("/{field}"), "missing");
            return;
        };
        let at = format!("/{field}");
        self.property_names(schema, &at, gemini_property, "^[A-Za-z_][A-Za-z0-9_]{0,63}$");
        let mut all = Vec::new();
        schemas(schema, String::new(), &mut all);
        let allowed: &[&str] = if legacy { &GEMINI_SCHEMA } else { &GEMINI_JSON };
        for (m, p) in &all {
            let p = format!("{at}{p}");
            for key in m.keys().filter(|k| !allowed.contains(&k.as_str())) {
                self.issue(&format!("{p}/{key}"), "unknown to Gemini (400 \"Cannot find field\")");
            }
            let enum_values = m.get("enum").and_then(Value::as_array);
            if legacy {
                self.legacy_schema(m, &p);
            } else if enum_values.is_some_and(|e| e.iter().any(|v| !v.is_string() && !v.is_number())) {
                self.issue(&format!("{p}/enum"), "values must be strings or numbers");
            }
        }
        if legacy {
            let root = schema.as_object();
            self.expect(
                root.and_then(|m| m.get("type")) == Some(&Value::from("OBJECT")),
                &format!("{at}/type"),
                "must be OBJECT",
            );
            let empty = root.and_then(|m| m.get("properties")).and_then(Value::as_object).is_none_or(Map::is_empty);
            self.expect(
                !empty,
                &format!("{at}/properties"),
                "an OBJECT without properties is refused; omit parameters",
            );
        } else {
            self.refs_resolve(schema, &at);
        }
    }

    fn legacy_schema(&mut self, m: &Map<String, Value>, p: &str) {
        let kind = match m.get("type") {
            None => "",
            Some(Value::String(t)) if GEMINI_TYPES.contains(&t.as_str()) => t.as_str(),
            Some(Value::Array(_)) => {
                self.issue(
                    &format!("{p}/type"),
                    "type arrays are refused (\"Proto field is not repeating\"); use nullable",
                );
                ""
            }
            Some(other) => {
                self.issue(&format!("{p}/type"), format!("{other} is not one of {GEMINI_TYPES:?}"));
                ""
            }
        };
        if let Some(values) = m.get("enum").and_then(Value::as_array) {
            self.expect(values.iter().all(Value::is_string), &format!("{p}/enum"), "values must be strings");
            self.expect(kind == "STRING", &format!("{p}/enum"), "enum is for type STRING only");
        }
        if let Some(format) = m.get("format").and_then(Value::as_str) {
            let ok = matches!(
                (kind, format),
                ("STRING", "enum" | "date-time") | ("NUMBER", "float" | "double") | ("INTEGER", "int32" | "int64")
            );
            self.expect(ok, &format!("{p}/format"), "format not supported for this type");
        }
        if let (Some(Value::Array(required)), props) =
            (m.get("required"), m.get("properties").and_then(Value::as_object))
        {
            for name in required.iter().filter_map(Value::as_str) {
                self.expect(
                    props.is_some_and(|o| o.contains_key(name)),
                    &format!("{p}/required"),
                    "names a property that does not exist",
                );
            }
        }
    }
}

/// The deepest nesting of object properties.
fn depth(schema: &Value) -> usize {
    let Value::Object(m) = schema else { return 0 };
    let props =
        m.get("properties").and_then(Value::as_object).map_or(0, |p| 1 + p.values().map(depth).max().unwrap_or(0));
    let items = m.get("items").map_or(0, depth);
    let branches = m.get("anyOf").and_then(Value::as_array).map_or(0, |b| b.iter().map(depth).max().unwrap_or(0));
    props.max(items).max(branches)
}
