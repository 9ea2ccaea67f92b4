//! Swagger 2.0 → OpenAPI 3.0 shape, so later stages see one format.
//!
//! The mapping follows the OpenAPI 3.0 migration rules (and what swagger2openapi
//! does): `definitions` → `components.schemas`, `host` + `basePath` + `schemes` →
//! `servers`, body and form parameters → `requestBody` with the operation's
//! `consumes` media types, response `schema` → `content` with its `produces` media
//! types, parameter `type`/`items`/`collectionFormat` → `schema` + `style`/`explode`,
//! `securityDefinitions` → `components.securitySchemes`. What has no 3.0 equivalent
//! is dropped with a warning naming its pointer in the 2.0 document.

use serde_json::{json, Map, Value};

use toolsmith_spec::pointer;

use super::document::resolve_internal;
use super::{ImportWarning, OPERATION_KEYS};

/// Keys of a non-body parameter, header or items object that describe its value
/// (they move into `schema`).
const VALUE_KEYS: &[&str] = &[
    "type",
    "format",
    "items",
    "enum",
    "default",
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
    "multipleOf",
];

const JSON: &str = "application/json";
const FORM: &str = "application/x-www-form-urlencoded";
const MULTIPART: &str = "multipart/form-data";

/// Converts a Swagger 2.0 document to the OpenAPI 3.0 shape.
pub(crate) fn upgrade(document: &Value, warnings: &mut Vec<ImportWarning>) -> Value {
    let Some(root) = document.as_object() else {
        return document.clone();
    };
    let consumes = media_types(root.get("consumes"), "/consumes", warnings).unwrap_or_default();
    let produces = media_types(root.get("produces"), "/produces", warnings).unwrap_or_default();
    Upgrader { document, root, consumes, produces, warnings }.run()
}

fn warning(pointer: &str, message: impl Into<String>) -> ImportWarning {
    ImportWarning { pointer: pointer.to_owned(), message: message.into() }
}

/// A `consumes`/`produces` list; `None` when absent (or not a list).
fn media_types(value: Option<&Value>, pointer: &str, warnings: &mut Vec<ImportWarning>) -> Option<Vec<String>> {
    match value? {
        Value::Array(items) => {
            let mut types: Vec<String> = Vec::new();
            for item in items {
                match item.as_str().map(str::trim).filter(|t| !t.is_empty()) {
                    Some(t) => {
                        if !types.iter().any(|known| known == t) {
                            types.push(t.to_owned());
                        }
                    }
                    None => warnings.push(warning(pointer, format!("media type {item} is not a string; ignored"))),
                }
            }
            Some(types)
        }
        Value::String(s) => Some(s.split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect()),
        Value::Null => None,
        other => {
            warnings.push(warning(pointer, format!("expected a list of media types, found {other}; ignored")));
            None
        }
    }
}

/// `#/definitions/X` → `#/components/schemas/X` (and parameters, responses).
fn rewrite_ref(reference: &str) -> String {
    for (from, to) in [
        ("#/definitions/", "#/components/schemas/"),
        ("#/parameters/", "#/components/parameters/"),
        ("#/responses/", "#/components/responses/"),
    ] {
        if let Some(rest) = reference.strip_prefix(from) {
            return format!("{to}{rest}");
        }
    }
    reference.to_owned()
}

/// A copy of `value` with every `$ref` rewritten.
fn rewrite_refs(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = match (k.as_str(), v) {
                        ("$ref", Value::String(r)) => Value::String(rewrite_ref(r)),
                        _ => rewrite_refs(v),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(rewrite_refs).collect()),
        other => other.clone(),
    }
}

/// A Swagger 2.0 schema in the OpenAPI 3.0 shape: refs rewritten, `type: file` →
/// binary string, `x-nullable` → `nullable`, string `discriminator` → object.
fn schema(value: &Value) -> Value {
    let Value::Object(map) = value else {
        return rewrite_refs(value);
    };
    let is_file = map.get("type").and_then(Value::as_str) == Some("file");
    let mut out = Map::new();
    for (key, value) in map {
        let converted = match key.as_str() {
            "$ref" => value.as_str().map_or_else(|| value.clone(), |r| Value::String(rewrite_ref(r))),
            "type" if is_file => json!("string"),
            "format" if is_file => continue,
            "x-nullable" => {
                if let Some(nullable) = value.as_bool() {
                    out.insert("nullable".to_owned(), Value::Bool(nullable));
                }
                continue;
            }
            "discriminator" => match value {
                Value::String(property) => json!({ "propertyName": property }),
                other => rewrite_refs(other),
            },
            "properties" | "patternProperties" | "definitions" => match value {
                Value::Object(members) => {
                    Value::Object(members.iter().map(|(name, s)| (name.clone(), schema(s))).collect())
                }
                other => other.clone(),
            },
            "items" => match value {
                Value::Array(items) => Value::Array(items.iter().map(schema).collect()),
                other => schema(other),
            },
            "allOf" | "anyOf" | "oneOf" => match value {
                Value::Array(items) => Value::Array(items.iter().map(schema).collect()),
                other => other.clone(),
            },
            "not" | "additionalProperties" => schema(value),
            "example" | "default" | "enum" | "x-example" => value.clone(),
            _ => rewrite_refs(value),
        };
        out.insert(key.clone(), converted);
    }
    if is_file {
        out.insert("format".to_owned(), json!("binary"));
    }
    Value::Object(out)
}

/// A parameter of an operation or path item, resolved.
struct Param<'a> {
    /// The `$ref` when it names a top-level parameter (kept as a reference).
    top_ref: Option<&'a str>,
    resolved: &'a Map<String, Value>,
    pointer: String,
    name: String,
    location: String,
}

impl Param<'_> {
    fn is_body_like(&self) -> bool {
        self.location == "body" || self.location == "formData"
    }

    fn get(&self, key: &str) -> Option<&Value> {
        self.resolved.get(key)
    }

    fn required(&self) -> bool {
        self.get("required").and_then(Value::as_bool).unwrap_or(false)
    }
}

struct Upgrader<'a> {
    document: &'a Value,
    root: &'a Map<String, Value>,
    consumes: Vec<String>,
    produces: Vec<String>,
    warnings: &'a mut Vec<ImportWarning>,
}

impl<'a> Upgrader<'a> {
    fn warn(&mut self, pointer: &str, message: impl Into<String>) {
        self.warnings.push(warning(pointer, message));
    }

    fn run(mut self) -> Value {
        let mut out = Map::new();
        out.insert("openapi".to_owned(), json!("3.0.3"));
        if let Some(info) = self.root.get("info") {
            out.insert("info".to_owned(), rewrite_refs(info));
        }
        let servers = self.servers();
        if !servers.is_empty() {
            out.insert("servers".to_owned(), Value::Array(servers));
        }
        let root = self.root;
        for (key, value) in root {
            match key.as_str() {
                "swagger"
                | "info"
                | "host"
                | "basePath"
                | "schemes"
                | "consumes"
                | "produces"
                | "definitions"
                | "parameters"
                | "responses"
                | "securityDefinitions"
                | "paths" => {}
                "tags" | "externalDocs" | "security" => {
                    out.insert(key.clone(), rewrite_refs(value));
                }
                k if k.starts_with("x-") => {
                    out.insert(key.clone(), rewrite_refs(value));
                }
                other => {
                    self.warn(
                        &format!("/{}", pointer::escape(other)),
                        format!("`{other}` is not a Swagger 2.0 key; dropped"),
                    );
                }
            }
        }
        let paths = self.paths();
        out.insert("paths".to_owned(), Value::Object(paths));
        let components = self.components();
        if !components.is_empty() {
            out.insert("components".to_owned(), Value::Object(components));
        }
        Value::Object(out)
    }

    fn servers(&mut self) -> Vec<Value> {
        let root = self.root;
        let text = |key: &str| root.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
        let base = text("basePath").map(|b| b.trim_end_matches('/')).unwrap_or_default();
        let base = if base.is_empty() || base.starts_with('/') { base.to_owned() } else { format!("/{base}") };
        let mut schemes: Vec<String> = Vec::new();
        match root.get("schemes") {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                for item in items {
                    let scheme = item.as_str().unwrap_or_default().trim().to_ascii_lowercase();
                    if scheme == "http" || scheme == "https" {
                        if !schemes.contains(&scheme) {
                            schemes.push(scheme);
                        }
                    } else {
                        self.warn("/schemes", format!("scheme {item} is not http(s); dropped"));
                    }
                }
            }
            Some(_) => self.warn("/schemes", "`schemes` is not a list; ignored"),
        }
        let Some(host) = text("host") else {
            return if base.is_empty() { Vec::new() } else { vec![json!({ "url": base })] };
        };
        let (host_scheme, host) = match host.split_once("://") {
            Some((scheme, rest)) => (Some(scheme.to_ascii_lowercase()), rest),
            None => (None, host),
        };
        let host = host.trim_end_matches('/');
        if schemes.is_empty() {
            schemes.push(host_scheme.filter(|s| s == "http").unwrap_or_else(|| "https".to_owned()));
        }
        // The first server is the one used: prefer https.
        schemes.sort_by_key(|s| s != "https");
        schemes.into_iter().map(|scheme| json!({ "url": format!("{scheme}://{host}{base}") })).collect()
    }

    fn components(&mut self) -> Map<String, Value> {
        let root = self.root;
        let mut components = Map::new();
        match root.get("definitions") {
            None | Some(Value::Null) => {}
            Some(Value::Object(definitions)) => {
                let schemas: Map<String, Value> =
                    definitions.iter().map(|(name, s)| (name.clone(), schema(s))).collect();
                components.insert("schemas".to_owned(), Value::Object(schemas));
            }
            Some(_) => self.warn("/definitions", "`definitions` is not a map; dropped"),
        }
        match root.get("parameters") {
            None | Some(Value::Null) => {}
            Some(Value::Object(parameters)) => {
                let mut out = Map::new();
                for (name, parameter) in parameters {
                    let pointer = format!("/parameters/{}", pointer::escape(name));
                    // Body and form parameters become part of the request bodies
                    // of the operations that use them.
                    if let Some(param) = self.param(parameter, pointer, false) {
                        if !param.is_body_like() {
                            out.insert(name.clone(), self.parameter(&param));
                        }
                    }
                }
                if !out.is_empty() {
                    components.insert("parameters".to_owned(), Value::Object(out));
                }
            }
            Some(_) => self.warn("/parameters", "`parameters` is not a map; dropped"),
        }
        match root.get("responses") {
            None | Some(Value::Null) => {}
            Some(Value::Object(responses)) => {
                let produces = self.produces.clone();
                let out: Map<String, Value> = responses
                    .iter()
                    .map(|(name, r)| {
                        (name.clone(), self.response(r, &produces, &format!("/responses/{}", pointer::escape(name))))
                    })
                    .collect();
                components.insert("responses".to_owned(), Value::Object(out));
            }
            Some(_) => self.warn("/responses", "`responses` is not a map; dropped"),
        }
        match root.get("securityDefinitions") {
            None | Some(Value::Null) => {}
            Some(Value::Object(definitions)) => {
                let mut out = Map::new();
                for (name, definition) in definitions {
                    let pointer = format!("/securityDefinitions/{}", pointer::escape(name));
                    if let Some(scheme) = self.security_scheme(definition, &pointer) {
                        out.insert(name.clone(), scheme);
                    }
                }
                components.insert("securitySchemes".to_owned(), Value::Object(out));
            }
            Some(_) => self.warn("/securityDefinitions", "`securityDefinitions` is not a map; dropped"),
        }
        components
    }

    fn security_scheme(&mut self, definition: &Value, pointer: &str) -> Option<Value> {
        let Some(definition) = resolve_internal(self.document, definition).and_then(Value::as_object) else {
            self.warn(pointer, "security definition is not an object; dropped");
            return None;
        };
        let text = |key: &str| definition.get(key).and_then(Value::as_str);
        let mut out = Map::new();
        match text("type").unwrap_or_default() {
            "basic" => {
                out.insert("type".to_owned(), json!("http"));
                out.insert("scheme".to_owned(), json!("basic"));
            }
            "apiKey" => {
                out.insert("type".to_owned(), json!("apiKey"));
                for key in ["name", "in"] {
                    if let Some(value) = definition.get(key) {
                        out.insert(key.to_owned(), value.clone());
                    }
                }
            }
            "oauth2" => {
                let flow = match text("flow").unwrap_or_default() {
                    "accessCode" => "authorizationCode",
                    "application" => "clientCredentials",
                    "implicit" => "implicit",
                    "password" => "password",
                    other => {
                        self.warn(pointer, format!("unknown OAuth 2 flow `{other}`; dropped"));
                        return None;
                    }
                };
                let mut flow_out = Map::new();
                for key in ["authorizationUrl", "tokenUrl"] {
                    if let Some(value) = definition.get(key) {
                        flow_out.insert(key.to_owned(), value.clone());
                    }
                }
                let scopes = match definition.get("scopes") {
                    Some(Value::Object(scopes)) => Value::Object(scopes.clone()),
                    _ => json!({}),
                };
                flow_out.insert("scopes".to_owned(), scopes);
                out.insert("type".to_owned(), json!("oauth2"));
                out.insert("flows".to_owned(), json!({ flow: flow_out }));
            }
            other => {
                self.warn(pointer, format!("unknown security definition type `{other}`; dropped"));
                return None;
            }
        }
        for (key, value) in definition {
            if key == "description" || key.starts_with("x-") {
                out.insert(key.clone(), value.clone());
            }
        }
        Some(Value::Object(out))
    }

    fn paths(&mut self) -> Map<String, Value> {
        let mut out = Map::new();
        let paths = match self.root.get("paths") {
            None | Some(Value::Null) => return out,
            Some(Value::Object(paths)) => paths,
            Some(_) => {
                self.warn("/paths", "`paths` is not a map; dropped");
                return out;
            }
        };
        for (path, item) in paths {
            if path.starts_with("x-") {
                out.insert(path.clone(), rewrite_refs(item));
                continue;
            }
            let pointer = format!("/paths/{}", pointer::escape(path));
            let resolved = resolve_internal(self.document, item);
            match resolved.and_then(Value::as_object) {
                Some(resolved) => {
                    let converted = self.path_item(resolved, &pointer);
                    out.insert(path.clone(), Value::Object(converted));
                }
                None if item.get("$ref").is_some() => {
                    // An external or unresolvable path item: left for the importer to report.
                    out.insert(path.clone(), rewrite_refs(item));
                }
                None => self.warn(&pointer, "path item is not an object; dropped"),
            }
        }
        out
    }

    /// The parameter `value` (possibly a `$ref`), resolved; `None` (with a warning)
    /// when it is not a usable parameter.
    fn param(&mut self, value: &'a Value, pointer: String, keep_ref: bool) -> Option<Param<'a>> {
        let document = self.document;
        let Some(resolved) = resolve_internal(document, value).and_then(Value::as_object) else {
            let what = if value.get("$ref").is_some() { "a `$ref` that does not resolve" } else { "not an object" };
            self.warn(&pointer, format!("parameter is {what}; dropped"));
            return None;
        };
        let top_ref = value
            .get("$ref")
            .and_then(Value::as_str)
            .filter(|r| keep_ref && r.starts_with("#/parameters/") && !r["#/parameters/".len()..].contains('/'));
        let name = resolved.get("name").and_then(Value::as_str).unwrap_or_default().to_owned();
        let location = resolved.get("in").and_then(Value::as_str).unwrap_or_default().to_owned();
        if name.is_empty() && location != "body" {
            self.warn(&pointer, "parameter has no `name`; dropped");
            return None;
        }
        if !matches!(location.as_str(), "query" | "header" | "path" | "formData" | "body") {
            self.warn(
                &pointer,
                format!("parameter `{name}` has `in: {location}`, which Swagger 2.0 does not define; dropped"),
            );
            return None;
        }
        Some(Param { top_ref, resolved, pointer, name, location })
    }

    fn params(&mut self, value: Option<&'a Value>, pointer: &str) -> Vec<Param<'a>> {
        let items = match value {
            None | Some(Value::Null) => return Vec::new(),
            Some(Value::Array(items)) => items,
            Some(_) => {
                self.warn(pointer, "`parameters` is not a list; dropped");
                return Vec::new();
            }
        };
        items.iter().enumerate().filter_map(|(i, p)| self.param(p, format!("{pointer}/{i}"), true)).collect()
    }

    fn path_item(&mut self, item: &'a Map<String, Value>, pointer: &str) -> Map<String, Value> {
        let shared = self.params(item.get("parameters"), &format!("{pointer}/parameters"));
        let mut out = Map::new();
        let shared_out: Vec<Value> = shared.iter().filter(|p| !p.is_body_like()).map(|p| self.parameter(p)).collect();
        for (key, value) in item {
            let key_pointer = format!("{pointer}/{}", pointer::escape(key));
            if OPERATION_KEYS.contains(&key.as_str()) {
                match value.as_object() {
                    Some(operation) => {
                        let converted = self.operation(operation, &shared, &key_pointer);
                        out.insert(key.clone(), Value::Object(converted));
                    }
                    None => self.warn(&key_pointer, "operation is not an object; dropped"),
                }
            } else if key.starts_with("x-") {
                out.insert(key.clone(), rewrite_refs(value));
            } else if key != "parameters" && key != "$ref" {
                self.warn(&key_pointer, format!("`{key}` is not a Swagger 2.0 path item key; dropped"));
            }
        }
        if !shared_out.is_empty() {
            out.insert("parameters".to_owned(), Value::Array(shared_out));
        }
        out
    }

    fn operation(
        &mut self,
        operation: &'a Map<String, Value>,
        shared: &[Param<'a>],
        pointer: &str,
    ) -> Map<String, Value> {
        let consumes = media_types(operation.get("consumes"), &format!("{pointer}/consumes"), self.warnings)
            .unwrap_or_else(|| self.consumes.clone());
        let produces = media_types(operation.get("produces"), &format!("{pointer}/produces"), self.warnings)
            .unwrap_or_else(|| self.produces.clone());
        let own = self.params(operation.get("parameters"), &format!("{pointer}/parameters"));
        let mut out = Map::new();
        for (key, value) in operation {
            match key.as_str() {
                "tags" | "summary" | "description" | "externalDocs" | "operationId" | "deprecated" | "security" => {
                    out.insert(key.clone(), rewrite_refs(value));
                }
                k if k.starts_with("x-") => {
                    out.insert(key.clone(), rewrite_refs(value));
                }
                "consumes" | "produces" | "parameters" | "responses" => {}
                "schemes" => {
                    let global = self.root.get("schemes");
                    if global != Some(value) {
                        self.warn(
                            &format!("{pointer}/schemes"),
                            "operation-level `schemes` dropped; every operation uses the base URL's scheme",
                        );
                    }
                }
                other => {
                    self.warn(
                        &format!("{pointer}/{}", pointer::escape(other)),
                        format!("`{other}` is not a Swagger 2.0 operation key; dropped"),
                    );
                }
            }
        }
        // Path-level body and form parameters apply unless the operation overrides them.
        let inherited = shared
            .iter()
            .filter(|p| p.is_body_like() && !own.iter().any(|o| o.name == p.name && o.location == p.location));
        let mut body: Vec<&Param<'_>> = Vec::new();
        let mut form: Vec<&Param<'_>> = Vec::new();
        for param in inherited.chain(own.iter()) {
            match param.location.as_str() {
                "body" => body.push(param),
                "formData" => form.push(param),
                _ => {}
            }
        }
        let parameters: Vec<Value> = own.iter().filter(|p| !p.is_body_like()).map(|p| self.parameter(p)).collect();
        if !parameters.is_empty() {
            out.insert("parameters".to_owned(), Value::Array(parameters));
        }
        if let Some(first) = body.first() {
            for extra in &body[1..] {
                self.warn(&extra.pointer, "a second body parameter; only the first is kept");
            }
            for field in &form {
                self.warn(&field.pointer, "a form parameter beside a body parameter; dropped");
            }
            let request = self.body(first, &consumes);
            out.insert("requestBody".to_owned(), request);
        } else if !form.is_empty() {
            let request = self.form(&form, &consumes);
            out.insert("requestBody".to_owned(), request);
        }
        let responses = match operation.get("responses") {
            Some(Value::Object(responses)) => {
                let mut converted = Map::new();
                for (code, response) in responses {
                    let code_pointer = format!("{pointer}/responses/{}", pointer::escape(code));
                    let value = if code.starts_with("x-") {
                        rewrite_refs(response)
                    } else {
                        self.response(response, &produces, &code_pointer)
                    };
                    converted.insert(code.clone(), value);
                }
                converted
            }
            None | Some(Value::Null) => Map::new(),
            Some(_) => {
                self.warn(&format!("{pointer}/responses"), "`responses` is not a map; dropped");
                Map::new()
            }
        };
        out.insert("responses".to_owned(), Value::Object(responses));
        out
    }

    /// The schema of a non-body parameter, header or items object.
    fn value_schema(&mut self, object: &Map<String, Value>, pointer: &str) -> Value {
        if let Some(explicit) = object.get("schema") {
            return schema(explicit);
        }
        let mut out = Map::new();
        for key in VALUE_KEYS {
            let Some(value) = object.get(*key) else { continue };
            match *key {
                "items" => match value.as_object() {
                    Some(items) => {
                        if items.get("collectionFormat").and_then(Value::as_str).is_some_and(|f| f != "csv") {
                            self.warn(
                                &format!("{pointer}/items/collectionFormat"),
                                "the collection format of nested arrays is not kept",
                            );
                        }
                        let items = self.value_schema(items, &format!("{pointer}/items"));
                        out.insert("items".to_owned(), items);
                    }
                    None => {
                        out.insert("items".to_owned(), schema(value));
                    }
                },
                "type" if value == "file" => {
                    out.insert("type".to_owned(), json!("string"));
                    out.insert("format".to_owned(), json!("binary"));
                }
                "format" if object.get("type").is_some_and(|t| t == "file") => {}
                _ => {
                    out.insert((*key).to_owned(), rewrite_refs(value));
                }
            }
        }
        if let Some(nullable) = object.get("x-nullable").and_then(Value::as_bool) {
            out.insert("nullable".to_owned(), Value::Bool(nullable));
        }
        if !out.contains_key("type") && !out.contains_key("enum") {
            out.insert("type".to_owned(), json!("string"));
        }
        if out.get("type").is_some_and(|t| t == "array") && !out.contains_key("items") {
            out.insert("items".to_owned(), json!({}));
        }
        Value::Object(out)
    }

    fn parameter(&mut self, param: &Param<'_>) -> Value {
        if let Some(reference) = param.top_ref {
            return json!({ "$ref": rewrite_ref(reference) });
        }
        let mut out = Map::new();
        out.insert("name".to_owned(), json!(param.name));
        out.insert("in".to_owned(), json!(param.location));
        if let Some(description) = param.get("description") {
            out.insert("description".to_owned(), description.clone());
        }
        if param.location == "path" || param.required() {
            out.insert("required".to_owned(), json!(true));
        }
        if let Some(allow) = param.get("allowEmptyValue") {
            out.insert("allowEmptyValue".to_owned(), allow.clone());
        }
        let value_schema = self.value_schema(param.resolved, &param.pointer);
        let is_array = value_schema.get("type").is_some_and(|t| t == "array");
        out.insert("schema".to_owned(), value_schema);
        if is_array {
            let format = param.get("collectionFormat").and_then(Value::as_str).unwrap_or("csv");
            let (style, explode) = match (param.location.as_str(), format) {
                ("query", "csv") => ("form", false),
                ("query", "ssv") => ("spaceDelimited", false),
                ("query", "pipes") => ("pipeDelimited", false),
                ("query", "multi") => ("form", true),
                ("query", other) => {
                    self.warn(
                        &format!("{}/collectionFormat", param.pointer),
                        format!("collection format `{other}` has no OpenAPI 3 style; comma-separated is used"),
                    );
                    ("form", false)
                }
                (_, "csv") => ("simple", false),
                (_, other) => {
                    self.warn(
                        &format!("{}/collectionFormat", param.pointer),
                        format!(
                            "collection format `{other}` is not possible in a {}; comma-separated is used",
                            param.location
                        ),
                    );
                    ("simple", false)
                }
            };
            out.insert("style".to_owned(), json!(style));
            out.insert("explode".to_owned(), json!(explode));
        }
        for (key, value) in param.resolved {
            if key == "x-example" || key == "example" {
                out.insert("example".to_owned(), value.clone());
            } else if key.starts_with("x-") && key != "x-nullable" {
                out.insert(key.clone(), rewrite_refs(value));
            }
        }
        Value::Object(out)
    }

    fn body(&mut self, param: &Param<'_>, consumes: &[String]) -> Value {
        let body_schema = match param.get("schema") {
            Some(s) => schema(s),
            None => {
                self.warn(&param.pointer, "body parameter has no `schema`; any JSON is accepted");
                json!({})
            }
        };
        let types: Vec<&str> =
            if consumes.is_empty() { vec![JSON] } else { consumes.iter().map(String::as_str).collect() };
        let content: Map<String, Value> =
            types.iter().map(|t| ((*t).to_owned(), json!({ "schema": body_schema.clone() }))).collect();
        let mut out = Map::new();
        if let Some(description) = param.get("description") {
            out.insert("description".to_owned(), description.clone());
        }
        out.insert("content".to_owned(), Value::Object(content));
        if param.required() {
            out.insert("required".to_owned(), json!(true));
        }
        if !param.name.is_empty() {
            out.insert("x-codegen-request-body-name".to_owned(), json!(param.name));
        }
        for (key, value) in param.resolved {
            if key.starts_with("x-") {
                out.insert(key.clone(), rewrite_refs(value));
            }
        }
        Value::Object(out)
    }

    fn form(&mut self, params: &[&Param<'_>], consumes: &[String]) -> Value {
        let has_file = params.iter().any(|p| p.get("type").is_some_and(|t| t == "file"));
        let wants = |t: &str| consumes.iter().any(|c| c.split(';').next().unwrap_or_default().trim() == t);
        let media_type = if has_file || (wants(MULTIPART) && !wants(FORM)) { MULTIPART } else { FORM };
        let mut properties = Map::new();
        let mut required = Vec::new();
        let mut encoding = Map::new();
        for param in params {
            let mut property = self.value_schema(param.resolved, &param.pointer);
            if let (Some(description), Value::Object(map)) = (param.get("description"), &mut property) {
                map.insert("description".to_owned(), description.clone());
            }
            let is_array = property.get("type").is_some_and(|t| t == "array");
            if is_array && media_type == FORM {
                let format = param.get("collectionFormat").and_then(Value::as_str).unwrap_or("csv");
                let (style, explode) = match format {
                    "multi" => ("form", true),
                    "ssv" => ("spaceDelimited", false),
                    "pipes" => ("pipeDelimited", false),
                    "csv" => ("form", false),
                    other => {
                        self.warn(
                            &format!("{}/collectionFormat", param.pointer),
                            format!("collection format `{other}` has no OpenAPI 3 style; comma-separated is used"),
                        );
                        ("form", false)
                    }
                };
                encoding.insert(param.name.clone(), json!({ "style": style, "explode": explode }));
            }
            if param.required() {
                required.push(json!(param.name));
            }
            if properties.insert(param.name.clone(), property).is_some() {
                self.warn(
                    &param.pointer,
                    format!("form parameter `{}` is declared twice; the last one is kept", param.name),
                );
            }
        }
        let mut body_schema = Map::new();
        body_schema.insert("type".to_owned(), json!("object"));
        body_schema.insert("properties".to_owned(), Value::Object(properties));
        if !required.is_empty() {
            body_schema.insert("required".to_owned(), Value::Array(required.clone()));
        }
        let mut media = Map::new();
        media.insert("schema".to_owned(), Value::Object(body_schema));
        if !encoding.is_empty() {
            media.insert("encoding".to_owned(), Value::Object(encoding));
        }
        let mut out = Map::new();
        out.insert("content".to_owned(), json!({ media_type: media }));
        if !required.is_empty() {
            out.insert("required".to_owned(), json!(true));
        }
        Value::Object(out)
    }

    fn response(&mut self, response: &Value, produces: &[String], pointer: &str) -> Value {
        if let Some(reference) = response.get("$ref") {
            return json!({ "$ref": reference.as_str().map_or_else(|| reference.clone(), |r| json!(rewrite_ref(r))) });
        }
        let Some(response) = response.as_object() else {
            self.warn(pointer, "response is not an object; replaced by an empty one");
            return json!({ "description": "" });
        };
        let mut out = Map::new();
        let description = response.get("description").and_then(Value::as_str).unwrap_or_default();
        out.insert("description".to_owned(), json!(description));
        if let Some(headers) = response.get("headers") {
            match headers.as_object() {
                Some(headers) => {
                    let mut converted = Map::new();
                    for (name, header) in headers {
                        let header_pointer = format!("{pointer}/headers/{}", pointer::escape(name));
                        let Some(header) = header.as_object() else {
                            self.warn(&header_pointer, "header is not an object; dropped");
                            continue;
                        };
                        let mut h = Map::new();
                        if let Some(description) = header.get("description") {
                            h.insert("description".to_owned(), description.clone());
                        }
                        h.insert("schema".to_owned(), self.value_schema(header, &header_pointer));
                        converted.insert(name.clone(), Value::Object(h));
                    }
                    out.insert("headers".to_owned(), Value::Object(converted));
                }
                None => self.warn(&format!("{pointer}/headers"), "`headers` is not a map; dropped"),
            }
        }
        let mut content = Map::new();
        if let Some(response_schema) = response.get("schema") {
            let converted = schema(response_schema);
            let types: Vec<&str> =
                if produces.is_empty() { vec![JSON] } else { produces.iter().map(String::as_str).collect() };
            for media_type in types {
                content.insert(media_type.to_owned(), json!({ "schema": converted.clone() }));
            }
        }
        if let Some(examples) = response.get("examples").and_then(Value::as_object) {
            for (media_type, example) in examples {
                let entry = content.entry(media_type.clone()).or_insert_with(|| json!({}));
                if let Value::Object(entry) = entry {
                    entry.insert("example".to_owned(), example.clone());
                }
            }
        }
        if !content.is_empty() {
            out.insert("content".to_owned(), Value::Object(content));
        }
        for (key, value) in response {
            if key.starts_with("x-") {
                out.insert(key.clone(), rewrite_refs(value));
            }
        }
        Value::Object(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(document: Value) -> (Value, Vec<ImportWarning>) {
        let mut warnings = Vec::new();
        let upgraded = upgrade(&document, &mut warnings);
        (upgraded, warnings)
    }

    fn petstore() -> Value {
        json!({
            "swagger": "2.0",
            "info": { "title": "Petstore", "version": "1.0" },
            "host": "petstore.swagger.io",
            "basePath": "/v2/",
            "schemes": ["http", "https"],
            "consumes": ["application/json"],
            "produces": ["application/json", "application/xml"],
            "x-logo": { "url": "https://x.example/logo.png" },
            "paths": {
                "/pet": {
                    "post": {
                        "operationId": "addPet",
                        "parameters": [{ "in": "body", "name": "body", "required": true, "schema": { "$ref": "#/definitions/Pet" } }],
                        "responses": { "405": { "description": "Invalid input" } },
                        "security": [{ "petstore_auth": ["write:pets"] }]
                    }
                },
                "/pet/findByStatus": {
                    "get": {
                        "operationId": "findPetsByStatus",
                        "produces": ["application/json"],
                        "parameters": [{
                            "name": "status", "in": "query", "required": true, "type": "array",
                            "items": { "type": "string", "enum": ["available", "sold"] }, "collectionFormat": "multi"
                        }, { "$ref": "#/parameters/limit" }],
                        "responses": {
                            "200": {
                                "description": "ok",
                                "schema": { "type": "array", "items": { "$ref": "#/definitions/Pet" } },
                                "headers": { "X-Rate-Limit": { "type": "integer", "format": "int32" } },
                                "examples": { "application/json": [{ "name": "Rex" }] }
                            },
                            "404": { "$ref": "#/responses/NotFound" }
                        }
                    }
                },
                "/pet/{petId}/uploadImage": {
                    "parameters": [{ "name": "petId", "in": "path", "type": "integer", "format": "int64" }],
                    "post": {
                        "consumes": ["multipart/form-data"],
                        "parameters": [
                            { "name": "additionalMetadata", "in": "formData", "type": "string", "description": "Extra" },
                            { "name": "file", "in": "formData", "type": "file", "required": true }
                        ],
                        "responses": { "200": { "description": "ok", "schema": { "type": "file" } } }
                    }
                }
            },
            "parameters": {
                "limit": { "name": "limit", "in": "query", "type": "integer", "default": 20 },
                "petBody": { "name": "pet", "in": "body", "schema": { "$ref": "#/definitions/Pet" } }
            },
            "responses": { "NotFound": { "description": "Not found", "schema": { "$ref": "#/definitions/Error" } } },
            "securityDefinitions": {
                "petstore_auth": {
                    "type": "oauth2", "flow": "implicit",
                    "authorizationUrl": "https://petstore.swagger.io/oauth/dialog",
                    "scopes": { "write:pets": "modify pets", "read:pets": "read pets" }
                },
                "api_key": { "type": "apiKey", "name": "api_key", "in": "header", "x-note": 1 },
                "basic": { "type": "basic", "description": "User and password" },
                "code": { "type": "oauth2", "flow": "accessCode", "authorizationUrl": "https://x.example/a", "tokenUrl": "https://x.example/t", "scopes": {} },
                "app": { "type": "oauth2", "flow": "application", "tokenUrl": "https://x.example/t" }
            },
            "definitions": {
                "Pet": {
                    "type": "object",
                    "discriminator": "petType",
                    "properties": {
                        "owner": { "$ref": "#/definitions/Owner", "x-nullable": true },
                        "photo": { "type": "file" },
                        "tags": { "type": "array", "items": { "$ref": "#/definitions/Tag" } }
                    }
                },
                "Error": { "type": "object", "example": { "$ref": "#/definitions/NotARef" } }
            }
        })
    }

    #[test]
    fn top_level() {
        let (up, warnings) = run(petstore());
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(up["openapi"], "3.0.3");
        assert_eq!(up["info"]["title"], "Petstore");
        assert_eq!(
            up["servers"],
            json!([{ "url": "https://petstore.swagger.io/v2" }, { "url": "http://petstore.swagger.io/v2" }])
        );
        assert_eq!(up["x-logo"]["url"], "https://x.example/logo.png");
        assert!(up.get("definitions").is_none() && up.get("host").is_none() && up.get("swagger").is_none());
    }

    #[test]
    fn definitions_become_schemas() {
        let (up, _) = run(petstore());
        let pet = &up["components"]["schemas"]["Pet"];
        assert_eq!(pet["discriminator"], json!({ "propertyName": "petType" }));
        assert_eq!(pet["properties"]["owner"], json!({ "$ref": "#/components/schemas/Owner", "nullable": true }));
        assert_eq!(pet["properties"]["photo"], json!({ "type": "string", "format": "binary" }));
        assert_eq!(pet["properties"]["tags"]["items"]["$ref"], "#/components/schemas/Tag");
        // Examples are data: not rewritten.
        assert_eq!(up["components"]["schemas"]["Error"]["example"]["$ref"], "#/definitions/NotARef");
    }

    #[test]
    fn body_parameter_becomes_request_body() {
        let (up, _) = run(petstore());
        let post = &up["paths"]["/pet"]["post"];
        assert_eq!(
            post["requestBody"],
            json!({
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Pet" } } },
                "required": true,
                "x-codegen-request-body-name": "body"
            })
        );
        assert!(post.get("parameters").is_none());
        assert_eq!(post["security"], json!([{ "petstore_auth": ["write:pets"] }]));
        assert_eq!(post["responses"]["405"], json!({ "description": "Invalid input" }));
    }

    #[test]
    fn query_parameters_get_schema_and_style() {
        let (up, _) = run(petstore());
        let get = &up["paths"]["/pet/findByStatus"]["get"];
        assert_eq!(
            get["parameters"][0],
            json!({
                "name": "status", "in": "query", "required": true,
                "schema": { "type": "array", "items": { "type": "string", "enum": ["available", "sold"] } },
                "style": "form", "explode": true
            })
        );
        assert_eq!(get["parameters"][1], json!({ "$ref": "#/components/parameters/limit" }));
        assert_eq!(
            up["components"]["parameters"]["limit"],
            json!({ "name": "limit", "in": "query", "schema": { "type": "integer", "default": 20 } })
        );
        assert!(up["components"]["parameters"].get("petBody").is_none());
    }

    #[test]
    fn responses_get_content() {
        let (up, _) = run(petstore());
        let responses = &up["paths"]["/pet/findByStatus"]["get"]["responses"];
        assert_eq!(
            responses["200"],
            json!({
                "description": "ok",
                "headers": { "X-Rate-Limit": { "schema": { "type": "integer", "format": "int32" } } },
                "content": { "application/json": {
                    "schema": { "type": "array", "items": { "$ref": "#/components/schemas/Pet" } },
                    "example": [{ "name": "Rex" }]
                } }
            })
        );
        assert_eq!(responses["404"], json!({ "$ref": "#/components/responses/NotFound" }));
        let not_found = &up["components"]["responses"]["NotFound"];
        assert_eq!(not_found["content"]["application/xml"]["schema"]["$ref"], "#/components/schemas/Error");
    }

    #[test]
    fn form_parameters_become_multipart() {
        let (up, _) = run(petstore());
        let item = &up["paths"]["/pet/{petId}/uploadImage"];
        assert_eq!(
            item["parameters"],
            json!([{ "name": "petId", "in": "path", "required": true, "schema": { "type": "integer", "format": "int64" } }])
        );
        assert_eq!(
            item["post"]["requestBody"],
            json!({
                "content": { "multipart/form-data": { "schema": {
                    "type": "object",
                    "properties": {
                        "additionalMetadata": { "type": "string", "description": "Extra" },
                        "file": { "type": "string", "format": "binary" }
                    },
                    "required": ["file"]
                } } },
                "required": true
            })
        );
        assert_eq!(
            item["post"]["responses"]["200"]["content"]["application/json"]["schema"],
            json!({ "type": "string", "format": "binary" })
        );
    }

    #[test]
    fn form_parameters_without_files_are_urlencoded() {
        let (up, _) = run(json!({
            "swagger": "2.0",
            "paths": { "/login": { "post": {
                "consumes": ["application/x-www-form-urlencoded", "multipart/form-data"],
                "parameters": [
                    { "name": "user", "in": "formData", "type": "string", "required": true },
                    { "name": "ids", "in": "formData", "type": "array", "items": { "type": "integer" }, "collectionFormat": "multi" }
                ],
                "responses": {}
            } } }
        }));
        let content = &up["paths"]["/login"]["post"]["requestBody"]["content"];
        let form = &content["application/x-www-form-urlencoded"];
        assert_eq!(form["schema"]["required"], json!(["user"]));
        assert_eq!(form["encoding"]["ids"], json!({ "style": "form", "explode": true }));
        assert!(content.get("multipart/form-data").is_none());
    }

    #[test]
    fn collection_formats() {
        let param = |location: &str, format: Option<&str>| {
            let mut p = json!({ "name": "x", "in": location, "type": "array", "items": { "type": "string" } });
            if let Some(format) = format {
                p["collectionFormat"] = json!(format);
            }
            let (up, warnings) = run(json!({
                "swagger": "2.0", "paths": { "/a": { "get": { "parameters": [p], "responses": {} } } }
            }));
            let p = &up["paths"]["/a"]["get"]["parameters"][0];
            (p["style"].as_str().unwrap_or_default().to_owned(), p["explode"].as_bool(), warnings.len())
        };
        assert_eq!(param("query", None), ("form".to_owned(), Some(false), 0));
        assert_eq!(param("query", Some("csv")), ("form".to_owned(), Some(false), 0));
        assert_eq!(param("query", Some("ssv")), ("spaceDelimited".to_owned(), Some(false), 0));
        assert_eq!(param("query", Some("pipes")), ("pipeDelimited".to_owned(), Some(false), 0));
        assert_eq!(param("query", Some("multi")), ("form".to_owned(), Some(true), 0));
        assert_eq!(param("query", Some("tsv")), ("form".to_owned(), Some(false), 1));
        assert_eq!(param("header", None), ("simple".to_owned(), Some(false), 0));
        assert_eq!(param("path", Some("multi")), ("simple".to_owned(), Some(false), 1));
    }

    #[test]
    fn security_definitions() {
        let (up, _) = run(petstore());
        let schemes = &up["components"]["securitySchemes"];
        assert_eq!(
            schemes["petstore_auth"],
            json!({ "type": "oauth2", "flows": { "implicit": {
                "authorizationUrl": "https://petstore.swagger.io/oauth/dialog",
                "scopes": { "write:pets": "modify pets", "read:pets": "read pets" }
            } } })
        );
        assert_eq!(schemes["api_key"], json!({ "type": "apiKey", "name": "api_key", "in": "header", "x-note": 1 }));
        assert_eq!(schemes["basic"], json!({ "type": "http", "scheme": "basic", "description": "User and password" }));
        assert_eq!(
            schemes["code"]["flows"]["authorizationCode"],
            json!({ "authorizationUrl": "https://x.example/a", "tokenUrl": "https://x.example/t", "scopes": {} })
        );
        assert_eq!(
            schemes["app"]["flows"]["clientCredentials"],
            json!({ "tokenUrl": "https://x.example/t", "scopes": {} })
        );
    }

    #[test]
    fn servers_without_host() {
        let (up, _) = run(json!({ "swagger": "2.0", "basePath": "/api", "paths": {} }));
        assert_eq!(up["servers"], json!([{ "url": "/api" }]));
        let (up, _) = run(json!({ "swagger": "2.0", "paths": {} }));
        assert!(up.get("servers").is_none());
        let (up, _) = run(json!({ "swagger": "2.0", "host": "http://api.example.com/", "paths": {} }));
        assert_eq!(up["servers"], json!([{ "url": "http://api.example.com" }]));
    }

    #[test]
    fn path_level_body_is_inherited_unless_overridden() {
        let (up, _) = run(json!({
            "swagger": "2.0",
            "paths": { "/a": {
                "parameters": [{ "name": "b", "in": "body", "schema": { "type": "object" } }],
                "put": { "responses": {} },
                "post": { "parameters": [{ "name": "b", "in": "body", "schema": { "type": "string" } }], "responses": {} }
            } }
        }));
        let item = &up["paths"]["/a"];
        assert!(item.get("parameters").is_none());
        assert_eq!(item["put"]["requestBody"]["content"]["application/json"]["schema"]["type"], "object");
        assert_eq!(item["post"]["requestBody"]["content"]["application/json"]["schema"]["type"], "string");
    }

    #[test]
    fn dropped_things_warn() {
        let (_, warnings) = run(json!({
            "swagger": "2.0",
            "schemes": ["ws"],
            "bogus": 1,
            "paths": { "/a": {
                "get": {
                    "schemes": ["http"],
                    "weird": 1,
                    "parameters": [
                        { "name": "c", "in": "cookie", "type": "string" },
                        { "$ref": "#/parameters/missing" },
                        { "in": "query", "type": "string" },
                        { "name": "b1", "in": "body", "schema": {} },
                        { "name": "b2", "in": "body", "schema": {} },
                        { "name": "f", "in": "formData", "type": "string" }
                    ],
                    "responses": {}
                },
                "post": "no",
                "summary": "not in 2.0"
            } }
        }));
        let pointers: Vec<&str> = warnings.iter().map(|w| w.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/schemes",
                "/bogus",
                "/paths/~1a/get/parameters/0",
                "/paths/~1a/get/parameters/1",
                "/paths/~1a/get/parameters/2",
                "/paths/~1a/get/schemes",
                "/paths/~1a/get/weird",
                "/paths/~1a/get/parameters/4",
                "/paths/~1a/get/parameters/5",
                "/paths/~1a/post",
                "/paths/~1a/summary",
            ],
            "{warnings:#?}"
        );
    }

    #[test]
    fn path_item_refs_are_inlined() {
        let (up, _) = run(json!({
            "swagger": "2.0",
            "paths": { "/a": { "$ref": "#/x-bundled/a" }, "/b": { "$ref": "other.yaml#/b" } },
            "x-bundled": { "a": { "get": { "parameters": [{ "name": "q", "in": "query", "type": "string" }], "responses": {} } } }
        }));
        assert_eq!(up["paths"]["/a"]["get"]["parameters"][0]["schema"], json!({ "type": "string" }));
        assert_eq!(up["paths"]["/b"], json!({ "$ref": "other.yaml#/b" }));
    }

    #[test]
    fn wrong_types_everywhere() {
        let documents = [
            json!(null),
            json!([]),
            json!({ "swagger": "2.0", "paths": [], "definitions": 1, "parameters": [], "responses": "x", "securityDefinitions": 2 }),
            json!({ "swagger": "2.0", "host": 1, "basePath": [], "schemes": "https", "consumes": 1, "produces": {} }),
            json!({ "swagger": "2.0", "paths": { "/a": 1, "/b": { "get": [], "parameters": {} } } }),
            json!({ "swagger": "2.0", "paths": { "/a": { "get": { "parameters": [1, null, [], { "in": 1 }], "responses": [] } } } }),
            json!({ "swagger": "2.0", "paths": { "/a": { "get": { "responses": { "200": 1, "201": { "schema": 1, "headers": 1, "examples": 1 } } } } } }),
            json!({ "swagger": "2.0", "paths": { "/a": { "get": { "responses": { "200": { "headers": { "h": 1, "i": { "type": [] } } } } } } } }),
            json!({ "swagger": "2.0", "paths": { "/a": { "get": { "parameters": [{ "name": "x", "in": "query", "type": "array", "items": 1 }] } } } }),
            json!({ "swagger": "2.0", "paths": { "/a": { "get": { "parameters": [{ "name": "x", "in": "body" }] } } } }),
            json!({ "swagger": "2.0", "paths": { "/a": { "get": { "parameters": [{ "$ref": 5 }, { "$ref": "#/paths" }] } } } }),
            json!({ "swagger": "2.0", "securityDefinitions": { "a": 1, "b": { "type": "oauth2" }, "c": { "type": 1 } } }),
            json!({ "swagger": "2.0", "definitions": { "A": { "properties": 1, "items": 1, "allOf": 1, "discriminator": 1, "x-nullable": "yes" } } }),
            json!({ "swagger": "2.0", "paths": { "/a": { "$ref": "#/paths/~1a" } } }),
            json!({ "swagger": "2.0", "parameters": { "p": { "$ref": "#/parameters/p" } } }),
        ];
        for document in documents {
            let _ = run(document);
        }
    }

    #[test]
    fn deep_items_are_converted() {
        let (up, _) = run(json!({
            "swagger": "2.0",
            "paths": { "/a": { "get": { "parameters": [{
                "name": "m", "in": "query", "type": "array",
                "items": { "type": "array", "items": { "type": "integer" }, "collectionFormat": "pipes" }
            }], "responses": {} } } }
        }));
        assert_eq!(
            up["paths"]["/a"]["get"]["parameters"][0]["schema"],
            json!({ "type": "array", "items": { "type": "array", "items": { "type": "integer" } } })
        );
    }

    /// JSON built from OpenAPI words, so that random documents reach deep code.
    fn arbitrary_json() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        const WORDS: &[&str] = &[
            "swagger",
            "2.0",
            "openapi",
            "paths",
            "/a",
            "/a/{id}",
            "get",
            "post",
            "parameters",
            "in",
            "name",
            "body",
            "formData",
            "query",
            "path",
            "header",
            "cookie",
            "type",
            "array",
            "file",
            "string",
            "object",
            "items",
            "collectionFormat",
            "multi",
            "ssv",
            "tsv",
            "schema",
            "$ref",
            "#/parameters/p",
            "#/definitions/D",
            "#/responses/R",
            "#/paths/~1a",
            "#",
            "definitions",
            "D",
            "p",
            "R",
            "responses",
            "200",
            "default",
            "securityDefinitions",
            "securitySchemes",
            "components",
            "flow",
            "flows",
            "accessCode",
            "application",
            "implicit",
            "authorizationCode",
            "clientCredentials",
            "oauth2",
            "apiKey",
            "basic",
            "http",
            "bearer",
            "tokenUrl",
            "authorizationUrl",
            "/token",
            "https://x.example/t",
            "scopes",
            "servers",
            "url",
            "variables",
            "enum",
            "security",
            "consumes",
            "produces",
            "multipart/form-data",
            "application/x-www-form-urlencoded",
            "host",
            "basePath",
            "schemes",
            "https",
            "headers",
            "examples",
            "required",
            "discriminator",
            "x-nullable",
            "properties",
            "allOf",
            "{v}",
            "https://{v}.x.example:{p}/{w}",
            "x-bundled",
        ];
        let word = proptest::sample::select(WORDS).prop_map(str::to_owned);
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            (-3i64..300).prop_map(Value::from),
            word.clone().prop_map(Value::from),
            "\\PC{0,6}".prop_map(Value::from),
        ];
        leaf.prop_recursive(6, 120, 6, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                proptest::collection::vec((word.clone(), inner), 0..7)
                    .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config { cases: 512, ..Default::default() })]
        #[test]
        fn any_document_is_total(mut document in arbitrary_json(), swagger in proptest::bool::ANY) {
            if swagger {
                if let Value::Object(map) = &mut document {
                    map.insert("swagger".to_owned(), json!("2.0"));
                }
            }
            let mut warnings = Vec::new();
            let upgraded = upgrade(&document, &mut warnings);
            for value in [&document, &upgraded] {
                let _ = super::super::auth::schemes(value, &mut warnings);
                let (url, _) = super::super::servers::base_url(value, &mut warnings);
                proptest::prop_assert!(url.starts_with("http"));
            }
        }
    }
}
