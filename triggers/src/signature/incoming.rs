//! A provider's webhook, checked against the spec's [`Signature`] and the trigger
//! instance's secret.

use std::time::{Duration, SystemTime};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use secrecy::SecretString;
use toolsmith_spec::{Signature, SignatureAlgorithm, SignatureEncoding};

use super::codec::{
    check_timestamp, header, hex_decode, key_of, matches_ed25519, matches_sha1, matches_sha256, matches_sha512,
};
use super::error::SignatureError;

/// Checks a provider's webhook: the signed payload built from `signature.signed_payload`
/// (`{body}`, `{timestamp}` — the `timestamp_header`'s value, or the `{timestamp}` item
/// of a `header_format` — and `{Header-Name}` for any other header; the raw body when
/// absent), checked against the header's signature once `prefix` is stripped (or the
/// `header_format`'s signature items picked: one matching is enough) and the hex or
/// base64 decoded: an HMAC under `secret` compared in constant time, or an Ed25519
/// signature checked with the public key `secret` holds in hex. With a timestamp, it
/// must be whole Unix seconds within `window` of `now` (zero disables that check; the
/// spec's [`Signature::replay_window`] is usual).
///
/// # Errors
/// What is wrong, naming the header: missing, without its prefix or its items, badly
/// encoded, not matching, or a timestamp that is not an integer or lies outside the
/// window; an empty secret; a public key that is not 32 bytes of hex.
pub fn verify_webhook(
    signature: &Signature,
    secret: &SecretString,
    headers: &[(&str, &str)],
    body: &[u8],
    now: SystemTime,
    window: Duration,
) -> Result<(), SignatureError> {
    let key = key_of(secret)?;
    let name = signature.header.as_str();
    let sent = header(headers, name)?.trim();
    let (timestamp, encoded) = match &signature.header_format {
        Some(format) => items(format, name, sent)?,
        None => {
            let prefix = signature.prefix.as_deref().unwrap_or("");
            let encoded = sent
                .strip_prefix(prefix)
                .ok_or_else(|| SignatureError::MissingPrefix { header: name.to_owned(), prefix: prefix.to_owned() })?;
            let timestamp = match &signature.timestamp_header {
                Some(timestamp_header) => Some((timestamp_header.clone(), header(headers, timestamp_header)?)),
                None => None,
            };
            (timestamp, vec![encoded])
        }
    };
    if let Some((from, value)) = &timestamp {
        check_timestamp(from, value, now, window)?;
    }
    let decoded = encoded
        .into_iter()
        .map(|encoded| match signature.encoding {
            SignatureEncoding::Hex => hex_decode(encoded),
            SignatureEncoding::Base64 => STANDARD.decode(encoded).ok(),
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| SignatureError::BadEncoding {
            header: name.to_owned(),
            encoding: match signature.encoding {
                SignatureEncoding::Hex => "hex",
                SignatureEncoding::Base64 => "base64",
            },
        })?;
    let payload = match &signature.signed_payload {
        Some(template) => fill(template, body, timestamp.map(|(_, value)| value.trim()), headers)?,
        None => body.to_vec(),
    };
    let public_key;
    let (key, matches): (&[u8], Check) = match signature.algorithm {
        SignatureAlgorithm::HmacSha1 => (key, matches_sha1),
        SignatureAlgorithm::HmacSha256 => (key, matches_sha256),
        SignatureAlgorithm::HmacSha512 => (key, matches_sha512),
        SignatureAlgorithm::Ed25519 => {
            public_key = std::str::from_utf8(key)
                .ok()
                .and_then(|hex| hex_decode(hex.trim()))
                .filter(|k| k.len() == 32)
                .ok_or_else(|| SignatureError::BadPublicKey { field: signature.secret_field.clone() })?;
            (&public_key, matches_ed25519)
        }
    };
    if decoded.iter().any(|sent| matches(key, &payload, sent)) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch { header: name.to_owned() })
    }
}

/// A signature check: key, signed payload, signature.
type Check = fn(&[u8], &[u8], &[u8]) -> bool;

/// Where a timestamp was read (as errors name it) and its value.
type Timestamp<'a> = Option<(String, &'a str)>;

/// The timestamp (with the name it is reported under) and the candidate signatures of a
/// header written as `format` (`t={timestamp},v1={signature}`): comma-separated
/// `key=value` items, in any order, unknown ones ignored.
fn items<'a>(format: &str, name: &str, sent: &'a str) -> Result<(Timestamp<'a>, Vec<&'a str>), SignatureError> {
    let key_of_item = |placeholder: &str| {
        format.split(',').find_map(|item| item.trim().strip_suffix(placeholder)?.strip_suffix('=')).map(str::trim)
    };
    let signature_key = key_of_item("{signature}").unwrap_or_default();
    let timestamp_key = key_of_item("{timestamp}");
    let pairs: Vec<(&str, &str)> =
        sent.split(',').filter_map(|item| item.split_once('=')).map(|(k, v)| (k.trim(), v.trim())).collect();
    let missing = |item: &str| SignatureError::MissingItem { header: name.to_owned(), item: item.to_owned() };
    let signatures: Vec<&str> = pairs.iter().filter(|(k, _)| *k == signature_key).map(|(_, v)| *v).collect();
    if signatures.is_empty() {
        return Err(missing(signature_key));
    }
    let timestamp = match timestamp_key {
        Some(key) => {
            let value = pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v).ok_or_else(|| missing(key))?;
            Some((format!("{name}` item `{key}"), value))
        }
        None => None,
    };
    Ok((timestamp, signatures))
}

/// `template` with `{body}`, `{timestamp}` and `{Header-Name}` replaced; a `{` without
/// its `}` stays as it is.
fn fill(
    template: &str,
    body: &[u8],
    timestamp: Option<&str>,
    headers: &[(&str, &str)],
) -> Result<Vec<u8>, SignatureError> {
    let mut out = Vec::with_capacity(template.len() + body.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else { break };
        out.extend_from_slice(&rest.as_bytes()[..open]);
        let name = &rest[open + 1..open + close];
        match name {
            "body" => out.extend_from_slice(body),
            "timestamp" => out.extend_from_slice(timestamp.ok_or(SignatureError::NoTimestampHeader)?.as_bytes()),
            _ => out.extend_from_slice(header(headers, name)?.as_bytes()),
        }
        rest = &rest[open + close + 1..];
    }
    out.extend_from_slice(rest.as_bytes());
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::path::Path;
    use std::time::UNIX_EPOCH;

    use toolsmith_catalog::{check_paths, has_errors};

    use super::*;

    /// The signature of trigger `slug` in the real catalog's toolkit `toolkit`.
    fn catalog_signature(toolkit: &str, slug: &str) -> Signature {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../catalog/toolkits").join(toolkit);
        let (loaded, diagnostics) = check_paths(&[&dir]);
        assert!(!has_errors(&diagnostics), "{diagnostics:?}");
        let trigger = loaded.toolkits[0].triggers.iter().find(|t| t.slug.as_str() == slug).unwrap();
        trigger.webhook.as_ref().unwrap().signature.clone().unwrap()
    }

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    const WINDOW: Duration = Duration::from_secs(300);

    // GitHub's published example ("Validating webhook deliveries"): secret "It's a Secret
    // to Everybody", payload "Hello, World!". The digest is GitHub's and Python's
    // `hmac.new(secret, body, hashlib.sha256).hexdigest()`.
    const GITHUB_SECRET: &str = "It's a Secret to Everybody";
    const GITHUB_SIGNATURE: &str = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    #[test]
    fn github_published_vector_through_the_catalog_spec() {
        let spec = catalog_signature("github", "GITHUB_ISSUES_EVENT");
        let secret = SecretString::from(GITHUB_SECRET);
        let headers = [("x-hub-signature-256", GITHUB_SIGNATURE)];
        let check = |body: &[u8], secret: &SecretString| verify_webhook(&spec, secret, &headers, body, at(0), WINDOW);
        assert_eq!(check(b"Hello, World!", &secret), Ok(()));
        let mismatch = Err(SignatureError::Mismatch { header: "X-Hub-Signature-256".into() });
        assert_eq!(check(b"Hello, World?", &secret), mismatch, "a tampered body");
        assert_eq!(
            check(b"Hello, World!", &SecretString::from("It's a secret to everybody")),
            mismatch,
            "a wrong secret"
        );
        let error = check(b"Hello, World?", &secret).unwrap_err().to_string();
        assert!(!error.contains("Secret to Everybody") && !error.contains("757107"), "{error}");
        let missing = verify_webhook(&spec, &secret, &[], b"Hello, World!", at(0), WINDOW).unwrap_err();
        assert_eq!(missing, SignatureError::MissingHeader { header: "X-Hub-Signature-256".into() });
        let unprefixed = [("X-Hub-Signature-256", &GITHUB_SIGNATURE[7..])];
        let error = verify_webhook(&spec, &secret, &unprefixed, b"Hello, World!", at(0), WINDOW).unwrap_err();
        assert_eq!(
            error,
            SignatureError::MissingPrefix { header: "X-Hub-Signature-256".into(), prefix: "sha256=".into() }
        );
        let not_hex = [("X-Hub-Signature-256", "sha256=zz")];
        let error = verify_webhook(&spec, &secret, &not_hex, b"Hello, World!", at(0), WINDOW).unwrap_err();
        assert_eq!(error, SignatureError::BadEncoding { header: "X-Hub-Signature-256".into(), encoding: "hex" });
    }

    // Slack's published example ("Verifying requests from Slack"); its signature is also
    // what Python's hmac computes over `v0:1531420618:{body}`.
    const SLACK_SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
    const SLACK_TIMESTAMP: u64 = 1_531_420_618;
    const SLACK_BODY: &str = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    const SLACK_SIGNATURE: &str = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

    #[test]
    fn slack_published_vector_through_the_catalog_spec() {
        let spec = catalog_signature("slack", "SLACK_MESSAGE_RECEIVED");
        let secret = SecretString::from(SLACK_SECRET);
        let check = |timestamp: &str, body: &str, now: u64| {
            let headers = [("X-Slack-Request-Timestamp", timestamp), ("X-Slack-Signature", SLACK_SIGNATURE)];
            verify_webhook(&spec, &secret, &headers, body.as_bytes(), at(now), WINDOW)
        };
        let ts = "1531420618";
        assert_eq!(check(ts, SLACK_BODY, SLACK_TIMESTAMP + 60), Ok(()));
        let mismatch = Err(SignatureError::Mismatch { header: "X-Slack-Signature".into() });
        assert_eq!(check(ts, &SLACK_BODY.replace("foobar", "foobaz"), SLACK_TIMESTAMP), mismatch, "a tampered body");
        assert_eq!(check("1531420619", SLACK_BODY, SLACK_TIMESTAMP), mismatch, "a moved timestamp is signed too");
        let stale = check(ts, SLACK_BODY, SLACK_TIMESTAMP + 310).unwrap_err();
        assert_eq!(stale, SignatureError::Stale { header: "X-Slack-Request-Timestamp".into(), by: 10, window: 300 });
        assert_eq!(
            stale.to_string(),
            "header `X-Slack-Request-Timestamp` is stale by 10 s (older than the 300 s replay window); the delivery may be a replay"
        );
        let future = check(ts, SLACK_BODY, SLACK_TIMESTAMP - 301).unwrap_err();
        assert_eq!(future, SignatureError::Future { header: "X-Slack-Request-Timestamp".into(), by: 1, window: 300 });
        assert!(matches!(check("15314206l8", SLACK_BODY, SLACK_TIMESTAMP), Err(SignatureError::BadTimestamp { .. })));
        let headers = [("X-Slack-Signature", SLACK_SIGNATURE)];
        let missing = verify_webhook(&spec, &secret, &headers, SLACK_BODY.as_bytes(), at(SLACK_TIMESTAMP), WINDOW);
        assert_eq!(missing, Err(SignatureError::MissingHeader { header: "X-Slack-Request-Timestamp".into() }));
    }

    fn spec(yaml: &str) -> Signature {
        serde_yaml::from_str(yaml).unwrap()
    }

    #[test]
    fn base64_sha512_header_placeholders_and_refusals() {
        // python3 -c 'import hmac,hashlib,base64;print(base64.b64encode(hmac.new(b"k",
        //   b"d1|{}", hashlib.sha512).digest()).decode())'
        let signature = spec(
            "{ header: X-Sig, algorithm: hmac_sha512, secret_field: s, encoding: base64, signed_payload: '{X-Delivery}|{body}' }",
        );
        let sent = "Myl0LjbHSTEhEpWicL8zo8s7oZ+J48AKUmWzqQBHSaEtBinhYJhO8RR33Uk8XEqrRAV71AFTFrcOPhcOM89NmA==";
        let headers = [("x-delivery", "d1"), ("X-Sig", sent)];
        let key = SecretString::from("k");
        assert_eq!(verify_webhook(&signature, &key, &headers, b"{}", at(0), WINDOW), Ok(()));
        let error = verify_webhook(&signature, &key, &headers[1..], b"{}", at(0), WINDOW).unwrap_err();
        assert_eq!(error, SignatureError::MissingHeader { header: "X-Delivery".into() });
        let empty = verify_webhook(&signature, &SecretString::from(""), &headers, b"{}", at(0), WINDOW);
        assert_eq!(empty, Err(SignatureError::EmptySecret));
        let untimed =
            spec("{ header: X-Sig, algorithm: hmac_sha256, secret_field: s, signed_payload: 'v0:{timestamp}:{body}' }");
        let headers = [("X-Sig", "00")];
        let error = verify_webhook(&untimed, &key, &headers, b"{}", at(0), WINDOW).unwrap_err();
        assert_eq!(error, SignatureError::NoTimestampHeader);
    }

    // python3 -c 'import hmac,hashlib;print(hmac.new(b"whsec_test",
    //   b"1492774577.{\"id\":\"evt_1\",\"type\":\"payment_intent.succeeded\"}", hashlib.sha256).hexdigest())'
    const STRIPE_BODY: &str = r#"{"id":"evt_1","type":"payment_intent.succeeded"}"#;
    const STRIPE_V1: &str = "18627c91f2a5630224c3bf073d469e4153a4064d2b3e74de88144319cf80c3ce";

    #[test]
    fn stripe_header_format_through_the_catalog_spec() {
        let spec = catalog_signature("stripe", "STRIPE_PAYMENT_INTENT_SUCCEEDED");
        let secret = SecretString::from("whsec_test");
        let check = |sent: &str, body: &str, now: u64| {
            verify_webhook(
                &spec,
                &secret,
                &[("stripe-signature", sent)],
                body.as_bytes(),
                at(now),
                spec.replay_window(),
            )
        };
        let now = 1_492_774_577 + 10;
        assert_eq!(check(&format!("t=1492774577,v1={STRIPE_V1},v0=6ffbb59b"), STRIPE_BODY, now), Ok(()));
        // Several v1 during a secret's rotation: one matching is enough, in any order.
        assert_eq!(check(&format!("v1={},t=1492774577, v1={STRIPE_V1}", "ab".repeat(32)), STRIPE_BODY, now), Ok(()));
        let mismatch = Err(SignatureError::Mismatch { header: "Stripe-Signature".into() });
        assert_eq!(
            check(&format!("t=1492774577,v1={STRIPE_V1}"), &STRIPE_BODY.replace("evt_1", "evt_2"), now),
            mismatch
        );
        assert_eq!(check(&format!("t=1492774578,v1={STRIPE_V1}"), STRIPE_BODY, now), mismatch, "t is signed");
        let missing = check("t=1492774577", STRIPE_BODY, now).unwrap_err();
        assert_eq!(missing, SignatureError::MissingItem { header: "Stripe-Signature".into(), item: "v1".into() });
        let no_t = check(&format!("v1={STRIPE_V1}"), STRIPE_BODY, now).unwrap_err();
        assert_eq!(no_t, SignatureError::MissingItem { header: "Stripe-Signature".into(), item: "t".into() });
        let stale = check(&format!("t=1492774577,v1={STRIPE_V1}"), STRIPE_BODY, 1_492_774_577 + 301).unwrap_err();
        assert!(matches!(stale, SignatureError::Stale { by: 1, window: 300, .. }), "{stale:?}");
        assert!(stale.to_string().starts_with("header `Stripe-Signature` item `t` is stale"), "{stale}");
    }

    // python3 -c 'import hmac,hashlib;print(hmac.new(b"It'"'"'s a Secret to Everybody",
    //   b"Hello, World!", hashlib.sha1).hexdigest())'
    #[test]
    fn hmac_sha1_python_vector() {
        let signature = spec("{ header: X-Hub-Signature, algorithm: hmac_sha1, secret_field: s, prefix: 'sha1=' }");
        let secret = SecretString::from(GITHUB_SECRET);
        let headers = [("X-Hub-Signature", "sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59")];
        assert_eq!(verify_webhook(&signature, &secret, &headers, b"Hello, World!", at(0), WINDOW), Ok(()));
        let tampered = verify_webhook(&signature, &secret, &headers, b"Hello, World?", at(0), WINDOW);
        assert_eq!(tampered, Err(SignatureError::Mismatch { header: "X-Hub-Signature".into() }));
    }

    #[test]
    fn ed25519_over_timestamp_and_body_with_a_generated_key() {
        use ring::signature::{Ed25519KeyPair, KeyPair};
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&ring::rand::SystemRandom::new()).unwrap();
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
        let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
        let public = SecretString::from(hex(pair.public_key().as_ref()));
        let signature = spec(
            "{ header: X-Signature-Ed25519, algorithm: ed25519, secret_field: public_key,
               timestamp_header: X-Signature-Timestamp, signed_payload: '{timestamp}{body}' }",
        );
        let body = br#"{"type":1}"#;
        let signed = hex(pair.sign(&[b"1700000000".as_slice(), body].concat()).as_ref());
        let check = |ts: &str, body: &[u8], key: &SecretString| {
            let headers = [("X-Signature-Ed25519", signed.as_str()), ("X-Signature-Timestamp", ts)];
            verify_webhook(&signature, key, &headers, body, at(1_700_000_005), WINDOW)
        };
        assert_eq!(check("1700000000", body, &public), Ok(()));
        let mismatch = Err(SignatureError::Mismatch { header: "X-Signature-Ed25519".into() });
        assert_eq!(check("1700000000", br#"{"type":2}"#, &public), mismatch, "a tampered body");
        assert_eq!(check("1700000001", body, &public), mismatch, "the timestamp is signed");
        let other = SecretString::from("00".repeat(32));
        assert_eq!(check("1700000000", body, &other), mismatch, "another key");
        let bad = check("1700000000", body, &SecretString::from("abcd")).unwrap_err();
        assert_eq!(bad, SignatureError::BadPublicKey { field: "public_key".into() });
        assert!(matches!(check("1699999000", body, &public), Err(SignatureError::Stale { .. })));
    }

    #[test]
    fn a_template_brace_without_its_close_stays_literal() {
        assert_eq!(fill("a{body}b{c", b"X", None, &[]).unwrap(), b"aXb{c");
    }
}
