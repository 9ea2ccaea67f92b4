//! CSRF tokens bound to a Connect Link: HMAC-SHA256 of the link's token hash with a
//! per-process secret (a page rendered before a restart asks to be reloaded).

use std::sync::OnceLock;

use base64::Engine;
use sha2::{Digest, Sha256};

/// The per-process secret; `None` when the OS has no randomness (then no form is accepted).
fn secret() -> Option<&'static [u8; 32]> {
    static SECRET: OnceLock<Option<[u8; 32]>> = OnceLock::new();
    SECRET
        .get_or_init(|| {
            let mut key = [0u8; 32];
            getrandom::fill(&mut key).ok().map(|()| key)
        })
        .as_ref()
}

/// HMAC-SHA256 (RFC 2104) of `message` with `key` (32 bytes, under the block size).
fn hmac(key: &[u8; 32], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    block[..32].copy_from_slice(key);
    let pad = |byte: u8| block.map(|b| b ^ byte);
    let inner = Sha256::new().chain_update(pad(0x36)).chain_update(message).finalize();
    Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize().into()
}

/// The CSRF token of the link with this token hash.
pub(crate) fn token(link_hash: &str) -> Option<String> {
    secret().map(|key| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(hmac(key, link_hash.as_bytes())))
}

/// Whether `given` is the CSRF token of the link (compared in constant time).
pub(crate) fn check(link_hash: &str, given: Option<&str>) -> bool {
    let (Some(expected), Some(given)) = (token(link_hash), given) else { return false };
    expected.len() == given.len() && expected.bytes().zip(given.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_checks_only_for_its_link() {
        let t = token("hash_a").unwrap();
        assert!(check("hash_a", Some(&t)));
        assert!(!check("hash_b", Some(&t)));
        assert!(!check("hash_a", None));
        assert!(!check("hash_a", Some("x")));
    }

    #[test]
    fn hmac_matches_rfc_4231_shape() {
        // A 32-byte key of 0x0b over "Hi There" (RFC 4231 uses 20 bytes; this checks determinism).
        assert_eq!(hmac(&[0x0b; 32], b"Hi There"), hmac(&[0x0b; 32], b"Hi There"));
        assert_ne!(hmac(&[0x0b; 32], b"Hi There"), hmac(&[0x0c; 32], b"Hi There"));
    }
}
