//! Encryption of secrets at rest (skeleton: the store helper replaces this file).

use secrecy::SecretBox;

/// Names one key of a [`KeyRing`]; stored with each ciphertext.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct KeyId(pub String);

/// Why a key could not be loaded or a secret not decrypted.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The key that sealed a value is not in the key ring.
    #[error("secret sealed with key `{0}`, which is not loaded")]
    UnknownKey(String),
}

/// The keys that seal secrets.
#[derive(Debug)]
pub struct KeyRing {
    _private: (),
}

impl KeyRing {
    /// Seals a secret with the current key.
    pub fn seal(&self, _plaintext: &[u8]) -> String {
        unimplemented!("skeleton")
    }

    /// Opens a sealed secret.
    pub fn open(&self, _sealed: &str) -> Result<SecretBox<Vec<u8>>, KeyError> {
        unimplemented!("skeleton")
    }
}
