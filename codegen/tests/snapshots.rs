//! Generated code for the test specs, snapshot-tested. The same code is compiled by
//! the `toolsmith-tests` crate (its build script runs the same generator on the
//! same specs), and checked for determinism here.

use toolsmith_codegen::{load, Generator};

fn generate(path: &str) -> String {
    let (toolkits, _) = load(&[path]).unwrap_or_else(|e| panic!("{path}: {e}"));
    Generator::new().source(&toolkits)
}

#[test]
fn constructs() {
    let code = generate("tests/specs/constructs.yaml");
    insta::assert_snapshot!(code);
}

#[test]
fn full_featured_fixture() {
    let code = generate("../catalog/tests/fixtures/valid/demo");
    insta::assert_snapshot!(code);
}

#[test]
fn output_is_deterministic() {
    let first = generate("../catalog/toolkits");
    let second = generate("../catalog/toolkits");
    assert!(first == second, "two runs over the same specs differ");
}

#[test]
fn invalid_specs_generate_nothing_and_say_why() {
    let error = load(&["../catalog/tests/fixtures/invalid/E010-path-param-undeclared.yaml"]).unwrap_err();
    let message = error.to_string();
    assert!(message.contains("E010 path-param-undeclared"), "{message}");
    assert!(message.contains("E010-path-param-undeclared.yaml:12:32"), "{message}");
}
