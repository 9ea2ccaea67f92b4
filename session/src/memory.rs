//! What a session learns from results, so a multi-step task does not rediscover it.
//!
//! After a successful call, [`Learner::facts`] takes from it:
//! - the identifying arguments it was called with (path parameters, and names like `id`,
//!   `*_id`, `owner`, `repo`, `channel`): `github.owner = octo`;
//! - the values other tools' parameters declare they come from (`from: GITHUB_LIST_REPOS
//!   $[*].owner.login` on `GITHUB_CREATE_ISSUE.owner`): `github.owner = octo` after listing
//!   repositories — one value, or the choices when the result had several;
//! - identifying fields of a small result (`id`, `*_id`, `full_name`, `login`, …):
//!   `github.full_name = octo/hello`.
//!
//! [`Learner::known_fields`] offers them back per tool: for each of its parameters, the
//! remembered value of `<toolkit>.<parameter>` (or a bare `<parameter>` the agent gave as
//! `known_fields`).

use std::collections::HashMap;
use std::time::SystemTime;

use indexmap::IndexMap;
use serde_json::Value;
use toolsmith_runtime::Registry;
use toolsmith_spec::json_path::select;
use toolsmith_spec::{ParamLocation, Tool};
use toolsmith_store::Fact;

/// At most this many facts from one call.
const MAX_FACTS_PER_CALL: usize = 24;
/// Longer values are not remembered.
const MAX_VALUE_LEN: usize = 200;
/// Results deeper than this are not walked.
const MAX_DEPTH: usize = 3;
/// At most this many choices kept when a result has several values for one parameter.
const MAX_CHOICES: usize = 8;

/// The memory rules of a registry: which tools produce which parameters.
#[derive(Debug, Default)]
pub struct Learner {
    /// Producer slug → (toolkit, parameter, JSON path in the producer's output).
    produces: HashMap<String, Vec<(String, String, String)>>,
}

impl Learner {
    /// Reads every tool's declared provenances (`from:`).
    pub fn new(registry: &Registry) -> Self {
        let mut produces: HashMap<String, Vec<(String, String, String)>> = HashMap::new();
        for found in registry.tools() {
            for (name, param) in &found.tool.input.properties {
                let Some(from) = &param.from else { continue };
                let (Some(tool), Some(path)) = (from.tool(), from.path()) else { continue };
                let entry = (found.toolkit.slug.as_str().to_owned(), name.clone(), path.to_owned());
                let list = produces.entry(tool.as_str().to_ascii_uppercase()).or_default();
                if !list.contains(&entry) {
                    list.push(entry);
                }
            }
        }
        Learner { produces }
    }

    /// What a successful call of `slug` (of `toolkit`; its spec when it has one) with
    /// `arguments` that returned `data` reveals.
    pub fn facts(&self, toolkit: &str, slug: &str, tool: Option<&Tool>, arguments: &Value, data: &Value) -> Vec<Fact> {
        let now = SystemTime::now();
        let mut facts: IndexMap<String, String> = IndexMap::new();
        if let Some(args) = arguments.as_object() {
            for (name, value) in args {
                let in_path = tool
                    .and_then(|t| t.input.properties.get(name))
                    .is_some_and(|p| p.location == Some(ParamLocation::Path));
                if in_path || identifying(name) {
                    if let Some(text) = scalar(value) {
                        facts.insert(format!("{toolkit}.{name}"), text);
                    }
                }
            }
        }
        for (param_toolkit, param, path) in self.produces.get(&slug.to_ascii_uppercase()).into_iter().flatten() {
            let mut values: Vec<String> = Vec::new();
            for v in select(data, path) {
                if let Some(text) = scalar(v) {
                    if !values.contains(&text) {
                        values.push(text);
                    }
                }
            }
            let text = match values.len() {
                0 => continue,
                1 => values.remove(0),
                n => {
                    let shown: Vec<&str> = values.iter().take(MAX_CHOICES).map(String::as_str).collect();
                    let more = if n > MAX_CHOICES { format!(" (and {} more)", n - MAX_CHOICES) } else { String::new() };
                    format!("one of: {}{more}", shown.join(", "))
                }
            };
            facts.insert(format!("{param_toolkit}.{param}"), text);
        }
        walk(data, toolkit, "", 0, &mut facts);
        facts
            .into_iter()
            .filter(|(_, v)| v.len() <= MAX_VALUE_LEN)
            .take(MAX_FACTS_PER_CALL)
            .map(|(key, value)| Fact { key, value, source: slug.to_owned(), updated_at: now })
            .collect()
    }

    /// The remembered values of a tool's parameters, by parameter name.
    pub fn known_fields(
        toolkit: &str,
        params: impl Iterator<Item = String>,
        memory: &[Fact],
    ) -> IndexMap<String, String> {
        let mut known = IndexMap::new();
        for param in params {
            let qualified = format!("{toolkit}.{param}");
            let fact = memory.iter().find(|f| f.key == qualified).or_else(|| memory.iter().find(|f| f.key == param));
            if let Some(fact) = fact {
                known.insert(param, fact.value.clone());
            }
        }
        known
    }
}

/// Facts the agent states in `known_fields` ("owner:octo, repo:hello"): bare keys.
///
/// ```
/// let facts = toolsmith_session::memory::parse_known_fields("owner: octo, repo:hello, junk");
/// assert_eq!(facts, [("owner".to_owned(), "octo".to_owned()), ("repo".to_owned(), "hello".to_owned())]);
/// ```
pub fn parse_known_fields(text: &str) -> Vec<(String, String)> {
    text.split([',', '\n'])
        .filter_map(|pair| {
            let (k, v) = pair.split_once([':', '='])?;
            let (k, v) = (k.trim(), v.trim());
            (!k.is_empty() && !v.is_empty() && k.len() <= 64 && v.len() <= MAX_VALUE_LEN)
                .then(|| (k.to_owned(), v.to_owned()))
        })
        .collect()
}

/// Whether a field name names an identifier.
fn identifying(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "id"
        || lower.ends_with("_id")
        || (name.ends_with("Id") && name.len() > 2)
        || matches!(
            lower.as_str(),
            "owner"
                | "repo"
                | "login"
                | "full_name"
                | "number"
                | "key"
                | "slug"
                | "channel"
                | "thread"
                | "email"
                | "username"
                | "handle"
                | "workspace"
                | "project"
                | "team"
                | "org"
                | "organization"
        )
}

/// A scalar as text; `None` for objects, arrays, null and empty strings.
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Identifying fields of a result: objects walked to [`MAX_DEPTH`], one-element arrays
/// looked into (a list of many is a choice, not a fact).
fn walk(value: &Value, toolkit: &str, prefix: &str, depth: usize, out: &mut IndexMap<String, String>) {
    if depth > MAX_DEPTH {
        return;
    }
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let path = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                match v {
                    Value::Object(_) | Value::Array(_) => walk(v, toolkit, &path, depth + 1, out),
                    _ if identifying(k) => {
                        if let Some(text) = scalar(v) {
                            out.entry(format!("{toolkit}.{path}")).or_insert(text);
                        }
                    }
                    _ => {}
                }
            }
        }
        Value::Array(items) if items.len() == 1 => walk(&items[0], toolkit, prefix, depth + 1, out),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn results_and_arguments_become_facts() {
        let learner = Learner::default();
        let facts = learner.facts(
            "github",
            "GITHUB_GET_REPO",
            None,
            &json!({"owner": "octo", "repo": "hello", "title": "not an id"}),
            &json!({"id": 7, "full_name": "octo/hello", "owner": {"login": "octo"}, "items": [{"id": 1}, {"id": 2}]}),
        );
        let keys: Vec<(&str, &str)> = facts.iter().map(|f| (f.key.as_str(), f.value.as_str())).collect();
        assert!(keys.contains(&("github.owner", "octo")), "{keys:?}");
        assert!(keys.contains(&("github.repo", "hello")));
        assert!(keys.contains(&("github.full_name", "octo/hello")));
        assert!(keys.contains(&("github.owner.login", "octo")));
        assert!(!keys.iter().any(|(k, _)| k.contains("title") || k.contains("items")), "{keys:?}");
    }

    #[test]
    fn known_fields_prefer_the_toolkit_key() {
        let now = SystemTime::now();
        let fact = |k: &str, v: &str| Fact { key: k.into(), value: v.into(), source: "X".into(), updated_at: now };
        let memory = [fact("repo", "bare"), fact("github.repo", "hello"), fact("owner", "octo")];
        let known = Learner::known_fields("github", ["owner", "repo", "title"].map(String::from).into_iter(), &memory);
        assert_eq!(known.get("repo").map(String::as_str), Some("hello"));
        assert_eq!(known.get("owner").map(String::as_str), Some("octo"));
        assert!(!known.contains_key("title"));
    }
}
