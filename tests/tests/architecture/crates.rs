//! The workspace's crates as `cargo metadata` describes them, and the rules their normal
//! dependencies keep. Cargo itself refuses cycles between crates, so those are not
//! checked here.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

use super::CheckError;

/// A workspace crate.
#[derive(Clone, Debug, Default)]
pub(crate) struct Package {
    pub(crate) name: String,
    /// Names of its normal (not dev-, not build-) dependencies, optional ones included.
    pub(crate) dependencies: BTreeSet<String>,
    /// Its library, proc-macro and binary targets: kind and root file.
    pub(crate) targets: Vec<(String, PathBuf)>,
}

/// The workspace: its root folder and its crates.
pub(crate) struct Workspace {
    pub(crate) root: PathBuf,
    pub(crate) packages: Vec<Package>,
}

impl Workspace {
    /// Asks `cargo metadata --no-deps` about the workspace this test crate is in.
    pub(crate) fn load() -> Result<Workspace, CheckError> {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml");
        let output = Command::new(&cargo)
            .args(["metadata", "--no-deps", "--format-version", "1", "--offline", "--manifest-path", manifest])
            .output()
            .map_err(|e| CheckError::Metadata(format!("cannot run `{cargo}`: {e}")))?;
        if !output.status.success() {
            return Err(CheckError::Metadata(String::from_utf8_lossy(&output.stderr).into_owned()));
        }
        let metadata: Value = serde_json::from_slice(&output.stdout)
            .map_err(|e| CheckError::Metadata(format!("unreadable JSON: {e}")))?;
        Workspace::from_metadata(&metadata)
    }

    /// The workspace described by `cargo metadata --format-version 1` output.
    pub(crate) fn from_metadata(metadata: &Value) -> Result<Workspace, CheckError> {
        let missing = |what: &str| CheckError::Metadata(format!("the metadata has no {what}"));
        let root = metadata["workspace_root"].as_str().ok_or_else(|| missing("workspace_root"))?.into();
        let packages = metadata["packages"].as_array().ok_or_else(|| missing("packages"))?;
        let packages = packages
            .iter()
            .map(|p| {
                let name = p["name"].as_str().ok_or_else(|| missing("package name"))?.to_owned();
                let dependencies = p["dependencies"].as_array().into_iter().flatten();
                let dependencies = dependencies
                    .filter(|d| d["kind"].is_null())
                    .filter_map(|d| Some(d["name"].as_str()?.to_owned()))
                    .collect();
                let targets = p["targets"].as_array().into_iter().flatten().filter_map(|t| {
                    let kind =
                        t["kind"].as_array()?.iter().filter_map(Value::as_str).find(|k| TARGET_KINDS.contains(k))?;
                    Some((kind.to_owned(), PathBuf::from(t["src_path"].as_str()?)))
                });
                Ok(Package { name, dependencies, targets: targets.collect() })
            })
            .collect::<Result<_, CheckError>>()?;
        Ok(Workspace { root, packages })
    }

    fn package(&self, name: &str) -> Option<&Package> {
        self.packages.iter().find(|p| p.name == name)
    }

    /// `name` and every workspace crate it depends on, directly or not.
    fn closure<'a>(&'a self, name: &str) -> Vec<&'a Package> {
        let mut seen: Vec<&Package> = self.package(name).into_iter().collect();
        let mut i = 0;
        while let Some(package) = seen.get(i).copied() {
            for dependency in package.dependencies.iter().filter_map(|d| self.package(d)) {
                if !seen.iter().any(|s| s.name == dependency.name) {
                    seen.push(dependency);
                }
            }
            i += 1;
        }
        seen
    }

    /// Every broken rule, as a sentence that says how to mend it.
    pub(crate) fn rule_violations(&self) -> Vec<String> {
        let mut violations = Vec::new();
        for name in ["toolsmith-core", "toolsmith-spec"] {
            for package in self.closure(name) {
                for dependency in package.dependencies.iter().filter(|d| IO_CRATES.contains(&d.as_str())) {
                    let through =
                        if package.name == name { String::new() } else { format!(" (through {})", package.name) };
                    violations.push(format!(
                        "{name} depends on {dependency}{through}: it must name no HTTP client, database or web \
                         framework, since generated code compiles against it; move that code to a crate above it"
                    ));
                }
            }
        }
        if let Some(spec) = self.package("toolsmith-spec") {
            for dependency in spec.dependencies.iter().filter(|d| self.package(d).is_some()) {
                violations.push(format!(
                    "toolsmith-spec depends on the workspace crate {dependency}: the spec model is the bottom of the \
                     workspace and depends on none of it; move what it needs into toolsmith-spec"
                ));
            }
        }
        for (name, why) in BELOW_RUNTIME {
            if self.closure(name).iter().any(|p| p.name == "toolsmith-runtime") {
                violations.push(format!("{name} depends on toolsmith-runtime: {why}"));
            }
        }
        for package in self.packages.iter().filter(|p| !SERVER_CRATES.contains(&p.name.as_str())) {
            for dependency in package.dependencies.iter().filter(|d| matches!(d.as_str(), "axum" | "rmcp")) {
                violations.push(format!(
                    "{} depends on {dependency}: only toolsmith-server (and the CLI and the tests) may name axum or \
                     rmcp; put the HTTP or MCP serving code there",
                    package.name
                ));
            }
        }
        violations
    }
}

/// Crates the runtime is built on, which must not depend on it, with what to do instead.
const BELOW_RUNTIME: &[(&str, &str)] = &[
    (
        "toolsmith-search",
        "search works on plain documents and knows no registry; build its documents from the spec model instead",
    ),
    (
        "toolsmith-auth",
        "auth selects accounts and injects credentials for any executor; take the spec, the store and a \
         reqwest::Request as arguments instead",
    ),
    ("toolsmith-store", "the store keeps records and knows nothing of execution; move that code into the runtime"),
    (
        "toolsmith-triggers",
        "trigger types and instances stand on the spec, the core and the store; take what runs tools (an \
         `Execute`) as an argument instead",
    ),
    (
        "toolsmith-providers",
        "provider formats work on plain tool descriptions and calls; take `ToolDescription`s and return \
         `ToolCall`s, and run them in toolsmith-session",
    ),
];

/// Kinds of targets whose modules are checked (not tests, benches, examples, build scripts).
const TARGET_KINDS: &[&str] = &["lib", "proc-macro", "bin"];

/// HTTP clients, databases and web frameworks.
const IO_CRATES: &[&str] = &["reqwest", "rusqlite", "sqlx", "axum", "rmcp", "hyper"];

/// Crates that may name axum or rmcp among their normal dependencies.
const SERVER_CRATES: &[&str] = &["toolsmith-server", "toolsmith-cli", "toolsmith-tests"];

#[test]
fn the_rules_catch_forbidden_dependencies() {
    let package = |name: &str, dependencies: &[&str]| {
        serde_json::json!({ "name": name, "targets": [], "dependencies": dependencies.iter()
            .map(|d| serde_json::json!({ "name": d, "kind": null }))
            .chain([serde_json::json!({ "name": "axum", "kind": "dev" })])
            .collect::<Vec<_>>() })
    };
    let metadata = serde_json::json!({ "workspace_root": "/w", "packages": [
        package("toolsmith-spec", &["serde", "toolsmith-helpers"]),
        package("toolsmith-helpers", &["hyper"]),
        package("toolsmith-core", &["toolsmith-spec", "rusqlite"]),
        package("toolsmith-search", &["toolsmith-session"]),
        package("toolsmith-auth", &["toolsmith-runtime"]),
        package("toolsmith-session", &["toolsmith-runtime"]),
        package("toolsmith-runtime", &["rmcp"]),
        package("toolsmith-server", &["axum", "rmcp", "toolsmith-session"]),
    ]});
    let violations = Workspace::from_metadata(&metadata).unwrap().rule_violations();
    let expected = [
        "toolsmith-core depends on rusqlite:",
        "toolsmith-core depends on hyper (through toolsmith-helpers)",
        "toolsmith-spec depends on hyper (through toolsmith-helpers)",
        "toolsmith-spec depends on the workspace crate toolsmith-helpers",
        "toolsmith-search depends on toolsmith-runtime",
        "toolsmith-auth depends on toolsmith-runtime",
        "toolsmith-runtime depends on rmcp",
    ];
    for sentence in expected {
        assert!(violations.iter().any(|v| v.starts_with(sentence)), "{sentence}\nnot in {violations:#?}");
    }
    assert_eq!(violations.len(), expected.len(), "{violations:#?}");
}
