//! Why a store operation failed.

use toolsmith_core::{BoxError, ConnectedAccountId};

use crate::KeyError;

/// Why a store operation failed. Messages never contain a secret.
///
/// The variants are the cases a caller handles differently: [`StoreError::Busy`] is worth
/// retrying ([`StoreError::is_retryable`]), [`StoreError::Conflict`] means the write
/// clashes with a stored record (an alias taken, an id written before), and
/// [`StoreError::Missing`], [`StoreError::InUse`] and [`StoreError::LockLost`] are about
/// the records themselves. The database variants keep the backend's error as their
/// [`source`](std::error::Error::source); their message already includes its text.
///
/// ```
/// use toolsmith_store::StoreError;
///
/// let busy = StoreError::Busy { path: "toolsmith.db".into(), message: "could not save".into(), source: None };
/// assert!(busy.is_retryable());
/// assert!(!StoreError::Missing("connected account ca_1".into()).is_retryable());
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database could not be opened, migrated, read or written, or holds a record
    /// this build cannot read.
    #[error("store {path}: {message}")]
    Database {
        /// The database file (or connection name).
        path: String,
        /// What failed and why, with the fix when there is one.
        message: String,
        /// The backend's error, when there is one.
        #[source]
        source: Option<BoxError>,
    },
    /// Another connection or process held the database locked for longer than the store
    /// waits: nothing was written; try again.
    #[error("store {path}: {message}")]
    Busy {
        /// The database file (or connection name).
        path: String,
        /// What could not be done.
        message: String,
        /// The backend's error, when there is one.
        #[source]
        source: Option<BoxError>,
    },
    /// The write conflicts with a stored record (a unique alias or id, or another
    /// constraint): nothing was written; change the record.
    #[error("store {path}: {message}")]
    Conflict {
        /// The database file (or connection name).
        path: String,
        /// Which record clashed with which, and how to resolve it.
        message: String,
        /// The backend's error, when there is one.
        #[source]
        source: Option<BoxError>,
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

impl StoreError {
    /// Whether the same call may succeed if made again unchanged: the database was busy.
    pub fn is_retryable(&self) -> bool {
        matches!(self, StoreError::Busy { .. })
    }
}
