//! Helpers the CLI test files share: running `toolsmith` against a home and a catalog,
//! and a toolkit whose credential is checked against a local server.

// Each test file uses the helpers it needs.
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs `toolsmith args` with `TOOLSMITH_HOME` and `TOOLSMITH_CATALOG` set (no
/// `TOOLSMITH_SECRET_KEY` or `TOOLSMITH_DATABASE_URL`), `stdin` on standard input.
pub(crate) fn toolsmith(home: &Path, catalog: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_toolsmith"))
        .args(args)
        .env("TOOLSMITH_HOME", home)
        .env("TOOLSMITH_CATALOG", catalog)
        .env_remove("TOOLSMITH_SECRET_KEY")
        .env_remove("TOOLSMITH_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// Writes the toolkit `checked` under `catalog`: an API key checked with `GET /me`
/// against `origin`, and one tool, `CHECKED_PING`.
pub(crate) fn write_checked_toolkit(catalog: &Path, origin: &str) {
    std::fs::create_dir_all(catalog.join("checked")).unwrap();
    std::fs::write(
        catalog.join("checked/toolkit.yaml"),
        format!(
            r#"slug: checked
name: Checked
description: A toolkit whose credential is checked when an account connects.
version: 20261122_00
base_url: {origin}/api
auth: [{{ scheme: api_key, in: header, name: X-Api-Key, verify: {{ method: GET, path: /me }} }}]
tools:
  - slug: CHECKED_PING
    name: Ping
    description: Checks that the service answers.
    http: {{ method: GET, path: /ping }}
    input: {{ type: object }}
"#
        ),
    )
    .unwrap();
}
