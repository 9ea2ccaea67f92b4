//! Operations → tools, and the toolkit around them.

use indexmap::IndexMap;
use serde_json::{json, Map, Value};

use toolsmith_spec::pointer;

use super::document::percent_decode;
use super::keys::Supplied;
use super::methods::{tool_method, OPERATION_KEYS};
use super::names::{tool_name, PropertyNames, SlugAllocator};
use super::schema::{Normalizer, Side};
use super::{auth, servers, swagger2, text, Document, ImportError, ImportOptions, ImportWarning};
use crate::{
    AuthScheme, ConnectionField, Deprecation, HttpBinding, InputSchema, Method, NoAuth, ObjectType, Param,
    ParamLocation, ParamStyle, Tag, Tool, Toolkit, Version, MIN_DESCRIPTION,
};

/// A document converted into a toolkit, not yet validated.
pub(crate) struct Converted {
    /// The toolkit.
    pub(crate) toolkit: Toolkit,
    /// Where each tool came from: `pointers[i]` is the operation of `toolkit.tools[i]`.
    pub(crate) pointers: Vec<String>,
    /// What was skipped or changed.
    pub(crate) warnings: Vec<ImportWarning>,
    /// Operations in the document.
    pub(crate) operations: usize,
}

/// Converts a whole document.
pub(crate) fn convert(document: &Document, options: &ImportOptions) -> Result<Converted, ImportError> {
    let mut warnings = document.warnings.clone();
    let root = &document.root;
    let version_of = |key: &str| match root.get(key) {
        Some(Value::String(v)) => Some(v.clone()),
        Some(Value::Number(v)) => Some(v.to_string()),
        _ => None,
    };
    let (swagger, version) = (version_of("swagger"), version_of("openapi"));
    let upgraded;
    let doc = match (swagger.as_deref(), version.as_deref()) {
        (Some(v), _) if v.starts_with('2') => {
            upgraded = swagger2::upgrade(root, &mut warnings);
            &upgraded
        }
        (_, Some(v)) if v.starts_with('3') => root,
        (Some(v), _) => return Err(ImportError::NotOpenApi(format!("swagger {v}"))),
        (_, Some(v)) => return Err(ImportError::NotOpenApi(format!("openapi {v}"))),
        _ => return Err(ImportError::NotOpenApi("no `openapi` or `swagger` version".into())),
    };

    let (base_url, server_fields) = servers::base_url(doc, &mut warnings);
    let mut auth = auth::schemes(doc, &mut warnings);
    if auth.is_empty() {
        auth.push(AuthScheme::None(NoAuth::default()));
    }
    for scheme in &mut auth {
        add_fields(scheme, &server_fields);
    }

    let prefix = options.slug.tool_prefix();
    let mut slugs = SlugAllocator::new(&prefix);
    let mut schemas = Normalizer::new(doc);
    let mut tools = Vec::new();
    let mut pointers = Vec::new();
    let mut operations = 0;
    let empty = Map::new();
    let paths = doc.get("paths").and_then(Value::as_object).unwrap_or(&empty);
    for (path, item) in paths {
        let item_pointer = pointer::child("/paths", path);
        let item = resolve_ref(doc, item);
        let Some(item) = item.as_object() else { continue };
        for key in OPERATION_KEYS {
            let Some(operation) = item.get(key) else { continue };
            operations += 1;
            let pointer = format!("{item_pointer}/{key}");
            let method = match tool_method(key) {
                Ok(method) => method,
                Err(message) => {
                    warnings.push(ImportWarning { pointer, message });
                    continue;
                }
            };
            let Some(operation) = operation.as_object() else {
                warnings.push(ImportWarning { pointer, message: "operation is not an object; skipped".into() });
                continue;
            };
            let built = OperationBuilder { doc, path, item, operation, method, pointer: &pointer }.build(
                &mut slugs,
                &mut schemas,
                &mut warnings,
            );
            tools.push(built);
            pointers.push(pointer);
        }
    }

    let info = doc.get("info");
    let title = info.and_then(|i| i.get("title")).and_then(Value::as_str).map(|t| text::clean(t, 60));
    let name = title.filter(|t| !t.is_empty()).unwrap_or_else(|| options.slug.as_str().to_owned());
    let mut description =
        info.and_then(|i| i.get("description")).and_then(Value::as_str).map_or(String::new(), |d| text::clean(d, 600));
    if description.chars().count() < MIN_DESCRIPTION {
        description =
            format!("{name}: tools imported from its OpenAPI description ({} operations). {description}", operations)
                .trim()
                .to_owned();
    }
    let docs_url = doc
        .pointer("/externalDocs/url")
        .and_then(Value::as_str)
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
        .map(str::to_owned);
    let toolkit = Toolkit {
        slug: options.slug.clone(),
        name,
        description,
        version: options.version.clone().unwrap_or_else(today),
        categories: Vec::new(),
        logo_url: None,
        docs_url,
        base_url,
        headers: IndexMap::new(),
        rate_limit: None,
        retry: None,
        pagination: None,
        auth,
        openapi: None,
        tools,
        triggers: Vec::new(),
        definitions: schemas.defs,
    };
    Ok(Converted { toolkit, pointers, warnings, operations })
}

/// Declares the server-variable fields on an auth scheme (every scheme must declare
/// what the base URL template uses). Implied fields (`api_key`, `token`, …) are
/// declared too, since declaring any field replaces them.
fn add_fields(scheme: &mut AuthScheme, fields: &[ConnectionField]) {
    if fields.is_empty() {
        return;
    }
    let mut all = scheme.connection_fields();
    for field in fields {
        if !all.iter().any(|f| f.name == field.name) {
            all.push(field.clone());
        }
    }
    *scheme.declared_fields_mut() = all;
}

struct OperationBuilder<'a> {
    doc: &'a Value,
    path: &'a str,
    item: &'a Map<String, Value>,
    operation: &'a Map<String, Value>,
    method: Method,
    pointer: &'a str,
}

impl OperationBuilder<'_> {
    fn build(self, slugs: &mut SlugAllocator, inputs: &mut Normalizer<'_>, warnings: &mut Vec<ImportWarning>) -> Tool {
        let operation_id = self.operation.get("operationId").and_then(Value::as_str);
        let slug = slugs.tool_slug(operation_id, self.method.as_str(), self.path);
        let mut names = PropertyNames::default();
        let mut properties: IndexMap<String, Param> = IndexMap::new();
        let mut required = Vec::new();
        // `/rest?method=x.y` and AWS's `/#Action=X`: the path key carries query pairs
        // (in a fragment to keep keys unique). The request path ends before them.
        let (route, fixed_query) = split_path_key(self.path);
        let mut path = route.to_owned();
        // `?filename={filename}` with `filename` declared `in: path`: the parameter is
        // sent in the query, under the pair's name.
        let query_templates: Vec<(&str, &str)> = fixed_query
            .iter()
            .filter_map(|&(key, value)| Some((value.strip_prefix('{')?.strip_suffix('}')?, key)))
            .filter(|(var, _)| !route.contains(&format!("{{{var}}}")))
            .collect();

        // Parameters: path-level, overridden by operation-level of the same name and place.
        let mut params: Vec<(String, &Value)> = Vec::new();
        for (source, list) in [("", self.item.get("parameters")), ("op", self.operation.get("parameters"))] {
            for (i, p) in list.and_then(Value::as_array).into_iter().flatten().enumerate() {
                let pointer = if source.is_empty() {
                    format!("{}/parameters/{i}", self.pointer.rsplit_once('/').map_or("", |(a, _)| a))
                } else {
                    format!("{}/parameters/{i}", self.pointer)
                };
                let resolved = resolve_ref(self.doc, p);
                let key = (resolved.get("name").and_then(Value::as_str), resolved.get("in").and_then(Value::as_str));
                params.retain(|(_, q)| {
                    let q = resolve_ref(self.doc, q);
                    (q.get("name").and_then(Value::as_str), q.get("in").and_then(Value::as_str)) != key
                });
                params.push((pointer, resolved));
            }
        }
        // Credentials the runtime sends from the connected account are no inputs.
        let supplied = Supplied::of(self.doc, self.operation);
        for (pointer, param) in params {
            let (Some(api_name), Some(location)) =
                (param.get("name").and_then(Value::as_str), param.get("in").and_then(Value::as_str))
            else {
                warnings.push(ImportWarning { pointer, message: "parameter without `name` or `in`; skipped".into() });
                continue;
            };
            let (location, api_name) = match query_templates.iter().find(|(var, _)| *var == api_name) {
                Some(&(_, key)) if location == "path" => ("query", key),
                _ => (location, api_name),
            };
            if supplied.contains(location, api_name) {
                continue;
            }
            let location = match location {
                "path" => ParamLocation::Path,
                "query" => ParamLocation::Query,
                "header" => ParamLocation::Header,
                other => {
                    warnings.push(ImportWarning {
                        pointer,
                        message: format!("`{api_name}` is a {other} parameter, which tools cannot send; skipped"),
                    });
                    continue;
                }
            };
            if location == ParamLocation::Header
                && ["authorization", "content-type", "accept"].contains(&api_name.to_ascii_lowercase().as_str())
            {
                continue; // set by the runtime
            }
            let schema_source = param
                .get("schema")
                .or_else(|| {
                    param
                        .get("content")
                        .and_then(Value::as_object)
                        .and_then(|c| c.values().next())
                        .and_then(|m| m.get("schema"))
                })
                .cloned()
                .unwrap_or_else(|| json!({"type": "string"}));
            let mut schema = inputs.normalize(&schema_source, &format!("{pointer}/schema"), Side::Request);
            if let Some(d) = param.get("description").and_then(Value::as_str) {
                let d = text::clean(d, 400);
                if !d.is_empty() {
                    if let Value::Object(m) = &mut schema {
                        m.insert("description".into(), Value::String(d));
                    }
                }
            }
            let name = names.claim(api_name);
            let is_required = location == ParamLocation::Path || param.get("required") == Some(&Value::Bool(true));
            if location == ParamLocation::Path {
                path = path.replace(&format!("{{{api_name}}}"), &format!("{{{name}}}"));
            }
            if is_required {
                required.push(name.clone());
            }
            let style = param.get("style").and_then(Value::as_str).and_then(style);
            properties.insert(
                name.clone(),
                Param {
                    location: Some(location),
                    wire_name: (name != api_name).then(|| api_name.to_owned()),
                    from: None,
                    style,
                    explode: param.get("explode").and_then(Value::as_bool),
                    allow_reserved: param.get("allowReserved") == Some(&Value::Bool(true)),
                    schema: into_map(schema),
                },
            );
        }
        // Query pairs of the path key that no parameter declares.
        for (api_name, value) in fixed_query {
            let declared = properties.iter().any(|(name, p)| p.wire_name.as_deref().unwrap_or(name) == api_name);
            if declared || supplied.contains("query", api_name) {
                continue;
            }
            let name = names.claim(api_name);
            let schema = match value.strip_prefix('{').and_then(|v| v.strip_suffix('}')) {
                Some(var) => json!({"type": "string", "description": format!("The `{var}` query parameter")}),
                None => json!({"type": "string", "enum": [value], "default": value,
                               "description": format!("Always `{value}` (part of the operation's path).")}),
            };
            required.push(name.clone());
            properties.insert(
                name.clone(),
                Param {
                    location: Some(ParamLocation::Query),
                    wire_name: (name != api_name).then(|| api_name.to_owned()),
                    from: None,
                    style: None,
                    explode: None,
                    allow_reserved: false,
                    schema: into_map(schema),
                },
            );
        }
        // Every `{var}` of the path has an argument.
        for var in crate::placeholders(&path.clone()).map(str::to_owned).collect::<Vec<_>>() {
            if !properties.contains_key(&var) {
                let name = names.claim(&var);
                path = path.replace(&format!("{{{var}}}"), &format!("{{{name}}}"));
                warnings.push(ImportWarning {
                    pointer: self.pointer.to_owned(),
                    message: format!("path parameter `{var}` is not declared; added as a required string"),
                });
                required.push(name.clone());
                properties.insert(
                    name.clone(),
                    Param {
                        location: Some(ParamLocation::Path),
                        wire_name: None,
                        from: None,
                        style: None,
                        explode: None,
                        allow_reserved: false,
                        schema: into_map(
                            json!({"type": "string", "description": format!("The `{var}` part of the path")}),
                        ),
                    },
                );
            }
        }

        let content_type = self.body(inputs, &mut names, &mut properties, &mut required, warnings);

        let output = self.output(inputs);
        warnings.append(&mut inputs.warnings);
        let summary = self.operation.get("summary").and_then(Value::as_str);
        let name = tool_name(summary, self.method.as_str(), self.path);
        let description = self.description(summary);
        Tool {
            slug,
            name,
            description,
            http: HttpBinding { method: self.method, path, content_type },
            input: InputSchema {
                ty: ObjectType::Object,
                required,
                properties,
                defs: IndexMap::new(),
                additional_properties: None,
            },
            output,
            tags: tags(self.method),
            scopes: self.scopes(),
            deprecated: (self.operation.get("deprecated") == Some(&Value::Bool(true)))
                .then(|| Deprecation { reason: "Marked deprecated in the API description.".into(), replaced_by: None }),
            examples: Vec::new(),
            hints: Default::default(),
            pagination: None,
            // Marked `imported` by the overlay; `toolsmith import openapi` writes curated YAML.
            origin: Default::default(),
        }
    }

    /// The request body's parameters; returns the content type of a raw body.
    fn body(
        &self,
        inputs: &mut Normalizer<'_>,
        names: &mut PropertyNames,
        properties: &mut IndexMap<String, Param>,
        required: &mut Vec<String>,
        warnings: &mut Vec<ImportWarning>,
    ) -> Option<String> {
        let pointer = format!("{}/requestBody", self.pointer);
        let body = resolve_ref(self.doc, self.operation.get("requestBody")?);
        let content = body.get("content").and_then(Value::as_object)?;
        let body_required = body.get("required") == Some(&Value::Bool(true));
        let (media, media_object) = pick_media(content)?;
        let media_pointer = pointer::child(&format!("{pointer}/content"), media);
        let schema_source = media_object.get("schema").cloned().unwrap_or_else(|| json!({}));
        let kind = media_kind(media);
        if content.len() > 1 {
            warnings.push(ImportWarning {
                pointer: pointer.clone(),
                message: format!("several media types; the tool sends `{media}`"),
            });
        }
        let location = match kind {
            MediaKind::Json => ParamLocation::Body,
            // A form body on GET, HEAD or DELETE (Stripe's spec has them): the same
            // encoding in the query string, which every server and proxy keeps.
            MediaKind::Form if matches!(self.method, Method::Get | Method::Head | Method::Delete) => {
                ParamLocation::Query
            }
            MediaKind::Form => ParamLocation::Form,
            MediaKind::Multipart => ParamLocation::Multipart,
            MediaKind::Binary | MediaKind::Text => {
                let mut schema = if kind == MediaKind::Binary {
                    json!({"type": "string", "contentEncoding": "base64", "description": format!("The `{media}` content, base64-encoded")})
                } else {
                    json!({"type": "string", "description": format!("The `{media}` content")})
                };
                if let Some(d) = body.get("description").and_then(Value::as_str) {
                    schema["description"] = Value::String(text::clean(d, 400));
                }
                self.single_body(names, properties, required, schema, body_required);
                return Some(media.to_owned());
            }
        };
        // Flatten an object body into parameters, so an agent fills named fields.
        let resolved = inputs.resolve(&schema_source).clone();
        let flat = resolved.get("properties").and_then(Value::as_object).filter(|_| {
            resolved.get("type").is_none_or(|t| t == "object")
                && !["allOf", "anyOf", "oneOf"].iter().any(|k| resolved.get(*k).is_some())
                && resolved
                    .get("additionalProperties")
                    .is_none_or(|a| a == &Value::Bool(false) || kind != MediaKind::Json)
        });
        let Some(fields) = flat else {
            if kind != MediaKind::Json {
                warnings.push(ImportWarning {
                    pointer: media_pointer.clone(),
                    message: format!("`{media}` body is not an object with properties; sent as one JSON value"),
                });
            }
            let schema = inputs.normalize(&schema_source, &format!("{media_pointer}/schema"), Side::Request);
            self.single_body(names, properties, required, schema, body_required);
            let json_media = if kind == MediaKind::Json { media } else { "application/json" };
            return Some(json_media.to_owned());
        };
        let body_required_fields: Vec<&str> = resolved
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        for (api_name, field) in fields {
            let field_resolved = inputs.resolve(field);
            if field_resolved.get("readOnly") == Some(&Value::Bool(true)) {
                continue;
            }
            let field_pointer = pointer::child(&format!("{media_pointer}/schema/properties"), api_name);
            let mut schema = inputs.normalize(field, &field_pointer, Side::Request);
            if location == ParamLocation::Multipart
                && field_resolved.get("format").and_then(Value::as_str) == Some("binary")
            {
                schema = json!({"type": "string", "contentEncoding": "base64", "description":
                    schema.get("description").and_then(Value::as_str).unwrap_or("File content, base64-encoded")});
            }
            let name = names.claim(api_name);
            if body_required && body_required_fields.contains(&api_name.as_str()) {
                required.push(name.clone());
            }
            let nested =
                field_resolved.get("type") == Some(&json!("object")) || field_resolved.get("properties").is_some();
            properties.insert(
                name.clone(),
                Param {
                    location: Some(location),
                    wire_name: (name != *api_name).then(|| api_name.clone()),
                    from: None,
                    style: (matches!(location, ParamLocation::Form | ParamLocation::Query) && nested)
                        .then_some(ParamStyle::DeepObject),
                    explode: None,
                    allow_reserved: false,
                    schema: into_map(schema),
                },
            );
        }
        None
    }

    fn single_body(
        &self,
        names: &mut PropertyNames,
        properties: &mut IndexMap<String, Param>,
        required: &mut Vec<String>,
        schema: Value,
        body_required: bool,
    ) {
        let name = names.claim("body");
        if body_required {
            required.push(name.clone());
        }
        let mut schema = into_map(schema);
        schema.entry("description").or_insert_with(|| Value::String("The request body".into()));
        properties.insert(
            name,
            Param {
                location: Some(ParamLocation::Body),
                wire_name: None,
                from: None,
                style: None,
                explode: None,
                allow_reserved: false,
                schema,
            },
        );
    }

    /// The output schema: the first success response with a JSON schema.
    fn output(&self, schemas: &mut Normalizer<'_>) -> Option<Value> {
        let responses = self.operation.get("responses")?.as_object()?;
        let mut codes: Vec<&String> = responses.keys().filter(|c| c.starts_with('2')).collect();
        codes.sort();
        for code in codes {
            let response = resolve_ref(self.doc, &responses[code]);
            let Some(content) = response.get("content").and_then(Value::as_object) else { continue };
            let Some((media, media_object)) = content.iter().find(|(m, _)| media_kind(m) == MediaKind::Json) else {
                continue;
            };
            let schema = media_object.get("schema")?;
            let pointer =
                format!("{}/schema", pointer::child(&format!("{}/responses/{code}/content", self.pointer), media));
            return Some(schemas.normalize(schema, &pointer, Side::Response));
        }
        None
    }

    fn description(&self, summary: Option<&str>) -> String {
        let summary = summary.map(|s| text::clean(s, 200)).unwrap_or_default();
        let details =
            self.operation.get("description").and_then(Value::as_str).map(|d| text::clean(d, 800)).unwrap_or_default();
        let mut text = if details.is_empty() {
            summary
        } else if summary.is_empty() || details.starts_with(summary.trim_end_matches('.')) {
            details
        } else {
            format!("{}. {details}", summary.trim_end_matches('.'))
        };
        if text.chars().count() < MIN_DESCRIPTION {
            let id = self.operation.get("operationId").and_then(Value::as_str);
            let call = match id {
                Some(id) => format!("Calls {} {} (operation `{id}` of the API).", self.method.as_str(), self.path),
                None => format!("Calls {} {} of the API.", self.method.as_str(), self.path),
            };
            text = if text.is_empty() { call } else { format!("{}. {call}", text.trim_end_matches('.')) };
        }
        text
    }

    /// OAuth scopes the operation's security requirements list.
    fn scopes(&self) -> Vec<String> {
        let requirements = self.operation.get("security").or_else(|| self.doc.get("security"));
        let mut scopes: Vec<String> = requirements
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
            .flat_map(|r| r.values())
            .filter_map(Value::as_array)
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        scopes.sort();
        scopes.dedup();
        scopes
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum MediaKind {
    Json,
    Form,
    Multipart,
    Binary,
    Text,
}

fn media_kind(media: &str) -> MediaKind {
    let media = media.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if media == "application/x-www-form-urlencoded" {
        MediaKind::Form
    } else if media.starts_with("multipart/") {
        MediaKind::Multipart
    } else if media.contains("json") || media == "*/*" || media == "application/*" {
        MediaKind::Json
    } else if media.starts_with("text/") || media.ends_with("xml") || media.contains("graphql") {
        MediaKind::Text
    } else {
        MediaKind::Binary
    }
}

/// The media type a tool sends: JSON first, then form, multipart, others.
fn pick_media(content: &Map<String, Value>) -> Option<(&str, &Value)> {
    let rank = |m: &str| match media_kind(m) {
        MediaKind::Json => 0,
        MediaKind::Form => 1,
        MediaKind::Multipart => 2,
        MediaKind::Text => 3,
        MediaKind::Binary => 4,
    };
    content.iter().min_by_key(|(m, _)| rank(m)).map(|(m, v)| (m.as_str(), v))
}

fn style(name: &str) -> Option<ParamStyle> {
    Some(match name {
        "form" => ParamStyle::Form,
        "spaceDelimited" => ParamStyle::SpaceDelimited,
        "pipeDelimited" => ParamStyle::PipeDelimited,
        "deepObject" => ParamStyle::DeepObject,
        "simple" => ParamStyle::Simple,
        "matrix" => ParamStyle::Matrix,
        "label" => ParamStyle::Label,
        _ => return None,
    })
}

fn tags(method: Method) -> Vec<Tag> {
    match method {
        Method::Get | Method::Head | Method::Options => vec![Tag::ReadOnly],
        Method::Delete => vec![Tag::Destructive, Tag::Idempotent],
        Method::Put => vec![Tag::Idempotent],
        Method::Post | Method::Patch => Vec::new(),
    }
}

/// Follows `$ref`s of non-schema objects (parameters, bodies, responses, path items).
fn resolve_ref<'v>(doc: &'v Value, value: &'v Value) -> &'v Value {
    let mut current = value;
    for _ in 0..16 {
        match current.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) {
            Some(p) => match doc.pointer(&percent_decode(p)) {
                Some(target) => current = target,
                None => return current,
            },
            None => return current,
        }
    }
    current
}

/// Splits a path key into the request path and the `name=value` pairs of its query
/// and fragment parts (`/rest?method=a.b` → `/rest`, `[("method", "a.b")]`).
fn split_path_key(key: &str) -> (&str, Vec<(&str, &str)>) {
    let Some(at) = key.find(['?', '#']) else { return (key, Vec::new()) };
    let pairs = key[at + 1..]
        .split(['?', '#', '&', ';'])
        .filter_map(|pair| pair.split_once('='))
        .filter(|(name, _)| !name.is_empty())
        .collect();
    (&key[..at], pairs)
}

fn into_map(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        Value::Bool(true) => Map::new(),
        other => {
            let mut map = Map::new();
            map.insert("allOf".into(), Value::Array(vec![other]));
            map
        }
    }
}

/// Today's date as a version, `YYYYMMDD_00`.
fn today() -> Version {
    let days =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() / 86_400) as i64;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    Version::new(format!("{year:04}{month:02}{day:02}_00"))
}
