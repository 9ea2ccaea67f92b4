//! The `toolsmith` binary: exit codes, output formats, and what it prints.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn toolsmith(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_toolsmith"))
        .args(args)
        .current_dir(root())
        .env_remove("TOOLSMITH_CATALOG")
        .output()
        .expect("run toolsmith")
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn fixtures(dir: &str) -> Vec<String> {
    let mut paths: Vec<String> = std::fs::read_dir(root().join("catalog/tests/fixtures").join(dir))
        .expect("fixtures")
        .flatten()
        .map(|e| format!("catalog/tests/fixtures/{dir}/{}", e.file_name().to_string_lossy()))
        .collect();
    paths.sort();
    paths
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stdout)))
}

#[test]
fn each_invalid_fixture_fails_with_its_code_and_location() {
    for path in fixtures("invalid") {
        let output = toolsmith(&["validate", &path, "--format", "json"]);
        assert_eq!(output.status.code(), Some(1), "{path}");
        let code = Path::new(&path).file_name().unwrap().to_str().unwrap()[..4].to_owned();
        let diagnostics = json(&output);
        let hit = diagnostics
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["code"] == code.as_str())
            .unwrap_or_else(|| panic!("{path}: no {code} in {diagnostics}"));
        assert!(hit["file"].as_str().is_some_and(|f| f.starts_with(&path)), "{path}: {hit}");
        if code != "E028" {
            assert!(hit["line"].as_u64().is_some_and(|l| l >= 1), "{path}: no line in {hit}");
            assert!(hit["column"].as_u64().is_some_and(|c| c >= 1), "{path}: no column in {hit}");
        }
        assert!(hit["help"].as_str().is_some_and(|h| !h.is_empty()), "{path}: no help in {hit}");
    }
}

#[test]
fn warnings_do_not_fail_unless_denied() {
    for path in fixtures("warnings") {
        assert_eq!(toolsmith(&["validate", &path]).status.code(), Some(0), "{path}");
        assert_eq!(toolsmith(&["validate", &path, "--deny-warnings"]).status.code(), Some(1), "{path}");
    }
}

#[test]
fn the_catalog_and_the_full_fixture_pass() {
    let output = toolsmith(&["validate", "catalog/toolkits", "catalog/tests/fixtures/valid/demo"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("0 errors"), "{stderr}");
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(toolsmith(&["validate", "--format", "xml"]).status.code(), Some(2));
    assert_eq!(toolsmith(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn a_missing_path_is_reported() {
    let output = toolsmith(&["validate", "no/such/dir", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(json(&output)[0]["code"], "E028");
}

#[test]
fn human_output_shows_the_yaml_lines() {
    let output = toolsmith(&["validate", "catalog/tests/fixtures/invalid/E011-path-param-not-required.yaml"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // The last line carries a timing; leave it out of the snapshot.
    let stable: Vec<&str> = stderr.lines().filter(|l| !l.starts_with("checked ")).collect();
    insta::assert_snapshot!(stable.join("\n"));
}

#[test]
fn tools_list_shows_the_catalog() {
    let output = toolsmith(&["tools", "list", "--no-builtin", "--catalog", "catalog/tests/fixtures/valid/demo"]);
    assert_eq!(output.status.code(), Some(0));
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stdout));

    let output =
        toolsmith(&["tools", "list", "--no-builtin", "--catalog", "catalog/tests/fixtures/valid/demo", "--json"]);
    let page = json(&output);
    let tools = page["items"].as_array().unwrap();
    assert_eq!(tools.len(), 5);
    assert_eq!(tools[0]["slug"], "DEMO_LIST_THINGS");
    assert_eq!(tools[0]["method"], "GET");
    assert_eq!(page["next_cursor"], serde_json::Value::Null);

    // Pages of 20 by default, with a cursor to the next one.
    let output = toolsmith(&["tools", "list", "--toolkit", "github", "--json"]);
    let page = json(&output);
    let first = page["items"].as_array().unwrap();
    assert_eq!(first.len(), 20);
    assert!(first.iter().all(|t| t["toolkit"] == "github"));
    let cursor = page["next_cursor"].as_str().expect("more pages").to_owned();
    assert_eq!(cursor, first[19]["slug"].as_str().unwrap());
    let output = toolsmith(&["tools", "list", "--toolkit", "github", "--json", "--limit", "5", "--cursor", &cursor]);
    let next = json(&output);
    assert_eq!(next["items"].as_array().unwrap().len(), 5);
    assert_ne!(next["items"][0]["slug"], first[19]["slug"]);

    // Tags: all must match.
    let output = toolsmith(&["tools", "list", "--important", "--tag", "readOnlyHint", "--json", "--limit", "1000"]);
    let important = json(&output);
    let important = important["items"].as_array().unwrap();
    assert!(!important.is_empty());
    for t in important {
        let tags = t["tags"].as_array().unwrap();
        assert!(tags.contains(&"important".into()) && tags.contains(&"readOnlyHint".into()), "{t}");
    }

    let output = toolsmith(&["tools", "list", "--toolkit", "nope"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("known toolkits"));
}

#[test]
fn tools_get_prints_the_canonical_schema() {
    let output = toolsmith(&["tools", "get", "demo_update_thing", "--catalog", "catalog/tests/fixtures/valid/demo"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stdout));
}

#[test]
fn tools_list_refuses_an_invalid_catalog() {
    let output = toolsmith(&[
        "tools",
        "list",
        "--no-builtin",
        "--catalog",
        "catalog/tests/fixtures/invalid/E010-path-param-undeclared.yaml",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("E010"));
}

#[test]
fn committed_schemas_are_current() {
    let output = toolsmith(&["schema", "--check"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
}

/// A local API for `execute`: answers every request with what it received.
fn echo_server() -> (String, std::thread::JoinHandle<()>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let origin = format!("http://{}", listener.local_addr().expect("address"));
    let handle = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            let app = axum::Router::new().fallback(|request: axum::extract::Request| async move {
                let key = request.headers().get("x-api-key").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
                if key != "cli-SECRET-key" {
                    return (axum::http::StatusCode::UNAUTHORIZED, "bad key".to_owned());
                }
                (axum::http::StatusCode::OK, format!("{{\"path\": \"{}\"}}", request.uri().path()))
            });
            let _ = tokio::time::timeout(std::time::Duration::from_secs(60), axum::serve(listener, app)).await;
        });
    });
    (origin, handle)
}

fn toolsmith_in(home: &Path, catalog: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_toolsmith"))
        .args(args)
        .current_dir(root())
        .env("TOOLSMITH_HOME", home)
        .env("TOOLSMITH_CATALOG", catalog)
        .env_remove("TOOLSMITH_SECRET_KEY")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run toolsmith");
    child.stdin.take().expect("stdin").write_all(stdin.unwrap_or("").as_bytes()).expect("write stdin");
    child.wait_with_output().expect("wait")
}

#[test]
fn accounts_execute_and_logs() {
    let (origin, _server) = echo_server();
    let dir = std::env::temp_dir().join(format!("toolsmith-cli-execute-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (home, catalog) = (dir.join("home"), dir.join("catalog/echo"));
    std::fs::create_dir_all(&catalog).unwrap();
    std::fs::write(
        catalog.join("toolkit.yaml"),
        format!(
            r#"slug: echo
name: Echo
description: A local API that the CLI test starts, to run tools against.
version: 20261122_00
base_url: {origin}/api
auth: [{{ scheme: api_key, in: header, name: X-Api-Key }}]
tools:
  - slug: ECHO_GET_ITEM
    name: Get an item
    description: Reads one item by its id from the local API.
    http: {{ method: GET, path: "/items/{{item_id}}" }}
    input:
      type: object
      required: [item_id]
      properties:
        item_id: {{ type: string, in: path, description: The item }}
"#
        ),
    )
    .unwrap();
    let catalog_dir = dir.join("catalog");
    let run = |args: &[&str], stdin: Option<&str>| toolsmith_in(&home, &catalog_dir, args, stdin);

    // The key comes from standard input, so it is neither in argv nor in the output.
    let output =
        run(&["accounts", "connect", "--user", "ada", "--toolkit", "echo", "--api-key", "-"], Some("cli-SECRET-key\n"));
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let account = json(&output);
    assert_eq!((account["status"].as_str(), account["toolkit"].as_str()), (Some("ACTIVE"), Some("echo")));
    assert!(account["id"].as_str().unwrap().starts_with("ca_"));
    assert_eq!(account["secrets"], serde_json::json!(["api_key"]));

    let output = run(&["execute", "echo_get_item", "--user", "ada", "--args", r#"{"item_id": "42"}"#], None);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let result = json(&output);
    assert_eq!(result["data"], serde_json::json!({"path": "/api/items/42"}));
    assert_eq!((result["successful"].as_bool(), result["error"].is_null()), (Some(true), true));
    let log_id = result["log_id"].as_str().unwrap().to_owned();

    // An argument error names the field; exit code 1, still the result object.
    let output = run(&["execute", "ECHO_GET_ITEM", "--user", "ada", "--args", r#"{"itemid": "42"}"#], None);
    assert_eq!(output.status.code(), Some(1));
    let result = json(&output);
    assert_eq!(result["successful"], false);
    let error = result["error"].as_str().unwrap();
    assert!(error.contains("/item_id: is required") && error.contains("/itemid: is not a known property"), "{error}");

    // No account for this user: the error says how to connect one.
    let output = run(&["execute", "ECHO_GET_ITEM", "--user", "bob", "--args", r#"{"item_id": "1"}"#], None);
    assert_eq!(output.status.code(), Some(1));
    assert!(json(&output)["error"].as_str().unwrap().contains("toolsmith accounts connect --user bob --toolkit echo"));

    let output =
        run(&["execute", "ECHO_GET_ITEM", "--user", "ada", "--args", r#"{"item_id": "7"}"#, "--dry-run"], None);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let dry = json(&output);
    assert_eq!(dry["url"], format!("{origin}/api/items/7"));
    assert!(dry["headers"].as_array().unwrap().contains(&serde_json::json!(["x-api-key", "[REDACTED]"])), "{dry}");

    let output = run(&["logs", "--json"], None);
    let logs = json(&output);
    assert_eq!(logs.as_array().unwrap().len(), 3, "{logs}");
    assert_eq!(logs[2]["log_id"], log_id.as_str());
    assert_eq!((logs[2]["status"].as_u64(), logs[2]["successful"].as_bool()), (Some(200), Some(true)));
    let output = run(&["logs", &log_id], None);
    assert_eq!(json(&output)["tool"], "ECHO_GET_ITEM");

    let output = run(&["accounts", "list", "--user", "ada"], None);
    let listing = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(listing.contains(account["id"].as_str().unwrap()) && listing.contains("1 account(s)"), "{listing}");

    // Rotating the key re-encrypts the secret; the account still works.
    let output = run(&["keys", "rotate"], None);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let output = run(&["execute", "ECHO_GET_ITEM", "--user", "ada", "--args", r#"{"item_id": "9"}"#], None);
    assert_eq!(json(&output)["successful"], true, "{}", String::from_utf8_lossy(&output.stdout));

    let output = run(&["accounts", "remove", account["id"].as_str().unwrap()], None);
    assert_eq!(output.status.code(), Some(0));
    let output = run(&["execute", "ECHO_GET_ITEM", "--user", "ada", "--args", r#"{"item_id": "9"}"#], None);
    assert_eq!(output.status.code(), Some(1));

    // The secret is in no file under TOOLSMITH_HOME.
    for entry in std::fs::read_dir(&home).unwrap().flatten() {
        if entry.path().is_file() {
            let bytes = std::fs::read(entry.path()).unwrap();
            assert!(!String::from_utf8_lossy(&bytes).contains("cli-SECRET-key"), "{}", entry.path().display());
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn validate_reports_every_mistake_of_a_file_at_once() {
    let output = toolsmith(&["validate", "catalog/tests/fixtures/mixed/many-mistakes.yaml"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stable: Vec<&str> = stderr.lines().filter(|l| !l.starts_with("checked ")).collect();
    insta::assert_snapshot!(stable.join("\n"));
}
