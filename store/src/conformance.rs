//! The behaviour every store backend must have, as checks any backend runs (feature
//! `conformance`).
//!
//! A backend implements [`Backend`] (open a handle on a fresh store) and expands
//! [`conformance_tests!`](crate::conformance_tests) in an integration test: one
//! `#[tokio::test]` per check, each on a fresh store. Round trips and filters, the
//! integrity rules ([`StoreError::Missing`], [`StoreError::InUse`], conflicts), refresh
//! leases across two handles, key rotation and re-encryption, concurrent reads, sessions
//! and their memory, Connect Links (consumed once, even by concurrent consumers), account
//! change notifications, projects and API keys (found by hash, revoked once, listed per
//! project), trigger instances (upserted by identity, filtered, secrets sealed), trigger
//! events and their outbox (deduped, recorded with the instance's state, claimed in order
//! per instance under a lease, retried, given up), the project's one webhook
//! subscription (secret sealed), and the absence of secrets from messages and `Debug` output are
//! checked here; what only one
//! backend can show (file modes, bytes on disk) belongs in its own tests, which can use
//! the [`fixtures`].
//!
//! ```no_run
//! // tests/conformance.rs of a backend (with tokio and async-trait as dependencies)
//! use toolsmith_store::conformance::{fixtures::TempDir, Backend};
//! use toolsmith_store::{KeyRing, SqliteStore, StoreError};
//!
//! struct Sqlite(TempDir);
//!
//! #[async_trait::async_trait]
//! impl Backend for Sqlite {
//!     type Store = SqliteStore;
//!     async fn open(&self, keys: KeyRing) -> Result<SqliteStore, StoreError> {
//!         SqliteStore::open(self.0.path().join("toolsmith.db"), keys)
//!     }
//! }
//!
//! toolsmith_store::conformance_tests!(Sqlite(TempDir::new("conformance")));
//! # fn main() {}
//! ```

// The checks are tests: a failed expectation panics, which fails the test that runs it.
#![allow(clippy::unwrap_used)]

mod backend;
pub mod drain;
pub mod fixtures;
mod links;
mod outbox;
#[cfg(feature = "postgres")]
mod pg_cluster;
mod projects;
mod sessions;
mod triggers;

pub use self::backend::Backend;
pub use self::links::{
    a_link_is_consumed_once_before_it_expires, account_changes_count_writes_to_accounts,
    connect_links_round_trip_and_need_their_account, deleting_an_account_deletes_its_links,
    link_tokens_stay_out_of_messages_and_debug, of_concurrent_consumers_one_wins,
};
pub use self::outbox::{
    a_thousand_events_drain_in_ten_claims, claims_expire_after_their_lease_and_are_released,
    claims_keep_order_per_instance, deleting_a_subscription_deletes_its_pending_deliveries,
    deliveries_go_to_the_subscription_taking_the_type, giving_up_fails_a_delivery_and_unblocks_the_next,
    one_sealed_subscription_per_project, subscription, trigger_event, trigger_events_are_deduped_and_paged,
    trigger_state_moves_only_with_the_events, SUBSCRIPTION_SECRET,
};
pub use self::projects::{
    api_key_secrets_stay_out_of_messages_and_debug, api_keys_need_their_project_and_stay_in_it,
    projects_round_trip_and_names_are_unique, revoked_keys_are_found_with_their_revocation,
};
pub use self::sessions::{
    mcp_sessions_are_kept_replaced_and_forgotten, session_memory_replaces_keys_and_goes_with_the_session,
    sessions_are_written_once,
};
pub use self::triggers::{
    one_holder_claims_each_poll, trigger_instance, trigger_instances_filter_enable_and_delete,
    trigger_instances_upsert_by_identity, trigger_secrets_are_sealed_and_rotated, WEBHOOK_SECRET,
};

use std::sync::Arc;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use toolsmith_core::{AuthConfigId, ConnectedAccountId, LogId, UserId};
use toolsmith_spec::{ToolSlug, ToolkitSlug};

use self::fixtures::{
    account, assert_same_account, assert_same_config, at, config, github_and_ada, log_entry, TempDir, ALL_SECRETS,
    API_KEY, CLIENT_SECRET,
};
use crate::prelude::*;
use crate::{AccountFilter, AccountStatus, ConnectedAccount, Credentials, KeyError, KeyRing, LogFilter, StoreError};

/// Expands to one `#[tokio::test]` (multi-threaded) per conformance check, each on the
/// backend `$backend` evaluates to (a fresh one per test). The calling crate needs
/// `tokio` with the `macros` and `rt-multi-thread` features.
#[macro_export]
macro_rules! conformance_tests {
    ($backend:expr) => {
        $crate::conformance_tests!(@each $backend;
            every_record_kind_round_trips,
            accounts_need_their_auth_config_and_used_configs_stay,
            rotation_reencrypts_every_sealed_value,
            pruning_removes_only_keys_no_value_needs,
            a_ring_without_the_key_says_which_key_is_missing,
            one_process_at_a_time_holds_the_refresh_lease,
            a_hundred_concurrent_reads_succeed,
            debug_output_holds_no_secret,
            sessions_are_written_once,
            session_memory_replaces_keys_and_goes_with_the_session,
            connect_links_round_trip_and_need_their_account,
            a_link_is_consumed_once_before_it_expires,
            of_concurrent_consumers_one_wins,
            deleting_an_account_deletes_its_links,
            link_tokens_stay_out_of_messages_and_debug,
            account_changes_count_writes_to_accounts,
            projects_round_trip_and_names_are_unique,
            api_keys_need_their_project_and_stay_in_it,
            revoked_keys_are_found_with_their_revocation,
            api_key_secrets_stay_out_of_messages_and_debug,
            trigger_instances_upsert_by_identity,
            trigger_instances_filter_enable_and_delete,
            trigger_secrets_are_sealed_and_rotated,
            trigger_events_are_deduped_and_paged,
            trigger_state_moves_only_with_the_events,
            deliveries_go_to_the_subscription_taking_the_type,
            claims_keep_order_per_instance,
            claims_expire_after_their_lease_and_are_released,
            giving_up_fails_a_delivery_and_unblocks_the_next,
            one_sealed_subscription_per_project,
            deleting_a_subscription_deletes_its_pending_deliveries,
            a_thousand_events_drain_in_ten_claims,
            one_holder_claims_each_poll,
            mcp_sessions_are_kept_replaced_and_forgotten,
        );
    };
    (@each $backend:expr; $($check:ident),+ $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $check() {
                let backend = $backend;
                $crate::conformance::$check(&backend).await;
            }
        )+
    };
}

/// Every record kind round-trips; lists are ordered and filtered; aliases are unique per
/// user and toolkit and log ids are written once ([`StoreError::Conflict`]).
pub async fn every_record_kind_round_trips(backend: &impl Backend) {
    let store = backend.open(KeyRing::generate().unwrap()).await.unwrap();

    // Auth configs: with and without a secret, listed oldest first, by toolkit.
    let github = config("github", 1_000, Some(CLIENT_SECRET));
    let slack = config("slack", 2_000, None);
    let github2 = config("github", 3_000, None);
    for c in [&github2, &slack, &github] {
        store.put_auth_config(c).await.unwrap();
    }
    assert_same_config(&store.auth_config(&github.id).await.unwrap().unwrap(), &github);
    assert_same_config(&store.auth_config(&slack.id).await.unwrap().unwrap(), &slack);
    assert!(store.auth_config(&AuthConfigId::generate()).await.unwrap().is_none());
    let all: Vec<_> = store.auth_configs(None).await.unwrap().into_iter().map(|c| c.id).collect();
    assert_eq!(all, [github.id.clone(), slack.id.clone(), github2.id.clone()]);
    let only_github = store.auth_configs(Some(&ToolkitSlug::new("github"))).await.unwrap();
    assert_eq!(only_github.iter().map(|c| &c.id).collect::<Vec<_>>(), [&github.id, &github2.id]);
    // Replace: the secret goes, the name changes.
    let mut renamed = github2.clone();
    renamed.name = "renamed".to_owned();
    renamed.disabled = true;
    renamed.client_secret = Some(SecretString::from("another"));
    store.put_auth_config(&renamed).await.unwrap();
    assert_same_config(&store.auth_config(&github2.id).await.unwrap().unwrap(), &renamed);
    assert!(store.delete_auth_config(&github2.id).await.unwrap());
    assert!(!store.delete_auth_config(&github2.id).await.unwrap());

    // Connected accounts: filters, replacement, aliases, deletion.
    let ada = account(&github, "ada", Some("work"), 10_000);
    let ada_personal = account(&github, "ada", Some("personal"), 11_000);
    let mut bob = account(&slack, "bob", None, 12_000);
    bob.status = AccountStatus::Expired;
    bob.status_reason = Some("invalid_grant: the refresh token was revoked".to_owned());
    bob.credentials = Credentials::default();
    for a in [&ada, &ada_personal, &bob] {
        store.put_account(a).await.unwrap();
    }
    assert_same_account(&store.account(&ada.id).await.unwrap().unwrap(), &ada);
    assert_same_account(&store.account(&bob.id).await.unwrap().unwrap(), &bob);
    assert!(store.account(&ConnectedAccountId::generate()).await.unwrap().is_none());
    let ids = |accounts: Vec<ConnectedAccount>| accounts.into_iter().map(|a| a.id).collect::<Vec<_>>();
    let filter = |f: AccountFilter| {
        let store = &store;
        async move { ids(store.accounts(&f).await.unwrap()) }
    };
    assert_eq!(filter(AccountFilter::default()).await, [ada.id.clone(), ada_personal.id.clone(), bob.id.clone()]);
    let by_user = AccountFilter { user_id: Some(UserId::new("ada")), ..Default::default() };
    assert_eq!(filter(by_user).await, [ada.id.clone(), ada_personal.id.clone()]);
    let by_toolkit = AccountFilter { toolkit: Some(ToolkitSlug::new("slack")), ..Default::default() };
    assert_eq!(filter(by_toolkit).await, [bob.id.clone()]);
    let by_config = AccountFilter { auth_config: Some(github.id.clone()), ..Default::default() };
    assert_eq!(filter(by_config).await, [ada.id.clone(), ada_personal.id.clone()]);
    let by_status =
        AccountFilter { statuses: vec![AccountStatus::Expired, AccountStatus::Revoked], ..Default::default() };
    assert_eq!(filter(by_status).await, [bob.id.clone()]);
    let none = AccountFilter {
        user_id: Some(UserId::new("bob")),
        toolkit: Some(ToolkitSlug::new("github")),
        ..Default::default()
    };
    assert!(filter(none).await.is_empty());

    let mut refreshed = ada.clone();
    refreshed.status = AccountStatus::Inactive;
    refreshed.credentials.oauth2.as_mut().unwrap().access_token = SecretString::from("SECRET-new-access");
    refreshed.updated_at = at(20_000);
    store.put_account(&refreshed).await.unwrap();
    assert_same_account(&store.account(&ada.id).await.unwrap().unwrap(), &refreshed);

    // An alias is unique per user and toolkit.
    let clash = account(&github, "ada", Some("work"), 13_000);
    let err = store.put_account(&clash).await.unwrap_err();
    assert!(err.to_string().contains("already has a github account with the alias `work`"), "{err}");
    assert!(matches!(err, StoreError::Conflict { .. }) && !err.is_retryable(), "{err:?}");
    store.put_account(&account(&github, "bob", Some("work"), 13_000)).await.unwrap();
    store.put_account(&account(&github, "ada", None, 14_000)).await.unwrap();
    store.put_account(&account(&github, "ada", None, 15_000)).await.unwrap();

    assert!(store.delete_account(&ada_personal.id).await.unwrap());
    assert!(!store.delete_account(&ada_personal.id).await.unwrap());
    assert!(store.account(&ada_personal.id).await.unwrap().is_none());

    // Execution logs: newest first, filtered, limited.
    let first = log_entry("ada", "GITHUB_CREATE_ISSUE", 100_000);
    let mut failed = log_entry("ada", "GITHUB_GET_REPO", 200_000);
    failed.successful = false;
    failed.status = None;
    failed.account = None;
    failed.error = Some("connection refused".to_owned());
    let other = log_entry("bob", "GITHUB_CREATE_ISSUE", 300_000);
    for entry in [&first, &failed, &other] {
        store.put_log(entry).await.unwrap();
    }
    assert_eq!(store.log(&failed.id).await.unwrap().as_ref(), Some(&failed));
    assert_eq!(store.log(&first.id).await.unwrap().as_ref(), Some(&first));
    assert!(store.log(&LogId::generate()).await.unwrap().is_none());
    let logs = |f: LogFilter| {
        let store = &store;
        async move { store.logs(&f).await.unwrap().into_iter().map(|l| l.id).collect::<Vec<_>>() }
    };
    assert_eq!(logs(LogFilter::default()).await, [other.id.clone(), failed.id.clone(), first.id.clone()]);
    let ada_logs = LogFilter { user_id: Some(UserId::new("ada")), ..Default::default() };
    assert_eq!(logs(ada_logs).await, [failed.id.clone(), first.id.clone()]);
    let issues = LogFilter { tool: Some(ToolSlug::new("GITHUB_CREATE_ISSUE")), limit: 1, ..Default::default() };
    assert_eq!(logs(issues).await, vec![other.id.clone()]);
    let again = store.put_log(&first).await;
    assert!(again.is_err(), "a log id is written once");
    assert!(matches!(again, Err(StoreError::Conflict { .. })), "{again:?}");
}

/// An account needs its auth config ([`StoreError::Missing`]), and an auth config in use
/// cannot be deleted ([`StoreError::InUse`]); a lease needs its account.
pub async fn accounts_need_their_auth_config_and_used_configs_stay(backend: &impl Backend) {
    let store: Arc<dyn Store> = Arc::new(backend.open(KeyRing::generate().unwrap()).await.unwrap());
    let unsaved = config("github", 1, None);
    let orphan = account(&unsaved, "ada", None, 2);
    let err = store.put_account(&orphan).await.unwrap_err();
    assert!(matches!(&err, StoreError::Missing(what) if what.contains(unsaved.id.as_str())), "{err}");
    assert!(store.account(&orphan.id).await.unwrap().is_none());

    store.put_auth_config(&unsaved).await.unwrap();
    store.put_account(&orphan).await.unwrap();
    store.put_account(&account(&unsaved, "bob", None, 3)).await.unwrap();
    let err = store.delete_auth_config(&unsaved.id).await.unwrap_err();
    assert!(matches!(err, StoreError::InUse { count: 2, .. }), "{err}");
    assert!(err.to_string().contains("used by 2 connected account(s)"), "{err}");
    assert!(store.auth_config(&unsaved.id).await.unwrap().is_some());
    let err = store.try_lock_refresh(&ConnectedAccountId::generate(), "x", Duration::from_secs(1)).await.unwrap_err();
    assert!(matches!(err, StoreError::Missing(_)), "{err}");
}

/// Issue 12, item 17: [`KeyRotation::sealed_keys`] counts the values each key sealed;
/// [`prune_key_file`](crate::prune_key_file) refuses while an older key still seals one,
/// and after re-encryption removes the older keys, never the current one.
pub async fn pruning_removes_only_keys_no_value_needs(backend: &impl Backend) {
    let dir = TempDir::new("prune");
    let home = dir.path().join("home");
    let key1 = KeyRing::from_key_file(&home).unwrap().current().clone();
    let store = backend.open(KeyRing::from_key_file(&home).unwrap()).await.unwrap();
    let github = config("github", 1, Some(CLIENT_SECRET));
    store.put_auth_config(&github).await.unwrap();
    store.put_account(&account(&github, "ada", None, 2)).await.unwrap();
    assert_eq!(crate::prune_key_file(&store, &home).await.unwrap(), [], "the current key alone: nothing to prune");

    let key2 = KeyRing::rotate_file(&home).unwrap().current().clone();
    let store = backend.open(KeyRing::from_key_file(&home).unwrap()).await.unwrap();
    assert_eq!(store.sealed_keys().await.unwrap(), [(key1.clone(), 2)].into());
    let err = crate::prune_key_file(&store, &home).await.unwrap_err();
    assert!(matches!(&err, crate::PruneError::StillNeeded { total: 2, .. }), "{err}");
    assert!(
        err.to_string().contains(&format!("key `{key1}`: 2")) && err.to_string().contains("keys reencrypt"),
        "{err}"
    );
    assert_eq!(KeyRing::from_key_file(&home).unwrap().ids().count(), 2, "nothing was removed");

    store.reencrypt().await.unwrap();
    assert_eq!(store.sealed_keys().await.unwrap(), [(key2.clone(), 2)].into());
    assert_eq!(crate::prune_key_file(&store, &home).await.unwrap(), [key1]);
    let ring = KeyRing::from_key_file(&home).unwrap();
    assert_eq!(ring.ids().cloned().collect::<Vec<_>>(), [key2]);
    let reopened = backend.open(ring).await.unwrap();
    assert_eq!(
        reopened
            .auth_config(&github.id)
            .await
            .unwrap()
            .unwrap()
            .client_secret
            .as_ref()
            .map(|s| s.expose_secret().to_owned()),
        Some(CLIENT_SECRET.to_owned())
    );
}

/// After a key-file rotation, [`KeyRotation::reencrypt`]
/// re-seals every secret once; a handle still on the old ring reads the file again; the
/// old key can then be dropped.
pub async fn rotation_reencrypts_every_sealed_value(backend: &impl Backend) {
    let dir = TempDir::new("rotation");
    let home = dir.path().join("home");
    let ring1 = KeyRing::from_key_file(&home).unwrap();
    let key1 = ring1.current().clone();
    let store1 = backend.open(ring1).await.unwrap();
    let github = config("github", 1, Some(CLIENT_SECRET));
    let slack = config("slack", 2, None);
    store1.put_auth_config(&github).await.unwrap();
    store1.put_auth_config(&slack).await.unwrap();
    let accounts = [account(&github, "ada", None, 3), account(&github, "bob", None, 4), account(&slack, "cy", None, 5)];
    for a in &accounts {
        store1.put_account(a).await.unwrap();
    }

    let ring2 = KeyRing::rotate_file(&home).unwrap();
    let key2 = ring2.current().clone();
    assert_ne!(key1, key2);
    assert_eq!(ring2.ids().cloned().collect::<Vec<_>>(), [key2.clone(), key1.clone()]);
    let store2 = backend.open(ring2).await.unwrap();
    // 1 client secret + 3 accounts' credentials; the config without a secret has none.
    assert_eq!(store2.reencrypt().await.unwrap(), 4);
    assert_eq!(store2.reencrypt().await.unwrap(), 0, "nothing is left under the old key");

    // The first "process" still holds only key 1: it reads the key file again and opens
    // the values key 2 sealed.
    assert_same_account(&store1.account(&accounts[0].id).await.unwrap().unwrap(), &accounts[0]);
    assert_eq!(store1.keys().unwrap().current(), &key2);

    // Drop key 1 from the file: every value opens with key 2 alone.
    let key_file = KeyRing::key_file(&home);
    let text = std::fs::read_to_string(&key_file).unwrap();
    let keys: Vec<&str> = text.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()).collect();
    assert_eq!(keys.len(), 2);
    std::fs::write(&key_file, format!("{}\n", keys[0])).unwrap();
    let only2 = KeyRing::from_key_file(&home).unwrap();
    assert_eq!(only2.ids().collect::<Vec<_>>(), [&key2]);
    drop((store1, store2));
    let store = backend.open(only2).await.unwrap();
    for a in &accounts {
        assert_same_account(&store.account(&a.id).await.unwrap().unwrap(), a);
    }
    assert_same_config(&store.auth_config(&github.id).await.unwrap().unwrap(), &github);
}

/// A handle whose ring lacks the key that sealed a value says which key is missing and
/// how to add it back, and quotes no secret; records without secrets still read.
pub async fn a_ring_without_the_key_says_which_key_is_missing(backend: &impl Backend) {
    let ring = KeyRing::generate().unwrap();
    let store = backend.open(ring.clone()).await.unwrap();
    let (github, ada) = github_and_ada(&store).await;
    drop(store);

    let stranger = backend.open(KeyRing::generate().unwrap()).await.unwrap();
    let err = stranger.account(&ada.id).await.unwrap_err();
    let StoreError::Key(KeyError::UnknownKey { id, .. }) = &err else { panic!("{err:?}") };
    assert_eq!(id, ring.current());
    let message = err.to_string();
    assert!(message.contains(&format!("`{}`", ring.current())), "{message}");
    assert!(message.contains("TOOLSMITH_SECRET_KEY") && message.contains("secret.keys"), "{message}");
    for secret in ALL_SECRETS {
        assert!(!message.contains(secret) && !format!("{err:?}").contains(secret));
    }
    assert!(matches!(stranger.auth_config(&github.id).await, Err(StoreError::Key(KeyError::UnknownKey { .. }))));
    // Records without secrets still read.
    assert_eq!(stranger.auth_configs(Some(&ToolkitSlug::new("none"))).await.unwrap().len(), 0);
}

/// Two handles ("processes") on one store: one holder at a time takes an account's
/// refresh lease; a lost or expired lease refuses the late write ([`StoreError::LockLost`]).
pub async fn one_process_at_a_time_holds_the_refresh_lease(backend: &impl Backend) {
    let ring = KeyRing::generate().unwrap();
    let a = Arc::new(backend.open(ring.clone()).await.unwrap());
    let b = Arc::new(backend.open(ring).await.unwrap());
    let github = config("github", 1, None);
    a.put_auth_config(&github).await.unwrap();
    let ada = account(&github, "ada", None, 2);
    a.put_account(&ada).await.unwrap();
    let id = &ada.id;
    let long = Duration::from_secs(60);

    assert!(a.try_lock_refresh(id, "a", long).await.unwrap());
    assert!(!b.try_lock_refresh(id, "b", long).await.unwrap(), "a holds it");
    assert!(a.try_lock_refresh(id, "a", long).await.unwrap(), "the holder may take it again");
    let mut by_b = ada.clone();
    by_b.credentials.oauth2.as_mut().unwrap().access_token = SecretString::from("written-by-b");
    let err = b.finish_refresh(id, "b", Some(&by_b)).await.unwrap_err();
    assert!(matches!(&err, StoreError::LockLost(lost) if lost == id), "{err}");
    assert_same_account(&a.account(id).await.unwrap().unwrap(), &ada);

    // Released by a: b gets it.
    a.finish_refresh(id, "a", None).await.unwrap();
    assert!(b.try_lock_refresh(id, "b", long).await.unwrap());
    b.finish_refresh(id, "b", None).await.unwrap();
    assert!(matches!(b.finish_refresh(id, "b", None).await, Err(StoreError::LockLost(_))), "released twice");

    // Expired: b takes it over, and a's late write is refused.
    assert!(a.try_lock_refresh(id, "a", Duration::from_millis(100)).await.unwrap());
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert!(b.try_lock_refresh(id, "b", long).await.unwrap(), "the lease expired");
    let mut by_a = ada.clone();
    by_a.credentials.oauth2.as_mut().unwrap().access_token = SecretString::from("written-by-a-too-late");
    assert!(matches!(a.finish_refresh(id, "a", Some(&by_a)).await, Err(StoreError::LockLost(_))));
    b.finish_refresh(id, "b", Some(&by_b)).await.unwrap();
    let stored = a.account(id).await.unwrap().unwrap();
    assert_eq!(stored.credentials.oauth2.unwrap().access_token.expose_secret(), "written-by-b");
    // finish_refresh writes only the leased account.
    assert!(a.try_lock_refresh(id, "a", long).await.unwrap());
    let other = account(&github, "bob", None, 3);
    assert!(matches!(a.finish_refresh(id, "a", Some(&other)).await, Err(StoreError::Database { .. })));
    a.finish_refresh(id, "a", None).await.unwrap();

    // A race of 16 holders over both "processes": exactly one wins.
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let store = if i % 2 == 0 { Arc::clone(&a) } else { Arc::clone(&b) };
            let id = id.clone();
            tokio::spawn(async move { store.try_lock_refresh(&id, &format!("holder-{i}"), long).await.unwrap() })
        })
        .collect();
    let mut winners = 0;
    for task in tasks {
        winners += usize::from(task.await.unwrap());
    }
    assert_eq!(winners, 1);
    // Deleting the account drops its lease.
    assert!(a.delete_account(id).await.unwrap());
    assert!(matches!(b.try_lock_refresh(id, "b", long).await, Err(StoreError::Missing(_))));
}

/// A hundred concurrent reads (with a write every tenth) all return the right account.
pub async fn a_hundred_concurrent_reads_succeed(backend: &impl Backend) {
    let store = Arc::new(backend.open(KeyRing::generate().unwrap()).await.unwrap());
    let github = config("github", 1, None);
    store.put_auth_config(&github).await.unwrap();
    let accounts: Vec<_> = (0..10).map(|i| account(&github, &format!("user-{i}"), None, 10 + i)).collect();
    for a in &accounts {
        store.put_account(a).await.unwrap();
    }
    let mut tasks = Vec::new();
    for i in 0..100 {
        let (store, want) = (Arc::clone(&store), accounts[i % accounts.len()].clone());
        tasks.push(tokio::spawn(async move {
            if i % 10 == 0 {
                store.put_log(&log_entry("ada", "GITHUB_GET_REPO", i as u64)).await.unwrap();
            }
            let got = store.account(&want.id).await.unwrap().unwrap();
            assert_same_account(&got, &want);
            got.credentials.secret("api_key").map(str::to_owned)
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap().as_deref(), Some(API_KEY));
    }
    assert_eq!(store.logs(&LogFilter { limit: 100, ..Default::default() }).await.unwrap().len(), 10);
}

/// No `Debug` output of records, credentials, the store or its ring holds a secret; the
/// store's names its current key.
pub async fn debug_output_holds_no_secret(backend: &impl Backend) {
    let ring = KeyRing::generate().unwrap();
    let store = backend.open(ring.clone()).await.unwrap();
    let (github, ada) = github_and_ada(&store).await;
    let read_back = store.account(&ada.id).await.unwrap().unwrap();
    let outputs = [
        format!("{github:?}"),
        format!("{:?}", store.auth_config(&github.id).await.unwrap()),
        format!("{ada:?}"),
        format!("{read_back:?}"),
        format!("{:?}", read_back.credentials),
        format!("{store:?}"),
        format!("{ring:?}"),
    ];
    for output in &outputs {
        for secret in ALL_SECRETS {
            assert!(!output.contains(secret), "{output}");
        }
    }
    assert!(outputs[3].contains(ada.id.as_str()) && outputs[3].contains("acme-marker"), "{}", outputs[3]);
    assert!(outputs[5].contains(ring.current().as_str()), "{}", outputs[5]);
}
