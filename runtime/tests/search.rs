//! Search over the real catalog (`catalog/toolkits`): ranking, toolkit preference,
//! multi-step tasks, dependencies from provenance, the SEARCH_TOOLS shape, and
//! concurrent use.

use std::sync::{Arc, OnceLock};

use toolsmith::search::{ResponseOptions, SearchOptions, ToolSearch};
use toolsmith::Registry;

fn search() -> &'static ToolSearch {
    static SEARCH: OnceLock<ToolSearch> = OnceLock::new();
    SEARCH.get_or_init(|| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../catalog/toolkits");
        let registry = Registry::load(&[dir]).expect("the catalog loads");
        ToolSearch::new(&registry)
    })
}

fn top(task: &str, limit: usize) -> Vec<String> {
    let index = search().index();
    index
        .search(task, &SearchOptions { limit, toolkit: None, allowed: None })
        .iter()
        .map(|h| index.documents()[h.doc].slug.clone())
        .collect()
}

#[test]
fn finds_the_obvious_tool_first() {
    assert_eq!(top("create a GitHub issue for the login bug", 5)[0], "GITHUB_CREATE_ISSUE");
    assert_eq!(top("send a message to the #general channel on Slack", 5)[0], "SLACK_SEND_MESSAGE");
}

#[test]
fn the_named_toolkit_wins_over_a_similar_tool() {
    let jira = top("open a new Jira issue about the outage", 3);
    assert!(jira[0].starts_with("JIRA_"), "{jira:?}");
    let github = top("open a new GitHub issue about the outage", 3);
    assert!(github[0].starts_with("GITHUB_"), "{github:?}");
}

#[test]
fn synonyms_find_tools_without_shared_words() {
    let hits = top("remove the slack message I posted", 3);
    assert!(hits.contains(&"SLACK_DELETE_MESSAGE".to_owned()), "{hits:?}");
}

#[test]
fn multi_step_tasks_get_a_tool_per_step() {
    let hits = top("First find the Slack channel for the team, then create a Google Calendar event for the retro", 4);
    assert!(hits.iter().any(|s| s.starts_with("SLACK_")), "{hits:?}");
    assert!(hits.iter().any(|s| s.starts_with("GOOGLECALENDAR_")), "{hits:?}");
}

#[test]
fn the_response_has_the_search_tools_shape() {
    let response = search().search(&["fetch the history of a slack conversation"], &ResponseOptions::default());
    let value = serde_json::to_value(&response).unwrap();
    for key in [
        "success",
        "error",
        "results",
        "tool_schemas",
        "toolkit_connection_statuses",
        "time_info",
        "next_steps_guidance",
    ] {
        assert!(value.get(key).is_some(), "no {key} in {value}");
    }
    let result = &response.results[0];
    assert_eq!(result.index, 1);
    assert_eq!(result.primary_tool_slugs[0], "SLACK_FETCH_CONVERSATION_HISTORY");
    assert!(result.dependency_tool_slugs.contains(&"SLACK_LIST_CONVERSATIONS".to_owned()), "{result:?}");
    let dep = &result.dependencies["SLACK_FETCH_CONVERSATION_HISTORY"][0];
    assert!(!dep.inferred, "declared provenance: {dep:?}");
    for slug in result.primary_tool_slugs.iter().chain(&result.related_tool_slugs).chain(&result.dependency_tool_slugs)
    {
        assert!(response.tool_schemas.contains_key(slug), "no schema for {slug}");
    }
    assert_eq!(response.toolkit_connection_statuses[0].toolkit, "slack");
    assert!(response.toolkit_connection_statuses[0].has_active_connection.is_none());
}

#[test]
fn large_schemas_are_referenced_not_inlined() {
    let options = ResponseOptions { max_inline_schema_bytes: 10, ..Default::default() };
    let response = search().search(&["create a github issue"], &options);
    let schema = &response.tool_schemas["GITHUB_CREATE_ISSUE"];
    assert!(!schema.has_full_schema && schema.input_schema.is_none());
    let reference = schema.schema_ref.as_ref().unwrap();
    assert_eq!(reference.tool, "COMPOSIO_GET_TOOL_SCHEMAS");
    assert_eq!(reference.args["tool_slugs"][0], "GITHUB_CREATE_ISSUE");
}

#[test]
fn hints_become_plan_steps_and_pitfalls() {
    let registry = Registry::load(&[concat!(env!("CARGO_MANIFEST_DIR"), "/../catalog/toolkits")]).unwrap();
    let with_hints = registry.tools().find(|t| !t.tool.hints.pitfalls.is_empty()).expect("a tool with pitfalls");
    let slug = with_hints.tool.slug.as_str();
    let response = search().search(&[with_hints.tool.description.as_str()], &ResponseOptions::default());
    let result = &response.results[0];
    if result.primary_tool_slugs.iter().any(|s| s == slug) {
        assert!(result.known_pitfalls.iter().any(|p| p.starts_with(&format!("[{slug}]"))), "{result:?}");
    } else {
        panic!("{slug} not found by its own description: {result:?}");
    }
}

#[test]
fn toolkit_filter_and_no_match() {
    let options = ResponseOptions { toolkit: Some("jira".into()), ..Default::default() };
    let response = search().search(&["create an issue"], &options);
    assert!(response.results[0].primary_tool_slugs.iter().all(|s| s.starts_with("JIRA_")));
    let response = search().search(&["qwxz zzvv"], &ResponseOptions::default());
    assert!(response.results[0].primary_tool_slugs.is_empty());
    assert!(response.results[0].error.is_some());
}

#[test]
fn searches_from_many_threads() {
    let shared = Arc::new(search());
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || {
                let index = shared.index();
                (0..200)
                    .map(|_| index.search("list github pull requests", &SearchOptions::default()).len())
                    .sum::<usize>()
            })
        })
        .collect();
    for t in threads {
        assert!(t.join().unwrap() > 0);
    }
}

// Issue 16: what a new user met on the built-in catalog.

#[test]
fn a_refund_is_not_sent_to_a_destructive_wrong_tool() {
    let hits = top("refund the last payment of customer cus_123", 5);
    assert_eq!(hits[0], "STRIPE_CREATE_REFUND", "{hits:?}");
    assert!(!hits.contains(&"STRIPE_DELETE_CUSTOMER".to_owned()), "{hits:?}");
}

#[test]
fn asking_to_delete_finds_the_destroyer() {
    let hits = top("delete a repository", 3);
    assert!(hits.contains(&"GITHUB_REPOS_DELETE".to_owned()), "{hits:?}");
    let hits = top("cancel the customer's subscription", 3);
    assert!(hits.contains(&"STRIPE_CANCEL_SUBSCRIPTION".to_owned()), "{hits:?}");
}

#[test]
fn the_star_tool_comes_first_for_starring() {
    let hits = top("star a github repo", 5);
    assert_eq!(hits[0], "GITHUB_ACTIVITY_STAR_REPO_FOR_AUTHENTICATED_USER", "{hits:?}");
}

#[test]
fn curated_tools_win_over_imported_ones() {
    let docs = search().index().documents();
    let origin = |slug: &str| docs.iter().find(|d| d.slug == slug).map(|d| d.origin);
    assert_eq!(origin("GITHUB_REPOS_DELETE"), Some(toolsmith::spec::Origin::Imported));
    assert_eq!(origin("GITHUB_MERGE_PULL_REQUEST"), Some(toolsmith::spec::Origin::Curated));
    assert_eq!(top("merge a pull request", 3)[0], "GITHUB_MERGE_PULL_REQUEST");
    assert_eq!(top("refund a payment", 3)[0], "STRIPE_CREATE_REFUND");
}

#[test]
fn search_tools_says_when_no_tool_fits() {
    let response = search().search(
        &["play the next song on spotify", "create a GitHub issue for the login bug"],
        &ResponseOptions::default(),
    );
    let (poor, good) = (&response.results[0], &response.results[1]);
    assert!(poor.no_good_match && poor.confidence < f64::from(toolsmith::search::LOW_CONFIDENCE), "{poor:?}");
    assert!(
        response.next_steps_guidance.iter().any(|g| g.starts_with("No tool fits query 1") && g.contains("Rephrase")),
        "{:?}",
        response.next_steps_guidance
    );
    assert!(!good.no_good_match && good.confidence > 0.5, "{good:?}");
    assert_eq!(good.tool_scores[0].tool_slug, good.primary_tool_slugs[0]);
    assert_eq!(good.tool_scores.len(), good.primary_tool_slugs.len() + good.related_tool_slugs.len());
    assert!(good.tool_scores.iter().all(|s| (0.0..=1.0).contains(&s.confidence)));
    let value = serde_json::to_value(&response).unwrap();
    for key in ["confidence", "no_good_match", "tool_scores"] {
        assert!(value["results"][0].get(key).is_some(), "{key}");
    }
}
