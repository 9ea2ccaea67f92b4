//! The built-in catalog: it validates, it is big enough, and the runtime loads it.

// An integration test crate: its helpers may unwrap too (a panic fails the test).
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use toolsmith_catalog::{check_paths, render_human, Severity, Style};

fn catalog_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../catalog/toolkits")
}

#[test]
fn the_built_in_catalog_validates_without_errors() {
    let (loaded, diagnostics) = check_paths(&[catalog_dir()]);
    let errors: Vec<_> = diagnostics.iter().filter(|d| d.severity() == Severity::Error).cloned().collect();
    assert!(errors.is_empty(), "{}", render_human(&errors, Style::default()));
    let tools: usize = loaded.toolkits.iter().map(|t| t.tools.len()).sum();
    assert!(loaded.toolkits.len() >= 12, "only {} toolkits", loaded.toolkits.len());
    assert!(tools >= 200, "only {tools} tools");
}

#[test]
fn every_spec_file_names_its_json_schema() {
    let mut checked = 0;
    for toolkit in std::fs::read_dir(catalog_dir()).expect("catalog").flatten().filter(|e| e.path().is_dir()) {
        for file in std::fs::read_dir(toolkit.path()).expect("toolkit").flatten() {
            let path = file.path();
            if path.extension().and_then(|e| e.to_str()) != Some("yaml") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("readable");
            let first = text.lines().next().unwrap_or_default();
            let expected = if path.file_name().is_some_and(|n| n == "toolkit.yaml") {
                "toolkit.schema.json"
            } else {
                "toolkit-part.schema.json"
            };
            let reference = first
                .strip_prefix("# yaml-language-server: $schema=")
                .unwrap_or_else(|| panic!("{}: first line must be the yaml-language-server comment", path.display()));
            assert!(reference.ends_with(expected), "{}: should point at {expected}", path.display());
            assert!(toolkit.path().join(reference).is_file(), "{}: {reference} does not exist", path.display());
            checked += 1;
        }
    }
    assert!(checked >= 12);
}

#[test]
fn the_registry_serves_the_catalog() {
    let registry = toolsmith::Registry::load(&[catalog_dir()]).expect("catalog loads");
    let github = registry.tool("github_create_issue").expect("case-insensitive lookup");
    assert_eq!(github.toolkit.slug.as_str(), "github");
    assert_eq!(github.tool.slug.as_str(), "GITHUB_CREATE_ISSUE");
    for toolkit in registry.toolkits() {
        let prefix = toolkit.slug.tool_prefix();
        assert!(toolkit.tools.iter().all(|t| t.slug.as_str().starts_with(&prefix)));
    }
}
