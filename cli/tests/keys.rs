//! Issue 12, item 7: a database whose key file went missing is not given a new key (which
//! could not open its secrets); the command says which key is missing and where.

#![allow(clippy::unwrap_used)]

mod common;

use common::toolsmith;

#[test]
fn a_missing_key_file_is_not_replaced_while_secrets_are_sealed() {
    let dir = std::env::temp_dir().join(format!("toolsmith-cli-keys-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (home, catalog) = (dir.join("home"), dir.join("catalog"));
    std::fs::create_dir_all(catalog.join("keyed")).unwrap();
    std::fs::write(
        catalog.join("keyed/toolkit.yaml"),
        r#"slug: keyed
name: Keyed
description: A toolkit with an API key, to store a sealed secret.
version: 20261122_00
base_url: http://127.0.0.1:9/api
auth: [{ scheme: api_key, in: header, name: X-Api-Key }]
tools:
  - slug: KEYED_PING
    name: Ping
    description: Checks that the service answers.
    http: { method: GET, path: /ping }
    input: { type: object }
"#,
    )
    .unwrap();
    let run = |args: &[&str], stdin: &str| toolsmith(&home, &catalog, args, stdin);
    let connect = ["accounts", "connect", "--user", "ada", "--toolkit", "keyed", "--api-key", "-"];
    let output = run(&connect, "keys-SECRET-1\n");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let key_file = home.join("secret.keys");
    // "current key <id>; re-encrypted 1 secret value(s)"
    let reencrypted = String::from_utf8_lossy(&run(&["keys", "reencrypt"], "").stdout).into_owned();
    let id = reencrypted.trim_start_matches("current key ").split(';').next().unwrap_or_default().to_owned();
    assert_eq!(id.len(), 8, "{reencrypted}");

    std::fs::remove_file(&key_file).unwrap();
    let output = run(&["accounts", "list"], "");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(&format!("key file {} is missing", key_file.display())), "{stderr}");
    assert!(stderr.contains(&format!("sealed with key `{id}`")), "{stderr}");
    assert!(!key_file.exists(), "no new key was created");

    // A fresh home (no database) still gets its key on first use.
    let fresh = dir.join("fresh");
    let output = toolsmith(&fresh, &catalog, &["accounts", "list"], "");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(fresh.join("secret.keys").exists());
}
