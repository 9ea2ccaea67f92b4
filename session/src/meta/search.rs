//! `COMPOSIO_SEARCH_TOOLS` and `COMPOSIO_GET_TOOL_SCHEMAS`, scoped to the session, with
//! the user's connection status and the session's memory.

use std::time::SystemTime;

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::{json, Value};
use toolsmith_runtime::search::ResponseOptions;
use toolsmith_store::Fact;

use crate::accounts::{connection, Connection};
use crate::context::{arguments, Cx};
use crate::error::SessionError;
use crate::memory::{parse_known_fields, Learner};

#[derive(Deserialize)]
struct SearchArgs {
    queries: Vec<Query>,
    #[serde(default, rename = "session")]
    _session: Option<Value>,
    #[serde(default, rename = "model")]
    _model: Option<String>,
}

#[derive(Deserialize)]
struct Query {
    use_case: String,
    #[serde(default)]
    known_fields: Option<String>,
}

/// `COMPOSIO_SEARCH_TOOLS`.
pub(crate) async fn search(cx: &Cx, args: Value) -> Result<Value, SessionError> {
    let args: SearchArgs = arguments("COMPOSIO_SEARCH_TOOLS", args)?;
    let bad = |path: String, message: &str| SessionError::Arguments {
        tool: "COMPOSIO_SEARCH_TOOLS",
        path,
        message: message.to_owned(),
    };
    if args.queries.is_empty() {
        return Err(bad("queries".into(), "give at least one query"));
    }
    for (i, q) in args.queries.iter().enumerate() {
        if q.use_case.trim().is_empty() {
            return Err(bad(format!("queries[{i}].use_case"), "describe the task in a sentence"));
        }
        if q.use_case.chars().count() > 1024 {
            return Err(bad(format!("queries[{i}].use_case"), "at most 1024 characters"));
        }
    }
    let stated: Vec<Fact> = args
        .queries
        .iter()
        .filter_map(|q| q.known_fields.as_deref())
        .flat_map(parse_known_fields)
        .map(|(key, value)| Fact { key, value, source: "known_fields".into(), updated_at: SystemTime::now() })
        .collect();
    cx.remember(&stated).await;
    let options = ResponseOptions {
        max_inline_schema_bytes: cx.shared.options.max_inline_schema_bytes,
        allowed: cx.mask.clone(),
        ..ResponseOptions::default()
    };
    let use_cases: Vec<&str> = args.queries.iter().map(|q| q.use_case.as_str()).collect();
    let response = cx.shared.search.search(&use_cases, &options);
    let memory = cx.memory().await;
    let mut data = serde_json::to_value(&response).unwrap_or_else(|_| json!({}));
    // Per result: the remembered values of its primary tools' parameters.
    if let Some(results) = data["results"].as_array_mut() {
        for result in results {
            let mut known: IndexMap<String, IndexMap<String, String>> = IndexMap::new();
            for slug in result["primary_tool_slugs"].as_array().into_iter().flatten().filter_map(Value::as_str) {
                let fields = known_fields(cx, slug, &memory);
                if !fields.is_empty() {
                    known.insert(slug.to_owned(), fields);
                }
            }
            result["memory"] = json!(known);
        }
    }
    let mut statuses = Vec::new();
    for toolkit in &response.toolkit_connection_statuses {
        statuses.push(status(cx, &toolkit.toolkit).await);
    }
    let any_missing = statuses.iter().any(|s| s["has_active_connection"] == json!(false));
    data["toolkit_connection_statuses"] = json!(statuses);
    data["session"] = cx.session_info();
    if any_missing {
        if let Some(guidance) = data["next_steps_guidance"].as_array_mut() {
            guidance.insert(
                0,
                json!("Some toolkits are not connected: call COMPOSIO_MANAGE_CONNECTIONS with them and show the user the link before executing their tools."),
            );
        }
    }
    Ok(data)
}

/// The remembered values of a tool's parameters.
fn known_fields(cx: &Cx, slug: &str, memory: &[Fact]) -> IndexMap<String, String> {
    match cx.registry().tool(slug) {
        Some(t) => Learner::known_fields(t.toolkit.slug.as_str(), t.tool.input.properties.keys().cloned(), memory),
        None => IndexMap::new(),
    }
}

/// A toolkit's `toolkit_connection_statuses` entry.
async fn status(cx: &Cx, slug: &str) -> Value {
    let Some(toolkit) = cx.registry().toolkit(slug) else {
        return json!({"toolkit": slug, "description": "", "has_active_connection": false, "connection_details": {}, "status_message": "unknown toolkit"});
    };
    let (active, details, message) = match connection(cx, toolkit).await {
        Err(e) => (false, json!({}), format!("the connection status could not be read: {e}")),
        Ok(Connection::NoAuth) => (true, json!({}), format!("{} needs no account.", toolkit.name)),
        Ok(c) => {
            let account = c.account();
            let details = json!({
                "connected_account_id": account.map(|a| a.id.as_str()),
                "auth_config_id": account.map(|a| a.auth_config.as_str()),
                "status": c.status(),
            });
            let message = match &c {
                Connection::Active(_) => format!("{} is connected.", toolkit.name),
                Connection::Pending(_) => format!(
                    "A connection of {} was started and waits for the user; call COMPOSIO_WAIT_FOR_CONNECTIONS or COMPOSIO_MANAGE_CONNECTIONS for a new link.",
                    toolkit.name
                ),
                Connection::Broken(a) => format!(
                    "The {} account {} is {}: call COMPOSIO_MANAGE_CONNECTIONS to reconnect.",
                    toolkit.name, a.id, a.status
                ),
                _ => format!("{} is not connected: call COMPOSIO_MANAGE_CONNECTIONS.", toolkit.name),
            };
            (c.is_active(), details, message)
        }
    };
    json!({
        "toolkit": toolkit.slug.as_str(),
        "description": toolkit.description,
        "has_active_connection": active,
        "connection_details": details,
        "status_message": message,
        "account_type": "PRIVATE",
    })
}

#[derive(Deserialize)]
struct SchemaArgs {
    tool_slugs: Vec<String>,
    #[serde(default)]
    include: Option<Vec<Include>>,
    #[serde(default, rename = "session_id")]
    _session_id: Option<String>,
}

#[derive(Deserialize, PartialEq, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum Include {
    InputSchema,
    OutputSchema,
}

/// `COMPOSIO_GET_TOOL_SCHEMAS`.
pub(crate) async fn schemas(cx: &Cx, args: Value) -> Result<Value, SessionError> {
    let args: SchemaArgs = arguments("COMPOSIO_GET_TOOL_SCHEMAS", args)?;
    let include = args.include.unwrap_or_else(|| vec![Include::InputSchema]);
    let memory = cx.memory().await;
    let mut schemas = IndexMap::new();
    let mut not_found = Vec::new();
    let mut suggestions: IndexMap<String, Vec<String>> = IndexMap::new();
    let mut reasons = Vec::new();
    for slug in &args.tool_slugs {
        match cx.tool(slug) {
            Ok(found) => {
                let Some(schema) = cx.shared.search.schema(&found.slug, usize::MAX) else { continue };
                let mut entry = json!({
                    "toolkit": schema.toolkit,
                    "tool_slug": schema.tool_slug,
                    "description": schema.description,
                });
                if include.contains(&Include::InputSchema) {
                    entry["input_schema"] = schema.input_schema.unwrap_or_else(|| json!({"type": "object"}));
                }
                if include.contains(&Include::OutputSchema) {
                    entry["output_schema"] = match found.spec {
                        Some((toolkit, tool)) => toolkit.output_schema(tool).unwrap_or(Value::Null),
                        None => Value::Null,
                    };
                }
                let known = known_fields(cx, &found.slug, &memory);
                if !known.is_empty() {
                    entry["known_fields"] = json!(known);
                }
                schemas.insert(found.slug, entry);
            }
            Err(e) => {
                not_found.push(slug.clone());
                suggestions.insert(slug.clone(), suggest(cx, slug));
                reasons.push(e.to_string());
            }
        }
    }
    Ok(json!({
        "success": not_found.is_empty(),
        "tool_schemas": schemas,
        "not_found": not_found,
        "suggestions": suggestions,
        "not_found_message": (!reasons.is_empty()).then(|| reasons.join("; ")),
        "session": cx.session_info(),
    }))
}

/// Up to three in-scope slugs close to `slug`.
fn suggest(cx: &Cx, slug: &str) -> Vec<String> {
    let wanted = slug.to_ascii_uppercase();
    let mut scored: Vec<(f64, &str)> = cx
        .shared
        .search
        .index()
        .documents()
        .iter()
        .enumerate()
        .filter(|(i, _)| cx.mask.as_ref().is_none_or(|m| m.get(*i).copied().unwrap_or(false)))
        .map(|(_, d)| (strsim::jaro_winkler(&wanted, &d.slug), d.slug.as_str()))
        .filter(|(score, _)| *score > 0.75)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored.into_iter().take(3).map(|(_, s)| s.to_owned()).collect()
}
