//! Toolkits compiled in by the build script: the registry needs no YAML, and the
//! static data matches the specs.

// An integration test crate: its helpers may unwrap too (a panic fails the test).
#![allow(clippy::unwrap_used)]

use toolsmith::{Registry, Tool};
use toolsmith_tests::{catalog, specs};

#[test]
fn the_compiled_catalog_matches_the_yaml_catalog() {
    let compiled = Registry::from_compiled(catalog::TOOLKITS).expect("compiled toolkits load");
    let yaml = Registry::load(&[concat!(env!("CARGO_MANIFEST_DIR"), "/../catalog/toolkits")]).expect("catalog loads");
    assert_eq!(compiled.toolkits().count(), yaml.toolkits().count());
    assert_eq!(compiled.tools().count(), yaml.tools().count());
    for t in yaml.tools() {
        let c = compiled.tool(t.tool.slug.as_str()).expect("every tool is compiled in");
        assert_eq!(
            serde_json::to_value(c.tool).unwrap(),
            serde_json::to_value(t.tool).unwrap(),
            "{}: the embedded spec differs from the YAML",
            t.tool.slug
        );
    }
    for toolkit in catalog::TOOLKITS {
        let spec = toolkit.toolkit().expect("loads");
        for (definition, tool) in toolkit.definitions().iter().zip(&spec.tools) {
            assert_eq!(definition.slug, tool.slug.as_str());
            assert_eq!(definition.input_schema_value(), spec.input_schema(tool), "{}", tool.slug);
            assert_eq!(definition.output_schema_value(), spec.output_schema(tool), "{}", tool.slug);
        }
    }
}

#[test]
fn typed_tools_carry_their_static_definition() {
    use catalog::github::CreateIssue;
    assert_eq!(CreateIssue::SLUG, "GITHUB_CREATE_ISSUE");
    assert_eq!(CreateIssue::TOOLKIT, "github");
    let definition = CreateIssue::definition();
    assert_eq!(definition.http.map(|h| (h.method, h.path)), Some(("POST", "/repos/{owner}/{repo}/issues")));
    assert!(definition.tags.contains(&"important"));
    assert_eq!(definition.input_schema_value()["required"], serde_json::json!(["owner", "repo", "title"]));
    // A typo in a field name is a compile error; defaults fill the rest.
    let issue =
        CreateIssue { owner: "octocat".into(), repo: "hello".into(), title: "Bug".into(), ..Default::default() };
    assert_eq!(
        serde_json::to_value(&issue).unwrap(),
        serde_json::json!({"owner": "octocat", "repo": "hello", "title": "Bug"})
    );
    let _ = specs::TOOLKITS;
}
