//! The official Composio Python SDK (0.30.0, unchanged) accepts a delivery signed by
//! `toolsmith_triggers::signature::sign_delivery`: `composio.triggers.verify_webhook`
//! takes a V3 `composio.trigger.message` envelope with our `webhook-id`,
//! `webhook-timestamp` and `webhook-signature`, and refuses the same body altered with
//! its `WebhookSignatureVerificationError` (`composio_sdk/verify_webhook.py`).
//!
//! The SDK is installed once into `<target>/venvs/composio` (see `support`).
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, SystemTime};

use secrecy::SecretString;
use serde_json::{json, Value};
use toolsmith_triggers::signature::sign_delivery;

mod support;

use support::{composio_venv, run_with_limit};

#[test]
fn the_official_python_sdk_accepts_our_delivery_signature() {
    let python = composio_venv();
    let secret = "toolsmith-delivery-secret";
    let envelope = json!({
        "id": "msg_0f1e2d3c",
        "type": "composio.trigger.message",
        "timestamp": "2026-12-07T19:40:00Z",
        "metadata": {
            "log_id": "log_1",
            "trigger_slug": "GITHUB_ISSUES_EVENT",
            "trigger_id": "ti_abc123",
            "connected_account_id": "ca_def456",
            "auth_config_id": "ac_ghi789",
            "user_id": "ada"
        },
        "data": {"action": "opened", "issue": {"number": 7, "title": "Signed"}}
    });
    let body = envelope.to_string();
    let tampered = body.replace("Signed", "Forged");
    let signed = sign_delivery(&SecretString::from(secret), "msg_0f1e2d3c", SystemTime::now(), body.as_bytes());

    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/composio_sdk/verify_webhook.py");
    let mut command = Command::new(&python);
    command.arg(&script);
    for variable in ["COMPOSIO_API_KEY", "COMPOSIO_BASE_URL", "COMPOSIO_CUSTOM_HEADERS"] {
        command.env_remove(variable);
    }
    command.envs([
        ("WEBHOOK_ID", signed.id.clone()),
        ("WEBHOOK_TIMESTAMP", signed.timestamp.to_string()),
        ("WEBHOOK_SIGNATURE", signed.signature.clone()),
        ("WEBHOOK_SECRET", secret.to_owned()),
        ("WEBHOOK_BODY", body),
        ("WEBHOOK_TAMPERED", tampered),
    ]);
    let (stdout, stderr, code) = run_with_limit(&mut command, Duration::from_secs(120));
    let lines: Vec<Value> = stdout.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    let calls: Vec<(&str, bool)> =
        lines.iter().map(|l| (l["call"].as_str().unwrap(), l["ok"] == json!(true))).collect();
    assert_eq!(
        calls,
        [("verify_webhook(signed body)", true), ("verify_webhook(tampered body)", true)],
        "exit code {code:?}\n--- stdout\n{stdout}--- stderr\n{stderr}"
    );
    assert!(stdout.contains("WebhookSignatureVerificationError"), "{stdout}");
    assert_eq!(code, Some(0), "{stderr}");
}
