//! Issue 19: `toolsmith db migrate|status` on the home's SQLite file and on PostgreSQL
//! (`--database`, `TOOLSMITH_DATABASE_URL`), the store commands against PostgreSQL, and
//! the errors: an unreachable database (its URL without the password), no cluster key, a
//! SQLite-only command with a database URL.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use toolsmith_store::conformance::fixtures::PgCluster;

mod common;

/// A fresh home (and an empty catalog folder) for one test.
fn scratch(name: &str) -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!("toolsmith-cli-db-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("catalog")).unwrap();
    (dir.join("home"), dir.join("catalog"))
}

/// A key for `TOOLSMITH_SECRET_KEY` (base64 of 32 bytes).
const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/// `toolsmith` on `home` with the variables `env` (nothing else of the caller's
/// toolsmith variables), no standard input.
fn toolsmith(home: &Path, catalog: &Path, env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_toolsmith"));
    command
        .env("TOOLSMITH_HOME", home)
        .env("TOOLSMITH_CATALOG", catalog)
        .env_remove("TOOLSMITH_SECRET_KEY")
        .env_remove("TOOLSMITH_DATABASE_URL")
        .envs(env.iter().copied())
        .stdin(Stdio::null());
    command
}

/// Runs `toolsmith args` on `home` with the variables `env` and asserts its exit code.
fn run(home: &Path, catalog: &Path, env: &[(&str, &str)], args: &[&str], code: i32) -> Output {
    let output = toolsmith(home, catalog, env).args(args).output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(code),
        "{args:?}\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Standard output, or error, with what changes from run to run replaced: the home
/// folder, the port, times, ids, keys.
fn shown(text: &[u8], home: &Path) -> String {
    let text = String::from_utf8_lossy(text).replace(&home.display().to_string(), "[home]");
    let rules = [
        (r"127\.0\.0\.1:\d+/t\d+_\d+", "127.0.0.1:[port]/[db]"),
        (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "[time]"),
        (r"(ak|prj)_[A-Za-z0-9_-]+", "${1}_[id]"),
        (r"tsk_[A-Za-z0-9_-]+", "tsk_[key]"),
    ];
    rules
        .iter()
        .fold(text, |text, (pattern, to)| regex::Regex::new(pattern).unwrap().replace_all(&text, *to).into_owned())
}

fn database() -> String {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(PgCluster::shared().database())
}

#[test]
fn sqlite_status_and_migrate() {
    let (home, catalog) = scratch("sqlite");
    let status = run(&home, &catalog, &[], &["db", "status"], 0);
    insta::assert_snapshot!("sqlite_status_new", shown(&status.stdout, &home));
    let migrate = run(&home, &catalog, &[], &["db", "migrate"], 0);
    insta::assert_snapshot!("sqlite_migrate", shown(&migrate.stdout, &home));
    let again = run(&home, &catalog, &[], &["db", "migrate"], 0);
    insta::assert_snapshot!("sqlite_migrate_again", shown(&again.stdout, &home));
    let json = run(&home, &catalog, &[], &["db", "status", "--json"], 0);
    insta::assert_snapshot!("sqlite_status_json", shown(&json.stdout, &home));
}

#[test]
fn postgres_status_migrate_and_the_store_commands() {
    let (home, catalog) = scratch("postgres");
    let url = database();
    let flag = ["--database", url.as_str()];
    let with = |args: &[&'static str]| -> Vec<String> {
        args.iter().map(|a| a.to_string()).chain(flag.iter().map(|a| a.to_string())).collect()
    };
    let status = run(&home, &catalog, &[], &["db", "status", "--database", &url], 0);
    insta::assert_snapshot!("postgres_status_new", shown(&status.stdout, &home));
    let migrate = run(&home, &catalog, &[], &["db", "migrate", "--database", &url], 0);
    insta::assert_snapshot!("postgres_migrate", shown(&migrate.stdout, &home));
    // The variable does what the flag does.
    let again = run(&home, &catalog, &[("TOOLSMITH_DATABASE_URL", &url)], &["db", "migrate"], 0);
    insta::assert_snapshot!("postgres_migrate_again", shown(&again.stdout, &home));
    let status = run(&home, &catalog, &[], &["db", "status", "--database", &url], 0);
    insta::assert_snapshot!("postgres_status", shown(&status.stdout, &home));
    let json = run(&home, &catalog, &[], &["db", "status", "--json", "--database", &url], 0);
    insta::assert_snapshot!("postgres_status_json", shown(&json.stdout, &home));

    // API keys live in the database: made here, listed by another invocation, and no
    // SQLite file appears in the home.
    let key = [("TOOLSMITH_SECRET_KEY", KEY)];
    let args = with(&["api-keys", "create", "--project", "acme", "--name", "ci"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let created = run(&home, &catalog, &key, &args, 0);
    assert!(String::from_utf8_lossy(&created.stdout).trim().starts_with("tsk_"));
    let list = run(&home, &catalog, &key, &["api-keys", "list", "--database", &url], 0);
    insta::assert_snapshot!("postgres_api_keys", shown(&list.stdout, &home));
    assert!(!home.join("toolsmith.db").exists(), "the SQLite file was made");
}

#[test]
fn an_unreachable_database_is_named_without_its_password() {
    let (home, catalog) = scratch("unreachable");
    let url = "postgres://toolsmith:hunter2@127.0.0.1:1/toolsmith";
    let failed = run(&home, &catalog, &[], &["db", "status", "--database", url], 1);
    let error = String::from_utf8_lossy(&failed.stderr);
    assert!(!error.contains("hunter2"), "{error}");
    assert!(error.contains("postgres://toolsmith@127.0.0.1:1/toolsmith"), "{error}");
    assert!(error.contains("check that PostgreSQL runs"), "{error}");
    let failed = run(&home, &catalog, &[("TOOLSMITH_SECRET_KEY", KEY)], &["api-keys", "list", "--database", url], 1);
    assert!(!String::from_utf8_lossy(&failed.stderr).contains("hunter2"));
    insta::assert_snapshot!("unreachable", shown(&failed.stderr, &home));
}

#[test]
fn a_database_needs_the_clusters_key_and_sqlite_only_commands_say_so() {
    let (home, catalog) = scratch("keys");
    let url = database();
    let failed = run(&home, &catalog, &[], &["api-keys", "list", "--database", &url], 1);
    insta::assert_snapshot!("no_key", shown(&failed.stderr, &home));
    assert!(!home.join("secret.keys").exists(), "a key was made up");
    let failed = run(&home, &catalog, &[("TOOLSMITH_SECRET_KEY", KEY)], &["keys", "prune", "--database", &url], 1);
    insta::assert_snapshot!("prune_sqlite_only", shown(&failed.stderr, &home));
}

/// Starts `toolsmith serve` on `home` with `env`: `Ok(first line of stdout that says it
/// listens)`, or `Err(stderr)` when it exits first. The server is stopped.
fn serve(home: &Path, catalog: &Path, env: &[(&str, &str)], args: &[&str]) -> Result<String, String> {
    use std::io::{BufRead, BufReader};
    let mut child = toolsmith(home, catalog, env)
        .args(["serve", "--addr", "127.0.0.1:0", "--no-workbench"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let listening = stdout.lines().map_while(Result::ok).find(|line| line.starts_with("listening on"));
    let _ = child.kill();
    let output = child.wait_with_output().unwrap();
    listening.ok_or_else(|| String::from_utf8_lossy(&output.stderr).into_owned())
}

#[test]
fn serve_on_a_database_starts_with_the_deployments_key_only() {
    let (home, catalog) = scratch("serve");
    common::write_checked_toolkit(&catalog, "http://127.0.0.1:9");
    let url = database();
    let key = [("TOOLSMITH_SECRET_KEY", KEY)];
    // A secret sealed with the deployment's key.
    let connect = [
        "accounts",
        "connect",
        "--user",
        "ada",
        "--toolkit",
        "checked",
        "--api-key",
        "sk-1",
        "--no-verify",
        "--database",
        &url,
    ];
    run(&home, &catalog, &key, &connect, 0);
    let listening = serve(&home, &catalog, &key, &["--database", &url]).unwrap();
    assert!(listening.starts_with("listening on http://127.0.0.1:"), "{listening}");

    // Another key: refused at start, saying every server needs the same keys.
    let other = [("TOOLSMITH_SECRET_KEY", "//////////////////////////////////////////8=")];
    let refused = serve(&home, &catalog, &other, &["--database", &url]).unwrap_err();
    assert!(refused.contains("every server of a cluster"), "{refused}");
    assert!(refused.contains("1 secret(s)"), "{refused}");
}
