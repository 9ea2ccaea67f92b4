//! Search answers in the shape of Composio's `COMPOSIO_SEARCH_TOOLS` data: per query,
//! primary and related tools, toolkits, the tools that produce needed IDs, the spec's
//! steps and pitfalls; tool schemas inline (or a reference when large); the toolkits'
//! connection status.

use std::time::{SystemTime, UNIX_EPOCH};

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value;

use toolsmith_search::{split_steps, Dependency, SearchIndex, SearchOptions, LOW_CONFIDENCE};

use super::{documents, task_dependencies};
use crate::Registry;

/// How [`ToolSearch::search`] answers.
///
/// ```
/// let options = toolsmith::search::ResponseOptions { limit: 6, ..Default::default() };
/// assert_eq!(options.max_inline_schema_bytes, 4096);
/// ```
#[derive(Clone, Debug)]
pub struct ResponseOptions {
    /// Tools per query (primary and related together).
    pub limit: usize,
    /// Only this toolkit's tools.
    pub toolkit: Option<String>,
    /// At most this many primary tools per query (each step of a multi-step task gets one).
    pub max_primary: usize,
    /// An input schema longer than this (as JSON) is replaced by a reference to fetch it.
    pub max_inline_schema_bytes: usize,
    /// Only these documents of the [index](ToolSearch::index) (a session's scope); see
    /// [`SearchOptions::allowed`].
    pub allowed: Option<std::sync::Arc<[bool]>>,
}

impl Default for ResponseOptions {
    fn default() -> Self {
        ResponseOptions { limit: 6, toolkit: None, max_primary: 3, max_inline_schema_bytes: 4096, allowed: None }
    }
}

/// The answer to a search: Composio's `SEARCH_TOOLS` `data`.
#[derive(Clone, Debug, Serialize)]
pub struct SearchResponse {
    /// Always `true`: a query without matches has empty slug lists.
    pub success: bool,
    /// Always `null`; kept for wire compatibility.
    pub error: Option<String>,
    /// One result per query, in order.
    pub results: Vec<QueryResult>,
    /// The schema of every tool named in `results`, by slug.
    pub tool_schemas: IndexMap<String, ToolSchema>,
    /// The connection status of each toolkit in `results`.
    pub toolkit_connection_statuses: Vec<ConnectionStatus>,
    /// When the search ran (UTC), for tasks that mention dates.
    pub time_info: Value,
    /// What the agent should do next.
    pub next_steps_guidance: Vec<String>,
}

/// The tools for one query (`use_case`).
#[derive(Clone, Debug, Serialize)]
pub struct QueryResult {
    /// Position of the query, from 1.
    pub index: usize,
    /// The query as given.
    pub use_case: String,
    /// The tools that do the task, best first.
    pub primary_tool_slugs: Vec<String>,
    /// Other tools that may fit.
    pub related_tool_slugs: Vec<String>,
    /// The toolkits of the primary and related tools.
    pub toolkits: Vec<String>,
    /// Tools to call first to obtain IDs the primary tools need.
    pub dependency_tool_slugs: Vec<String>,
    /// Which parameter of which primary tool each dependency serves.
    pub dependencies: IndexMap<String, Vec<Dependency>>,
    /// The steps of a multi-step task, as searched (empty for one step).
    pub steps: Vec<String>,
    /// Recommended steps from the primary tools' spec hints.
    pub recommended_plan_steps: Vec<String>,
    /// Known pitfalls from the primary tools' spec hints.
    pub known_pitfalls: Vec<String>,
    /// Set when no tool matched.
    pub error: Option<String>,
    /// How well the best tool fits the query, 0..1: the share of the query's words it
    /// matches, times the square root of its score over the best
    /// ([`toolsmith_search::Hit::confidence`]); 0 when nothing matched.
    pub confidence: f64,
    /// `true` when `confidence` is under [`LOW_CONFIDENCE`]: no tool fits the query
    /// well, and `next_steps_guidance` says what to try.
    pub no_good_match: bool,
    /// The score and confidence of each primary and related tool, best first.
    pub tool_scores: Vec<ToolScore>,
}

/// One listed tool's score (comparable within its query only) and confidence (0..1).
#[derive(Clone, Debug, Serialize)]
pub struct ToolScore {
    /// The tool's slug.
    pub tool_slug: String,
    /// Its relevance score, rounded to 3 decimals.
    pub score: f64,
    /// How well it fits the query, 0..1, rounded to 3 decimals.
    pub confidence: f64,
}

/// A tool's schema, inline or as a reference.
#[derive(Clone, Debug, Serialize)]
pub struct ToolSchema {
    /// The tool's slug.
    pub tool_slug: String,
    /// Its toolkit's slug.
    pub toolkit: String,
    /// What it does.
    pub description: String,
    /// Whether `input_schema` is given here.
    #[serde(rename = "hasFullSchema")]
    pub has_full_schema: bool,
    /// The input JSON Schema, when small enough.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_schema: Option<Value>,
    /// How to fetch a large schema.
    #[serde(rename = "schemaRef", skip_serializing_if = "Option::is_none")]
    pub schema_ref: Option<SchemaRef>,
}

/// Where to fetch a schema that was too large to inline.
#[derive(Clone, Debug, Serialize)]
pub struct SchemaRef {
    /// `COMPOSIO_GET_TOOL_SCHEMAS`.
    pub tool: String,
    /// `{"tool_slugs": [slug]}`.
    pub args: Value,
    /// Why the schema is not inline.
    pub message: String,
}

/// Whether the user can call a toolkit's tools. Sessions do not exist yet, so
/// `has_active_connection` is `null` (unknown).
#[derive(Clone, Debug, Serialize)]
pub struct ConnectionStatus {
    /// The toolkit's slug.
    pub toolkit: String,
    /// The toolkit's description.
    pub description: String,
    /// `null` until sessions exist.
    pub has_active_connection: Option<bool>,
    /// What is known.
    pub status_message: String,
}

/// A registry and its search index: answers tasks in the shape of Composio's
/// `SEARCH_TOOLS`. Build it once and share it between threads (`Arc<ToolSearch>`):
/// searches take `&self` and no lock. It searches the registry as it was when built;
/// build it again after adding toolkits ([`Registry::extend`]) or tools.
///
/// ```
/// # let toolkit: toolsmith::Toolkit = serde_yaml::from_str("{slug: demo, name: Demo, description: A demonstration toolkit., version: 20261122_00, base_url: 'https://x.example', auth: [{scheme: none}], tools: [{slug: DEMO_PING, name: Ping, description: Checks that the service answers., http: {method: GET, path: /ping}, input: {type: object}}]}").unwrap();
/// let registry = toolsmith::Registry::from_toolkits(vec![toolkit]);
/// let search = toolsmith::search::ToolSearch::new(&registry);
/// let response = search.search(&["is the service up? ping it"], &Default::default());
/// assert_eq!(response.results[0].primary_tool_slugs, ["DEMO_PING"]);
/// assert_eq!(response.tool_schemas["DEMO_PING"].input_schema.as_ref().unwrap()["type"], "object");
/// ```
///
/// After toolkits are added:
///
/// ```
/// # let toolkit = |slug: &str, tool: &str, description: &str| -> toolsmith::Toolkit { serde_yaml::from_str(&format!("{{slug: {slug}, name: {slug}, description: A demonstration toolkit., version: 20261122_00, base_url: 'https://x.example', auth: [{{scheme: none}}], tools: [{{slug: {tool}, name: {tool}, description: '{description}', http: {{method: GET, path: /x}}, input: {{type: object}}}}]}}")).unwrap() };
/// use toolsmith::search::ToolSearch;
/// let mut registry = toolsmith::Registry::from_toolkits(vec![toolkit("demo", "DEMO_PING", "Checks that the service answers.")]);
/// let found = ToolSearch::new(&registry).search(&["ping the service"], &Default::default());
/// assert_eq!(found.results[0].primary_tool_slugs, ["DEMO_PING"]);
/// registry.extend(vec![toolkit("weather", "WEATHER_FORECAST", "Gets the weather forecast for a city.")]);
/// let found = ToolSearch::new(&registry).search(&["weather forecast for Paris"], &Default::default());
/// assert_eq!(found.results[0].primary_tool_slugs, ["WEATHER_FORECAST"]);
/// ```
#[derive(Debug)]
pub struct ToolSearch {
    registry: Registry,
    index: SearchIndex,
    /// Document position by upper-case slug.
    positions: std::collections::HashMap<String, usize>,
}

impl ToolSearch {
    /// Indexes every tool of `registry` (a copy of it is kept for schemas and hints).
    pub fn new(registry: &Registry) -> Self {
        let index = SearchIndex::new(documents(registry));
        let positions = index.documents().iter().enumerate().map(|(i, d)| (d.slug.to_ascii_uppercase(), i)).collect();
        ToolSearch { registry: registry.clone(), index, positions }
    }

    /// The position of a tool's document in the [index](Self::index) (any case), to
    /// build [`ResponseOptions::allowed`] masks.
    pub fn position(&self, slug: &str) -> Option<usize> {
        self.positions.get(&slug.to_ascii_uppercase()).copied()
    }

    /// The registry searched.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The index, for plain ranked hits.
    pub fn index(&self) -> &SearchIndex {
        &self.index
    }

    /// Searches each query (`use_case`) and gathers schemas, hints, dependencies and
    /// connection statuses.
    pub fn search<S: AsRef<str>>(&self, queries: &[S], options: &ResponseOptions) -> SearchResponse {
        let mut results = Vec::new();
        let mut schemas: IndexMap<String, ToolSchema> = IndexMap::new();
        let mut toolkits: Vec<String> = Vec::new();
        for (i, query) in queries.iter().enumerate() {
            let result = self.one(i + 1, query.as_ref(), options);
            for slug in
                result.primary_tool_slugs.iter().chain(&result.related_tool_slugs).chain(&result.dependency_tool_slugs)
            {
                if !schemas.contains_key(slug) {
                    if let Some(schema) = self.schema(slug, options.max_inline_schema_bytes) {
                        schemas.insert(slug.clone(), schema);
                    }
                }
            }
            for toolkit in &result.toolkits {
                if !toolkits.contains(toolkit) {
                    toolkits.push(toolkit.clone());
                }
            }
            results.push(result);
        }
        let statuses: Vec<ConnectionStatus> = toolkits
            .iter()
            .map(|slug| ConnectionStatus {
                toolkit: slug.clone(),
                description: self.registry.toolkit(slug).map(|t| t.description.clone()).unwrap_or_default(),
                has_active_connection: None,
                status_message: "unknown: connection status needs a session; connect an account with `toolsmith accounts connect` if a call fails with no account".to_owned(),
            })
            .collect();
        let mut guidance = Vec::new();
        if results.iter().any(|r| !r.dependency_tool_slugs.is_empty()) {
            guidance.push("Call the dependency tools first to get the IDs the primary tools need.".to_owned());
        }
        if results.iter().any(|r| !r.primary_tool_slugs.is_empty()) {
            guidance.push("Check that each toolkit has a connected account, then call the primary tools with arguments that match tool_schemas.".to_owned());
        }
        if schemas.values().any(|s| !s.has_full_schema) {
            guidance.push(
                "Fetch the schemas marked hasFullSchema: false with COMPOSIO_GET_TOOL_SCHEMAS before calling them."
                    .to_owned(),
            );
        }
        for r in results.iter().filter(|r| r.no_good_match && !r.primary_tool_slugs.is_empty()) {
            guidance.push(format!(
                "No tool fits query {} ({:?}) well (confidence {:.2}): its tools are only a guess. Rephrase it with the app's name and the action (\"refund a Stripe payment\"), split it into one query per step, or tell the user that no available tool does it.",
                r.index, r.use_case, r.confidence
            ));
        }
        if results.iter().any(|r| r.primary_tool_slugs.is_empty()) {
            guidance.push(
                "Rephrase a query without matches with the app's name and the action (\"create a Jira issue\")."
                    .to_owned(),
            );
        }
        SearchResponse {
            success: true,
            error: None,
            results,
            tool_schemas: schemas,
            toolkit_connection_statuses: statuses,
            time_info: time_info(SystemTime::now()),
            next_steps_guidance: guidance,
        }
    }

    fn one(&self, index: usize, query: &str, options: &ResponseOptions) -> QueryResult {
        let hits = self.index.search(
            query,
            &SearchOptions {
                limit: options.limit.max(1),
                toolkit: options.toolkit.clone(),
                allowed: options.allowed.clone(),
            },
        );
        let steps = if self.index.config().split_steps { split_steps(query) } else { Vec::new() };
        let slug = |doc: usize| self.index.documents()[doc].slug.clone();
        let mut primary: Vec<usize> = Vec::new();
        // Each step's best tool, then tools close to the best score.
        for step in 0..steps.len() {
            if let Some(h) = hits.iter().find(|h| h.step == step) {
                if !primary.contains(&h.doc) && primary.len() < options.max_primary.max(steps.len()) {
                    primary.push(h.doc);
                }
            }
        }
        let best = hits.first().map(|h| h.score).unwrap_or_default();
        for h in &hits {
            if primary.len() >= options.max_primary.max(1) {
                break;
            }
            if !primary.contains(&h.doc) && (primary.is_empty() || h.score >= 0.75 * best) {
                primary.push(h.doc);
            }
        }
        let related: Vec<String> = hits.iter().filter(|h| !primary.contains(&h.doc)).map(|h| slug(h.doc)).collect();
        let primary: Vec<String> = primary.into_iter().map(slug).collect();
        let mut toolkits = Vec::new();
        for h in &hits {
            let toolkit = &self.index.documents()[h.doc].toolkit;
            if !toolkits.contains(toolkit) {
                toolkits.push(toolkit.clone());
            }
        }
        let mut deps: IndexMap<String, Vec<Dependency>> = IndexMap::new();
        let mut dependency_slugs = Vec::new();
        let (mut plan, mut pitfalls) = (Vec::new(), Vec::new());
        for slug in &primary {
            let allowed = |d: &Dependency| match &options.allowed {
                Some(mask) => self.position(&d.tool_slug).is_some_and(|p| mask.get(p).copied().unwrap_or(false)),
                None => true,
            };
            let found: Vec<Dependency> =
                task_dependencies(&self.registry, slug, query).into_iter().filter(allowed).collect();
            for d in &found {
                if !primary.contains(&d.tool_slug) && !dependency_slugs.contains(&d.tool_slug) {
                    dependency_slugs.push(d.tool_slug.clone());
                }
            }
            if !found.is_empty() {
                deps.insert(slug.clone(), found);
            }
            if let Some(tool) = self.registry.tool(slug) {
                plan.extend(tool.tool.hints.steps.iter().map(|s| format!("[{slug}] {s}")));
                pitfalls.extend(tool.tool.hints.pitfalls.iter().map(|s| format!("[{slug}] {s}")));
            }
        }
        let error = primary.is_empty().then(|| format!("no tool matches {query:?}; name the app and the action"));
        let confidence = hits.iter().map(|h| h.confidence).fold(0f32, f32::max);
        let round = |x: f32| (f64::from(x) * 1000.0).round() / 1000.0;
        let tool_scores = hits
            .iter()
            .map(|h| ToolScore { tool_slug: slug(h.doc), score: round(h.score), confidence: round(h.confidence) })
            .collect();
        QueryResult {
            index,
            use_case: query.to_owned(),
            primary_tool_slugs: primary,
            related_tool_slugs: related,
            toolkits,
            dependency_tool_slugs: dependency_slugs,
            dependencies: deps,
            steps,
            recommended_plan_steps: plan,
            known_pitfalls: pitfalls,
            error,
            confidence: round(confidence),
            no_good_match: confidence < LOW_CONFIDENCE,
            tool_scores,
        }
    }

    /// The schema of a registry tool (catalog or hand-written) by slug, inline when its
    /// input schema is at most `max_inline` bytes of JSON, else as a [`SchemaRef`].
    ///
    /// ```
    /// # let toolkit: toolsmith::Toolkit = serde_yaml::from_str("{slug: demo, name: Demo, description: A demonstration toolkit., version: 20261122_00, base_url: 'https://x.example', auth: [{scheme: none}], tools: [{slug: DEMO_PING, name: Ping, description: Checks that the service answers., http: {method: GET, path: /ping}, input: {type: object}}]}").unwrap();
    /// let search = toolsmith::search::ToolSearch::new(&toolsmith::Registry::from_toolkits(vec![toolkit]));
    /// assert!(search.schema("DEMO_PING", usize::MAX).unwrap().has_full_schema);
    /// assert!(!search.schema("DEMO_PING", 2).unwrap().has_full_schema);
    /// assert!(search.schema("DEMO_NOPE", usize::MAX).is_none());
    /// ```
    pub fn schema(&self, slug: &str, max_inline: usize) -> Option<ToolSchema> {
        let (toolkit, description, input) = match self.registry.tool(slug) {
            Some(found) => (
                found.toolkit.slug.as_str().to_owned(),
                found.tool.description.clone(),
                found.toolkit.input_schema(found.tool),
            ),
            None => {
                let local = self.registry.local_tools().find(|d| d.slug.eq_ignore_ascii_case(slug))?;
                (local.toolkit.to_owned(), local.description.to_string(), local.input_schema_value())
            }
        };
        let size = serde_json::to_string(&input).map(|s| s.len()).unwrap_or(usize::MAX);
        let inline = size <= max_inline;
        Some(ToolSchema {
            tool_slug: slug.to_owned(),
            toolkit,
            description,
            has_full_schema: inline,
            input_schema: inline.then_some(input),
            schema_ref: (!inline).then(|| SchemaRef {
                tool: "COMPOSIO_GET_TOOL_SCHEMAS".to_owned(),
                args: serde_json::json!({ "tool_slugs": [slug] }),
                message: format!(
                    "the input schema is {size} bytes (over {max_inline}); fetch it before calling {slug}"
                ),
            }),
        })
    }
}

/// `time_info`: the current time in UTC.
fn time_info(now: SystemTime) -> Value {
    let seconds = now.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    serde_json::json!({
        "current_time_utc": httpdate::fmt_http_date(now),
        "current_time_utc_epoch_seconds": seconds,
        "message": "Use this time for relative dates in the task (\"tomorrow\", \"last week\").",
    })
}
