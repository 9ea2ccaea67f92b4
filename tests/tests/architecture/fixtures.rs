//! The checker, tried on small crates written to a temporary folder, so that it cannot
//! pass by finding nothing.

use std::path::{Path, PathBuf};

use super::graph::edges;
use super::modules::Crate;

/// Writes `files` (path under `src/`, text) to a fresh folder named after `name`, and
/// returns that folder.
fn fixture(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("toolsmith-architecture-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        let path = dir.join("src").join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// The circles of the fixture crate as a message, and its edges as `from -> to` pairs of
/// file paths under `src/`.
fn check(dir: &Path) -> (Option<String>, Vec<(String, String)>) {
    let (_, report) = super::circles_in(&dir.join("src/lib.rs"), &dir.join("src")).unwrap();
    let krate = Crate::load(&dir.join("src/lib.rs")).unwrap();
    let name = |f: usize| krate.files[f].strip_prefix(dir.join("src")).unwrap().display().to_string();
    let pairs = edges(&krate).iter().flat_map(|(from, to)| to.keys().map(move |to| (*from, *to))).collect::<Vec<_>>();
    let _ = std::fs::remove_dir_all(dir);
    (report, pairs.into_iter().map(|(from, to)| (name(from), name(to))).collect())
}

fn pair(from: &str, to: &str) -> (String, String) {
    (from.to_owned(), to.to_owned())
}

const HUB: &str = "
//! A hub: declares and re-exports, and so makes no edges.
mod model;
pub mod service;
pub use model::*;
pub use service::{Service as Engine};
";

const MODEL: &str = "
mod thing;
pub use thing::Thing;
pub(crate) use thing::helper;
";

#[test]
fn a_crate_without_circles_passes_and_edges_go_through_re_exports_to_definitions() {
    let dir = fixture(
        "clean",
        &[
            ("lib.rs", HUB),
            ("model/mod.rs", MODEL),
            ("model/thing.rs", "/// A thing.\npub struct Thing;\npub(crate) fn helper() {}\n"),
            ("service.rs", "use crate::Thing;\n\npub struct Service(Thing);\n\nfn go() { crate::helper() }\n"),
        ],
    );
    let (report, edges) = check(&dir);
    assert_eq!(report, None);
    assert_eq!(edges, vec![pair("service.rs", "model/thing.rs")]);
}

#[test]
fn a_planted_circle_is_found_with_the_file_and_line_of_each_edge() {
    let dir = fixture(
        "circle",
        &[
            ("lib.rs", HUB),
            ("model/mod.rs", MODEL),
            // The glob re-export `pub use model::*` leads `crate::Thing` to thing.rs.
            (
                "model/thing.rs",
                "pub struct Thing;\n\npub(crate) fn helper() {\n    let _ = crate::Engine::default();\n}\n",
            ),
            (
                "service.rs",
                "//! Uses a thing.\n\n#[derive(Default)]\npub struct Service;\n\nfn f(_: crate::Thing) {}\n",
            ),
        ],
    );
    let (report, _) = check(&dir);
    let report = report.expect("the circle service.rs ↔ model/thing.rs is found");
    assert!(report.contains("2 files import each other in a circle"), "{report}");
    assert!(report.contains("model/thing.rs:4: `crate::Engine::default` → service.rs"), "{report}");
    assert!(report.contains("service.rs:6: `crate::Thing` → model/thing.rs"), "{report}");
}

#[test]
fn a_parent_and_child_that_use_each_other_are_a_circle_and_test_code_is_not() {
    let dir = fixture(
        "parent",
        &[
            ("lib.rs", "pub mod a;\n"),
            (
                "a.rs",
                "mod b;\nuse self::b::{self as child};\npub struct Shared;\npub fn run() { child::go() }\n\
             #[cfg(test)]\nmod tests { use crate::c::C; }\n",
            ),
            ("a/b.rs", "use super::*;\n\npub(super) fn go() -> Shared { Shared }\n"),
            ("c.rs", "pub struct C;\n"),
        ],
    );
    let (report, edges) = check(&dir);
    let report = report.expect("a.rs ↔ a/b.rs is found");
    assert!(report.contains("a.rs:2: `self::b` → a/b.rs"), "{report}");
    assert!(report.contains("a/b.rs:3: `Shared` → a.rs"), "{report}");
    assert_eq!(edges, vec![pair("a.rs", "a/b.rs"), pair("a/b.rs", "a.rs")]);
}

#[test]
fn paths_in_code_and_in_function_level_uses_count_and_names_of_other_crates_do_not() {
    let dir = fixture("paths", &[
        ("lib.rs", "mod a;\nmod b;\nmod c;\npub use serde::Serialize;\n"),
        ("a.rs", "pub fn f() {\n    use crate::b::{B as Renamed};\n    let _ = Renamed;\n}\n"),
        ("b.rs", "pub struct B;\nimpl B {\n    fn g(&self) -> crate::Serialize {\n        super::c::C::new()\n    }\n}\n"),
        ("c.rs", "#[path = \"d.rs\"]\nmod elsewhere;\npub struct C;\nfn h() { elsewhere::D; }\n"),
        ("d.rs", "pub struct D;\n"),
    ]);
    let (report, edges) = check(&dir);
    assert_eq!(report, None);
    assert_eq!(edges, vec![pair("a.rs", "b.rs"), pair("b.rs", "c.rs"), pair("c.rs", "d.rs")]);
}

#[test]
fn a_type_whose_methods_are_split_over_files_that_call_each_other_is_a_circle() {
    let dir = fixture(
        "methods",
        &[
            ("lib.rs", "mod client;\nmod execute;\npub use client::Client;\n"),
            (
                "client.rs",
                "pub struct Client;\n\nimpl Client {\n    pub fn call(&self) {\n        self.run();\n    }\n}\n",
            ),
            ("execute.rs", "use crate::Client;\n\nimpl Client {\n    pub(crate) fn run(&self) {}\n}\n"),
        ],
    );
    let (report, _) = check(&dir);
    let report = report.expect("client.rs ↔ execute.rs is found");
    assert!(report.contains("client.rs:5: `Client::run` → execute.rs"), "{report}");
    assert!(report.contains("execute.rs:1: `crate::Client` → client.rs"), "{report}");
}
