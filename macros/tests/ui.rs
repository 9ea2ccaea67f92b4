//! Compile-time behaviour of `#[derive(toolsmith::Tool)]`, `#[toolsmith::tool]` and
//! `toolsmith::toolkit!`: what compiles, and the errors a misuse gets (the `.stderr`
//! beside each case) — a spec error carries the spec's file:line:col, a wrong field
//! name of a generated tool is a compile error.
//!
//! Regenerate the expected errors with `TRYBUILD=overwrite cargo test -p toolsmith-macros --test ui`
//! and read them before committing.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*.rs");
}
