//! Compile-fail tests of the `toolkit!` macro: spec errors become compile errors that
//! carry the spec's file:line:col.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/*.rs");
}
