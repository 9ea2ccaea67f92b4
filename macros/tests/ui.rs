//! Compile-time behaviour of `#[derive(toolsmith::Tool)]` and `#[toolsmith::tool]`:
//! what compiles, and the errors a misuse gets (the `.stderr` beside each case).
//!
//! Regenerate the expected errors with `TRYBUILD=overwrite cargo test -p toolsmith-macros --test ui`
//! and read them before committing.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
}
