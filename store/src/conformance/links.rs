//! The checks of [`ConnectLinks`] and of
//! [`ConnectedAccounts::account_changes`](crate::ConnectedAccounts::account_changes).

use std::sync::Arc;
use std::time::Duration;

use toolsmith_core::ConnectedAccountId;

use super::backend::Backend;
use super::fixtures::{account, at, config, github_and_ada, link, session, ALL_SECRETS};
use crate::prelude::*;
use crate::{ConnectLink, KeyRing, StoreError};

/// A link round-trips, used or not; it needs its account ([`StoreError::Missing`]) and a
/// token hash of its own ([`StoreError::Conflict`]); an account's links are listed newest
/// first.
pub async fn connect_links_round_trip_and_need_their_account(backend: &impl Backend) {
    let store = backend.open(KeyRing::generate().unwrap()).await.unwrap();
    let (github, ada) = github_and_ada(&store).await;
    let bob = account(&github, "bob", None, 3);
    store.put_account(&bob).await.unwrap();
    let owner = session("ada", 5);
    store.put_session(&owner).await.unwrap();

    let (_, mut first) = link(&ada, 10_000, 20_000);
    first.session = Some(owner.id.clone());
    let (_, mut used) = link(&ada, 12_000, 20_000);
    used.callback_url = None;
    used.used_at = Some(at(12_500));
    let (_, newest) = link(&ada, 14_000, 20_000);
    let (_, bobs) = link(&bob, 13_000, 20_000);
    for l in [&used, &first, &bobs, &newest] {
        store.put_link(l).await.unwrap();
    }
    for l in [&first, &used, &newest, &bobs] {
        assert_eq!(store.link(&l.token_hash).await.unwrap().as_ref(), Some(l));
    }
    assert!(store.link(&crate::LinkToken::generate().hash()).await.unwrap().is_none());
    let hashes = |links: Vec<ConnectLink>| links.into_iter().map(|l| l.token_hash).collect::<Vec<_>>();
    assert_eq!(
        hashes(store.links_of(&ada.id).await.unwrap()),
        [newest.token_hash.clone(), used.token_hash.clone(), first.token_hash.clone()]
    );
    assert_eq!(hashes(store.links_of(&bob.id).await.unwrap()), std::slice::from_ref(&bobs.token_hash));
    assert!(store.links_of(&ConnectedAccountId::generate()).await.unwrap().is_empty());

    // Links outlive their session.
    assert!(store.delete_session(&owner.id).await.unwrap());
    assert_eq!(store.link(&first.token_hash).await.unwrap().as_ref(), Some(&first));

    // An unknown account: nothing is stored.
    let stranger = account(&github, "carol", None, 4);
    let (_, orphan) = link(&stranger, 10_000, 20_000);
    let err = store.put_link(&orphan).await.unwrap_err();
    assert!(matches!(&err, StoreError::Missing(what) if what.contains(stranger.id.as_str())), "{err}");
    assert!(store.link(&orphan.token_hash).await.unwrap().is_none());

    // A token hash is written once; the first link stays.
    let mut clash = newest.clone();
    clash.account = bob.id.clone();
    let err = store.put_link(&clash).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }) && !err.is_retryable(), "{err:?}");
    assert!(err.to_string().contains("generate a new token"), "{err}");
    assert_eq!(store.link(&newest.token_hash).await.unwrap().as_ref(), Some(&newest));
}

/// A link is consumed once, before its expiry: `Some` (marked used at `now`), then `None`;
/// an expired, used or unknown link gives `None`.
pub async fn a_link_is_consumed_once_before_it_expires(backend: &impl Backend) {
    let store = backend.open(KeyRing::generate().unwrap()).await.unwrap();
    let (_, ada) = github_and_ada(&store).await;
    let (token, fresh) = link(&ada, 10_000, 20_000);
    let (_, expired) = link(&ada, 10_000, 15_000);
    for l in [&fresh, &expired] {
        store.put_link(l).await.unwrap();
    }

    let consumed = store.consume_link(&token.hash(), at(14_000)).await.unwrap();
    assert_eq!(consumed, Some(ConnectLink { used_at: Some(at(14_000)), ..fresh.clone() }));
    assert_eq!(store.consume_link(&fresh.token_hash, at(14_001)).await.unwrap(), None, "used once");
    assert_eq!(store.link(&fresh.token_hash).await.unwrap().unwrap().used_at, Some(at(14_000)));

    assert_eq!(store.consume_link(&expired.token_hash, at(15_000)).await.unwrap(), None, "expired at 15 s");
    assert_eq!(store.consume_link(&expired.token_hash, at(16_000)).await.unwrap(), None);
    assert_eq!(store.link(&expired.token_hash).await.unwrap().as_ref(), Some(&expired), "left unused");
    assert_eq!(store.consume_link(&crate::LinkToken::generate().hash(), at(1)).await.unwrap(), None);
}

/// Sixteen concurrent consumers of one link, over two handles ("processes"): exactly one
/// gets it.
pub async fn of_concurrent_consumers_one_wins(backend: &impl Backend) {
    let ring = KeyRing::generate().unwrap();
    let a = Arc::new(backend.open(ring.clone()).await.unwrap());
    let b = Arc::new(backend.open(ring).await.unwrap());
    let (_, ada) = github_and_ada(&*a).await;
    let (_, contested) = link(&ada, 10_000, 20_000);
    a.put_link(&contested).await.unwrap();
    let tasks: Vec<_> = (0..16u64)
        .map(|i| {
            let store = if i % 2 == 0 { Arc::clone(&a) } else { Arc::clone(&b) };
            let hash = contested.token_hash.clone();
            tokio::spawn(async move { store.consume_link(&hash, at(11_000 + i)).await.unwrap() })
        })
        .collect();
    let mut winners = Vec::new();
    for task in tasks {
        winners.extend(task.await.unwrap());
    }
    assert_eq!(winners.len(), 1, "{winners:?}");
    assert_eq!(b.link(&contested.token_hash).await.unwrap().unwrap().used_at, winners[0].used_at);
}

/// Deleting an account deletes its links, and only its.
pub async fn deleting_an_account_deletes_its_links(backend: &impl Backend) {
    let store = backend.open(KeyRing::generate().unwrap()).await.unwrap();
    let (github, ada) = github_and_ada(&store).await;
    let bob = account(&github, "bob", None, 3);
    store.put_account(&bob).await.unwrap();
    let (_, adas) = link(&ada, 10_000, 20_000);
    let (_, bobs) = link(&bob, 10_000, 20_000);
    for l in [&adas, &bobs] {
        store.put_link(l).await.unwrap();
    }
    // Replacing the account keeps its links.
    store.put_account(&ada).await.unwrap();
    assert_eq!(store.links_of(&ada.id).await.unwrap(), std::slice::from_ref(&adas));

    assert!(store.delete_account(&ada.id).await.unwrap());
    assert!(store.link(&adas.token_hash).await.unwrap().is_none());
    assert!(store.links_of(&ada.id).await.unwrap().is_empty());
    assert_eq!(store.consume_link(&adas.token_hash, at(11_000)).await.unwrap(), None);
    assert_eq!(store.link(&bobs.token_hash).await.unwrap().as_ref(), Some(&bobs));
}

/// A link's token (the secret) is in no error message and no `Debug` output; nor is its
/// hash in an error message (messages name the account).
pub async fn link_tokens_stay_out_of_messages_and_debug(backend: &impl Backend) {
    let store = backend.open(KeyRing::generate().unwrap()).await.unwrap();
    let (github, ada) = github_and_ada(&store).await;
    let (token, made) = link(&ada, 10_000, 20_000);
    store.put_link(&made).await.unwrap();
    let stranger = account(&github, "carol", None, 4);
    let missing = store.put_link(&ConnectLink { account: stranger.id.clone(), ..made.clone() }).await.unwrap_err();
    let conflict = store.put_link(&made).await.unwrap_err();
    let stored = store.link(&token.hash()).await.unwrap();
    let consumed = store.consume_link(&token.hash(), at(11_000)).await.unwrap();
    let outputs = [
        format!("{token:?}"),
        format!("{made:?}"),
        format!("{stored:?}"),
        format!("{consumed:?}"),
        format!("{:?}", store.links_of(&ada.id).await.unwrap()),
        format!("{store:?}"),
        missing.to_string(),
        format!("{missing:?}"),
        conflict.to_string(),
        format!("{conflict:?}"),
    ];
    for output in &outputs {
        assert!(!output.contains(token.expose()), "the token is in {output}");
        for secret in ALL_SECRETS {
            assert!(!output.contains(secret), "{output}");
        }
    }
    for message in [missing.to_string(), conflict.to_string()] {
        assert!(!message.contains(&made.token_hash), "the token hash is in {message}");
    }
    assert!(conflict.to_string().contains(ada.id.as_str()), "{conflict}");
}

/// [`ConnectedAccounts::account_changes`] grows after a put, a delete and a refresh that
/// writes the account, and wakes a waiting task.
pub async fn account_changes_count_writes_to_accounts(backend: &impl Backend) {
    let store = Arc::new(backend.open(KeyRing::generate().unwrap()).await.unwrap());
    let github = config("github", 1, None);
    store.put_auth_config(&github).await.unwrap();
    let mut changes = store.account_changes();
    let mut last = *changes.borrow_and_update();

    let waiter = {
        let mut changes = store.account_changes();
        tokio::spawn(async move { tokio::time::timeout(Duration::from_secs(10), changes.changed()).await })
    };
    let ada = account(&github, "ada", None, 2);
    store.put_account(&ada).await.unwrap();
    assert!(matches!(waiter.await.unwrap(), Ok(Ok(()))), "a waiting task wakes after a put");
    let mut grew = |what: &str| {
        assert!(changes.has_changed().unwrap(), "no change seen after {what}");
        let now = *changes.borrow_and_update();
        assert!(now > last, "{now} after {what}, {last} before");
        last = now;
    };
    grew("put_account");

    store.put_account(&ada).await.unwrap();
    grew("put_account of the same account");
    assert!(store.try_lock_refresh(&ada.id, "me", Duration::from_secs(60)).await.unwrap());
    store.finish_refresh(&ada.id, "me", Some(&ada)).await.unwrap();
    grew("finish_refresh with the account");
    assert!(store.delete_account(&ada.id).await.unwrap());
    grew("delete_account");
}
