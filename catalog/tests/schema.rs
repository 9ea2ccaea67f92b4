//! The committed JSON Schemas of the spec format match the model.

#[test]
fn committed_schemas_are_up_to_date() {
    for (name, expected) in toolsmith_catalog::published_schemas() {
        let path = std::path::Path::new("schema").join(name);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == expected,
            "{} is stale: run `cargo run -p toolsmith-cli -- schema` from the repository root and commit the result",
            path.display()
        );
    }
}

#[test]
fn the_schema_accepts_the_full_featured_fixture_and_rejects_typos() {
    let schema: serde_json::Value = serde_json::from_str(&toolsmith_catalog::toolkit_schema()).expect("json");
    let validator = jsonschema::draft202012::new(&schema).expect("valid schema");
    let text = std::fs::read_to_string("tests/fixtures/valid/demo/toolkit.yaml").expect("fixture");
    let spec: serde_json::Value = serde_yaml::from_str(&text).expect("yaml");
    let errors: Vec<String> = validator.iter_errors(&spec).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let mut typo = spec.clone();
    typo["descripton"] = "x".into();
    assert!(!validator.is_valid(&typo));
}
