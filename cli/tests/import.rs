//! `toolsmith import openapi`: the slug is checked first, the output folder is only
//! ever the importer's, and a document's `$ref`s read only where they may.

// An integration test crate: its helpers may unwrap too (a panic fails the test).
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `toolsmith import openapi ARGS…`, run in `dir`.
fn import(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_toolsmith"))
        .args(["import", "openapi"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run toolsmith")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A fresh folder under the system temp dir, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("toolsmith-cli-import-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn write(&self, path: &str, text: &str) {
        let path = self.0.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.0.join(path)).unwrap()
    }

    /// The files of a folder, sorted.
    fn list(&self, folder: &str) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.0.join(folder))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// An OpenAPI document with `count` GET operations under each of `segments`
/// (`/pets/0`, `/pets/1`, …), and `extra` as more of its text.
fn document(segments: &[&str], count: usize, extra: &str) -> String {
    let mut paths = String::new();
    for segment in segments {
        for i in 0..count {
            paths.push_str(&format!(
                "  /{segment}/{i}:\n    get:\n      operationId: get_{segment}_{i}\n      summary: Get {segment} number {i}\n      responses: {{ '200': {{ description: ok }} }}\n"
            ));
        }
    }
    format!(
        "openapi: 3.0.3\ninfo: {{ title: Test, version: '1' }}\nservers: [{{ url: 'https://api.example.com' }}]\npaths:\n{paths}{extra}"
    )
}

#[test]
fn an_invalid_slug_exits_2_and_names_the_valid_one() {
    let dir = Scratch::new("slug");
    dir.write("api.yaml", &document(&["pets"], 2, ""));
    let output = import(&dir.0, &["api.yaml", "--slug", "my-api", "--out", "out"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(!dir.0.join("out").exists(), "nothing is written");
    insta::assert_snapshot!(stderr(&output));
}

#[test]
fn a_non_empty_folder_is_refused_without_force() {
    let dir = Scratch::new("non-empty");
    dir.write("api.yaml", &document(&["pets"], 2, ""));
    let hand_written = "slug: mine\n# written by hand\n";
    dir.write("out/toolkit.yaml", hand_written);
    let output = import(&dir.0, &["api.yaml", "--slug", "pets", "--out", "out"]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(message.contains("`out` is not empty (toolkit.yaml)") && message.contains("--force"), "{message}");
    // --force replaces the importer's files only: this one is hand-written.
    let output = import(&dir.0, &["api.yaml", "--slug", "pets", "--out", "out", "--force"]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(message.contains("refusing to overwrite `out/toolkit.yaml`"), "{message}");
    assert_eq!(dir.read("out/toolkit.yaml"), hand_written);
}

#[test]
fn a_forced_reimport_replaces_its_own_files_and_removes_stale_ones() {
    let dir = Scratch::new("force");
    // More than 80 tools: split into a part file per path segment.
    dir.write("big.yaml", &document(&["cats", "dogs"], 41, ""));
    dir.write("small.yaml", &document(&["cats"], 3, ""));
    let output = import(&dir.0, &["big.yaml", "--slug", "pets", "--out", "out"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(dir.list("out"), ["cats.yaml", "dogs.yaml", "toolkit.yaml"]);
    dir.write("out/NOTES.md", "kept\n");
    dir.write("out/extra.yaml", "tools: []\n");

    let output = import(&dir.0, &["small.yaml", "--slug", "pets", "--out", "out", "--force"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(message.contains("removed out/cats.yaml") && message.contains("removed out/dogs.yaml"), "{message}");
    assert_eq!(dir.list("out"), ["NOTES.md", "extra.yaml", "toolkit.yaml"]);
    assert_eq!(dir.read("out/NOTES.md"), "kept\n");
    assert!(dir.read("out/toolkit.yaml").lines().nth(1).unwrap().starts_with("# Written by toolsmith import openapi"));
    // What is left validates, with the 3 tools of the new document only.
    let output = Command::new(env!("CARGO_BIN_EXE_toolsmith"))
        .args(["tools", "list", "--no-builtin", "--catalog", "out", "--json", "--limit", "1000"])
        .current_dir(&dir.0)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let page: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 3, "{page}");
}

#[test]
fn references_read_only_below_the_document_unless_allowed() {
    let dir = Scratch::new("refs");
    let schema = "      content: { application/json: { schema: { $ref: '../common.yaml#/Pet' } } }\n";
    let reference = format!("components:\n  responses:\n    Pet:\n      description: A pet\n{schema}");
    dir.write("api/api.yaml", &document(&["pets"], 1, &reference));
    dir.write("common.yaml", "Pet: { type: object }\n");
    let output = import(&dir.0, &["api/api.yaml", "--slug", "pets", "--out", "out"]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(message.contains("`$ref: ../common.yaml#/Pet`") && message.contains("--allow-ref-outside"), "{message}");
    assert!(!dir.0.join("out").exists(), "nothing is written");
    let output = import(&dir.0, &["api/api.yaml", "--slug", "pets", "--out", "out", "--allow-ref-outside", "."]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn only_regular_files_of_limited_size_are_read() {
    let dir = Scratch::new("limits");
    let output = import(&dir.0, &["/dev/zero", "--slug", "pets", "--out", "out"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("/dev/zero: is a device, FIFO or socket, not a regular file"));

    let padding = format!("x-padding: '{}'\n", "x".repeat(1 << 20));
    dir.write("api.yaml", &document(&["pets"], 1, &padding));
    let output = import(&dir.0, &["api.yaml", "--slug", "pets", "--out", "out", "--max-file-mib", "1"]);
    assert_eq!(output.status.code(), Some(1));
    let message = stderr(&output);
    assert!(message.contains("api.yaml: larger than 1048576 bytes"), "{message}");
    assert!(message.contains("--max-file-mib N"), "{message}");
    let output = import(&dir.0, &["api.yaml", "--slug", "pets", "--out", "out", "--max-file-mib", "2"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}
