//! Hand-written tools: the logic of `#[derive(toolsmith::Tool)]` and
//! `#[toolsmith::tool]`, which the `toolsmith-macros` crate calls. Both emit the same
//! `impl toolsmith::Tool` (`emit.rs`) from the same checked `#[tool(...)]` keys
//! (`args.rs`), with the spec's slug rules.
//!
//! Living here rather than in the proc-macro crate, it can be unit-tested and reused.

mod args;
mod attr;
mod ctxt;
mod derive;
mod docs;
mod emit;

pub use attr::tool_attribute;
pub use derive::derive_tool;

/// Asserts that `text` contains each of `expected`.
#[cfg(test)]
fn assert_contains_all(text: &str, expected: &[&str]) {
    for expected in expected {
        assert!(text.contains(expected), "{expected}\n{text}");
    }
}
