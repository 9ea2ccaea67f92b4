//! Why a store operation failed.

use toolsmith_core::ConnectedAccountId;

use crate::KeyError;

/// Why a store operation failed. Messages never contain a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database could not be opened, migrated, read or written.
    #[error("store {path}: {message}")]
    Database {
        /// The database file (or connection name).
        path: String,
        /// What failed.
        message: String,
    },
    /// A secret could not be decrypted: the key that sealed it is missing or wrong.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The record refers to one that does not exist (an account's auth config).
    #[error("{0} does not exist")]
    Missing(String),
    /// The record is still used (an auth config with connected accounts).
    #[error("{what} is used by {count} connected account(s); remove them first (`toolsmith accounts remove`)")]
    InUse {
        /// The record.
        what: String,
        /// How many records use it.
        count: usize,
    },
    /// The refresh lease of an account was lost (it expired and another process took it).
    #[error("the refresh lock of {0} was taken over by another process")]
    LockLost(ConnectedAccountId),
}
