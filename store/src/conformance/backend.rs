//! What a backend provides to be checked: [`Backend`].

use crate::{KeyRing, Store, StoreError};

/// A store backend under test.
#[async_trait::async_trait]
pub trait Backend: Send + Sync {
    /// Its store.
    type Store: Store + 'static;

    /// Opens a handle on this backend's store that seals with `keys`. The store is empty
    /// at the first call; every call opens another handle on the same data, as a second
    /// process would.
    async fn open(&self, keys: KeyRing) -> Result<Self::Store, StoreError>;
}
