//! The key ring a store seals with, kept current: when a value names a key the ring does
//! not hold and the ring came from a key file, the file is read again (another process
//! may have rotated it). Every backend seals and opens through it.

use std::fmt;
use std::sync::{PoisonError, RwLock};

use secrecy::SecretBox;

use super::{KeyError, KeyRing};

/// A [`KeyRing`] that follows its key file. Cheap to read; replaced whole on reload, so
/// a panic elsewhere cannot leave it half-written (a poisoned lock is read through).
pub(crate) struct LiveKeys {
    ring: RwLock<KeyRing>,
}

impl LiveKeys {
    pub(crate) fn new(ring: KeyRing) -> LiveKeys {
        LiveKeys { ring: RwLock::new(ring) }
    }

    /// The ring in use.
    pub(crate) fn ring(&self) -> KeyRing {
        self.ring.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    fn replace(&self, fresh: KeyRing) {
        *self.ring.write().unwrap_or_else(PoisonError::into_inner) = fresh;
    }

    /// Seals `plaintext` bound to `context` with the current key.
    pub(crate) fn seal(&self, plaintext: &[u8], context: &[u8]) -> Result<String, KeyError> {
        self.ring().seal_with_context(plaintext, context)
    }

    /// Opens a sealed value. When its key is not loaded and the ring came from a key file,
    /// the file is read again first: another process may have rotated it.
    pub(crate) fn open(&self, sealed: &str, context: &[u8]) -> Result<SecretBox<Vec<u8>>, KeyError> {
        let ring = self.ring();
        match ring.open_with_context(sealed, context) {
            Err(KeyError::UnknownKey { id, loaded }) => match ring.reload() {
                Ok(Some(fresh)) if fresh.contains(&id) => {
                    let opened = fresh.open_with_context(sealed, context);
                    self.replace(fresh);
                    opened
                }
                _ => Err(KeyError::UnknownKey { id, loaded }),
            },
            other => other,
        }
    }

    /// The ring to re-seal with, read again from its key file when it came from one, so
    /// that re-encryption uses the key a rotation just made current.
    pub(crate) fn fresh(&self) -> Result<KeyRing, KeyError> {
        match self.ring().reload()? {
            Some(fresh) => {
                self.replace(fresh.clone());
                Ok(fresh)
            }
            None => Ok(self.ring()),
        }
    }
}

impl fmt::Debug for LiveKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.ring(), f)
    }
}
