//! Key rotation: re-sealing every stored secret with the current key, and pruning the
//! keys no stored secret needs any more.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use crate::{KeyError, KeyId, KeyRing, KeySource, StoreError};

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

    /// How many stored sealed values each key sealed (read from the values' headers;
    /// nothing is decrypted). Keys that sealed nothing are absent.
    async fn sealed_keys(&self) -> Result<BTreeMap<KeyId, usize>, StoreError>;
}

/// Why [`prune_key_file`] removed nothing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PruneError {
    /// Older keys still seal stored secrets: removing them would lose those secrets.
    #[error(
        "refusing to prune: {} still sealed with an older key ({}); run `toolsmith keys reencrypt` to \
         re-seal them with the current key, then prune again",
        if *.total == 1 { "1 stored secret is".to_owned() } else { format!("{total} stored secrets are") },
        .keys.iter().map(|(id, n)| format!("key `{id}`: {n}")).collect::<Vec<_>>().join(", ")
    )]
    StillNeeded {
        /// Each older key that is still needed, with how many values it sealed.
        keys: Vec<(KeyId, usize)>,
        /// How many values in all.
        total: usize,
    },
    /// The keys come from `TOOLSMITH_SECRET_KEY`, which no program can edit for you.
    #[error(
        "the keys come from TOOLSMITH_SECRET_KEY, not from a key file: remove the keys no secret needs from the \
         variable yourself{}",
        if .unused.is_empty() { " (none is unused now)".to_owned() } else { format!(" (unused now: {})", .unused.iter().map(KeyId::as_str).collect::<Vec<_>>().join(", ")) }
    )]
    FromEnv {
        /// The keys of the variable no stored value needs (never the current one).
        unused: Vec<KeyId>,
    },
    /// The key file could not be read or written.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Removes from the key file `<home>/secret.keys` every key that no value of `store`
/// is sealed with, never the current one; returns the removed keys' ids (none when every
/// key is needed or there is only the current one). Refused, with nothing removed,
/// while an older key still seals a value ([`PruneError::StillNeeded`]: re-encrypt
/// first), and when the store's keys come from `TOOLSMITH_SECRET_KEY`.
pub async fn prune_key_file(store: &dyn KeyRotation, home: &Path) -> Result<Vec<KeyId>, PruneError> {
    prune_key_file_of(&[store], home).await
}

/// [`prune_key_file`] for several stores sharing the home's key file (the main store and
/// each project's): a key stays while any of them needs it. `stores` must not be empty;
/// the first one's key source decides.
pub async fn prune_key_file_of(stores: &[&dyn KeyRotation], home: &Path) -> Result<Vec<KeyId>, PruneError> {
    let Some(store) = stores.first() else { return Ok(Vec::new()) };
    let mut in_use: BTreeMap<KeyId, usize> = BTreeMap::new();
    for s in stores {
        for (id, n) in s.sealed_keys().await? {
            *in_use.entry(id).or_default() += n;
        }
    }
    let ring = match store.keys()?.source() {
        KeySource::Env => {
            let ring = store.keys()?;
            let unused = unused(&ring, &in_use);
            return Err(PruneError::FromEnv { unused });
        }
        KeySource::File(_) | KeySource::Memory => KeyRing::from_key_file(home)?,
    };
    let still: Vec<(KeyId, usize)> = ring
        .ids()
        .filter(|id| *id != ring.current())
        .filter_map(|id| in_use.get(id).map(|n| (id.clone(), *n)))
        .collect();
    if !still.is_empty() {
        let total = still.iter().map(|(_, n)| n).sum();
        return Err(PruneError::StillNeeded { keys: still, total });
    }
    let unused = unused(&ring, &in_use);
    if !unused.is_empty() {
        KeyRing::remove_from_file(home, &unused)?;
    }
    Ok(unused)
}

/// The keys of `ring` but its current one that seal no value.
fn unused(ring: &KeyRing, in_use: &BTreeMap<KeyId, usize>) -> Vec<KeyId> {
    ring.ids().filter(|id| *id != ring.current() && !in_use.contains_key(*id)).cloned().collect()
}
