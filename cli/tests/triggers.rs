//! `toolsmith triggers`: types of the catalog, and a project's trigger instances created
//! (by account alias or user, the secret from standard input), listed without their
//! secrets, disabled, enabled and deleted; errors that say what to do.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::toolsmith;

/// A fresh home and a catalog folder with the toolkit `hooks` (an API key, a signed
/// webhook trigger and a poll trigger).
fn scratch() -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!("toolsmith-cli-triggers-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let catalog = dir.join("catalog/hooks");
    std::fs::create_dir_all(&catalog).unwrap();
    std::fs::write(
        catalog.join("toolkit.yaml"),
        r#"slug: hooks
name: Hooks
description: A toolkit with triggers, for the CLI's trigger tests.
version: 20261122_00
base_url: http://127.0.0.1:9/api
auth: [{ scheme: api_key, in: header, name: X-Api-Key }]
tools:
  - slug: HOOKS_LIST_ITEMS
    name: List items
    description: Lists the items of the account, newest first.
    http: { method: GET, path: /items }
    input: { type: object, properties: {} }
triggers:
  - slug: HOOKS_ITEM_CREATED
    name: Item created
    description: Fires when an item is created in a folder of the account.
    webhook:
      events: [item.created]
      event_header: X-Hooks-Event
      signature: { header: X-Hooks-Signature, algorithm: hmac_sha256, secret_field: signing_secret }
    config:
      type: object
      required: [signing_secret, folder]
      properties:
        signing_secret: { type: string, description: The webhook's signing secret }
        folder: { type: string, description: The folder to watch }
  - slug: HOOKS_NEW_ITEM
    name: New item
    description: An item appeared in the account, found by polling the item list.
    poll: { tool: HOOKS_LIST_ITEMS, interval_seconds: 60, dedupe_key: "$.id", items_path: "$.items" }
"#,
    )
    .unwrap();
    (dir.join("home"), dir.join("catalog"))
}

/// The envelopes of the `composio.trigger.disabled` events recorded in `home`'s store.
fn disabled_events(home: &Path) -> Vec<serde_json::Value> {
    use toolsmith::store::{KeyRing, SqliteStore, TriggerEventType, TriggerEvents};
    let store = SqliteStore::open(SqliteStore::default_path(home), KeyRing::load(home).unwrap()).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let events = runtime.block_on(store.trigger_events_after(None, 100)).unwrap();
    events.into_iter().filter(|e| e.kind == TriggerEventType::TriggerDisabled).map(|e| e.envelope).collect()
}

fn out(output: &Output) -> (String, String) {
    (String::from_utf8_lossy(&output.stdout).into_owned(), String::from_utf8_lossy(&output.stderr).into_owned())
}

/// Runs `toolsmith args`, asserts the exit code, returns stdout and stderr.
fn run(home: &Path, catalog: &Path, args: &[&str], stdin: &str, code: i32) -> (String, String) {
    let output = toolsmith(home, catalog, args, stdin);
    let (stdout, stderr) = out(&output);
    assert_eq!(output.status.code(), Some(code), "{args:?}\nstdout: {stdout}\nstderr: {stderr}");
    (stdout, stderr)
}

#[test]
fn trigger_instances_are_created_listed_switched_and_deleted_without_their_secret() {
    let (home, catalog) = scratch();
    let ok = |args: &[&str], stdin: &str| run(&home, &catalog, args, stdin, 0).0;
    let fails = |args: &[&str]| run(&home, &catalog, args, "", 1).1;

    insta::assert_snapshot!("types", ok(&["triggers", "types", "--toolkit", "hooks"], ""));
    let types: serde_json::Value =
        serde_json::from_str(&ok(&["triggers", "types", "--toolkit", "hooks", "--json"], "")).unwrap();
    assert_eq!(types[0]["config"]["required"], serde_json::json!(["signing_secret", "folder"]));

    let account = ok(
        &["accounts", "connect", "--user", "ada", "--toolkit", "hooks", "--alias", "work", "--api-key", "-"],
        "key-1\n",
    );
    let account: serde_json::Value = serde_json::from_str(&account).unwrap();
    let ca = account["id"].as_str().unwrap().to_owned();

    let config = r#"{"folder": "inbox", "signing_secret": "SECRET-signing-Qz81"}"#;
    let created = ok(&["triggers", "create", "HOOKS_ITEM_CREATED", "--account", "work", "--config", "-"], config);
    let ti = created.lines().last().unwrap().to_owned();
    assert!(ti.starts_with("ti_"), "{created}");
    // A webhook trigger's URL is printed before the id, under the server's public URL.
    assert_eq!(
        created.lines().next().unwrap(),
        format!("webhook URL (set it at hooks): http://127.0.0.1:8787/webhooks/hooks/{ti}")
    );
    // By user: the same trigger, account and folder are the same instance.
    let args = ["triggers", "create", "hooks_item_created", "--user", "ada", "--config", config];
    let again = ok(&[&args[..], &["--public-url", "https://hooks.example.com/"]].concat(), "");
    assert_eq!(again, format!("webhook URL (set it at hooks): https://hooks.example.com/webhooks/hooks/{ti}\n{ti}\n"));
    let polled = ok(&["triggers", "create", "HOOKS_NEW_ITEM", "--user", "ada"], "");
    let polled = polled.trim().to_owned();

    let redact =
        |text: String| text.replace(&ti, "ti_[webhook]").replace(&polled, "ti_[poll]").replace(&ca, "ca_[ada]");
    let listed = ok(&["triggers", "list"], "");
    assert!(!listed.contains("SECRET-signing"), "{listed}");
    insta::assert_snapshot!("list", redact(listed));
    assert_eq!(ok(&["triggers", "disable", &ti], "").trim(), format!("disabled {ti}"));
    insta::assert_snapshot!("list_after_disable", redact(ok(&["triggers", "list"], "")));
    insta::assert_snapshot!("list_all", redact(ok(&["triggers", "list", "--all"], "")));
    let json: serde_json::Value = serde_json::from_str(&ok(&["triggers", "list", "--all", "--json"], "")).unwrap();
    assert_eq!(json[0]["triggerConfig"]["signing_secret"], "[REDACTED]");
    assert!(json[0]["disabledAt"].is_string() && json[1]["disabledAt"].is_null(), "{json}");
    // Disabling recorded one composio.trigger.disabled for the app; disabling again none.
    assert_eq!(ok(&["triggers", "disable", &ti], "").trim(), format!("disabled {ti}"));
    let events = disabled_events(&home);
    assert_eq!(events.len(), 1, "one event for two disables: {events:?}");
    assert_eq!(events[0]["metadata"]["trigger_id"], ti.as_str());
    assert!(events[0]["data"]["reason"].as_str().unwrap().contains("toolsmith triggers disable"), "{events:?}");
    assert_eq!(ok(&["triggers", "enable", &ti], "").trim(), format!("enabled {ti}"));
    assert_eq!(ok(&["triggers", "disable", &ti], "").trim(), format!("disabled {ti}"));
    assert_eq!(disabled_events(&home).len(), 2, "a new enabled → disabled transition is a new event");
    assert_eq!(ok(&["triggers", "enable", &ti], "").trim(), format!("enabled {ti}"));
    assert_eq!(ok(&["triggers", "delete", &ti], "").trim(), format!("deleted {ti}"));
    assert!(fails(&["triggers", "delete", &ti]).contains(&format!("no trigger instance {ti}")));

    // Errors say what is wrong and what to do.
    let bad = fails(&["triggers", "create", "HOOKS_ITEM_CREATED", "--account", "work", "--config", r#"{"folder": 3}"#]);
    assert!(
        bad.contains("trigger_config/signing_secret: is required") && bad.contains("trigger_config/folder"),
        "{bad}"
    );
    let unknown = fails(&["triggers", "create", "HOOKS_ITEM", "--user", "ada"]);
    assert!(unknown.contains("HOOKS_ITEM_CREATED"), "suggests the close slugs: {unknown}");
    let nobody = fails(&["triggers", "create", "HOOKS_NEW_ITEM", "--user", "bob"]);
    assert!(nobody.contains("toolsmith accounts connect --toolkit hooks"), "{nobody}");
    let not_json = fails(&["triggers", "create", "HOOKS_NEW_ITEM", "--user", "ada", "--config", "[1]"]);
    assert!(not_json.contains("--config is an array, not a JSON object"), "{not_json}");
}
