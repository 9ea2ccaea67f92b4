//! Tool search: the engine behind `COMPOSIO_SEARCH_TOOLS`. An agent describes a task
//! ("create a GitHub issue for the login bug") and gets the few tools that do it, with
//! their schemas, the tools that produce the IDs they need, and the spec's hints.
//!
//! - [`SearchIndex`]: BM25F over separately weighted fields (slug, name, description,
//!   parameter names and descriptions, toolkit, tags), a tokenizer that splits
//!   `camelCase` / `snake_case` / slugs and stems ([`Analyzer`]), a hand-written
//!   thesaurus of API and everyday vocabulary ([`Thesaurus`]), a boost for a toolkit
//!   named in the task, and multi-step tasks split into steps ([`split_steps`]).
//! - [`dependencies`]: the tools that produce a chosen tool's required IDs.
//! - [`ToolSearch`]: index and registry together, answering in the shape of Composio's
//!   `SEARCH_TOOLS` data ([`SearchResponse`]).
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

mod deps;
mod index;
mod output;
mod rank;
mod steps;
mod synonyms;
mod tokenize;

pub use deps::{dependencies, Dependency};
pub use index::{Document, FieldWeights};
pub use output::{ConnectionStatus, QueryResult, ResponseOptions, SchemaRef, SearchResponse, ToolSchema, ToolSearch};
pub use rank::{Hit, SearchConfig, SearchIndex, SearchOptions};
pub use steps::split_steps;
pub use synonyms::Thesaurus;
pub use tokenize::{for_each_word, is_stop_word, Analyzer};

use toolsmith_catalog::{Tool, Toolkit};

use crate::{Registry, ToolDefinition};

impl Document {
    /// A catalog tool as a search document: its parameters' names and descriptions,
    /// its tags and its toolkit's categories.
    ///
    /// ```
    /// # let toolkit: toolsmith::Toolkit = serde_yaml::from_str("{slug: demo, name: Demo, description: A demonstration toolkit., version: 20261122_00, base_url: 'https://x.example', auth: [{scheme: none}], tools: [{slug: DEMO_PING, name: Ping, description: Checks that the service answers., http: {method: GET, path: /ping}, input: {type: object}}]}").unwrap();
    /// let doc = toolsmith::search::Document::from_tool(&toolkit, &toolkit.tools[0]);
    /// assert_eq!((doc.slug.as_str(), doc.toolkit.as_str(), doc.toolkit_name.as_str()), ("DEMO_PING", "demo", "Demo"));
    /// ```
    pub fn from_tool(toolkit: &Toolkit, tool: &Tool) -> Self {
        let mut tags: Vec<String> = tool.tags.iter().map(|t| t.as_str().to_owned()).collect();
        tags.extend(toolkit.categories.iter().cloned());
        Document {
            slug: tool.slug.as_str().to_owned(),
            toolkit: toolkit.slug.as_str().to_owned(),
            toolkit_name: toolkit.name.clone(),
            name: tool.name.clone(),
            description: tool.description.clone(),
            params: tool
                .input
                .properties
                .iter()
                .map(|(name, param)| (name.clone(), param.description().unwrap_or_default().to_owned()))
                .collect(),
            tags,
        }
    }

    /// A hand-written tool ([`Registry::register`]) as a search document.
    pub fn from_definition(definition: &ToolDefinition) -> Self {
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
        }
    }

    /// Every tool of a registry: catalog tools (newest version of each toolkit) and
    /// hand-written ones.
    pub fn all(registry: &Registry) -> Vec<Document> {
        let mut docs: Vec<Document> = registry.tools().map(|t| Document::from_tool(t.toolkit, t.tool)).collect();
        docs.extend(registry.local_tools().map(Document::from_definition));
        docs
    }
}
