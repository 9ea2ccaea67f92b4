//! Refresh leases: which process may refresh an account's OAuth 2.0 tokens right now.

use std::fmt;
use std::time::Duration;

use toolsmith_core::ConnectedAccountId;

use crate::{ConnectedAccount, StoreError};

/// The cross-process refresh lease of each connected account: one holder at a time
/// refreshes its tokens, and writes them only while it still holds the lease.
#[async_trait::async_trait]
pub trait RefreshLeases: Send + Sync + fmt::Debug {
    /// Takes the cross-process refresh lease of an account for `ttl`: `true` when it was
    /// free, expired, or already held by `holder`; [`StoreError::Missing`] when the
    /// account does not exist.
    async fn try_lock_refresh(&self, id: &ConnectedAccountId, holder: &str, ttl: Duration) -> Result<bool, StoreError>;
    /// Releases the lease `holder` took and, in the same transaction, writes `account`
    /// (its new tokens or status) when given; [`StoreError::LockLost`] when the lease is
    /// no longer `holder`'s.
    async fn finish_refresh(
        &self,
        id: &ConnectedAccountId,
        holder: &str,
        account: Option<&ConnectedAccount>,
    ) -> Result<(), StoreError>;
}
