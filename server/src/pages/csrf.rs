//! CSRF tokens bound to a Connect Link: HMAC-SHA256 (the `hmac` crate) of the link's token hash with a
//! per-process secret (a page rendered before a restart asks to be reloaded).

use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::secret::secret;

type HmacSha256 = Hmac<Sha256>;

/// The MAC of the link with this token hash, under the process's secret.
fn mac(key: &[u8; 32], link_hash: &str) -> HmacSha256 {
    // Any key length is accepted by HMAC: `new_from_slice` cannot fail here.
    let mut mac =
        <HmacSha256 as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(link_hash.as_bytes());
    mac
}

/// The CSRF token of the link with this token hash.
pub(crate) fn token(link_hash: &str) -> Option<String> {
    secret()
        .map(|key| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac(key, link_hash).finalize().into_bytes()))
}

/// Whether `given` is the CSRF token of the link (compared in constant time).
pub(crate) fn check(link_hash: &str, given: Option<&str>) -> bool {
    let (Some(key), Some(given)) = (secret(), given) else { return false };
    let Ok(bytes) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(given) else { return false };
    mac(key, link_hash).verify_slice(&bytes).is_ok()
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
}
