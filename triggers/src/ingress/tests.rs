#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::time::{Duration, UNIX_EPOCH};

use secrecy::SecretString;
use serde_json::json;
use toolsmith_core::{TriggerInstanceId, UserId};
use toolsmith_store::TriggerEventType;

use super::*;

fn trigger(webhook: &str) -> Trigger {
    let yaml = format!("{{ slug: DEMO_THING, name: Thing, description: A thing happened., webhook: {webhook} }}");
    serde_yaml::from_str(&yaml).unwrap()
}

fn instance(key: &str, value: &str) -> TriggerInstance {
    TriggerInstance {
        id: TriggerInstanceId::generate(),
        trigger: "DEMO_THING".into(),
        toolkit: "demo".into(),
        user_id: UserId::new("ada"),
        account: None,
        auth_config: None,
        config: Map::new(),
        secrets: BTreeMap::from([(key.to_owned(), SecretString::from(value))]),
        enabled: true,
        state: Value::Null,
        created_at: UNIX_EPOCH,
        updated_at: UNIX_EPOCH,
    }
}

fn at(seconds: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(seconds)
}

// python3 -c 'import hmac,hashlib;print(hmac.new(b"s3cr3t",
//   b"{\"action\":\"opened\",\"issue\":{\"number\":1}}", hashlib.sha256).hexdigest())'
const OPENED: &str = r#"{"action":"opened","issue":{"number":1}}"#;
const OPENED_SIGNATURE: &str = "sha256=c8c08762cb1c9a825788f2e26b4d3e323f841d52e8881e0d51a9ecfb18126e53";

const GITHUB: &str = "{ events: [issues.opened, push], event_header: X-GitHub-Event, delivery_id_header: X-GitHub-Delivery,
    signature: { header: X-Hub-Signature-256, algorithm: hmac_sha256, secret_field: webhook_secret, prefix: 'sha256=' } }";

fn github(event: &str, body: &str, signature: &str) -> Result<Outcome, IngressError> {
    let headers = [("X-GitHub-Event", event), ("X-GitHub-Delivery", "d-1"), ("X-Hub-Signature-256", signature)];
    let delivery = Delivery { headers: &headers, body: body.as_bytes(), now: at(5) };
    receive(&trigger(GITHUB), &instance("webhook_secret", "s3cr3t"), delivery)
}

#[test]
fn a_signed_event_it_takes_becomes_a_message_deduped_by_delivery_id() {
    let Ok(Outcome::Event(event)) = github("issues", OPENED, OPENED_SIGNATURE) else { panic!("not an event") };
    assert_eq!(event.kind, TriggerEventType::Message);
    assert_eq!(event.dedupe_key.as_deref(), Some("d-1"));
    assert_eq!(event.envelope["data"], json!({"action": "opened", "issue": {"number": 1}}));
    assert_eq!(event.envelope["metadata"]["trigger_slug"], "DEMO_THING");
}

#[test]
fn events_match_by_name_or_name_dot_action_and_the_rest_is_ignored() {
    let closed = r#"{"action":"closed"}"#;
    let sign = |body: &str| {
        use hmac::{Hmac, Mac};
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"s3cr3t").unwrap();
        mac.update(body.as_bytes());
        let bytes = mac.finalize().into_bytes();
        format!("sha256={}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>())
    };
    let Ok(Outcome::Ignored(reason)) = github("issues", closed, &sign(closed)) else { panic!("not ignored") };
    assert_eq!(reason, "event `issues.closed` is not one this trigger takes (issues.opened, push)");
    assert!(matches!(github("push", closed, &sign(closed)), Ok(Outcome::Event(_))), "a bare name takes every action");
    assert!(matches!(github("ping", "{}", &sign("{}")), Ok(Outcome::Ignored(_))));
    // Stripe-like names with dots match whole.
    let stripe = trigger("{ events: [payment_intent.succeeded], event_path: $.type, unsigned: true }");
    let body = br#"{"type":"payment_intent.succeeded"}"#;
    let delivery = Delivery { headers: &[], body, now: at(0) };
    assert!(matches!(receive(&stripe, &instance("x", "y"), delivery), Ok(Outcome::Event(_))));
    let other = Delivery { body: br#"{"type":"charge.failed"}"#, ..delivery };
    assert!(matches!(receive(&stripe, &instance("x", "y"), other), Ok(Outcome::Ignored(_))));
    let nameless = Delivery { body: b"{}", ..delivery };
    let Ok(Outcome::Ignored(reason)) = receive(&stripe, &instance("x", "y"), nameless) else { panic!() };
    assert_eq!(reason, "the body has no event name at `$.type`");
}

#[test]
fn refusals_carry_their_status() {
    let tampered = github("issues", &OPENED.replace("opened", "closed"), OPENED_SIGNATURE).unwrap_err();
    assert!(matches!(tampered, IngressError::Signature(SignatureError::Mismatch { .. })));
    assert_eq!(tampered.status(), 401);
    let unsigned = github("issues", OPENED, "").unwrap_err();
    assert_eq!(unsigned.status(), 401);
    let headers = [("X-GitHub-Event", "issues"), ("X-Hub-Signature-256", OPENED_SIGNATURE)];
    let delivery = Delivery { headers: &headers, body: OPENED.as_bytes(), now: at(5) };
    let no_id = receive(&trigger(GITHUB), &instance("webhook_secret", "s3cr3t"), delivery).unwrap_err();
    assert_eq!(
        no_id,
        IngressError::Malformed("missing header `X-GitHub-Delivery` (the provider's delivery id)".into())
    );
    assert_eq!(no_id.status(), 400);
    let mut disabled = instance("webhook_secret", "s3cr3t");
    disabled.enabled = false;
    let error = receive(&trigger(GITHUB), &disabled, delivery).unwrap_err();
    assert_eq!(error.status(), 409);
    let error = receive(&trigger(GITHUB), &instance("other", "s3cr3t"), delivery).unwrap_err();
    assert_eq!(error, IngressError::NoKey { field: "webhook_secret".into() });
    // No signature in the spec and no `unsigned: true`: refused.
    let error = receive(&trigger("{ events: [issues] }"), &instance("x", "y"), delivery).unwrap_err();
    assert_eq!((error.status(), error.to_string().contains("unsigned: true")), (401, true));
    let not_json = Delivery { headers: &[], body: b"<xml/>", now: at(0) };
    let error = receive(&trigger("{ unsigned: true }"), &instance("x", "y"), not_json).unwrap_err();
    assert!(matches!(error, IngressError::Malformed(_)) && error.status() == 400, "{error}");
}

#[test]
fn a_challenge_is_answered_only_after_the_signature_verified() {
    let spec = trigger(
        "{ events: [message], event_path: $.event.type, unsigned: true,
           challenge: { when: { path: $.type, equals: url_verification }, respond: { challenge: $.challenge, ok: true } } }",
    );
    let body = br#"{"type":"url_verification","challenge":"3eZbrw1aBm"}"#;
    let delivery = Delivery { headers: &[], body, now: at(0) };
    let Ok(Outcome::Challenge(answer)) = receive(&spec, &instance("x", "y"), delivery) else { panic!() };
    assert_eq!(answer, json!({"challenge": "3eZbrw1aBm", "ok": true}));
    let signed = trigger(
        "{ signature: { header: X-Sig, algorithm: hmac_sha256, secret_field: k },
           challenge: { when: { path: $.type, equals: 1 }, respond: { type: 1 } } }",
    );
    let ping = Delivery { headers: &[("X-Sig", "00")], body: br#"{"type":1}"#, now: at(0) };
    let error = receive(&signed, &instance("k", "secret"), ping).unwrap_err();
    assert!(matches!(error, IngressError::Signature(_)), "an unsigned PING is refused: {error}");
}

#[test]
fn a_form_body_is_the_object_of_its_fields() {
    let spec = trigger("{ unsigned: true }");
    let body = b"command=%2Fdeploy&text=prod+now&user_id=U1";
    let headers = [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")];
    let delivery = Delivery { headers: &headers, body, now: at(0) };
    let Ok(Outcome::Event(event)) = receive(&spec, &instance("x", "y"), delivery) else { panic!() };
    assert_eq!(event.envelope["data"], json!({"command": "/deploy", "text": "prod now", "user_id": "U1"}));
    assert_eq!(event.dedupe_key, None);
}

#[test]
fn a_discord_ping_signed_with_ed25519_is_answered_and_the_replay_window_is_the_specs() {
    use ring::signature::{Ed25519KeyPair, KeyPair};
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new()).unwrap();
    let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
    let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
    // Discord's Interactions endpoint: PING (type 1) answered {"type": 1}.
    let discord = trigger(
        "{ signature: { header: X-Signature-Ed25519, algorithm: ed25519, secret_field: public_key,
                        timestamp_header: X-Signature-Timestamp, signed_payload: '{timestamp}{body}', replay_window_seconds: 600 },
           challenge: { when: { path: $.type, equals: 1 }, respond: { type: 1 } } }",
    );
    let ada = instance("public_key", &hex(pair.public_key().as_ref()));
    let body = br#"{"type":1,"id":"123"}"#;
    let signed = hex(pair.sign(&[b"1700000000".as_slice(), body].concat()).as_ref());
    let headers = [("X-Signature-Ed25519", signed.as_str()), ("X-Signature-Timestamp", "1700000000")];
    // 500 s late: inside the spec's 600 s window, beyond the default 300 s.
    let delivery = Delivery { headers: &headers, body, now: at(1_700_000_500) };
    let Ok(Outcome::Challenge(answer)) = receive(&discord, &ada, delivery) else { panic!("not a challenge") };
    assert_eq!(answer, json!({"type": 1}));
    let late = Delivery { now: at(1_700_000_601), ..delivery };
    let error = receive(&discord, &ada, late).unwrap_err();
    assert!(matches!(error, IngressError::Signature(SignatureError::Stale { window: 600, .. })), "{error}");
}
