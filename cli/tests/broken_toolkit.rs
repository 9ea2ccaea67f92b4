//! Issue 12, item 10: one broken toolkit on the catalog path no longer stops every
//! command: the others load, a warning names the broken one, and only commands that
//! need it fail.

#![allow(clippy::unwrap_used)]

use std::process::{Command, Output};

fn toolsmith(catalog: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_toolsmith"))
        .args(args)
        .env("TOOLSMITH_CATALOG", catalog)
        .env("TOOLSMITH_HOME", catalog.join("home"))
        .env_remove("TOOLSMITH_SECRET_KEY")
        .output()
        .unwrap()
}

#[test]
fn a_broken_toolkit_fails_only_the_commands_that_need_it() {
    let dir = std::env::temp_dir().join(format!("toolsmith-cli-broken-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (slug, tool_path) in [("good", "/ping"), ("bad", "ping-without-slash")] {
        std::fs::create_dir_all(dir.join(slug)).unwrap();
        std::fs::write(
            dir.join(slug).join("toolkit.yaml"),
            format!(
                r#"slug: {slug}
name: {slug}
description: A toolkit of the broken-catalog test.
version: 20261122_00
base_url: http://127.0.0.1:9/api
auth: [{{ scheme: none }}]
tools:
  - slug: {upper}_PING
    name: Ping
    description: Checks that the service answers.
    http: {{ method: GET, path: "{tool_path}" }}
    input: {{ type: object }}
"#,
                upper = slug.to_ascii_uppercase()
            ),
        )
        .unwrap();
    }
    let listed = toolsmith(&dir, &["tools", "list", "--json"]);
    let stderr = String::from_utf8_lossy(&listed.stderr);
    assert_eq!(listed.status.code(), Some(0), "{stderr}");
    let stdout = String::from_utf8_lossy(&listed.stdout);
    assert!(stdout.contains("GOOD_PING") && !stdout.contains("BAD_PING"), "{stdout}");
    let bad = dir.join("bad");
    assert!(
        stderr.contains(&format!("warning: toolkit `bad` in {} did not load (1 error(s))", bad.display())),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("all of them: toolsmith validate {}", bad.display())), "{stderr}");

    let got = toolsmith(&dir, &["tools", "get", "GOOD_PING"]);
    assert_eq!(got.status.code(), Some(0), "{}", String::from_utf8_lossy(&got.stderr));
    let missing = toolsmith(&dir, &["tools", "get", "BAD_PING"]);
    assert_eq!(missing.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(stderr.contains("toolkit `bad`") && stderr.contains("no tool `BAD_PING`"), "{stderr}");
}

/// Issue 12, item 8: the built-in catalog is in the binary, so commands work from any
/// folder (here a fresh temporary one, with no `catalog/` below it).
#[test]
fn the_built_in_catalog_works_from_any_folder() {
    let dir = std::env::temp_dir().join(format!("toolsmith-cli-anywhere-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_toolsmith"))
            .args(args)
            .current_dir(&dir)
            .env_remove("TOOLSMITH_CATALOG")
            .env("TOOLSMITH_HOME", dir.join("home"))
            .output()
            .unwrap()
    };
    let listed = run(&["tools", "list", "--toolkit", "slack"]);
    assert_eq!(listed.status.code(), Some(0), "{}", String::from_utf8_lossy(&listed.stderr));
    assert!(String::from_utf8_lossy(&listed.stdout).contains("SLACK_SEND_MESSAGE"));
    let found = run(&["search", "send an email"]);
    assert_eq!(found.status.code(), Some(0), "{}", String::from_utf8_lossy(&found.stderr));
    assert!(
        String::from_utf8_lossy(&found.stdout).contains("GMAIL_SEND_EMAIL"),
        "{}",
        String::from_utf8_lossy(&found.stdout)
    );
    let got = run(&["tools", "get", "SLACK_SEND_MESSAGE"]);
    assert_eq!(got.status.code(), Some(0), "{}", String::from_utf8_lossy(&got.stderr));
}
