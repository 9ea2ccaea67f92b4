//! A poll trigger's cursor is checked where it is written: exactly one source, JSON
//! paths of the subset the poller reads, a `{now}`-only template, and an argument the
//! polled tool takes.

use toolsmith_catalog::{render_human, validate, Code, Loaded, Style};

fn spec(cursor: &str) -> String {
    format!(
        r#"slug: demo
name: Demo
description: A small demonstration toolkit used by the tests of poll cursors.
version: 20261122_00
base_url: https://api.example.com
auth: [{{ scheme: none }}]
tools:
  - slug: DEMO_LIST_THINGS
    name: List things
    description: Lists the things of the account, those changed since a time first.
    tags: [readOnlyHint]
    http: {{ method: GET, path: /things }}
    input:
      type: object
      properties:
        updated_since: {{ type: string, in: query, description: Only things changed at or after this time }}
        page_token: {{ type: string, in: query, description: Where the previous listing ended }}
triggers:
  - slug: DEMO_THING_CHANGED
    name: Thing changed
    description: Fires for each thing changed, found by polling DEMO_LIST_THINGS every minute.
    poll:
      tool: DEMO_LIST_THINGS
      interval_seconds: 60
      items_path: "$.things"
      dedupe_key: "$.etag"
      cursor: {cursor}
"#
    )
}

#[test]
fn good_cursors_of_both_kinds_pass() {
    for cursor in [
        r#"{ argument: updated_since, from_items: "$.updated", initial: "{now}" }"#,
        r#"{ argument: page_token, from: "$.next" }"#,
        r#"{ argument: page_token, from: ["$.next", "$.start"] }"#,
    ] {
        let loaded = Loaded::from_str("demo.yaml", &spec(cursor));
        let diagnostics = validate(&loaded);
        assert!(diagnostics.is_empty(), "{cursor}: {}", render_human(&diagnostics, Style::default()));
        assert!(loaded.toolkits[0].triggers[0].poll.as_ref().unwrap().cursor.is_some());
    }
}

#[test]
fn bad_cursors_are_located_and_say_how_to_fix_them() {
    let bad = r#"{ argument: updatedMin, from: "$.next", from_items: "updated", initial: "{today}" }"#;
    let loaded = Loaded::from_str("demo.yaml", &spec(bad));
    let diagnostics = validate(&loaded);
    assert!(diagnostics.iter().all(|d| d.code == Code::InvalidValue), "{diagnostics:#?}");
    assert_eq!(diagnostics.len(), 4, "{}", render_human(&diagnostics, Style::default()));
    insta::assert_snapshot!(render_human(&diagnostics, Style::default()));

    let neither = Loaded::from_str("demo.yaml", &spec("{ argument: page_token }"));
    let text = render_human(&validate(&neither), Style::default());
    assert!(text.contains("exactly one of `from` and `from_items`"), "{text}");
    let bad_path = Loaded::from_str("demo.yaml", &spec(r#"{ argument: page_token, from: ["$.a", "$.b[x]"] }"#));
    let text = render_human(&validate(&bad_path), Style::default());
    assert!(text.contains("demo.yaml:27:53") && text.contains("is not an index"), "{text}");
}
