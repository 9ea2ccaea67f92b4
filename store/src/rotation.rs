//! Key rotation: re-sealing every stored secret with the current key.

use std::fmt;

use crate::{KeyRing, StoreError};

/// The keys a store seals secrets with, and re-encryption after a rotation.
#[async_trait::async_trait]
pub trait KeyRotation: Send + Sync + fmt::Debug {
    /// The key ring in use. It may be newer than the one the store was opened with: a
    /// store whose ring came from a key file reads the file again when it meets a value
    /// sealed with a key it does not hold (another process rotated the file).
    fn keys(&self) -> Result<KeyRing, StoreError>;

    /// Re-encrypts every secret with the key ring's current key; returns how many
    /// values were re-encrypted. Run after adding a key (`toolsmith keys rotate`).
    async fn reencrypt(&self) -> Result<usize, StoreError>;
}
