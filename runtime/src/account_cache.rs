//! Recently used accounts, so that a call does not read the store each time: the account
//! a (user, toolkit, chosen account) resolved to, with its auth scheme, for a short time.
//! Refreshed tokens replace the cached account at once; changes made by other processes
//! (an account removed or reconnected) are seen when the entry expires.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use toolsmith_core::{ConnectedAccountId, UserId};
use toolsmith_store::ConnectedAccount;

/// Entries kept before expired ones are dropped.
const SWEEP_OVER: usize = 10_000;

/// What a call resolved its account with.
pub(crate) type Key = (UserId, String, Option<ConnectedAccountId>);

/// When an account was resolved, the account, and its auth scheme's name.
type Entry = (Instant, Arc<ConnectedAccount>, String);

/// Resolved accounts by [`Key`], each for `ttl`.
#[derive(Debug)]
pub(crate) struct AccountCache {
    ttl: Duration,
    entries: Mutex<HashMap<Key, Entry>>,
}

impl AccountCache {
    pub(crate) fn new(ttl: Duration) -> Self {
        AccountCache { ttl, entries: Mutex::new(HashMap::new()) }
    }

    /// The account and its auth scheme's name, if resolved less than `ttl` ago.
    pub(crate) fn get(&self, key: &Key) -> Option<(Arc<ConnectedAccount>, String)> {
        if self.ttl.is_zero() {
            return None;
        }
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let (at, account, scheme) = entries.get(key)?;
        (at.elapsed() < self.ttl).then(|| (account.clone(), scheme.clone()))
    }

    /// Remembers what `key` resolved to.
    pub(crate) fn put(&self, key: Key, account: Arc<ConnectedAccount>, scheme: String) {
        if self.ttl.is_zero() {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.len() >= SWEEP_OVER {
            let ttl = self.ttl;
            entries.retain(|_, (at, _, _)| at.elapsed() < ttl);
        }
        entries.insert(key, (Instant::now(), account, scheme));
    }

    /// Replaces the cached copies of an account (new tokens), keeping their age.
    pub(crate) fn update(&self, account: &Arc<ConnectedAccount>) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        for (_, cached, _) in entries.values_mut().filter(|(_, cached, _)| cached.id == account.id) {
            *cached = account.clone();
        }
    }
}
