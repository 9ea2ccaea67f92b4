//! Tools: one API operation each, with its typed input and output.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{Method, Pagination, ToolSlug};

/// One tool: an operation of the toolkit's API that an agent can call.
///
/// ```
/// let yaml = r#"
/// slug: EXAMPLE_GET_THING
/// name: Get a thing
/// description: Returns one thing by its id. Use it after EXAMPLE_LIST_THINGS.
/// http: { method: GET, path: "/things/{id}" }
/// input:
///   type: object
///   required: [id]
///   properties:
///     id: { type: string, in: path, description: Id of the thing }
/// "#;
/// let tool: toolsmith_spec::Tool = serde_yaml::from_str(yaml).unwrap();
/// assert_eq!(tool.http.path_params().collect::<Vec<_>>(), ["id"]);
/// ```
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tool {
    /// `TOOLKIT_VERB_OBJECT`, upper snake case, at most 64 characters.
    pub slug: ToolSlug,
    /// Short human name (`Create an issue`).
    pub name: String,
    /// What it does, when to use it, which ids it needs and where they come from.
    pub description: String,
    /// The HTTP operation behind the tool.
    pub http: HttpBinding,
    /// Arguments, as a JSON Schema object whose top-level properties say where they go.
    pub input: InputSchema,
    /// JSON Schema of the response's `data`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Map<String, Value>>")]
    pub output: Option<Value>,
    /// MCP hints and `important`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    /// OAuth scopes the call needs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scopes: Vec<String>,
    /// Set when the tool should no longer be used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecated: Option<Deprecation>,
    /// Sample calls; each must satisfy the input schema.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<Example>,
    /// Advice for an agent using the tool.
    #[serde(default, skip_serializing_if = "Hints::is_empty")]
    pub hints: Hints,
    /// Pagination of this tool, when it differs from the toolkit's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pagination: Option<Pagination>,
    /// Where the tool comes from. Set by the loader for the tools of an `openapi:`
    /// overlay; not written by hand (the published JSON Schema leaves it out).
    #[serde(default, skip_serializing_if = "Origin::is_curated")]
    #[schemars(skip)]
    pub origin: Origin,
}

/// Where a tool comes from: written by hand in the toolkit's YAML, or imported from its
/// OpenAPI document by an `openapi:` overlay. Search prefers a curated tool to an
/// imported one that does the same operation.
///
/// ```
/// assert!(toolsmith_spec::Origin::default().is_curated());
/// assert_eq!(serde_json::to_value(toolsmith_spec::Origin::Imported).unwrap(), "imported");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// Written by hand (the default).
    #[default]
    Curated,
    /// Imported from the toolkit's OpenAPI document.
    Imported,
}

impl Origin {
    /// Whether the tool was written by hand.
    pub fn is_curated(&self) -> bool {
        *self == Origin::Curated
    }
}

/// The HTTP side of a tool.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HttpBinding {
    /// HTTP method.
    pub method: Method,
    /// Path template relative to the base URL; `{name}` is a path parameter.
    pub path: String,
    /// Content type of a raw body, when it is neither JSON, form nor multipart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
}

impl HttpBinding {
    /// The `{name}` placeholders of the path template, in order.
    pub fn path_params(&self) -> impl Iterator<Item = &str> {
        placeholders(&self.path)
    }
}

/// The `{name}` placeholders of a template, in order.
///
/// ```
/// let names: Vec<_> = toolsmith_spec::placeholders("https://{subdomain}.example.com/{v}").collect();
/// assert_eq!(names, ["subdomain", "v"]);
/// ```
pub fn placeholders(template: &str) -> impl Iterator<Item = &str> {
    template.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
}

/// A tool's input: a JSON Schema object whose top-level properties are parameters.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InputSchema {
    /// Always `object`.
    #[serde(rename = "type")]
    pub ty: ObjectType,
    /// Names of the parameters that must be given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub required: Vec<String>,
    /// The parameters, by name.
    #[serde(default)]
    pub properties: IndexMap<String, Param>,
    /// Shared sub-schemas, referenced as `#/$defs/Name`.
    #[serde(rename = "$defs", default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(with = "IndexMap<String, Map<String, Value>>")]
    pub defs: IndexMap<String, Value>,
    /// Whether arguments not listed are accepted (never, by default).
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "additionalProperties")]
    pub additional_properties: Option<bool>,
}

impl InputSchema {
    /// The canonical JSON Schema (2020-12) of the arguments: the spec's schema without
    /// the placement keys (`in`, `wire_name`, `from`, `style`, `explode`, `allow_reserved`).
    pub fn json_schema(&self) -> Value {
        let mut root = Map::new();
        root.insert("type".into(), "object".into());
        let props: Map<String, Value> =
            self.properties.iter().map(|(name, p)| (name.clone(), Value::Object(p.schema.clone()))).collect();
        root.insert("properties".into(), Value::Object(props));
        if !self.required.is_empty() {
            root.insert("required".into(), self.required.iter().cloned().map(Value::String).collect());
        }
        root.insert("additionalProperties".into(), self.additional_properties.unwrap_or(false).into());
        if !self.defs.is_empty() {
            root.insert("$defs".into(), Value::Object(self.defs.clone().into_iter().collect()));
        }
        Value::Object(root)
    }
}

/// The constant `object`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ObjectType {
    /// `object`
    #[default]
    Object,
}

/// A top-level parameter: where it goes on the wire, plus its JSON Schema.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
pub struct Param {
    /// Where the value goes.
    #[serde(rename = "in", default, skip_serializing_if = "Option::is_none")]
    pub location: Option<ParamLocation>,
    /// Name on the wire when it differs from the property name (`page[size]`, `X-Request-Id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wire_name: Option<String>,
    /// Which tool produces this value: `GITHUB_LIST_REPOS $[*].owner.login`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Provenance>,
    /// Serialization style of a query parameter (OpenAPI `style`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub style: Option<ParamStyle>,
    /// Whether arrays and objects are exploded into several parameters (OpenAPI `explode`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explode: Option<bool>,
    /// Whether reserved characters (`/`, `?`, …) are sent as they are instead of
    /// percent-encoded (OpenAPI `allowReserved`): a file path like `src/main.rs` in
    /// `/repos/{owner}/{repo}/contents/{path}`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_reserved: bool,
    /// The rest: the parameter's JSON Schema (`type`, `description`, `enum`, …).
    #[serde(flatten)]
    pub schema: Map<String, Value>,
}

impl Param {
    /// The parameter's description, if any.
    pub fn description(&self) -> Option<&str> {
        self.schema.get("description").and_then(Value::as_str)
    }

    /// The name the API knows the parameter by.
    pub fn wire_name<'a>(&'a self, property: &'a str) -> &'a str {
        self.wire_name.as_deref().unwrap_or(property)
    }
}

/// Where a parameter goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ParamLocation {
    /// Substituted into the path template.
    Path,
    /// The query string.
    Query,
    /// A request header.
    Header,
    /// A field of the JSON body.
    Body,
    /// A field of an `application/x-www-form-urlencoded` body.
    Form,
    /// A part of a `multipart/form-data` body.
    Multipart,
}

impl ParamLocation {
    /// The keyword as written in YAML.
    pub fn as_str(self) -> &'static str {
        match self {
            ParamLocation::Path => "path",
            ParamLocation::Query => "query",
            ParamLocation::Header => "header",
            ParamLocation::Body => "body",
            ParamLocation::Form => "form",
            ParamLocation::Multipart => "multipart",
        }
    }

    /// Whether the value goes in the request body.
    pub fn is_body(self) -> bool {
        matches!(self, ParamLocation::Body | ParamLocation::Form | ParamLocation::Multipart)
    }
}

/// Serialization style of a parameter (OpenAPI 3 names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum ParamStyle {
    /// `a=1&a=2` (exploded) or `a=1,2`.
    Form,
    /// `a=1%202`.
    SpaceDelimited,
    /// `a=1|2`.
    PipeDelimited,
    /// `a[key]=value`.
    DeepObject,
    /// `1,2` in a path or header.
    Simple,
    /// `;a=1,2` in a path.
    Matrix,
    /// `.1.2` in a path.
    Label,
}

/// Where a parameter's value comes from: `TOOL_SLUG $.json.path`.
///
/// ```
/// use toolsmith_spec::Provenance;
/// let p = Provenance::new("GITHUB_LIST_ISSUES $[*].number");
/// assert_eq!(p.tool().unwrap().as_str(), "GITHUB_LIST_ISSUES");
/// assert_eq!(p.path(), Some("$[*].number"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct Provenance(#[schemars(regex(pattern = r"^[A-Z][A-Z0-9_]* \$.*$"))] String);

impl Provenance {
    /// Wraps a string; the catalog's validator (`toolsmith validate`) checks it.
    pub fn new(value: impl Into<String>) -> Self {
        Provenance(value.into())
    }

    /// The producing tool.
    pub fn tool(&self) -> Option<ToolSlug> {
        let (tool, _) = self.0.trim().split_once(' ')?;
        Some(ToolSlug::new(tool))
    }

    /// JSON path of the value in the producing tool's output.
    pub fn path(&self) -> Option<&str> {
        self.0.trim().split_once(' ').map(|(_, p)| p.trim()).filter(|p| p.starts_with('$'))
    }

    /// The value as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Tool annotations: the MCP hints plus `important`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum Tag {
    /// Does not modify anything.
    #[serde(rename = "readOnlyHint")]
    ReadOnly,
    /// May delete or overwrite data.
    #[serde(rename = "destructiveHint")]
    Destructive,
    /// Calling it twice with the same arguments has no further effect.
    #[serde(rename = "idempotentHint")]
    Idempotent,
    /// Reaches the outside world (another party can see the effect).
    #[serde(rename = "openWorldHint")]
    OpenWorld,
    /// One of the toolkit's most used tools; listed first.
    #[serde(rename = "important")]
    Important,
}

impl Tag {
    /// The tag as written in YAML.
    pub fn as_str(self) -> &'static str {
        match self {
            Tag::ReadOnly => "readOnlyHint",
            Tag::Destructive => "destructiveHint",
            Tag::Idempotent => "idempotentHint",
            Tag::OpenWorld => "openWorldHint",
            Tag::Important => "important",
        }
    }
}

/// Deprecation notice.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Deprecation {
    /// Why, and what to do instead.
    pub reason: String,
    /// The tool to use instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaced_by: Option<ToolSlug>,
}

/// A sample call.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// What the call does.
    pub description: String,
    /// The arguments; validated against the input schema.
    #[schemars(with = "Map<String, Value>")]
    pub arguments: Value,
}

/// Advice for an agent.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Hints {
    /// Recommended steps, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<String>,
    /// Known pitfalls.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pitfalls: Vec<String>,
}

impl Hints {
    /// Whether there is no hint at all.
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty() && self.pitfalls.is_empty()
    }
}
