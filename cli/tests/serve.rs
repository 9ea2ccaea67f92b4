//! `toolsmith serve`: first start creates a development key and says what to run; the
//! key opens the API; SIGTERM stops the server cleanly.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[test]
fn serve_starts_with_a_development_key_and_stops_on_sigterm() {
    let home = std::env::temp_dir().join(format!("toolsmith-serve-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    let mut child = Command::new(env!("CARGO_BIN_EXE_toolsmith"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env("TOOLSMITH_HOME", &home)
        .env_remove("TOOLSMITH_SECRET_KEY")
        .env_remove("TOOLSMITH_CATALOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (mut key, mut base) = (None, None);
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.trim().strip_prefix("export COMPOSIO_API_KEY=") {
            let (k, b) = rest.split_once(" COMPOSIO_BASE_URL=").unwrap();
            key = Some(k.to_owned());
            base = Some(b.to_owned());
        }
        if line.starts_with("listening on http://") {
            break;
        }
    }
    let (key, base) = (key.expect("a development key"), base.unwrap());
    assert!(key.starts_with("tsk_"), "{key}");
    let http = reqwest::blocking::Client::new();
    let tools = http
        .get(format!("{base}/api/v3.1/tools?toolkit_slug=github&limit=2"))
        .header("x-api-key", &key)
        .send()
        .unwrap();
    assert_eq!(tools.status(), 200);
    let body: serde_json::Value = tools.json().unwrap();
    assert_eq!(body["items"].as_array().unwrap().len(), 2);
    let refused = http.get(format!("{base}/api/v3.1/tools")).header("x-api-key", "tsk_wrong").send().unwrap();
    assert_eq!(refused.status(), 401);
    let session = http
        .post(format!("{base}/api/v3.1/tool_router/session"))
        .header("x-api-key", &key)
        .json(&serde_json::json!({"user_id": "ada"}))
        .send()
        .unwrap();
    assert_eq!(session.status(), 200);
    // The workbench runs under the home: sessions offer its tools.
    let session: serde_json::Value = session.json().unwrap();
    let tools = session["tool_router_tools"].as_array().unwrap();
    assert!(tools.iter().any(|t| t == "COMPOSIO_REMOTE_WORKBENCH"), "{session}");
    assert!(home.join("workbench/image").is_dir());

    // SIGTERM: a clean stop.
    let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(exit.success(), "{exit:?}");

    // A second start keeps the key: no new development key is printed.
    let mut second = Command::new(env!("CARGO_BIN_EXE_toolsmith"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env("TOOLSMITH_HOME", &home)
        .env_remove("TOOLSMITH_SECRET_KEY")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(second.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(first.starts_with("listening on"), "{first}");
    Command::new("kill").args(["-TERM", &second.id().to_string()]).status().unwrap();
    assert!(second.wait().unwrap().success());
    let _ = std::fs::remove_dir_all(&home);
}

#[test]
fn bench_serve_prints_the_contract_keys() {
    let output = Command::new(env!("CARGO_BIN_EXE_toolsmith"))
        .args(["bench", "serve", "--seconds", "1", "--concurrency", "1,4", "--sessions", "20", "--json"])
        .env_remove("TOOLSMITH_CATALOG")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stats: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let rows = stats["load"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    for row in rows {
        for key in [
            "rest_rps",
            "rest_p50_us",
            "rest_p99_us",
            "mcp_rps",
            "mcp_p50_us",
            "mcp_ratio_rps",
            "bare_rps",
            "bare_p50_us",
            "ratio_rps",
            "rss_mib",
        ] {
            assert!(row[key].as_f64().is_some_and(|v| v > 0.0), "{key}: {row}");
        }
    }
    assert_eq!(stats["sessions"], 20);
    assert!(stats["rss_after_sessions_mib"].as_f64().unwrap() > 0.0);
}
