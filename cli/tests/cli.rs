//! The `toolsmith` binary: exit codes, output formats, and what it prints.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn toolsmith(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_toolsmith"))
        .args(args)
        .current_dir(root())
        .env_remove("TOOLSMITH_CATALOG")
        .output()
        .expect("run toolsmith")
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn fixtures(dir: &str) -> Vec<String> {
    let mut paths: Vec<String> = std::fs::read_dir(root().join("catalog/tests/fixtures").join(dir))
        .expect("fixtures")
        .flatten()
        .map(|e| format!("catalog/tests/fixtures/{dir}/{}", e.file_name().to_string_lossy()))
        .collect();
    paths.sort();
    paths
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stdout)))
}

#[test]
fn each_invalid_fixture_fails_with_its_code_and_location() {
    for path in fixtures("invalid") {
        let output = toolsmith(&["validate", &path, "--format", "json"]);
        assert_eq!(output.status.code(), Some(1), "{path}");
        let code = Path::new(&path).file_name().unwrap().to_str().unwrap()[..4].to_owned();
        let diagnostics = json(&output);
        let hit = diagnostics
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == code.as_str())
            .unwrap_or_else(|| panic!("{path}: no {code} in {diagnostics}"));
        assert!(hit["file"].as_str().is_some_and(|f| f.starts_with(&path)), "{path}: {hit}");
        if code != "E028" {
            assert!(hit["line"].as_u64().is_some_and(|l| l >= 1), "{path}: no line in {hit}");
            assert!(hit["column"].as_u64().is_some_and(|c| c >= 1), "{path}: no column in {hit}");
        }
        assert!(hit["help"].as_str().is_some_and(|h| !h.is_empty()), "{path}: no help in {hit}");
    }
}

#[test]
fn warnings_do_not_fail_unless_denied() {
    for path in fixtures("warnings") {
        assert_eq!(toolsmith(&["validate", &path]).status.code(), Some(0), "{path}");
        assert_eq!(toolsmith(&["validate", &path, "--deny-warnings"]).status.code(), Some(1), "{path}");
    }
}

#[test]
fn the_catalog_and_the_full_fixture_pass() {
    let output = toolsmith(&["validate", "catalog/toolkits", "catalog/tests/fixtures/valid/demo"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("0 errors"), "{stderr}");
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(toolsmith(&["validate", "--format", "xml"]).status.code(), Some(2));
    assert_eq!(toolsmith(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn a_missing_path_is_reported() {
    let output = toolsmith(&["validate", "no/such/dir", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(json(&output)[0]["code"], "E028");
}

#[test]
fn human_output_shows_the_yaml_lines() {
    let output = toolsmith(&["validate", "catalog/tests/fixtures/invalid/E011-path-param-not-required.yaml"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // The last line carries a timing; leave it out of the snapshot.
    let stable: Vec<&str> = stderr.lines().filter(|l| !l.starts_with("checked ")).collect();
    insta::assert_snapshot!(stable.join("\n"));
}

#[test]
fn tools_list_shows_the_catalog() {
    let output = toolsmith(&["tools", "list", "--catalog", "catalog/tests/fixtures/valid/demo"]);
    assert_eq!(output.status.code(), Some(0));
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stdout));

    let output = toolsmith(&["tools", "list", "--catalog", "catalog/tests/fixtures/valid/demo", "--json"]);
    let tools = json(&output);
    assert_eq!(tools.as_array().unwrap().len(), 5);
    assert_eq!(tools[0]["slug"], "DEMO_LIST_THINGS");
    assert_eq!(tools[0]["method"], "GET");

    let output = toolsmith(&["tools", "list", "--toolkit", "github", "--json"]);
    let tools = json(&output);
    assert!(tools.as_array().unwrap().iter().all(|t| t["toolkit"] == "github"));
    assert!(tools.as_array().unwrap().len() >= 10);

    let output = toolsmith(&["tools", "list", "--toolkit", "nope"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("known toolkits"));
}

#[test]
fn tools_get_prints_the_canonical_schema() {
    let output = toolsmith(&["tools", "get", "demo_update_thing", "--catalog", "catalog/tests/fixtures/valid/demo"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stdout));
}

#[test]
fn tools_list_refuses_an_invalid_catalog() {
    let output =
        toolsmith(&["tools", "list", "--catalog", "catalog/tests/fixtures/invalid/E010-path-param-undeclared.yaml"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("E010"));
}

#[test]
fn committed_schemas_are_current() {
    let output = toolsmith(&["schema", "--check"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
}
