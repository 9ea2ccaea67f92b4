//! Issue 12, item 5, at the command line: `accounts connect` refuses blank credentials,
//! and runs the toolkit's `verify` request, storing the account as FAILED (with the
//! reason) when the API refuses the credential; `--no-verify` skips the check.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;

use common::{toolsmith, write_checked_toolkit};

/// A server that answers every request with 401 and counts them.
fn refusing_server() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let count = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let mut buffer = [0u8; 4096];
            let _ = stream.read(&mut buffer);
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let body = "bad key";
            let _ = write!(
                stream,
                "HTTP/1.1 401 Unauthorized\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (origin, count)
}

#[test]
fn connect_refuses_blanks_and_stores_a_refused_credential_as_failed() {
    let (origin, requests) = refusing_server();
    let dir = std::env::temp_dir().join(format!("toolsmith-cli-connect-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (home, catalog) = (dir.join("home"), dir.join("catalog"));
    write_checked_toolkit(&catalog, &origin);
    let run = |args: &[&str], stdin: &str| toolsmith(&home, &catalog, args, stdin);
    let connect = ["accounts", "connect", "--user", "ada", "--toolkit", "checked", "--api-key", "-"];

    let blank = run(&connect, "   \n");
    let stderr = String::from_utf8_lossy(&blank.stderr);
    assert_eq!(blank.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("is empty; give the real value"), "{stderr}");

    let refused = run(&connect, "connect-SECRET-1\n");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("GET /me answered 401 (expected 200): bad key"), "{stderr}");
    let account: serde_json::Value = serde_json::from_slice(&refused.stdout).unwrap();
    assert_eq!(account["status"], "FAILED");
    assert!(account["status_reason"].as_str().unwrap().contains("answered 401"), "{account}");
    assert_eq!(requests.load(std::sync::atomic::Ordering::SeqCst), 1);

    let unchecked = run(&[&connect[..], &["--no-verify"]].concat(), "connect-SECRET-2\n");
    assert_eq!(unchecked.status.code(), Some(0), "{}", String::from_utf8_lossy(&unchecked.stderr));
    let account: serde_json::Value = serde_json::from_slice(&unchecked.stdout).unwrap();
    assert_eq!(account["status"], "ACTIVE");
    assert_eq!(requests.load(std::sync::atomic::Ordering::SeqCst), 1, "--no-verify sends nothing");
    for output in [&refused, &unchecked] {
        let all = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        assert!(!all.contains("connect-SECRET"), "{all}");
    }
}
