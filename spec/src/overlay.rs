//! Overlays: a toolkit built from an OpenAPI document, curated in YAML.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Deprecation, Hints, Provenance, Tag, ToolSlug};

/// The OpenAPI document a toolkit is built from, which operations become tools,
/// and what to change in them. Fields written in `toolkit.yaml` itself (name,
/// description, base_url, auth, …) win over the imported ones, and tools written in
/// YAML are added to the imported tools.
///
/// ```yaml
/// openapi:
///   source: openapi/api.github.com.json
///   exclude: { operations: [issues/create] }   # curated by hand in issues.yaml
///   overrides:
///     GITHUB_REPOS_GET: { tags: [readOnlyHint, important] }
/// ```
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenApiSource {
    /// Path of the OpenAPI document (Swagger 2.0, OpenAPI 3.0 or 3.1; JSON or YAML),
    /// relative to the toolkit folder.
    pub source: String,
    /// Only these operations (all when absent).
    #[serde(default, skip_serializing_if = "Selection::is_empty")]
    pub include: Selection,
    /// Not these operations.
    #[serde(default, skip_serializing_if = "Selection::is_empty")]
    pub exclude: Selection,
    /// Changes to imported tools, by their imported slug (`toolsmith import openapi`
    /// or `toolsmith tools list` shows it).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub overrides: IndexMap<String, ToolOverride>,
}

/// Operations selected by tag, path or operationId. An operation matches when any
/// listed item matches it.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Selection {
    /// Operation tags (`issues`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Path templates; a trailing `*` matches any rest (`/repos/{owner}/{repo}/issues*`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<String>,
    /// operationIds (`issues/create`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operations: Vec<String>,
}

impl Selection {
    /// Whether nothing is listed.
    pub fn is_empty(&self) -> bool {
        self.tags.is_empty() && self.paths.is_empty() && self.operations.is_empty()
    }

    /// Whether an operation matches.
    ///
    /// ```
    /// let s = toolsmith_spec::Selection { paths: vec!["/repos/{owner}/{repo}/issues*".into()], ..Default::default() };
    /// assert!(s.matches(&[], "/repos/{owner}/{repo}/issues/{issue_number}", None));
    /// assert!(!s.matches(&[], "/user", Some("users/get-authenticated")));
    /// ```
    pub fn matches(&self, tags: &[&str], path: &str, operation_id: Option<&str>) -> bool {
        self.tags.iter().any(|t| tags.contains(&t.as_str()))
            || self.operations.iter().any(|o| Some(o.as_str()) == operation_id)
            || self.paths.iter().any(|p| match p.strip_suffix('*') {
                Some(prefix) => path.starts_with(prefix),
                None => path == p,
            })
    }
}

/// What to change in one imported tool.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ToolOverride {
    /// A new slug.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slug: Option<ToolSlug>,
    /// A new name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A new description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Tags replacing the imported ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
    /// Hints for agents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hints: Option<Hints>,
    /// A deprecation notice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecated: Option<Deprecation>,
    /// Per-parameter changes: description and provenance.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub params: IndexMap<String, ParamOverride>,
}

/// What to change in one parameter of an imported tool.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParamOverride {
    /// A new description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Which tool produces the value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Provenance>,
}
