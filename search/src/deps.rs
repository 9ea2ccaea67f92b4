//! Dependency resolution: the tools that produce the IDs a tool needs. Only required
//! parameters count, and optional ones the task mentions ("… of customer cus_123"
//! mentions `customer`); pagination cursors (`starting_after`, `pageToken`, `offset`,
//! or "Cursor for the next page") never do. A parameter's provenance in the spec
//! (`from: SLACK_LIST_CHANNELS $.channels[*].id`) is used as written; otherwise an
//! ID-like parameter (`channel_id`, `channelId`, `repo_ids`) is matched to a listing or
//! search tool of the same toolkit that names the same thing (`SLACK_LIST_CHANNELS`).

use std::sync::OnceLock;

use toolsmith_spec::{Tool, Toolkit};

use crate::synonyms::Thesaurus;
use crate::tokenize::{for_each_word, Analyzer};

static THESAURUS: OnceLock<Thesaurus> = OnceLock::new();

/// A tool to call first, for one parameter of the chosen tool.
///
/// ```
/// let d = toolsmith_search::Dependency {
///     parameter: "channel_id".into(),
///     tool_slug: "SLACK_LIST_CHANNELS".into(),
///     path: None,
///     inferred: true,
/// };
/// assert!(d.inferred);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Dependency {
    /// The chosen tool's parameter that needs the value.
    pub parameter: String,
    /// The tool that produces it.
    pub tool_slug: String,
    /// Where the value is in that tool's output (JSON path), when the spec says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// `false` when the spec declares the provenance, `true` when it was inferred from
    /// the parameter's name.
    pub inferred: bool,
}

/// Verbs of tools that produce IDs, best first.
const PRODUCER_VERBS: &[&str] = &["list", "search", "find", "get", "fetch", "retriev", "lookup", "query"];

/// The tools of `toolkit` that produce the required ID parameters of `tool` (one of
/// its tools), pagination cursors left out: [`dependencies_for_task`] without a task.
///
/// ```
/// let toolkit: toolsmith_spec::Toolkit = serde_yaml::from_str(r#"
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
/// let deps = toolsmith_search::dependencies_of(&toolkit, &toolkit.tools[1]);
/// assert_eq!(deps[0].tool_slug, "DEMO_LIST_PROJECTS");
/// ```
pub fn dependencies_of(toolkit: &Toolkit, tool: &Tool) -> Vec<Dependency> {
    dependencies_for_task(toolkit, tool, "")
}

/// The tools of `toolkit` that produce the parameters of `tool` (one of its tools) that
/// the call needs: its required parameters, and the optional ones `task` (the agent's
/// words, or `""`) mentions. A declared provenance is used as written; an ID-like
/// parameter without one is matched to a producer by name. Pagination cursors
/// ([`is_pagination`]) and a tool's own output are never dependencies.
///
/// ```
/// let toolkit: toolsmith_spec::Toolkit = serde_yaml::from_str(r#"
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
///     input:
///       type: object
///       properties:
///         project_id: { type: string }
///         cursor: { type: string, from: "DEMO_LIST_TASKS $.next_cursor" }
/// "#).unwrap();
/// let tool = &toolkit.tools[1];
/// assert!(toolsmith_search::dependencies_for_task(&toolkit, tool, "list my tasks").is_empty());
/// let deps = toolsmith_search::dependencies_for_task(&toolkit, tool, "list the tasks of project P-7");
/// assert_eq!((deps[0].parameter.as_str(), deps[0].tool_slug.as_str()), ("project_id", "DEMO_LIST_PROJECTS"));
/// ```
pub fn dependencies_for_task(toolkit: &Toolkit, tool: &Tool, task: &str) -> Vec<Dependency> {
    let analyzer = Analyzer::new();
    let task_terms = analyzer.terms(task);
    let mut out: Vec<Dependency> = Vec::new();
    for (name, param) in &tool.input.properties {
        if is_pagination(name, param.description()) {
            continue;
        }
        let entity = id_entity(name, &analyzer);
        let required = tool.input.required.iter().any(|r| r == name);
        if !required && !mentioned(name, entity.as_deref(), &task_terms, &analyzer) {
            continue;
        }
        if let Some(from) = &param.from {
            if let Some(slug) = from.tool().filter(|slug| slug.as_str() != tool.slug.as_str()) {
                out.push(Dependency {
                    parameter: name.clone(),
                    tool_slug: slug.as_str().to_owned(),
                    path: from.path().map(str::to_owned),
                    inferred: false,
                });
            }
            continue;
        }
        let Some(head) = entity.as_ref().and_then(|e| e.last()) else { continue };
        // The entity's own word first, then its synonyms (`channel_id` → `…_LIST_CONVERSATIONS`).
        let thesaurus = THESAURUS.get_or_init(|| Thesaurus::new(&analyzer));
        let words = std::iter::once(head.as_str()).chain(thesaurus.related(head));
        if let Some(tool) = words.into_iter().find_map(|w| producer(toolkit, tool, w, name, &analyzer)) {
            out.push(Dependency { parameter: name.clone(), tool_slug: tool, path: None, inferred: true });
        }
    }
    out
}

/// Whether a parameter pages through results rather than naming a thing: by its name
/// (`cursor`, `starting_after`, `ending_before`, `pageToken`, `page`, `offset`,
/// `after`, `before`, `marker`) or by its description ("Cursor for the next page",
/// "pagination token").
///
/// ```
/// use toolsmith_search::is_pagination;
/// assert!(is_pagination("starting_after", None));
/// assert!(is_pagination("pageToken", None));
/// assert!(is_pagination("since", Some("A cursor from the previous response.")));
/// assert!(!is_pagination("page_id", Some("The id of the page.")));
/// assert!(!is_pagination("customer", Some("Only invoices of this customer")));
/// ```
pub fn is_pagination(name: &str, description: Option<&str>) -> bool {
    let mut words: Vec<String> = Vec::new();
    for_each_word(name, |w| words.push(w.to_owned()));
    let has = |w: &str| words.iter().any(|x| x == w);
    let by_name = ["cursor", "offset", "continuation", "pagetoken", "marker"].iter().any(|w| has(w))
        || (has("page") && !has("id") && !has("ids"))
        || matches!(words.as_slice(), [w] if matches!(w.as_str(), "after" | "before" | "next" | "prev" | "previous" | "skip"))
        || matches!(words.as_slice(), [a, b] if matches!(a.as_str(), "starting" | "ending" | "start" | "end")
            && matches!(b.as_str(), "after" | "before"));
    let by_description = description.is_some_and(|d| {
        let d = d.to_lowercase();
        ["cursor", "paginat", "next page", "previous page", "page token", "page of results"]
            .iter()
            .any(|p| d.contains(p))
    });
    by_name || by_description
}

/// Whether the task's terms name what parameter `name` is about: its entity for an
/// ID-like parameter (`customer_id` → "customer"), else any word of its name.
fn mentioned(name: &str, entity: Option<&[String]>, task_terms: &[String], analyzer: &Analyzer) -> bool {
    if task_terms.is_empty() {
        return false;
    }
    let words = match entity {
        Some(entity) => entity.to_vec(),
        None => analyzer.terms(name),
    };
    words.iter().any(|w| task_terms.contains(w))
}

/// The stemmed words naming what an ID-like parameter identifies: `channel_id` →
/// `["channel"]`, `spreadsheetId` → `["spreadsheet"]`; `None` for other parameters.
fn id_entity(param: &str, analyzer: &Analyzer) -> Option<Vec<String>> {
    let mut words = Vec::new();
    for_each_word(param, |w| words.push(w.to_owned()));
    // `spreadsheetId` also gives the whole run `spreadsheetid`: not a word of its own here.
    if words.len() > 2 && words.last().is_some_and(|w| *w == words[..words.len() - 1].concat()) {
        words.pop();
    }
    let last = words.last()?;
    if !matches!(last.as_str(), "id" | "ids" | "key" | "uuid" | "gid" | "sid") || words.len() < 2 {
        return None;
    }
    words.pop();
    Some(words.iter().map(|w| analyzer.stem(w)).collect())
}

/// The best producer of `head` (a stemmed noun) in the toolkit: a tool whose slug has a producer verb
/// and names the entity, which does not itself need the same parameter.
fn producer(toolkit: &Toolkit, tool: &Tool, head: &str, param: &str, analyzer: &Analyzer) -> Option<String> {
    let mut best: Option<(usize, usize, &str)> = None;
    for candidate in &toolkit.tools {
        if candidate.slug == tool.slug || candidate.input.required.iter().any(|r| r == param) {
            continue;
        }
        let mut words = Vec::new();
        for_each_word(candidate.slug.as_str(), |w| words.push(analyzer.stem(w)));
        let Some(verb) = PRODUCER_VERBS.iter().position(|v| words.iter().any(|w| w == v)) else { continue };
        if !words.iter().any(|w| w == head) {
            continue;
        }
        let rank = (verb, words.len(), candidate.slug.as_str());
        if best.is_none_or(|b| rank < b) {
            best = Some(rank);
        }
    }
    best.map(|(_, _, slug)| slug.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A toolkit `demo` with the given `tools:` list (YAML).
    fn demo(tools: &str) -> Toolkit {
        let head = "slug: demo\nname: Demo\ndescription: A demonstration toolkit.\nversion: 20261122_00\n\
                    base_url: https://api.example.com\nauth: [{ scheme: none }]\ntools:\n";
        serde_yaml::from_str(&format!("{head}{tools}")).unwrap()
    }

    #[test]
    fn id_like_parameters() {
        let a = Analyzer::new();
        assert_eq!(id_entity("channel_id", &a), Some(vec!["channel".to_owned()]));
        assert_eq!(id_entity("spreadsheetId", &a), Some(vec!["spreadsheet".to_owned()]));
        assert_eq!(id_entity("repo_ids", &a), Some(vec!["repo".to_owned()]));
        assert_eq!(id_entity("id", &a), None);
        assert_eq!(id_entity("title", &a), None);
        assert_eq!(id_entity("valid", &a), None);
    }

    #[test]
    fn declared_provenance_and_inferred_producers() {
        let toolkit = demo(
            r#"
  - { slug: DEMO_LIST_BOARDS, name: List boards, description: Lists boards., http: { method: GET, path: /boards }, input: { type: object } }
  - { slug: DEMO_GET_BOARD, name: Get board, description: Gets a board., http: { method: GET, path: /b }, input: { type: object, required: [board_id], properties: { board_id: { type: string } } } }
  - slug: DEMO_ADD_CARD
    name: Add card
    description: Adds a card.
    http: { method: POST, path: /cards }
    input:
      type: object
      required: [list_ref, board_id]
      properties:
        list_ref: { type: string, from: "DEMO_LIST_BOARDS $[*].lists[*].id" }
        board_id: { type: string }
        owner_id: { type: string }
"#,
        );
        let deps = dependencies_of(&toolkit, &toolkit.tools[2]);
        assert_eq!(deps.len(), 2, "{deps:?}");
        assert_eq!(deps[0].path.as_deref(), Some("$[*].lists[*].id"));
        assert!(!deps[0].inferred);
        assert_eq!(deps[1].tool_slug, "DEMO_LIST_BOARDS", "list beats a get that needs the same id");
    }

    #[test]
    fn pagination_by_name_and_by_description() {
        for name in [
            "cursor",
            "starting_after",
            "ending_before",
            "page_token",
            "pageToken",
            "offset",
            "page",
            "after",
            "before",
            "next_cursor",
            "marker",
        ] {
            assert!(is_pagination(name, None), "{name}");
        }
        assert!(is_pagination("since_ref", Some("Pagination: the value of `next` in the last response")));
        assert!(is_pagination(
            "from",
            Some("Cursor for the next page, the id of the last invoice of the previous page")
        ));
        for name in ["page_id", "pageId", "customer", "channel_id", "after_hours_team"] {
            assert!(!is_pagination(name, Some("The thing it names.")), "{name}");
        }
    }

    #[test]
    fn optional_parameters_only_when_the_task_mentions_them() {
        let toolkit = demo(
            r#"
  - { slug: DEMO_LIST_CUSTOMERS, name: List customers, description: Lists customers., http: { method: GET, path: /c }, input: { type: object } }
  - slug: DEMO_LIST_INVOICES
    name: List invoices
    description: Lists invoices.
    http: { method: GET, path: /invoices }
    input:
      type: object
      properties:
        customer: { type: string, from: "DEMO_LIST_CUSTOMERS $.data[*].id" }
        starting_after: { type: string, description: The id of the last invoice of the previous page., from: "DEMO_LIST_INVOICES $.data[-1].id" }
        ending_before: { type: string, description: The id of the first invoice of the current page. }
"#,
        );
        let tool = &toolkit.tools[1];
        assert!(dependencies_of(&toolkit, tool).is_empty(), "{:?}", dependencies_of(&toolkit, tool));
        let deps = dependencies_for_task(&toolkit, tool, "list the invoices of customer cus_123");
        assert_eq!(deps.len(), 1, "{deps:?}");
        assert_eq!((deps[0].parameter.as_str(), deps[0].tool_slug.as_str()), ("customer", "DEMO_LIST_CUSTOMERS"));
        let deps = dependencies_for_task(&toolkit, tool, "list the invoices after the last one, starting after inv_9");
        assert!(deps.is_empty(), "a cursor is never a dependency, even when mentioned: {deps:?}");
    }
}
