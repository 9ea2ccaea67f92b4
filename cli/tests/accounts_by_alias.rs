//! Issue 12, item 17, at the command line: `--account` takes an account's alias as well
//! as its `ca_…` id; `accounts update` replaces a credential keeping the id, checking it
//! first; `keys prune` removes the keys no secret needs, and refuses while one does.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::{toolsmith, write_checked_toolkit};
use serde_json::Value;

/// A server that answers 200 to requests whose `X-Api-Key` starts with `good`, else 401.
fn checking_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut buffer = [0u8; 8192];
            let n = stream.read(&mut buffer).unwrap_or(0);
            let request = String::from_utf8_lossy(&buffer[..n]).to_ascii_lowercase();
            let (status, body) =
                if request.contains("x-api-key: good") { ("200 OK", "{}") } else { ("401 Unauthorized", "bad key") };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    origin
}

struct Env {
    home: PathBuf,
    catalog: PathBuf,
}

impl Env {
    fn new(name: &str) -> Env {
        let origin = checking_server();
        let dir = std::env::temp_dir().join(format!("toolsmith-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let (home, catalog) = (dir.join("home"), dir.join("catalog"));
        write_checked_toolkit(&catalog, &origin);
        Env { home, catalog }
    }

    fn run(&self, args: &[&str], stdin: &str) -> Output {
        toolsmith(&self.home, &self.catalog, args, stdin)
    }

    /// Runs a command that must succeed; its standard output.
    fn ok(&self, args: &[&str], stdin: &str) -> String {
        let output = self.run(args, stdin);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    }

    fn connect(&self, alias: &str, key: &str) -> Value {
        let args = ["accounts", "connect", "--user", "ada", "--toolkit", "checked", "--alias", alias, "--api-key", "-"];
        serde_json::from_str(&self.ok(&args, key)).unwrap()
    }

    fn accounts(&self) -> Vec<Value> {
        serde_json::from_str(&self.ok(&["accounts", "list", "--json"], "")).unwrap()
    }
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn account_flag_takes_an_alias_and_an_unknown_one_lists_the_aliases() {
    let env = Env::new("alias");
    let work = env.connect("work", "good-1");
    env.connect("home", "good-2");
    let ping = ["execute", "CHECKED_PING", "--user", "ada", "--dry-run"];

    // Two active accounts: the alias chooses one, as its id does.
    let both = env.run(&ping, "");
    assert_eq!(both.status.code(), Some(1));
    env.ok(&[&ping[..], &["--account", "work"]].concat(), "");
    env.ok(&[&ping[..], &["--account", work["id"].as_str().unwrap()]].concat(), "");

    let unknown = env.run(&[&ping[..], &["--account", "office"]].concat(), "");
    assert_eq!(unknown.status.code(), Some(1));
    let result: Value = serde_json::from_slice(&unknown.stdout).unwrap();
    assert_eq!(result["successful"], false);
    let error = result["error"].as_str().unwrap();
    assert!(error.contains("no account `office`") && error.contains("their aliases: home, work"), "{error}");

    // `accounts remove` takes an alias too.
    let removed = env.ok(&["accounts", "remove", "home", "--user", "ada"], "");
    assert!(removed.starts_with("removed ca_"), "{removed}");
    assert_eq!(env.accounts().len(), 1);
}

#[test]
fn update_keeps_the_id_and_saves_only_a_credential_that_passes_the_check() {
    let env = Env::new("update");
    let work = env.connect("work", "good-1");
    let id = work["id"].as_str().unwrap();

    let refused = env.run(&["accounts", "update", "work", "--api-key", "-"], "bad-key\n");
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("the new credential was not saved"), "{}", stderr(&refused));
    assert_eq!(env.accounts()[0]["status"], "ACTIVE", "the working credential stays");

    let updated: Value =
        serde_json::from_str(&env.ok(&["accounts", "update", "work", "--api-key", "-"], "good-2\n")).unwrap();
    assert_eq!(updated["id"], id, "the id is kept");
    assert_eq!(updated["alias"], "work");
    let accounts = env.accounts();
    assert_eq!((accounts.len(), &accounts[0]["id"]), (1, &Value::from(id)));
    assert_ne!(accounts[0]["updated_at"], Value::Null);

    // By id, with the check skipped.
    env.ok(&["accounts", "update", id, "--api-key", "-", "--no-verify"], "bad-but-unchecked\n");
    let missing = env.run(&["accounts", "update", "nope", "--api-key", "x"], "");
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("their aliases: work"), "{}", stderr(&missing));
}

#[test]
fn prune_removes_old_keys_only_once_no_secret_needs_them() {
    let env = Env::new("prune");
    env.connect("work", "good-1");
    let key_a = current_key(&env.ok(&["keys", "reencrypt"], ""));
    let nothing = env.ok(&["keys", "prune"], "");
    assert!(nothing.starts_with("no key to remove"), "{nothing}");

    let key_b = current_key(&env.ok(&["keys", "rotate"], ""));
    assert_ne!(key_a, key_b);
    // A secret sealed with the old key A: make A current for one connect, then B again.
    let lines = key_lines(&env.home);
    write_key_lines(&env.home, &[lines[1].clone(), lines[0].clone()]);
    env.connect("home", "good-2");
    write_key_lines(&env.home, &lines);

    let refused = env.run(&["keys", "prune"], "");
    assert_eq!(refused.status.code(), Some(1));
    let message = stderr(&refused);
    assert!(message.contains("refusing to prune: 1 stored secret is still sealed with an older key"), "{message}");
    assert!(
        message.contains(&format!("key `{key_a}`: 1")) && message.contains("toolsmith keys reencrypt"),
        "{message}"
    );
    assert_eq!(key_lines(&env.home).len(), 2, "nothing removed");

    env.ok(&["keys", "reencrypt"], "");
    let pruned = env.ok(&["keys", "prune"], "");
    assert_eq!(pruned.trim(), format!("removed 1 key(s) no secret needs: {key_a}; current key {key_b}"));
    assert_eq!(key_lines(&env.home), [lines[0].clone()]);
    assert_eq!(env.accounts().len(), 2, "every secret still opens");
    env.ok(&["execute", "CHECKED_PING", "--user", "ada", "--account", "home", "--dry-run"], "");
}

/// The key id of "current key <id>; re-encrypted …".
fn current_key(output: &str) -> String {
    let id = output.trim_start_matches("current key ").split(';').next().unwrap().to_owned();
    assert_eq!(id.len(), 8, "{output}");
    id
}

/// The key file's keys (base64 lines), the current first.
fn key_lines(home: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(home.join("secret.keys")).unwrap();
    text.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).map(str::to_owned).collect()
}

/// Rewrites the key file with `keys` in this order (the first current).
fn write_key_lines(home: &Path, keys: &[String]) {
    std::fs::write(home.join("secret.keys"), format!("{}\n", keys.join("\n"))).unwrap();
}
