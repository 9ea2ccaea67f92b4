//! Issue 12: the whole command line, run with known secrets against an API that reflects
//! every request back (headers, query and path, in a 200 and in a 401), leaks none of
//! them: not in any output, error, dry run or log, and not in any file under
//! `TOOLSMITH_HOME`, in clear, URL-encoded or base64.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Output;

use base64::Engine as _;

/// A query key with characters that URL-encoding changes, a basic-auth password, and a
/// token that lands in the base URL's path.
const QUERY_KEY: &str = "qk SECRET+A/1";
const PASSWORD: &str = "pw-SECRET-B-2";
const PATH_TOKEN: &str = "tok-SECRET-C-3";

/// Every form in which a secret must not appear.
fn forbidden() -> Vec<String> {
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let form = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let mut all = Vec::new();
    for secret in [QUERY_KEY, PASSWORD, PATH_TOKEN] {
        all.extend([secret.to_owned(), form(secret), form(secret).replace('+', "%20"), b64(secret)]);
    }
    all.push(b64(&format!("ada:{PASSWORD}")));
    all
}

/// An API that answers every request with the request itself: 401 for paths with
/// `denied`, else 200.
fn reflecting_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut buffer = [0u8; 16 * 1024];
            let n = stream.read(&mut buffer).unwrap_or(0);
            let head = String::from_utf8_lossy(&buffer[..n]).into_owned();
            let status =
                if head.lines().next().unwrap_or_default().contains("denied") { "401 Unauthorized" } else { "200 OK" };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-type: text/plain\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{head}",
                head.len()
            );
        }
    });
    origin
}

fn toolkit(slug: &str, base_url: &str, auth: &str, headers: &str) -> String {
    let upper = slug.to_ascii_uppercase();
    format!(
        r#"slug: {slug}
name: {slug}
description: A toolkit whose API reflects every request, to look for leaked secrets.
version: 20261122_00
base_url: "{base_url}"
headers: {{ {headers} }}
auth: [{auth}]
tools:
  - slug: {upper}_GET_ITEM
    name: Get an item
    description: Reads one item; the API answers with the request it received.
    http: {{ method: GET, path: "/items/{{item_id}}" }}
    input:
      type: object
      required: [item_id]
      properties:
        item_id: {{ type: string, in: path, description: The item }}
"#
    )
}

struct Run {
    home: PathBuf,
    catalog: PathBuf,
    outputs: Vec<(String, String)>,
}

impl Run {
    fn toolsmith(&mut self, args: &[&str], stdin: &str) -> Output {
        let output = common::toolsmith(&self.home, &self.catalog, args, stdin);
        let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        self.outputs.push((args.join(" "), text));
        output
    }
}

fn files_below(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_below(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn no_secret_leaks_from_any_command_even_when_the_api_reflects_it() {
    let origin = reflecting_server();
    let dir = std::env::temp_dir().join(format!("toolsmith-cli-secrets-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let catalog = dir.join("catalog");
    let toolkits = [
        ("reflect", format!("{origin}/api"), "{ scheme: api_key, in: query, name: key }", ""),
        ("reflectbasic", format!("{origin}/api"), "{ scheme: basic }", ""),
        (
            "bot",
            format!("{origin}/bot{{token}}"),
            "{ scheme: none, fields: [{ name: token, title: Token, secret: true }, { name: team, title: Team }] }",
            "X-Team: '{team}'",
        ),
    ];
    for (slug, base_url, auth, headers) in &toolkits {
        std::fs::create_dir_all(catalog.join(slug)).unwrap();
        std::fs::write(catalog.join(slug).join("toolkit.yaml"), toolkit(slug, base_url, auth, headers)).unwrap();
    }
    let mut run = Run { home: dir.join("home"), catalog, outputs: Vec::new() };
    let user = ["--user", "ada"];

    let connects: [(&[&str], String); 3] = [
        (&["--toolkit", "reflect", "--api-key", "-"], format!("{QUERY_KEY}\n")),
        (&["--toolkit", "reflectbasic", "--basic", "-"], format!("ada:{PASSWORD}\n")),
        (&["--toolkit", "bot", "--field", "team=blue", "--field", "token=-"], format!("{PATH_TOKEN}\n")),
    ];
    for (args, stdin) in &connects {
        let output = run.toolsmith(&[&["accounts", "connect"][..], &user, args].concat(), stdin);
        assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    }
    for slug in ["REFLECT_GET_ITEM", "REFLECTBASIC_GET_ITEM", "BOT_GET_ITEM"] {
        for item in ["1", "denied"] {
            let args = format!(r#"{{"item_id": "{item}"}}"#);
            let output = run.toolsmith(&[&["execute", slug][..], &user, &["--args", &args]].concat(), "");
            let result: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
            assert_eq!(result["successful"], item == "1", "{slug} {item}: {result}");
            let shown = if item == "1" { &result["data"] } else { &result["error"] };
            assert!(shown.to_string().contains("[REDACTED]"), "the reflection is there, redacted: {result}");
        }
        run.toolsmith(&[&["execute", slug][..], &user, &["--args", r#"{"item_id": "1"}"#, "--dry-run"]].concat(), "");
    }
    for args in [
        &["logs"][..],
        &["logs", "--json"],
        &["accounts", "list"],
        &["accounts", "list", "--json"],
        &["keys", "rotate"],
        &["keys", "reencrypt"],
        &["tools", "get", "REFLECT_GET_ITEM"],
    ] {
        let output = run.toolsmith(args, "");
        assert_eq!(output.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    }
    assert!(run.outputs.len() >= 19);

    let forbidden = forbidden();
    for (command, text) in &run.outputs {
        for secret in &forbidden {
            assert!(!text.contains(secret.as_str()), "`toolsmith {command}` printed `{secret}`:\n{text}");
        }
    }
    let mut files = Vec::new();
    files_below(&run.home, &mut files);
    assert!(files.iter().any(|f| f.ends_with("toolsmith.db")), "{files:?}");
    for file in files {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        for secret in &forbidden {
            assert!(!text.contains(secret.as_str()), "{} holds `{secret}`", file.display());
        }
    }
}
