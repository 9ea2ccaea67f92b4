//! A provider's webhook, checked against the spec's [`Signature`] and the trigger
//! instance's secret.

use std::time::{Duration, SystemTime};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use secrecy::SecretString;
use toolsmith_spec::{HmacAlgorithm, Signature, SignatureEncoding};

use super::codec::{check_timestamp, header, hex_decode, key_of, matches_sha256, matches_sha512};
use super::error::SignatureError;

/// Checks a provider's webhook: the signed payload built from `signature.signed_payload`
/// (`{body}`, `{timestamp}` — the `timestamp_header`'s value — and `{Header-Name}` for
/// any other header; the raw body when absent), its HMAC under `secret` compared in
/// constant time with the header's value once `prefix` is stripped and the hex or
/// base64 decoded. With a `timestamp_header`, the timestamp must be whole Unix seconds
/// within `window` of `now` (zero disables that check; 300 s is usual).
///
/// # Errors
/// What is wrong, naming the header: missing, without its prefix, badly encoded, not
/// matching, or a timestamp that is not an integer or lies outside the window; an empty
/// secret; an algorithm this build cannot compute (`hmac_sha1`).
pub fn verify_webhook(
    signature: &Signature,
    secret: &SecretString,
    headers: &[(&str, &str)],
    body: &[u8],
    now: SystemTime,
    window: Duration,
) -> Result<(), SignatureError> {
    let key = key_of(secret)?;
    let matches = match signature.algorithm {
        HmacAlgorithm::HmacSha256 => matches_sha256,
        HmacAlgorithm::HmacSha512 => matches_sha512,
        HmacAlgorithm::HmacSha1 => return Err(SignatureError::UnsupportedAlgorithm("hmac_sha1")),
    };
    let name = signature.header.as_str();
    let sent = header(headers, name)?.trim();
    let timestamp = match &signature.timestamp_header {
        Some(timestamp_header) => {
            let value = header(headers, timestamp_header)?;
            check_timestamp(timestamp_header, value, now, window)?;
            Some(value.trim())
        }
        None => None,
    };
    let prefix = signature.prefix.as_deref().unwrap_or("");
    let encoded = sent
        .strip_prefix(prefix)
        .ok_or_else(|| SignatureError::MissingPrefix { header: name.to_owned(), prefix: prefix.to_owned() })?;
    let decoded = match signature.encoding {
        SignatureEncoding::Hex => hex_decode(encoded),
        SignatureEncoding::Base64 => STANDARD.decode(encoded).ok(),
    }
    .ok_or_else(|| SignatureError::BadEncoding {
        header: name.to_owned(),
        encoding: match signature.encoding {
            SignatureEncoding::Hex => "hex",
            SignatureEncoding::Base64 => "base64",
        },
    })?;
    let payload = match &signature.signed_payload {
        Some(template) => fill(template, body, timestamp, headers)?,
        None => body.to_vec(),
    };
    if matches(key, &payload, &decoded) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch { header: name.to_owned() })
    }
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
        let sha1 = spec("{ header: X-Sig, algorithm: hmac_sha1, secret_field: s }");
        let error = verify_webhook(&sha1, &key, &headers, b"{}", at(0), WINDOW).unwrap_err();
        assert_eq!(error, SignatureError::UnsupportedAlgorithm("hmac_sha1"));
        let untimed =
            spec("{ header: X-Sig, algorithm: hmac_sha256, secret_field: s, signed_payload: 'v0:{timestamp}:{body}' }");
        let headers = [("X-Sig", "00")];
        let error = verify_webhook(&untimed, &key, &headers, b"{}", at(0), WINDOW).unwrap_err();
        assert_eq!(error, SignatureError::NoTimestampHeader);
    }

    #[test]
    fn a_template_brace_without_its_close_stays_literal() {
        assert_eq!(fill("a{body}b{c", b"X", None, &[]).unwrap(), b"aXb{c");
    }
}
