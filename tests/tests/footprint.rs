//! What generated code costs its users: the `toolsmith` facade without default features
//! (what `examples/github` compiles the whole generated GitHub toolkit against) pulls in
//! `toolsmith-core` and a few serde crates, not an HTTP client, a database or the spec
//! reader. The issue that split the runtime set the bar at 40 packages.

// An integration test crate: its helpers may unwrap too (a panic fails the test).
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// The packages `cargo tree` lists for `args`, as `name vX.Y.Z` (the count the issue
/// measured: 226 for the runtime-sized `toolsmith` before the split).
fn packages(args: &[&str]) -> BTreeSet<String> {
    let cargo = option_env!("CARGO").unwrap_or("cargo");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let output = Command::new(cargo)
        .current_dir(&root)
        .args(["tree", "--offline", "-e", "normal", "--prefix", "none", "--format", "{p}"])
        .args(args)
        .output()
        .expect("cargo tree runs");
    assert!(output.status.success(), "cargo tree {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| line.split_whitespace().take(2).collect::<Vec<_>>().join(" "))
        .filter(|package| !package.is_empty())
        .collect()
}

/// Whether a package of this name is in the set.
fn has(packages: &BTreeSet<String>, name: &str) -> bool {
    packages.iter().any(|p| p.split(' ').next() == Some(name))
}

#[test]
fn generated_code_depends_on_core_only() {
    let core_only = packages(&["-p", "toolsmith", "--no-default-features"]);
    assert!(core_only.len() <= 40, "{} packages: {core_only:?}", core_only.len());
    for heavy in [
        "reqwest",
        "rusqlite",
        "jsonschema",
        "miette",
        "toolsmith-runtime",
        "toolsmith-catalog",
        "toolsmith-macros",
        "tokio",
    ] {
        assert!(!has(&core_only, heavy), "`toolsmith` without default features pulls {heavy}: {core_only:?}");
    }
    // The example that compiles the generated GitHub toolkit asks for nothing more.
    let example = packages(&["-p", "toolsmith-example-github"]);
    let extra: Vec<_> =
        example.difference(&core_only).filter(|p| !p.starts_with("toolsmith-example-github ")).collect();
    assert!(extra.is_empty(), "examples/github depends on more than the core facade: {extra:?}");

    // With the default features the facade is the whole runtime: the features are real.
    let full = packages(&["-p", "toolsmith"]);
    assert!(has(&full, "toolsmith-runtime") && has(&full, "reqwest"), "{full:?}");
}
