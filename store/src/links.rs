//! Connect Links: single-use, expiring tokens that let a user finish connecting an
//! account (`INITIATED` → `ACTIVE`) on a page of the server.

use std::fmt;
use std::time::SystemTime;

use base64::Engine as _;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use toolsmith_core::{AuthConfigId, ConnectedAccountId, SessionId, UserId};
use toolsmith_spec::ToolkitSlug;

use crate::StoreError;

/// The secret of a Connect Link: whoever holds it may connect the account, once. It goes
/// into the link's URL and nowhere else; stores keep only its [`hash`](Self::hash).
///
/// ```
/// use toolsmith_store::LinkToken;
/// let token = LinkToken::generate();
/// assert_eq!(token.expose().len(), 43);
/// assert_eq!(LinkToken::from(token.expose().to_owned()).hash(), token.hash());
/// assert!(!format!("{token:?}").contains(token.expose()));
/// ```
#[derive(Clone)]
pub struct LinkToken(SecretString);

impl LinkToken {
    /// A new token: 32 random bytes, base64url without padding (43 characters).
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        // The OS random source only fails on exotic platforms; a token is then refused
        // later rather than guessable, because the hash of all-zero bytes is never issued
        // twice: mix in the clock.
        if getrandom::fill(&mut bytes).is_err() {
            let nanos = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
            bytes = Sha256::digest(nanos.to_le_bytes()).into();
        }
        LinkToken(SecretString::from(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// The token, for the link's URL.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// What a store keeps: the SHA-256 of the token, lower-case hex.
    pub fn hash(&self) -> String {
        Sha256::digest(self.expose().as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
    }
}

impl From<String> for LinkToken {
    fn from(token: String) -> Self {
        LinkToken(SecretString::from(token))
    }
}

impl fmt::Debug for LinkToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LinkToken([REDACTED])")
    }
}

/// A Connect Link as stored: which account it completes, for whom, until when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectLink {
    /// [`LinkToken::hash`] of its token; the token itself is never stored.
    pub token_hash: String,
    /// The `INITIATED` account it completes.
    pub account: ConnectedAccountId,
    /// The account's user.
    pub user_id: UserId,
    /// The account's toolkit.
    pub toolkit: ToolkitSlug,
    /// The auth config the account connects with.
    pub auth_config: AuthConfigId,
    /// The session that made it, if any.
    pub session: Option<SessionId>,
    /// Where the page sends the user when done.
    pub callback_url: Option<String>,
    /// When it was made.
    pub created_at: SystemTime,
    /// After this it is refused.
    pub expires_at: SystemTime,
    /// When it was used; a used link is refused.
    pub used_at: Option<SystemTime>,
}

/// The Connect Links of a deployment.
#[async_trait::async_trait]
pub trait ConnectLinks: Send + Sync + fmt::Debug {
    /// Stores a new link; [`StoreError::Missing`] when its account does not exist,
    /// [`StoreError::Conflict`] when its token hash exists.
    async fn put_link(&self, link: &ConnectLink) -> Result<(), StoreError>;
    /// A link by [`LinkToken::hash`], used or not, expired or not.
    async fn link(&self, token_hash: &str) -> Result<Option<ConnectLink>, StoreError>;
    /// Marks a link used at `now`, atomically and once: the link when it was unused and
    /// `now` is before its expiry, `None` otherwise (unknown, used or expired: read it
    /// with [`link`](Self::link) to say which). Of two concurrent calls one gets it.
    async fn consume_link(&self, token_hash: &str, now: SystemTime) -> Result<Option<ConnectLink>, StoreError>;
    /// The links of an account, newest first.
    async fn links_of(&self, account: &ConnectedAccountId) -> Result<Vec<ConnectLink>, StoreError>;
}
