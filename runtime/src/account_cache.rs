//! Recently used accounts, so that a call does not read the store each time: the account
//! a (user, toolkit, chosen account) resolved to, with its auth scheme, for a short time.
//! Refreshed tokens replace the cached account at once; any other write to the store's
//! accounts in this process (an account reconnected, removed, updated) drops every entry,
//! through the store's change counter; changes made by other processes are seen when the
//! entry expires.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::watch;
use toolsmith_core::{ConnectedAccountId, UserId};
use toolsmith_store::ConnectedAccount;

/// Entries kept before expired ones are dropped.
const SWEEP_OVER: usize = 10_000;

/// What a call resolved its account with.
pub(crate) type Key = (UserId, String, Option<ConnectedAccountId>);

/// When an account was resolved, the account, and its auth scheme's name.
type Entry = (Instant, Arc<ConnectedAccount>, String);

/// Resolved accounts by [`Key`], each for `ttl`, and the store's change count they were
/// resolved at.
#[derive(Debug)]
pub(crate) struct AccountCache {
    ttl: Duration,
    changes: watch::Receiver<u64>,
    entries: Mutex<(u64, HashMap<Key, Entry>)>,
}

impl AccountCache {
    /// A cache whose entries live `ttl` and end when `changes` (the store's count of
    /// writes to accounts) moves.
    pub(crate) fn new(ttl: Duration, changes: watch::Receiver<u64>) -> Self {
        let seen = *changes.borrow();
        AccountCache { ttl, changes, entries: Mutex::new((seen, HashMap::new())) }
    }

    /// The entries, emptied first when the store's accounts changed since they were filled.
    fn entries(&self) -> MutexGuard<'_, (u64, HashMap<Key, Entry>)> {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let now = *self.changes.borrow();
        if entries.0 != now {
            entries.0 = now;
            entries.1.clear();
        }
        entries
    }

    /// The account and its auth scheme's name, if resolved less than `ttl` ago and no
    /// account changed since.
    pub(crate) fn get(&self, key: &Key) -> Option<(Arc<ConnectedAccount>, String)> {
        if self.ttl.is_zero() {
            return None;
        }
        let entries = self.entries();
        let (at, account, scheme) = entries.1.get(key)?;
        (at.elapsed() < self.ttl).then(|| (account.clone(), scheme.clone()))
    }

    /// Remembers what `key` resolved to.
    pub(crate) fn put(&self, key: Key, account: Arc<ConnectedAccount>, scheme: String) {
        if self.ttl.is_zero() {
            return;
        }
        let mut guard = self.entries();
        let entries = &mut guard.1;
        if entries.len() >= SWEEP_OVER {
            let ttl = self.ttl;
            entries.retain(|_, (at, _, _)| at.elapsed() < ttl);
        }
        entries.insert(key, (Instant::now(), account, scheme));
    }

    /// Replaces the cached copies of an account (new tokens), keeping their age.
    pub(crate) fn update(&self, account: &Arc<ConnectedAccount>) {
        let mut guard = self.entries();
        for (_, cached, _) in guard.1.values_mut().filter(|(_, cached, _)| cached.id == account.id) {
            *cached = account.clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use toolsmith_spec::ToolkitSlug;

    fn account(token: &str) -> Arc<ConnectedAccount> {
        let now = std::time::SystemTime::now();
        Arc::new(ConnectedAccount {
            id: ConnectedAccountId::generate(),
            user_id: UserId::new("ada"),
            toolkit: ToolkitSlug::new("github"),
            auth_config: toolsmith_core::AuthConfigId::generate(),
            status: toolsmith_store::AccountStatus::Active,
            status_reason: Some(token.to_owned()),
            alias: None,
            fields: Default::default(),
            credentials: Default::default(),
            created_at: now,
            updated_at: now,
        })
    }

    #[test]
    fn a_write_to_the_stores_accounts_ends_every_entry() {
        let (changes, watched) = watch::channel(0u64);
        let cache = AccountCache::new(Duration::from_secs(60), watched);
        let key: Key = (UserId::new("ada"), "github".into(), None);
        cache.put(key.clone(), account("old"), "bearer".into());
        assert_eq!(cache.get(&key).unwrap().0.status_reason.as_deref(), Some("old"));
        changes.send_replace(1);
        assert!(cache.get(&key).is_none(), "an account was reconnected: the cached copy is stale");
        cache.put(key.clone(), account("new"), "bearer".into());
        assert_eq!(cache.get(&key).unwrap().0.status_reason.as_deref(), Some("new"));
    }
}
