//! Our deliveries to the app, signed exactly as Composio signs its webhooks: HMAC-SHA256
//! keyed with the secret's raw UTF-8 bytes over `{id}.{timestamp}.{body}`, base64, sent as
//! `webhook-signature: v1,<b64>` beside `webhook-id` and `webhook-timestamp`.

use std::time::{Duration, SystemTime};

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use secrecy::{ExposeSecret, SecretString};

use super::codec::{check_timestamp, header, hmac_sha256, key_of, matches_sha256, unix_seconds};
use super::error::SignatureError;

/// Header holding the delivery's id.
pub const WEBHOOK_ID: &str = "webhook-id";
/// Header holding the delivery's time, in Unix seconds.
pub const WEBHOOK_TIMESTAMP: &str = "webhook-timestamp";
/// Header holding the signature, `v1,<base64>` (several space-separated when a secret
/// is rotated).
pub const WEBHOOK_SIGNATURE: &str = "webhook-signature";
/// How far a delivery's timestamp may be from now: 300 s, as Composio's SDKs.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// The three headers of a signed delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryHeaders {
    /// `webhook-id`.
    pub id: String,
    /// `webhook-timestamp`, Unix seconds.
    pub timestamp: u64,
    /// `webhook-signature`: `v1,<base64>`.
    pub signature: String,
}

impl DeliveryHeaders {
    /// The headers as (name, value) pairs, to set on the request.
    pub fn pairs(&self) -> [(&'static str, String); 3] {
        [
            (WEBHOOK_ID, self.id.clone()),
            (WEBHOOK_TIMESTAMP, self.timestamp.to_string()),
            (WEBHOOK_SIGNATURE, self.signature.clone()),
        ]
    }
}

/// The signed content: `{id}.{timestamp}.{body}`.
fn signed_content(id: &str, timestamp: &str, body: &[u8]) -> Vec<u8> {
    [id.as_bytes(), b".", timestamp.as_bytes(), b".", body].concat()
}

/// Signs delivery `id` of `body` at `at` with `secret`, as Composio does.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use toolsmith_triggers::signature::{sign_delivery, verify_delivery};
/// let secret = secrecy::SecretString::from("s3cret");
/// let at = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
/// let signed = sign_delivery(&secret, "msg_1", at, br#"{"a":1}"#);
/// assert!(signed.signature.starts_with("v1,"));
/// let pairs = signed.pairs();
/// let headers: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
/// verify_delivery(&secret, &headers, br#"{"a":1}"#, at, Duration::from_secs(300)).unwrap();
/// ```
pub fn sign_delivery(secret: &SecretString, id: &str, at: SystemTime, body: &[u8]) -> DeliveryHeaders {
    let timestamp = unix_seconds(at);
    let content = signed_content(id, &timestamp.to_string(), body);
    let mac = hmac_sha256(secret.expose_secret().as_bytes(), &content);
    DeliveryHeaders { id: id.to_owned(), timestamp, signature: format!("v1,{}", STANDARD.encode(mac)) }
}

/// Checks a delivery signed by [`sign_delivery`] (or by Composio): the timestamp within
/// `tolerance` of `now` (zero disables the check), then any of the space-separated
/// `v1,` signatures matching, compared in constant time.
///
/// # Errors
/// A missing header, a non-integer, stale or future timestamp, a signature that is not
/// base64 or that matches nothing, an empty secret.
pub fn verify_delivery(
    secret: &SecretString,
    headers: &[(&str, &str)],
    body: &[u8],
    now: SystemTime,
    tolerance: Duration,
) -> Result<(), SignatureError> {
    let key = key_of(secret)?;
    let id = header(headers, WEBHOOK_ID)?;
    let timestamp = header(headers, WEBHOOK_TIMESTAMP)?;
    let signatures = header(headers, WEBHOOK_SIGNATURE)?;
    check_timestamp(WEBHOOK_TIMESTAMP, timestamp, now, tolerance)?;
    let content = signed_content(id, timestamp.trim(), body);
    let mut candidates = signatures.split_whitespace().filter_map(|entry| entry.strip_prefix("v1,")).peekable();
    if candidates.peek().is_none() {
        return Err(SignatureError::MissingPrefix { header: WEBHOOK_SIGNATURE.to_owned(), prefix: "v1,".to_owned() });
    }
    let mut undecodable = true;
    for candidate in candidates {
        let Ok(decoded) = STANDARD.decode(candidate) else { continue };
        undecodable = false;
        if matches_sha256(key, &content, &decoded) {
            return Ok(());
        }
    }
    let header = WEBHOOK_SIGNATURE.to_owned();
    Err(if undecodable {
        SignatureError::BadEncoding { header, encoding: "base64" }
    } else {
        SignatureError::Mismatch { header }
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::time::UNIX_EPOCH;

    use super::*;

    const AT: u64 = 1_700_000_000;

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    fn secret() -> SecretString {
        SecretString::from("whsec_not-decoded")
    }

    fn verify(headers: &[(&str, String)], body: &[u8], now: u64, tolerance: u64) -> Result<(), SignatureError> {
        let pairs: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        verify_delivery(&secret(), &pairs, body, at(now), Duration::from_secs(tolerance))
    }

    #[test]
    fn signs_exactly_as_composio() {
        // python3 -c 'import hmac,hashlib,base64;print(base64.b64encode(hmac.new(b"whsec_not-decoded",
        //   b"msg_1.1700000000.{\"a\":1}", hashlib.sha256).digest()).decode())'
        let signed = sign_delivery(&secret(), "msg_1", at(AT), br#"{"a":1}"#);
        assert_eq!(signed.id, "msg_1");
        assert_eq!(signed.timestamp, AT);
        assert_eq!(signed.signature, "v1,9aaNhLaSoaVV4QbTItYkozyp3xQAyUwohmwtcWTShyQ=");
        assert_eq!(signed.pairs()[1], (WEBHOOK_TIMESTAMP, "1700000000".to_owned()));
    }

    #[test]
    fn verifies_its_own_and_any_of_several_v1_entries() {
        let body = br#"{"a":1}"#;
        let signed = sign_delivery(&secret(), "msg_1", at(AT), body);
        let mut headers = signed.pairs().to_vec();
        assert_eq!(verify(&headers, body, AT + 10, 300), Ok(()));
        headers[2].1 = format!("v1,AAAA v2,zzz {}", signed.signature);
        assert_eq!(verify(&headers, body, AT, 300), Ok(()));
    }

    #[test]
    fn refuses_tampering_stale_future_and_missing() {
        let body = br#"{"a":1}"#;
        let headers = sign_delivery(&secret(), "msg_1", at(AT), body).pairs().to_vec();
        let mismatch = SignatureError::Mismatch { header: WEBHOOK_SIGNATURE.into() };
        assert_eq!(verify(&headers, br#"{"a":2}"#, AT, 300), Err(mismatch));
        let stale = verify(&headers, body, AT + 301, 300).unwrap_err();
        assert_eq!(stale, SignatureError::Stale { header: WEBHOOK_TIMESTAMP.into(), by: 1, window: 300 });
        assert!(matches!(verify(&headers, body, AT - 400, 300), Err(SignatureError::Future { by: 100, .. })));
        assert_eq!(verify(&headers, body, AT + 10_000, 0), Ok(()), "a zero tolerance disables the check");
        let missing = verify(&headers[..2], body, AT, 300).unwrap_err();
        assert_eq!(
            missing.to_string(),
            "missing header `webhook-signature`; the sender must send it with every delivery"
        );
        let mut bad = headers.clone();
        bad[1].1 = "soon".into();
        assert!(matches!(verify(&bad, body, AT, 300), Err(SignatureError::BadTimestamp { .. })));
        bad = headers.clone();
        bad[2].1 = "v1,!!!".into();
        assert!(matches!(verify(&bad, body, AT, 300), Err(SignatureError::BadEncoding { .. })));
        bad[2].1 = "sha256=abc".into();
        assert!(matches!(verify(&bad, body, AT, 300), Err(SignatureError::MissingPrefix { .. })));
    }

    #[test]
    fn the_secret_stays_out_of_errors_and_debug() {
        let secret = secret();
        assert!(!format!("{secret:?}").contains("not-decoded"));
        let body = b"x";
        let headers = sign_delivery(&secret, "msg_1", at(AT), body).pairs().to_vec();
        let error = verify(&headers, b"y", AT, 300).unwrap_err();
        assert!(!format!("{error} {error:?}").contains("not-decoded"));
        let expected = sign_delivery(&secret, "msg_1", at(AT), b"y").signature;
        assert!(!format!("{error} {error:?}").contains(&expected[3..]));
    }
}
