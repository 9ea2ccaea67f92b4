//! [`KeyId`]: the name of a key, derived from it.

use std::fmt;

use sha2::{Digest, Sha256};

/// Names one key of a [`KeyRing`](super::KeyRing); written into each value the key seals.
///
/// It is derived from the key (8 hex digits of a SHA-256 of it), so the same key always
/// has the same id, in the environment or in a key file.
///
/// ```
/// let ring = toolsmith_store::KeyRing::generate()?;
/// let id = ring.current();
/// assert_eq!(id.as_str().len(), 8);
/// assert!(ring.seal(b"x")?.starts_with(&format!("v1:{id}:")));
/// # Ok::<(), toolsmith_store::KeyError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct KeyId(pub(super) String);

impl KeyId {
    /// The id as text (8 lower-case hex digits).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub(super) fn of(key: &[u8]) -> KeyId {
        let digest = Sha256::new().chain_update(b"toolsmith-key-id:").chain_update(key).finalize();
        KeyId(digest[..4].iter().map(|b| format!("{b:02x}")).collect())
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
