//! The architecture, checked: no crate's modules import each other in a circle, and the
//! crates depend on each other only in the allowed directions (`DESIGN.md`, "Crates").
//!
//! The module check reads every library, proc-macro and binary crate of the workspace
//! (outside `#[cfg(test)]`), builds the graph of its files — `lib.rs` is the root, `a.rs`
//! or `a/mod.rs` is `crate::a` — with an edge wherever one file names an item of another
//! (`use` trees and paths in code, resolved through re-exports to the file that defines
//! the item), and fails on every strongly connected component of more than one file,
//! naming a `file:line` for each edge in it. A type split over files is an edge too:
//! `self.method()` or `Self::method` in an `impl` block, calling a method that another
//! file's `impl` block gives the same type.
//!
//! It reads source text, without types: a lone lowercase word that is not called is
//! taken for a local variable, and a method called on anything but `self` is not seen.
//! Cargo already refuses cycles between crates; the crate rules check directions.

// An integration test crate: its helpers may unwrap too (a panic fails the test).
#![allow(clippy::unwrap_used)]

#[path = "architecture/crates.rs"]
mod crates;
#[path = "architecture/fixtures.rs"]
mod fixtures;
#[path = "architecture/graph.rs"]
mod graph;
#[path = "architecture/lexer.rs"]
mod lexer;
#[path = "architecture/modules.rs"]
mod modules;

use std::path::Path;

/// Why the source or the workspace could not be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CheckError {
    #[error("{file}:{line}: not Rust tokens: {problem}")]
    Lex { file: String, line: u32, problem: String },
    #[error("{file}: cannot read it: {source}")]
    Read { file: String, source: std::io::Error },
    #[error("{file}:{line}: `mod {name};` has no file; tried {tried}")]
    ModuleFile { file: String, line: u32, name: String, tried: String },
    #[error("`cargo metadata` failed: {0}")]
    Metadata(String),
}

/// The number of edges between the files of the crate whose root file is `root`, and
/// its circles as a message naming files relative to `base` (`None` if there are none).
fn circles_in(root: &Path, base: &Path) -> Result<(usize, Option<String>), CheckError> {
    let krate = modules::Crate::load(root)?;
    let edges = graph::edges(&krate);
    let show = |file: usize| {
        let path = &krate.files[file];
        path.strip_prefix(base).unwrap_or(path).display().to_string()
    };
    Ok((edges.values().map(|to| to.len()).sum(), graph::report(&krate, &edges, &show)))
}

#[test]
fn no_crate_has_modules_that_import_each_other_in_a_circle() {
    let workspace = crates::Workspace::load().unwrap();
    let (mut failures, mut crates, mut edges) = (Vec::new(), 0, 0);
    for package in &workspace.packages {
        for (kind, root) in &package.targets {
            let (count, report) = circles_in(root, &workspace.root).unwrap();
            (crates, edges) = (crates + 1, edges + count);
            if let Some(report) = report {
                failures.push(format!("{} ({kind} {}):\n{report}", package.name, root.display()));
            }
        }
    }
    // Guards against passing by reading nothing.
    assert!(crates >= 9 && edges >= 100, "only {crates} crates and {edges} edges between files found");
    assert!(
        failures.is_empty(),
        "modules import each other in a circle; a circle means no module of it can be understood, tested or \
         moved to another crate without the others. Cut each by moving the shared item down into its own \
         module or by passing it in:\n\n{}",
        failures.join("\n")
    );
}

#[test]
fn crates_depend_on_each_other_only_in_the_allowed_directions() {
    // Cycles between crates need no check here: Cargo refuses them.
    let violations = crates::Workspace::load().unwrap().rule_violations();
    assert!(violations.is_empty(), "crate dependencies break the architecture:\n  {}", violations.join("\n  "));
}
