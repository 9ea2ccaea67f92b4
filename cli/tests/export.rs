//! Issue 13: `toolsmith tools export` prints a provider's tools array for a toolkit or
//! tools; unknown providers, toolkits and tools are refused with what to use instead.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn toolsmith(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_toolsmith"))
        .args(args)
        .current_dir(root())
        .env_remove("TOOLSMITH_CATALOG")
        .output()
        .unwrap()
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

const DEMO: [&str; 3] = ["--no-builtin", "--catalog", "catalog/tests/fixtures/valid/demo"];

fn export(provider: &str, more: &[&str]) -> Output {
    let mut args = vec!["tools", "export", "--provider", provider];
    args.extend(DEMO);
    args.extend(more);
    toolsmith(&args)
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn export_prints_the_tools_array_of_a_toolkit() {
    for provider in ["openai", "openai-responses", "anthropic", "gemini", "gemini-openapi"] {
        let output = export(provider, &["--toolkit", "demo"]);
        assert_eq!(output.status.code(), Some(0), "{provider}: {}", stderr(&output));
        let tools: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
        assert_eq!(tools.as_array().unwrap().len(), 5, "{provider}");
        insta::assert_snapshot!(format!("export_{provider}"), stdout(&output));
    }
}

#[test]
fn export_strict_reports_fallbacks_on_stderr() {
    let output = export("openai", &["--toolkit", "demo", "--strict"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    insta::assert_snapshot!("export_openai_strict", stdout(&output));
    assert_eq!(stderr(&output), "", "every demo tool has a strict form");

    // Slack's message blocks are free-form objects: that tool is sent non-strict.
    let output = toolsmith(&["tools", "export", "--provider", "openai-responses", "--tool", "SLACK_SEND_MESSAGE"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let tools: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(tools[0]["strict"], false);
    insta::assert_snapshot!("export_openai_strict_stderr", stderr(&output));
}

#[test]
fn export_picks_tools_by_slug() {
    let output = export("anthropic", &["--tool", "demo_update_thing", "--tool", "DEMO_LIST_THINGS"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let tools: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(tools[0]["name"], "DEMO_UPDATE_THING");
    assert_eq!(tools[1]["name"], "DEMO_LIST_THINGS");
}

#[test]
fn export_mistakes_say_what_to_use() {
    let output = export("mistral", &["--toolkit", "demo"]);
    assert_eq!(output.status.code(), Some(2));
    insta::assert_snapshot!("export_unknown_provider", stderr(&output));

    let output = export("openai", &["--tool", "DEMO_UPDATE_THNG"]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!("export_unknown_tool", stderr(&output));

    let output = export("openai", &["--toolkit", "dmeo"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("no toolkit `dmeo` (did you mean `demo`?)"), "{}", stderr(&output));

    let output = export("openai", &[]);
    assert_eq!(output.status.code(), Some(2));
    insta::assert_snapshot!("export_nothing_selected", stderr(&output));
}
