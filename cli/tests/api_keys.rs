//! Issue 14: `toolsmith api-keys create|list|revoke`. A key is shown once, alone on the
//! last line of standard output, and stored as its hash; `list` never shows a key or a
//! hash; a revoked key shows as revoked; an unknown id is an error naming it.

#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::toolsmith;
use toolsmith::store::{ApiKeySecret, KeyRing, Projects, SqliteStore, DEFAULT_PROJECT};

/// A fresh home (and an empty catalog folder) for one test.
fn scratch(name: &str) -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!("toolsmith-cli-api-keys-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("catalog")).unwrap();
    (dir.join("home"), dir.join("catalog"))
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs `toolsmith api-keys args` and asserts its exit code.
fn api_keys(home: &Path, catalog: &Path, args: &[&str], code: i32) -> Output {
    let args: Vec<&str> = std::iter::once("api-keys").chain(args.iter().copied()).collect();
    let output = toolsmith(home, catalog, &args, "");
    assert_eq!(output.status.code(), Some(code), "{args:?}\nstdout: {}\nstderr: {}", stdout(&output), stderr(&output));
    output
}

/// `create`'s key: the last line of standard output, alone.
fn created_key(output: &Output) -> String {
    let out = stdout(output);
    let key = out.lines().last().unwrap().to_owned();
    assert!(key.starts_with("tsk_") && key.len() == 47, "not a key alone on the last line: {out:?}");
    key
}

/// Ids (`ak_…`, `prj_…`), key prefixes (`tsk_…`) and RFC 3339 times replaced by
/// numbered placeholders: `ak_[1]`, `[time]`.
#[derive(Default)]
struct Redactor(BTreeMap<String, usize>);

impl Redactor {
    fn redact(&mut self, text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(c) = rest.chars().next() {
            if let Some(prefix) = ["ak_", "prj_", "tsk_"].into_iter().find(|p| rest.starts_with(p)) {
                let end = rest[prefix.len()..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                    .map_or(rest.len(), |i| i + prefix.len());
                let next = self.0.len() + 1;
                let n = *self.0.entry(rest[..end].to_owned()).or_insert(next);
                out.push_str(&format!("{prefix}[{n}]"));
                rest = &rest[end..];
            } else if is_time(rest) {
                out.push_str("[time]");
                rest = &rest[20..];
            } else {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
        out
    }
}

/// Whether `text` starts with `YYYY-MM-DDTHH:MM:SSZ`.
fn is_time(text: &str) -> bool {
    let shape = b"dddd-dd-ddTdd:dd:ddZ";
    text.len() >= shape.len()
        && text.bytes().zip(shape).all(|(b, s)| if *s == b'd' { b.is_ascii_digit() } else { b == *s })
}

#[test]
fn create_shows_the_key_once_and_list_never_shows_it() {
    let (home, catalog) = scratch("create");
    let mut redactor = Redactor::default();
    let ci = api_keys(&home, &catalog, &["create", "--name", "ci"], 0);
    let ci_key = created_key(&ci);
    assert_eq!(stdout(&ci).lines().count(), 1, "the key alone on standard output");
    assert!(stderr(&ci).contains("shown once"), "{}", stderr(&ci));
    let acme = api_keys(&home, &catalog, &["create", "--project", "acme-prod", "--name", "laptop"], 0);
    let acme_key = created_key(&acme);
    let unnamed = api_keys(&home, &catalog, &["create", "--project", "acme-prod"], 0);
    let unnamed_key = created_key(&unnamed);
    let created = [&ci, &acme, &unnamed].map(|o| redactor.redact(&stderr(o))).join("");
    insta::assert_snapshot!("create_stderr", created);

    let list = api_keys(&home, &catalog, &["list"], 0);
    let json = api_keys(&home, &catalog, &["list", "--json"], 0);
    let only_acme = api_keys(&home, &catalog, &["list", "--project", "acme-prod"], 0);
    for output in [&list, &json, &only_acme] {
        let shown = stdout(output) + &stderr(output);
        for key in [&ci_key, &acme_key, &unnamed_key] {
            assert!(!shown.contains(key.as_str()), "a key is listed: {shown}");
            assert!(!shown.contains(&key[8..]), "part of a key is listed: {shown}");
            assert!(!shown.contains(&ApiKeySecret::from(key.clone()).hash()), "a key's hash is listed: {shown}");
        }
    }
    insta::assert_snapshot!("list", redactor.redact(&stdout(&list)));
    insta::assert_snapshot!("list_json", redactor.redact(&stdout(&json)));
    insta::assert_snapshot!("list_project", redactor.redact(&stdout(&only_acme)));

    // Stored as a hash, in the project `create` made; the key is in no file of the home.
    let store = SqliteStore::open(SqliteStore::default_path(&home), KeyRing::load(&home).unwrap()).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let stored = rt.block_on(store.api_key_by_hash(&ApiKeySecret::from(ci_key.clone()).hash())).unwrap().unwrap();
    let default = rt.block_on(store.project_named(DEFAULT_PROJECT)).unwrap().unwrap();
    assert_eq!((stored.project, stored.name.as_deref(), stored.revoked_at), (default.id, Some("ci"), None));
    rt.block_on(store.checkpoint()).unwrap();
    for entry in std::fs::read_dir(&home).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap_or_default();
        assert!(!bytes.windows(ci_key.len()).any(|w| w == ci_key.as_bytes()), "the key is in a file of the home");
    }
}

#[test]
fn a_revoked_key_shows_as_revoked() {
    let (home, catalog) = scratch("revoke");
    let mut redactor = Redactor::default();
    let kept = created_key(&api_keys(&home, &catalog, &["create", "--name", "kept"], 0));
    let revoked = created_key(&api_keys(&home, &catalog, &["create", "--name", "gone"], 0));
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&api_keys(&home, &catalog, &["list", "--json"], 0))).unwrap();
    let id = json[1]["id"].as_str().unwrap().to_owned();
    assert_eq!(json[1]["name"], "gone");

    let first = api_keys(&home, &catalog, &["revoke", &id], 0);
    let again = api_keys(&home, &catalog, &["revoke", &id], 0);
    let list = api_keys(&home, &catalog, &["list"], 0);
    let json = api_keys(&home, &catalog, &["list", "--json"], 0);
    let shown = [&first, &again, &list, &json].map(|o| redactor.redact(&stdout(o))).join("\n");
    insta::assert_snapshot!("revoke", shown);

    let store = SqliteStore::open(SqliteStore::default_path(&home), KeyRing::load(&home).unwrap()).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let by_hash = |key: &str| rt.block_on(store.api_key_by_hash(&ApiKeySecret::from(key.to_owned()).hash())).unwrap();
    assert!(by_hash(&revoked).unwrap().revoked_at.is_some());
    assert!(by_hash(&kept).unwrap().revoked_at.is_none());
}

#[test]
fn unknown_keys_and_projects_are_named() {
    let (home, catalog) = scratch("unknown");
    api_keys(&home, &catalog, &["create"], 0);
    let unknown = api_keys(&home, &catalog, &["revoke", "ak_nosuchkey"], 1);
    let no_project = api_keys(&home, &catalog, &["list", "--project", "nope"], 1);
    let not_an_id = api_keys(&home, &catalog, &["revoke", "tsk_abc"], 2);
    let bad_name = api_keys(&home, &catalog, &["create", "--project", "two words"], 2);
    assert!(stdout(&unknown).is_empty() && stdout(&bad_name).is_empty());
    let shown = [&unknown, &no_project, &not_an_id, &bad_name].map(stderr).join("\n");
    insta::assert_snapshot!("unknown", shown);
}
