//! `toolsmith auth-configs`: create (OAuth app or static scheme), list, get, update,
//! disable/enable, delete — per project, never showing a client secret.
#![allow(clippy::unwrap_used)]

mod common;

use common::toolsmith;

fn text(out: &std::process::Output) -> (String, String) {
    (String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn auth_configs_are_created_shown_changed_and_deleted_without_their_secret() {
    let dir = std::env::temp_dir().join(format!("toolsmith-auth-configs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (home, catalog) = (dir.join("home"), dir.join("catalog"));
    std::fs::create_dir_all(&catalog).unwrap();
    let run = |args: &[&str], stdin: &str| toolsmith(&home, &catalog, args, stdin);

    let out = run(
        &[
            "auth-configs",
            "create",
            "--toolkit",
            "github",
            "--client-id",
            "Iv1.abc",
            "--client-secret",
            "-",
            "--scopes",
            "repo,read:user",
        ],
        "s3cr3t-client-value\n",
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    let id = stdout.lines().last().unwrap().to_owned();
    assert!(id.starts_with("ac_"), "{stdout}");
    assert!(
        stderr.contains("register this redirect URI at the provider: http://127.0.0.1:8787/link/callback"),
        "{stderr}"
    );

    let shown = run(&["auth-configs", "get", &id], "");
    let (stdout, _) = text(&shown);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!((json["scheme"].as_str(), json["client_id"].as_str()), (Some("oauth2"), Some("Iv1.abc")));
    assert_eq!(json["client_secret"], "[REDACTED]");
    assert_eq!(json["scopes"], serde_json::json!(["repo", "read:user"]));
    assert_eq!(json["status"], "ENABLED");

    let bearer = run(&["auth-configs", "create", "--toolkit", "github", "--scheme", "bearer", "--name", "PATs"], "");
    assert!(bearer.status.success(), "{}", text(&bearer).1);
    let listed = text(&run(&["auth-configs", "list", "--toolkit", "github"], "")).0;
    assert_eq!(listed.lines().count(), 2, "{listed}");
    assert!(listed.contains("PATs") && listed.contains("oauth2"), "{listed}");

    assert!(run(&["auth-configs", "update", &id, "--scopes", "repo"], "").status.success());
    assert!(run(&["auth-configs", "disable", &id], "").status.success());
    let json: serde_json::Value = serde_json::from_str(&text(&run(&["auth-configs", "get", &id], "")).0).unwrap();
    assert_eq!((json["status"].as_str(), json["scopes"].clone()), (Some("DISABLED"), serde_json::json!(["repo"])));

    // Mistakes are named.
    let (_, err) = text(&run(&["auth-configs", "create", "--toolkit", "githib"], ""));
    assert!(err.contains("unknown toolkit `githib`"), "{err}");
    let (_, err) = text(&run(&["auth-configs", "create", "--toolkit", "github", "--scheme", "basic"], ""));
    assert!(err.contains("has no `basic` scheme; it offers: oauth2, bearer"), "{err}");
    let (_, err) = text(&run(&["auth-configs", "create", "--toolkit", "github", "--scheme", "oauth2"], ""));
    assert!(err.contains("needs the OAuth app's --client-id"), "{err}");
    let (_, err) = text(&run(&["auth-configs", "list", "--project", "nope"], ""));
    assert!(err.contains("no project is named `nope`"), "{err}");

    // The client secret is nowhere in the output, nor in clear in the home.
    for args in [&["auth-configs", "list", "--json"][..], &["auth-configs", "get", &id][..]] {
        let (stdout, stderr) = text(&run(args, ""));
        assert!(!stdout.contains("s3cr3t") && !stderr.contains("s3cr3t"), "{stdout}{stderr}");
    }
    for entry in std::fs::read_dir(&home).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap_or_default();
        assert!(!bytes.windows(6).any(|w| w == b"s3cr3t"), "a file of the home holds the secret in clear");
    }

    // Per project: acme's config is not the default project's.
    assert!(run(&["api-keys", "create", "--project", "acme"], "").status.success());
    let acme = run(&["auth-configs", "create", "--toolkit", "slack", "--scheme", "bearer", "--project", "acme"], "");
    assert!(acme.status.success(), "{}", text(&acme).1);
    let acme_id = text(&acme).0.lines().last().unwrap().to_owned();
    assert!(text(&run(&["auth-configs", "list", "--project", "acme"], "")).0.contains(&acme_id));
    assert!(!text(&run(&["auth-configs", "list"], "")).0.contains(&acme_id));
    let (_, err) = text(&run(&["auth-configs", "get", &acme_id], ""));
    assert!(err.contains(&format!("no auth config {acme_id}")), "{err}");

    assert!(run(&["auth-configs", "delete", &id], "").status.success());
    let (_, err) = text(&run(&["auth-configs", "delete", &id], ""));
    assert!(err.contains(&format!("no auth config {id}")), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
