//! The toolkit: everything about one service that is not a tool.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{AuthScheme, Definitions, OpenApiSource, Pagination, Tool, ToolkitSlug, Trigger, Version};

/// Descriptions (of toolkits, tools and triggers) shorter than this many characters
/// are too short for an LLM to choose well: the validator warns (`W101
/// description-short`), and the OpenAPI importer writes a longer one.
pub const MIN_DESCRIPTION: usize = 40;

/// Tool descriptions longer than this many characters are cut or refused by LLM
/// providers (OpenAI caps a function's description at 1,024): the validator warns
/// (`W106 description-long`).
pub const MAX_TOOL_DESCRIPTION: usize = 1024;

/// A toolkit spec, as written in `catalog/toolkits/<slug>/toolkit.yaml`.
///
/// ```
/// let yaml = r#"
/// slug: example
/// name: Example
/// description: An example service used in documentation.
/// version: 20261101_00
/// base_url: https://api.example.com
/// auth: [{ scheme: none }]
/// "#;
/// let toolkit: toolsmith_spec::Toolkit = serde_yaml::from_str(yaml).unwrap();
/// assert_eq!(toolkit.slug.as_str(), "example");
/// ```
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Toolkit {
    /// Lower-case identifier, also the prefix of every tool slug (`github` → `GITHUB_…`).
    pub slug: ToolkitSlug,
    /// Display name (`GitHub`).
    pub name: String,
    /// What the service is and what its tools cover, written for an LLM choosing tools.
    pub description: String,
    /// Revision of this spec, `YYYYMMDD_NN`.
    pub version: Version,
    /// Categories for browsing (`developer-tools`, `communication`, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// URL of the service's logo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
    /// URL of the API's documentation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docs_url: Option<String>,
    /// Base URL that tool paths are joined to. May use connection fields declared by an
    /// auth scheme: `https://{subdomain}.zendesk.com/api/v2`.
    pub base_url: String,
    /// Headers sent with every request of this toolkit.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub headers: IndexMap<String, String>,
    /// What the API allows, so callers can pace themselves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<RateLimit>,
    /// How failed requests may be retried.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<Retry>,
    /// Pagination style shared by the toolkit's list tools, when it is uniform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pagination: Option<Pagination>,
    /// The ways a user can authenticate, most preferred first.
    pub auth: Vec<AuthScheme>,
    /// The OpenAPI document the toolkit's tools are imported from, with the
    /// selection and changes to apply (see [`OpenApiSource`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub openapi: Option<OpenApiSource>,
    /// The toolkit's tools. More can live in other `*.yaml` files of the same folder.
    #[serde(default)]
    pub tools: Vec<Tool>,
    /// Events the toolkit can deliver.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub triggers: Vec<Trigger>,
    /// Schemas the tools share, referenced from any tool schema as `#/$defs/Name`
    /// (a tool's own `$defs` may not reuse these names).
    #[serde(default, skip_serializing_if = "Definitions::is_empty")]
    pub definitions: Definitions,
}

impl Toolkit {
    /// The tool's input schema, self-contained: its canonical JSON Schema (see
    /// [`InputSchema::json_schema`](crate::InputSchema::json_schema)) with the shared definitions it uses.
    pub fn input_schema(&self, tool: &Tool) -> serde_json::Value {
        let schema = tool.input.json_schema();
        if self.definitions.is_empty() {
            schema
        } else {
            self.definitions.complete(&schema)
        }
    }

    /// Drops the shared definitions that no tool uses any more.
    pub fn prune_definitions(&mut self) {
        let inputs: Vec<serde_json::Value> = self.tools.iter().map(|t| t.input.json_schema()).collect();
        let outputs = self.tools.iter().filter_map(|t| t.output.as_ref());
        self.definitions.retain_reached(inputs.iter().chain(outputs));
    }

    /// The tool's output schema, self-contained, when it has one.
    pub fn output_schema(&self, tool: &Tool) -> Option<serde_json::Value> {
        tool.output.as_ref().map(|schema| self.definitions.complete(schema))
    }
}

/// Extra tools and triggers of a toolkit, in another `*.yaml` file of its folder.
///
/// ```
/// let part: toolsmith_spec::ToolkitPart = serde_yaml::from_str("tools: []").unwrap();
/// assert!(part.tools.is_empty());
/// ```
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ToolkitPart {
    /// More tools of the toolkit.
    #[serde(default)]
    pub tools: Vec<Tool>,
    /// More triggers of the toolkit.
    #[serde(default)]
    pub triggers: Vec<Trigger>,
}

/// Rate-limit hint: at most `requests` requests per `per_seconds` seconds.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    /// Requests allowed in one window.
    pub requests: u32,
    /// Length of the window in seconds.
    pub per_seconds: u32,
    /// Response header telling how many requests remain (`X-RateLimit-Remaining`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining_header: Option<String>,
    /// Response header telling when the window resets (`X-RateLimit-Reset`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reset_header: Option<String>,
}

/// Retry hint for transient failures.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Retry {
    /// Attempts in total, the first included.
    pub max_attempts: u32,
    /// Status codes worth retrying; 429 and 5xx when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub on_status: Vec<u16>,
    /// First backoff in milliseconds; doubled on each attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backoff_ms: Option<u32>,
    /// Header holding the server's wait hint (`Retry-After`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_header: Option<String>,
}
