//! What both directions share: HMAC, hex, header lookup and the timestamp window.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha1::Sha1;
use sha2::{Sha256, Sha512};

use super::error::SignatureError;

/// HMAC-SHA256 keyed with `key` over `message`. HMAC takes keys of any length, so
/// keying cannot fail; `None` stands for that impossible case.
fn sha256(key: &[u8], message: &[u8]) -> Option<Hmac<Sha256>> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).ok()?;
    mac.update(message);
    Some(mac)
}

/// HMAC-SHA256 of `message` under `key` (empty in the impossible case of [`sha256`]).
pub(super) fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    sha256(key, message).map(|mac| mac.finalize().into_bytes().to_vec()).unwrap_or_default()
}

/// Whether `signature` is HMAC-SHA256 of `message` under `key`, compared in constant time.
pub(super) fn matches_sha256(key: &[u8], message: &[u8], signature: &[u8]) -> bool {
    sha256(key, message).is_some_and(|mac| mac.verify_slice(signature).is_ok())
}

/// As [`matches_sha256`], with SHA-512.
pub(super) fn matches_sha512(key: &[u8], message: &[u8], signature: &[u8]) -> bool {
    matches_mac::<Hmac<Sha512>>(key, message, signature)
}

/// As [`matches_sha256`], with SHA-1 (providers' legacy signatures).
pub(super) fn matches_sha1(key: &[u8], message: &[u8], signature: &[u8]) -> bool {
    matches_mac::<Hmac<Sha1>>(key, message, signature)
}

/// Whether `signature` is the MAC `M` of `message` under `key`, in constant time.
fn matches_mac<M: Mac + hmac::digest::KeyInit>(key: &[u8], message: &[u8], signature: &[u8]) -> bool {
    <M as Mac>::new_from_slice(key).is_ok_and(|mut mac| {
        mac.update(message);
        mac.verify_slice(signature).is_ok()
    })
}

/// Whether `signature` is the Ed25519 signature of `message` by `public_key` (32 bytes).
pub(super) fn matches_ed25519(public_key: &[u8], message: &[u8], signature: &[u8]) -> bool {
    ring::signature::UnparsedPublicKey::new(&ring::signature::ED25519, public_key).verify(message, signature).is_ok()
}

/// Lower-case hex decoding (either case accepted); `None` when not hex.
pub(super) fn hex_decode(text: &str) -> Option<Vec<u8>> {
    let digits = text.as_bytes();
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    let nibble = |c: u8| (c as char).to_digit(16);
    digits.chunks(2).map(|pair| Some((nibble(pair[0])? * 16 + nibble(pair[1])?) as u8)).collect()
}

/// The secret's raw UTF-8 bytes, the HMAC key; an empty secret is refused.
pub(super) fn key_of(secret: &SecretString) -> Result<&[u8], SignatureError> {
    let key = secret.expose_secret().as_bytes();
    if key.is_empty() {
        return Err(SignatureError::EmptySecret);
    }
    Ok(key)
}

/// The value of header `name` (any case), the first when repeated.
pub(super) fn header<'a>(headers: &[(&str, &'a str)], name: &str) -> Result<&'a str, SignatureError> {
    headers
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .map(|(_, value)| *value)
        .ok_or_else(|| SignatureError::MissingHeader { header: name.to_owned() })
}

/// Seconds since the Unix epoch (0 before it).
pub(super) fn unix_seconds(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// `value` of header `name` as Unix seconds, within `window` of `now` (a zero window
/// takes any time).
pub(super) fn check_timestamp(
    name: &str,
    value: &str,
    now: SystemTime,
    window: Duration,
) -> Result<u64, SignatureError> {
    let timestamp: u64 = value.trim().parse().map_err(|_| SignatureError::BadTimestamp {
        header: name.to_owned(),
        value: value.chars().take(32).collect(),
    })?;
    let (now, window) = (unix_seconds(now), window.as_secs());
    if window == 0 {
        return Ok(timestamp);
    }
    let header = name.to_owned();
    if now > timestamp && now - timestamp > window {
        return Err(SignatureError::Stale { header, by: now - timestamp - window, window });
    }
    if timestamp > now && timestamp - now > window {
        return Err(SignatureError::Future { header, by: timestamp - now - window, window });
    }
    Ok(timestamp)
}
