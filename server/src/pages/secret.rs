//! The per-process secret of the pages: the key of the CSRF tokens and of the OAuth
//! `state` and PKCE verifier MACs (each MAC covers different input, see `csrf` and
//! `toolsmith_auth::oauth2`). A restart makes pages and authorizations in flight stale.

use std::sync::OnceLock;

/// The per-process secret; `None` when the OS has no randomness (then no form is accepted
/// and no authorization starts).
pub(crate) fn secret() -> Option<&'static [u8; 32]> {
    static SECRET: OnceLock<Option<[u8; 32]>> = OnceLock::new();
    SECRET
        .get_or_init(|| {
            let mut key = [0u8; 32];
            getrandom::fill(&mut key).ok().map(|()| key)
        })
        .as_ref()
}
