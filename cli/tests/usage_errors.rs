//! Issue 12, item 18, at the command line: `--limit 0` is refused with the allowed
//! range; file errors name the path and the action; mistakes in `execute --args` come
//! back as the `{data, error, successful, log_id}` object scripts read.

#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn toolsmith(args: &[&str], home: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_toolsmith"))
        .args(args)
        .current_dir(root())
        .env_remove("TOOLSMITH_CATALOG")
        .env_remove("TOOLSMITH_SECRET_KEY")
        .env("TOOLSMITH_HOME", home)
        .output()
        .unwrap()
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("toolsmith-cli-usage-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn limit_zero_is_refused_with_the_allowed_range() {
    let home = scratch("limit").join("home");
    let mut shown = String::new();
    for args in [
        &["tools", "list", "--limit", "0"][..],
        &["search", "create an issue", "--limit", "0"],
        &["logs", "--limit", "0"],
    ] {
        let output = toolsmith(args, &home);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(output.stdout.is_empty(), "{args:?}: nothing listed");
        shown.push_str(&format!("$ toolsmith {}\n{}\n", args.join(" "), stderr(&output)));
    }
    insta::assert_snapshot!(shown);
}

#[test]
fn file_errors_name_the_path_and_the_action() {
    let dir = scratch("files");
    let file = dir.join("a-file");
    std::fs::write(&file, "").unwrap();
    let d = dir.display();
    let cases: [(&[&str], String); 3] = [
        (&["generate", "catalog/toolkits/slack", "--out", &format!("{d}")], format!("cannot write `{d}`")),
        (&["schema", "--dir", &format!("{d}/a-file")], format!("cannot create the folder `{d}/a-file`")),
        (&["accounts", "list"], format!("TOOLSMITH_HOME `{d}/a-file` is a file, not a folder")),
    ];
    for (args, expected) in cases {
        let output = toolsmith(args, &file);
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        let message = stderr(&output).split_whitespace().filter(|w| *w != "│").collect::<Vec<_>>().join(" ");
        assert!(message.contains(&expected), "{args:?}: {message}");
        assert!(message.contains("help:"), "{args:?} says what to do: {message}");
    }
}

#[test]
fn execute_args_mistakes_print_the_result_object() {
    let home = scratch("args").join("home");
    let file = scratch("args-file").join("args.json");
    std::fs::write(&file, "{\"owner\": ").unwrap();
    let at_file = format!("@{}", file.display());
    let cases = [
        ("{bad", "--args is not JSON: key must be a string at line 1 column 2"),
        ("[1, 2]", "--args is an array, not a JSON object of the tool's arguments"),
        (at_file.as_str(), "is not JSON: EOF while parsing a value"),
        ("@/no/such/args.json", "cannot read `/no/such/args.json`"),
    ];
    for (args, expected) in cases {
        let output = toolsmith(&["execute", "SLACK_LIST_CHANNELS", "--user", "ada", "--args", args], &home);
        assert_eq!(output.status.code(), Some(1), "{args}");
        let result: Value = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("{args}: not the result object ({e}): {}", stderr(&output)));
        assert_eq!(result["successful"], false, "{args}");
        assert_eq!((&result["data"], &result["log_id"]), (&serde_json::json!({}), &Value::Null), "{args}");
        let error = result["error"].as_str().unwrap();
        assert!(
            error.contains(expected) && error.contains(r#"pass an object like '{"owner": "octocat"}'"#)
                || expected.starts_with("cannot") && error.contains(expected),
            "{args}: {error}"
        );
    }
}
