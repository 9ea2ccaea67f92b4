//! Each broken spec under `fixtures/invalid/` (one per error code) and
//! `fixtures/warnings/` (one per warning code) gives its code at the right place;
//! the rendered diagnostics are snapshot-tested.

use std::path::{Path, PathBuf};

use toolsmith_catalog::{check_paths, has_errors, render_human, render_json, Code, Severity, Style};

fn fixtures(dir: &str) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(Path::new("tests/fixtures").join(dir))
        .expect("fixture folder")
        .map(|e| e.expect("entry").path())
        .collect();
    paths.sort();
    paths
}

/// `E010-path-param-undeclared.yaml` → `Code::PathParamUndeclared`.
fn expected_code(path: &Path) -> Code {
    let name = path.file_stem().and_then(|s| s.to_str()).expect("utf-8 name");
    let (id, rest) = name.split_once('-').expect("fixture named CODE-name");
    let code = Code::from_name(id).unwrap_or_else(|| panic!("{name}: no code {id}"));
    assert_eq!(code.name(), rest, "{name}: the file name must match the code's name");
    code
}

fn check_fixture(path: &Path, must_fail: bool) {
    let code = expected_code(path);
    let (_, diagnostics) = check_paths(&[path]);
    assert_eq!(has_errors(&diagnostics), must_fail, "{}: {diagnostics:#?}", path.display());
    assert!(
        diagnostics.iter().any(|d| d.code == code),
        "{}: expected {code}, got {:?}",
        path.display(),
        diagnostics.iter().map(|d| d.code.to_string()).collect::<Vec<_>>()
    );
    // Every diagnostic that concerns a file points into it.
    for d in diagnostics.iter().filter(|d| d.file.is_some() && d.location.is_some()) {
        let loc = d.location.expect("location");
        let text = d.file.as_ref().expect("file").text();
        assert!(loc.offset + loc.len <= text.len(), "{}: span out of the file", d.one_line());
    }
    let name = path.file_stem().and_then(|s| s.to_str()).expect("name").to_owned();
    insta::assert_snapshot!(name, render_human(&diagnostics, Style::default()));
}

/// Checks every fixture of `dir`, and that each code of `severity` has one.
fn check_folder(dir: &str, severity: Severity) {
    let paths = fixtures(dir);
    for path in &paths {
        check_fixture(path, severity == Severity::Error);
    }
    let covered: Vec<Code> = paths.iter().map(|p| expected_code(p)).collect();
    for code in Code::ALL.iter().filter(|c| c.severity() == severity) {
        assert!(covered.contains(code), "no fixture for {code} under tests/fixtures/{dir}/");
    }
}

#[test]
fn every_error_code_has_a_failing_fixture() {
    check_folder("invalid", Severity::Error);
}

#[test]
fn every_warning_code_has_a_fixture() {
    check_folder("warnings", Severity::Warning);
}

#[test]
fn the_full_featured_fixture_is_clean() {
    let (loaded, diagnostics) = check_paths(&["tests/fixtures/valid/demo"]);
    assert!(diagnostics.is_empty(), "{}", render_human(&diagnostics, Style::default()));
    let toolkit = &loaded.toolkits[0];
    assert_eq!(toolkit.tools.len(), 5, "tools of toolkit.yaml and files.yaml are merged");
    assert_eq!(toolkit.triggers.len(), 2);
    assert_eq!(toolkit.auth.len(), 6);
}

#[test]
fn all_errors_of_all_files_are_reported_in_one_run() {
    let paths = fixtures("invalid");
    let (_, diagnostics) = check_paths(&paths);
    for path in &paths {
        let code = expected_code(path);
        assert!(diagnostics.iter().any(|d| d.code == code), "{code} missing from the combined run");
    }
    // Several unknown keys in one tool are all reported.
    let (_, diagnostics) = check_paths(&["tests/fixtures/invalid/E002-unknown-key.yaml"]);
    assert_eq!(diagnostics.iter().filter(|d| d.code == Code::UnknownKey).count(), 3);
}

#[test]
fn json_format_is_stable() {
    let (_, diagnostics) = check_paths(&["tests/fixtures/invalid/E010-path-param-undeclared.yaml"]);
    insta::assert_snapshot!(render_json(&diagnostics));
}

#[test]
fn an_overlay_imports_selects_and_overrides() {
    let (loaded, diagnostics) = check_paths(&["tests/fixtures/valid/petstore"]);
    assert!(!has_errors(&diagnostics), "{}", render_human(&diagnostics, Style::default()));
    let toolkit = &loaded.toolkits[0];
    let slugs: Vec<&str> = toolkit.tools.iter().map(|t| t.slug.as_str()).collect();
    assert_eq!(slugs, ["PETSTORE_LIST_PETS", "PETSTORE_CREATE_PET", "PETSTORE_GET_PET", "PETSTORE_PING"]);
    assert_eq!(toolkit.base_url, "https://petstore.example.com/v1", "filled in from the document");
    assert_eq!(toolkit.name, "Petstore");
    let get = &toolkit.tools[2];
    assert_eq!(get.name, "Get a pet");
    assert_eq!(get.http.path, "/pets/{petId}");
    assert_eq!(get.input.properties["petId"].from.as_ref().map(|f| f.as_str()), Some("PETSTORE_LIST_PETS $[*].id"));
    assert!(!get.hints.pitfalls.is_empty());
    // readOnly `id` is not part of the create request.
    assert!(!toolkit.tools[1].input.properties.contains_key("id"));
    assert_eq!(toolkit.tools[1].input.required, ["name"]);
}

#[test]
fn the_readme_lists_every_code() {
    let readme = std::fs::read_to_string("../README.md").expect("README.md");
    for code in Code::ALL {
        let row = format!("| {} | {} |", code.id(), code.name());
        assert!(readme.contains(&row), "README.md's code table lacks `{row}`");
    }
    let last_error = Code::ALL.iter().filter(|c| c.severity() == Severity::Error).map(|c| c.id()).max();
    let architecture = std::fs::read_to_string("../ARCHITECTURE.md").expect("ARCHITECTURE.md");
    let range = format!("E001–{}", last_error.expect("error codes"));
    assert!(architecture.contains(&range), "ARCHITECTURE.md should say the codes run {range}");
}

#[test]
fn a_repeated_key_names_both_places() {
    let (_, diagnostics) = check_paths(&["tests/fixtures/invalid/E031-duplicate-key.yaml"]);
    let repeated: Vec<String> =
        diagnostics.iter().filter(|d| d.code == Code::DuplicateKey).map(|d| d.one_line()).collect();
    assert_eq!(
        repeated,
        ["tests/fixtures/invalid/E031-duplicate-key.yaml:18:5: E031 duplicate-key: duplicate key `name`: \
          first written at tests/fixtures/invalid/E031-duplicate-key.yaml:9:5"]
    );
    // Every repetition is reported, in any mapping.
    let loaded = toolsmith_catalog::Loaded::from_str(
        "t.yaml",
        "slug: a\nslug: b\nauth: [{ scheme: none, scheme: none }]\nslug: c\n",
    );
    let lines: Vec<String> =
        loaded.diagnostics.iter().filter(|d| d.code == Code::DuplicateKey).map(|d| d.one_line()).collect();
    assert_eq!(
        lines,
        [
            "t.yaml:2:1: E031 duplicate-key: duplicate key `slug`: first written at t.yaml:1:1",
            "t.yaml:4:1: E031 duplicate-key: duplicate key `slug`: first written at t.yaml:1:1",
            "t.yaml:3:24: E031 duplicate-key: duplicate key `scheme`: first written at t.yaml:3:10",
        ]
    );
}

#[test]
fn every_structural_mistake_of_a_file_is_reported_in_one_run() {
    let (_, diagnostics) = check_paths(&["tests/fixtures/mixed/many-mistakes.yaml"]);
    let lines: Vec<String> = diagnostics.iter().map(|d| d.one_line()).collect();
    insta::assert_snapshot!(lines.join("\n"));
}

#[test]
fn the_shape_check_accepts_the_built_in_catalog() {
    let loaded =
        toolsmith_catalog::Loaded::read(&["toolkits", "tests/fixtures/valid/demo", "tests/fixtures/valid/petstore"]);
    assert!(loaded.diagnostics.is_empty(), "{}", render_human(&loaded.diagnostics, Style::default()));
}

/// Each further key of an `api_key` scheme (`also`) is checked like the first one.
#[test]
fn further_api_keys_are_checked_where_they_are_written() {
    let yaml = r#"slug: demo
name: Demo
description: A small demonstration toolkit used by the test of further API keys.
version: 20261122_00
base_url: https://api.example.com
auth:
  - scheme: api_key
    in: query
    name: key
    also:
      - { in: query, name: token, value: "{tokn}" }
      - { in: header, name: " ", value: "{api_key}" }
tools: []
"#;
    let loaded = toolsmith_catalog::Loaded::from_str("demo.yaml", yaml);
    let diagnostics = toolsmith_catalog::validate(&loaded);
    let found: Vec<(Code, String)> = diagnostics.iter().map(|d| (d.code, d.position().unwrap_or_default())).collect();
    assert!(found.contains(&(Code::TemplateField, "demo.yaml:11:42".to_owned())), "{found:?}");
    assert!(found.contains(&(Code::AuthIncomplete, "demo.yaml:12:29".to_owned())), "{found:?}");
}
