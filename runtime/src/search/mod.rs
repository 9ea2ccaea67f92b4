//! Tool search over a registry: the answer behind `COMPOSIO_SEARCH_TOOLS`. An agent
//! describes a task ("create a GitHub issue for the login bug") and gets the few tools
//! that do it, with their schemas, the tools that produce the IDs they need, and the
//! spec's hints.
//!
//! The engine is the `toolsmith-search` crate, re-exported here: [`SearchIndex`] (BM25F
//! over [`Document`]s), [`Analyzer`], [`Thesaurus`], [`split_steps`] and
//! [`dependencies_of`]. This module adds what needs the [`Registry`]:
//!
//! - [`documents`]: the documents of a registry's tools, catalog and hand-written;
//! - [`dependencies`]: the tools that produce a registry tool's required IDs;
//! - [`ToolSearch`]: index and registry together, answering in the shape of Composio's
//!   `SEARCH_TOOLS` data ([`SearchResponse`]). Build it once with
//!   [`ToolSearch::new`] (and again when toolkits are added) and share it.
//!
//! ```
//! let toolkit: toolsmith::Toolkit = serde_yaml::from_str(r#"
//! slug: demo
//! name: Demo
//! description: A demonstration toolkit.
//! version: 20261122_00
//! base_url: https://api.example.com
//! auth: [{ scheme: none }]
//! tools:
//!   - slug: DEMO_LIST_CHANNELS
//!     name: List channels
//!     description: Lists the channels of the workspace.
//!     http: { method: GET, path: /channels }
//!     input: { type: object }
//!   - slug: DEMO_POST_MESSAGE
//!     name: Post message
//!     description: Posts a message to a channel.
//!     http: { method: POST, path: /messages }
//!     input:
//!       type: object
//!       required: [channel_id, text]
//!       properties:
//!         channel_id: { type: string, description: The channel. }
//!         text: { type: string, description: The message. }
//! "#).unwrap();
//! let registry = toolsmith::Registry::from_toolkits(vec![toolkit]);
//! let search = toolsmith::search::ToolSearch::new(&registry);
//! let response = search.search(&["send a message to a channel"], &Default::default());
//! assert_eq!(response.results[0].primary_tool_slugs[0], "DEMO_POST_MESSAGE");
//! assert_eq!(response.results[0].dependency_tool_slugs, ["DEMO_LIST_CHANNELS"]);
//! ```

pub mod eval;
mod output;

pub use output::{
    ConnectionStatus, QueryResult, ResponseOptions, SchemaRef, SearchResponse, ToolSchema, ToolScore, ToolSearch,
};
pub use toolsmith_search::{
    dependencies_for_task, dependencies_of, for_each_word, is_pagination, is_stop_word, split_steps, Action, Actions,
    Analyzer, Bm25Baseline, Dependency, Document, FieldWeights, Hit, SearchConfig, SearchIndex, SearchOptions,
    Thesaurus, LOW_CONFIDENCE,
};

use crate::{Registry, ToolDefinition};

/// A hand-written tool ([`Registry::register`]) as a search document.
///
/// ```
/// use toolsmith::{Context, Error, Handler};
///
/// /// Adds two numbers.
/// #[derive(serde::Serialize, serde::Deserialize, schemars::JsonSchema, toolsmith::Tool)]
/// #[tool(slug = "MATH_ADD", tags(readOnlyHint))]
/// struct MathAdd {
///     /// The first addend.
///     a: f64,
/// }
///
/// impl Handler for MathAdd {
///     type Output = f64;
///     async fn call(&self, _cx: &Context<'_>) -> Result<f64, Error> {
///         Ok(self.a)
///     }
/// }
///
/// let doc = toolsmith::search::definition_document(<MathAdd as toolsmith::Tool>::definition());
/// assert_eq!((doc.slug.as_str(), doc.toolkit.as_str()), ("MATH_ADD", "math"));
/// assert_eq!(doc.params, [("a".to_owned(), "The first addend.".to_owned())]);
/// assert_eq!(doc.tags, ["readOnlyHint"]);
/// ```
pub fn definition_document(definition: &ToolDefinition) -> Document {
    let schema = definition.input_schema_value();
    let params = schema["properties"]
        .as_object()
        .map(|props| {
            props
                .iter()
                .map(|(name, p)| (name.clone(), p["description"].as_str().unwrap_or_default().to_owned()))
                .collect()
        })
        .unwrap_or_default();
    Document {
        slug: definition.slug.to_owned(),
        toolkit: definition.toolkit.to_owned(),
        toolkit_name: String::new(),
        name: definition.name.to_owned(),
        description: definition.description.to_string(),
        params,
        tags: definition.tags.iter().map(|t| (*t).to_owned()).collect(),
        ..Default::default()
    }
}

/// Every tool of a registry as a search document: catalog tools (newest version of
/// each toolkit, [`Document::from_tool`]) and hand-written ones
/// ([`definition_document`]).
pub fn documents(registry: &Registry) -> Vec<Document> {
    let mut docs: Vec<Document> = registry.tools().map(|t| Document::from_tool(t.toolkit, t.tool)).collect();
    docs.extend(registry.local_tools().map(definition_document));
    docs
}

/// The tools that produce the required ID parameters of the registry's tool `slug`,
/// found in its toolkit ([`dependencies_of`]; pagination cursors left out). Empty for
/// an unknown tool. [`dependencies_for_task`] adds the optional parameters a task
/// mentions.
///
/// ```
/// let toolkit: toolsmith::Toolkit = serde_yaml::from_str(r#"
/// slug: demo
/// name: Demo
/// description: A demonstration toolkit.
/// version: 20261122_00
/// base_url: https://api.example.com
/// auth: [{ scheme: none }]
/// tools:
///   - { slug: DEMO_LIST_PROJECTS, name: List projects, description: Lists projects., http: { method: GET, path: /projects }, input: { type: object } }
///   - slug: DEMO_CREATE_TASK
///     name: Create task
///     description: Creates a task in a project.
///     http: { method: POST, path: /tasks }
///     input: { type: object, required: [projectId], properties: { projectId: { type: string } } }
/// "#).unwrap();
/// let registry = toolsmith::Registry::from_toolkits(vec![toolkit]);
/// let deps = toolsmith::search::dependencies(&registry, "DEMO_CREATE_TASK");
/// assert_eq!(deps[0].tool_slug, "DEMO_LIST_PROJECTS");
/// assert!(toolsmith::search::dependencies(&registry, "NOPE").is_empty());
/// ```
pub fn dependencies(registry: &Registry, slug: &str) -> Vec<Dependency> {
    task_dependencies(registry, slug, "")
}

/// The tools that produce what the registry's tool `slug` needs for `task` (the
/// agent's words): its required ID parameters and the optional ones the task mentions
/// ([`dependencies_for_task`]). Empty for an unknown tool.
///
/// ```
/// let toolkit: toolsmith::Toolkit = serde_yaml::from_str(r#"
/// slug: demo
/// name: Demo
/// description: A demonstration toolkit.
/// version: 20261122_00
/// base_url: https://api.example.com
/// auth: [{ scheme: none }]
/// tools:
///   - { slug: DEMO_LIST_PROJECTS, name: List projects, description: Lists projects., http: { method: GET, path: /projects }, input: { type: object } }
///   - slug: DEMO_LIST_TASKS
///     name: List tasks
///     description: Lists tasks.
///     http: { method: GET, path: /tasks }
///     input: { type: object, properties: { projectId: { type: string } } }
/// "#).unwrap();
/// let registry = toolsmith::Registry::from_toolkits(vec![toolkit]);
/// assert!(toolsmith::search::dependencies(&registry, "DEMO_LIST_TASKS").is_empty());
/// let deps = toolsmith::search::task_dependencies(&registry, "DEMO_LIST_TASKS", "tasks of project X");
/// assert_eq!(deps[0].tool_slug, "DEMO_LIST_PROJECTS");
/// ```
pub fn task_dependencies(registry: &Registry, slug: &str, task: &str) -> Vec<Dependency> {
    registry.tool(slug).map(|found| dependencies_for_task(found.toolkit, found.tool, task)).unwrap_or_default()
}
