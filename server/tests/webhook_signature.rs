//! The official Composio Python SDK (0.30.0, unchanged) accepts a delivery signed by
//! `toolsmith_triggers::signature::sign_delivery`: `composio.triggers.verify_webhook`
//! takes a V3 `composio.trigger.message` envelope with our `webhook-id`,
//! `webhook-timestamp` and `webhook-signature`, and refuses the same body altered with
//! its `WebhookSignatureVerificationError` (`composio_sdk/verify_webhook.py`).
//!
//! The SDK is installed once into `<target>/venvs/composio` (see `support`).
#![allow(clippy::unwrap_used)]

use std::time::SystemTime;

use secrecy::SecretString;
use serde_json::json;
use toolsmith_triggers::signature::sign_delivery;

mod support;

use support::assert_sdk_verifies;

#[test]
fn the_official_python_sdk_accepts_our_delivery_signature() {
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

    let stdout = assert_sdk_verifies(&[
        ("WEBHOOK_ID", signed.id.clone()),
        ("WEBHOOK_TIMESTAMP", signed.timestamp.to_string()),
        ("WEBHOOK_SIGNATURE", signed.signature.clone()),
        ("WEBHOOK_SECRET", secret.to_owned()),
        ("WEBHOOK_BODY", body),
        ("WEBHOOK_TAMPERED", tampered),
    ]);
    assert!(stdout.contains("WebhookSignatureVerificationError"), "{stdout}");
}
