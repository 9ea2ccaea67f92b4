//! Headless Chromium for the tests: Debian's `chromium`, driven by `drive.mjs` (npm
//! `playwright-core`, which never downloads a browser; `npm ci` of the committed lock runs
//! here when `node_modules` lacks it). A test says what the user does as a list of steps;
//! [`drive`] runs them in a fresh browser and reports where it ended.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;
use std::time::Duration;

use serde_json::{json, Value};

fn package_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// The browser: `TOOLSMITH_CHROMIUM`, else `/usr/bin/chromium`. Fails, never skips, when
/// it is missing, saying how to install it.
fn chromium() -> PathBuf {
    let path = std::env::var_os("TOOLSMITH_CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    assert!(
        path.exists(),
        "the Connect Link browser tests need Chromium at {} (install it with \
         `apt-get install --no-install-recommends chromium`, or set TOOLSMITH_CHROMIUM to a Chromium binary)",
        path.display()
    );
    path
}

/// `npm ci` in `tests/browser` once, when playwright-core is not installed.
fn install() {
    static INSTALL: Mutex<()> = Mutex::new(());
    let _installing = INSTALL.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = package_dir();
    if !dir.join("node_modules/playwright-core/package.json").exists() {
        crate::support::run(
            "`npm ci` of tests/browser (playwright-core)",
            Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&dir),
        );
    }
}

/// Where the screenshots go: `<target>/artifacts/connect-link/`.
pub(crate) fn artifacts() -> PathBuf {
    crate::support::target_dir().join("artifacts/connect-link")
}

/// Opens `url`.
pub(crate) fn goto(url: &str) -> Value {
    json!({"goto": url})
}
/// Types `value` into the field `selector`.
pub(crate) fn fill(selector: &str, value: &str) -> Value {
    json!({"fill": selector, "value": value})
}
/// Clicks `selector`, then waits for a URL matching the regular expression `until`.
pub(crate) fn click(selector: &str, until: &str) -> Value {
    json!({"click": selector, "until": until})
}
/// Waits until `text` shows.
pub(crate) fn see(text: &str) -> Value {
    json!({"see": text})
}
/// A full-page screenshot, `<artifacts>/<name>.png`.
pub(crate) fn shot(name: &str) -> Value {
    json!({"shot": name})
}

/// The user signs in on oidc-provider's dev login page (any login and password work).
pub(crate) fn sign_in() -> Vec<Value> {
    vec![
        see("Sign-in"),
        fill("input[name=login]", "alice"),
        fill("input[name=password]", "correct horse"),
        click("button[type=submit]", "/interaction/"),
        see("Continue"),
    ]
}

/// Where a browser run ended.
#[derive(Debug)]
pub(crate) struct Drive {
    /// Every step ran.
    pub ok: bool,
    pub error: Option<String>,
    /// The last page's URL, title and visible text.
    pub url: String,
    pub title: String,
    pub text: String,
    /// Every top-level document received: URL and HTTP status.
    pub navigations: Vec<(String, u16)>,
}

impl Drive {
    /// The status the browser got for the last document whose URL starts with `prefix`.
    pub(crate) fn status_of(&self, prefix: &str) -> Option<u16> {
        self.navigations.iter().rev().find(|(url, _)| url.starts_with(prefix)).map(|(_, status)| *status)
    }

    /// The URL of the last document starting with `prefix`.
    pub(crate) fn url_of(&self, prefix: &str) -> Option<String> {
        self.navigations.iter().rev().find(|(url, _)| url.starts_with(prefix)).map(|(url, _)| url.clone())
    }
}

/// Runs `steps` in a fresh headless Chromium (JavaScript on or off) and reports where it
/// ended; panics with the driver's output when it could not run at all, and when a page's
/// Content-Security-Policy blocked anything (a style, an image, a form's redirect).
pub(crate) async fn drive(steps: Vec<Value>, javascript: bool) -> Drive {
    let script = json!({
        "chromium": chromium(),
        "out": artifacts(),
        "javascript": javascript,
        "steps": steps,
    });
    tokio::task::spawn_blocking(move || {
        install();
        let mut command = Command::new("node");
        command.arg(package_dir().join("drive.mjs")).arg(script.to_string());
        let (stdout, stderr, code) = crate::support::run_with_limit(&mut command, Duration::from_secs(90));
        let line = stdout.lines().rev().find(|l| l.starts_with('{')).unwrap_or_else(|| {
            panic!("the browser driver printed no result (exit code {code:?}):\n{stdout}\n{stderr}")
        });
        let result: Value = serde_json::from_str(line).unwrap();
        let blocked = &result["blocked"];
        assert_eq!(blocked, &json!([]), "the Content-Security-Policy blocked something: {result:#}");
        let navigations = result["navigations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| (n[0].as_str().unwrap().to_owned(), n[1].as_u64().map_or(0, |s| s as u16)))
            .collect();
        Drive {
            ok: result["ok"] == json!(true),
            error: result["error"].as_str().map(String::from),
            url: result["url"].as_str().unwrap_or_default().to_owned(),
            title: result["title"].as_str().unwrap_or_default().to_owned(),
            text: result["text"].as_str().unwrap_or_default().to_owned(),
            navigations,
        }
    })
    .await
    .unwrap()
}
