//! The checks of [`TriggerInstances`]: upserts by identity, filters, enabling, deleting,
//! and sealed secrets that survive a key rotation and stay out of `Debug` output.

use std::collections::BTreeMap;
use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Map, Value};
use toolsmith_core::{TriggerInstanceId, UserId};

use super::backend::Backend;
use super::fixtures::{at, github_and_ada, TempDir};
use crate::{
    ConnectedAccount, ConnectedAccounts, KeyRing, KeyRotation, StoreError, TriggerFilter, TriggerInstance,
    TriggerInstances,
};

/// A webhook secret the checks look for in outputs.
pub const WEBHOOK_SECRET: &str = "SECRET-webhook-secret-Hx5Qa7";

/// An enabled instance of `trigger` for `account`, with a config and a webhook secret.
pub fn trigger_instance(account: &ConnectedAccount, trigger: &str, config: Value, ms: u64) -> TriggerInstance {
    let config: Map<String, Value> = serde_json::from_value(config).unwrap();
    TriggerInstance {
        id: TriggerInstanceId::generate(),
        trigger: trigger.into(),
        toolkit: account.toolkit.clone(),
        user_id: account.user_id.clone(),
        account: Some(account.id.clone()),
        auth_config: Some(account.auth_config.clone()),
        config,
        secrets: BTreeMap::from([("webhook_secret".to_owned(), SecretString::from(WEBHOOK_SECRET))]),
        enabled: true,
        state: json!({}),
        created_at: at(ms),
        updated_at: at(ms),
    }
}

fn secret(instance: &TriggerInstance) -> Option<&str> {
    instance.secrets.get("webhook_secret").map(|s| s.expose_secret())
}

/// An upsert with the same trigger, account and non-secret config (keys in any order)
/// keeps the instance's id and creation time and takes the new secret and `enabled`; a
/// different config is another instance; another identity under an existing id is
/// [`StoreError::Conflict`]; an unknown account is [`StoreError::Missing`].
pub async fn trigger_instances_upsert_by_identity(backend: &impl Backend) {
    let store = backend.open(KeyRing::generate().unwrap()).await.unwrap();
    let (_, ada) = github_and_ada(&store).await;
    let first = trigger_instance(&ada, "GITHUB_ISSUES_EVENT", json!({"owner": "o", "repo": "r"}), 10);
    let stored = store.upsert_trigger_instance(&first).await.unwrap();
    assert_eq!(stored.id, first.id);
    assert_eq!(stored.config, first.config);
    assert_eq!(secret(&stored), Some(WEBHOOK_SECRET));

    store.set_trigger_enabled(&first.id, false, at(15)).await.unwrap();
    let mut again = trigger_instance(&ada, "GITHUB_ISSUES_EVENT", json!({"repo": "r", "owner": "o"}), 20);
    again.secrets.insert("webhook_secret".into(), SecretString::from("rotated"));
    let updated = store.upsert_trigger_instance(&again).await.unwrap();
    assert_eq!(updated.id, first.id, "the same identity is the same instance");
    assert_eq!(updated.created_at, at(10));
    assert_eq!(updated.updated_at, at(20));
    assert!(updated.enabled, "an upsert enables it again");
    assert_eq!(secret(&updated), Some("rotated"));

    let other = trigger_instance(&ada, "GITHUB_ISSUES_EVENT", json!({"owner": "o", "repo": "s"}), 30);
    assert_eq!(store.upsert_trigger_instance(&other).await.unwrap().id, other.id);
    let all = store.trigger_instances(&TriggerFilter::default()).await.unwrap();
    assert_eq!(all.iter().map(|i| &i.id).collect::<Vec<_>>(), [&first.id, &other.id], "oldest first");

    // Another identity under an existing id is refused, the existing one kept.
    let mut clash = trigger_instance(&ada, "GITHUB_PUSH", json!({}), 35);
    clash.id = first.id.clone();
    let err = store.upsert_trigger_instance(&clash).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err:?}");
    assert_eq!(store.trigger_instance(&first.id).await.unwrap().unwrap().trigger.as_str(), "GITHUB_ISSUES_EVENT");

    let mut orphan = trigger_instance(&ada, "GITHUB_ISSUES_EVENT", json!({}), 40);
    orphan.account = Some("ca_nobody".parse().unwrap());
    let err = store.upsert_trigger_instance(&orphan).await.unwrap_err();
    assert!(matches!(&err, StoreError::Missing(what) if what.contains("ca_nobody")), "{err}");
}

/// Filters select by id, account, auth config, trigger and user; disabled instances are
/// left out unless asked for; enabling, disabling and deleting say whether the instance
/// existed; deleting the account deletes its instances.
pub async fn trigger_instances_filter_enable_and_delete(backend: &impl Backend) {
    let store = backend.open(KeyRing::generate().unwrap()).await.unwrap();
    let (_, ada) = github_and_ada(&store).await;
    let issues = trigger_instance(&ada, "GITHUB_ISSUES_EVENT", json!({}), 10);
    let mut push = trigger_instance(&ada, "GITHUB_PUSH", json!({}), 20);
    push.secrets.clear();
    let mut bob = trigger_instance(&ada, "GITHUB_PUSH", json!({}), 30);
    (bob.account, bob.auth_config, bob.user_id) = (None, None, UserId::new("bob"));
    for i in [&issues, &push, &bob] {
        store.upsert_trigger_instance(i).await.unwrap();
    }
    let ids = |list: Vec<TriggerInstance>| list.into_iter().map(|i| i.id).collect::<Vec<_>>();
    let list = |filter: TriggerFilter| {
        let store = &store;
        async move { ids(store.trigger_instances(&filter).await.unwrap()) }
    };
    assert_eq!(
        list(TriggerFilter { triggers: vec!["GITHUB_PUSH".into()], ..Default::default() }).await,
        [push.id.clone(), bob.id.clone()]
    );
    assert_eq!(
        list(TriggerFilter { accounts: vec![ada.id.clone()], ..Default::default() }).await,
        [issues.id.clone(), push.id.clone()]
    );
    assert_eq!(
        list(TriggerFilter { auth_configs: vec![ada.auth_config.clone()], ..Default::default() }).await.len(),
        2
    );
    assert_eq!(list(TriggerFilter { users: vec![UserId::new("bob")], ..Default::default() }).await, [bob.id.clone()]);
    assert_eq!(
        list(TriggerFilter { ids: vec![issues.id.clone()], ..Default::default() }).await,
        std::slice::from_ref(&issues.id)
    );
    assert!(store.trigger_instance(&push.id).await.unwrap().unwrap().secrets.is_empty());

    assert!(store.set_trigger_enabled(&issues.id, false, at(50)).await.unwrap());
    assert!(!store.set_trigger_enabled(&TriggerInstanceId::generate(), false, at(50)).await.unwrap());
    assert_eq!(list(TriggerFilter::default()).await, [push.id.clone(), bob.id.clone()], "disabled left out");
    let everything = TriggerFilter { include_disabled: true, ..Default::default() };
    assert_eq!(list(everything.clone()).await.len(), 3);
    let disabled = store.trigger_instance(&issues.id).await.unwrap().unwrap();
    assert!(!disabled.enabled);
    assert_eq!(disabled.updated_at, at(50));

    assert!(store.delete_trigger_instance(&bob.id).await.unwrap());
    assert!(!store.delete_trigger_instance(&bob.id).await.unwrap());
    assert!(store.trigger_instance(&bob.id).await.unwrap().is_none());
    assert!(store.delete_account(&ada.id).await.unwrap());
    assert!(list(everything).await.is_empty(), "the account's instances went with it");
}

/// Trigger secrets are sealed: re-encrypted by a rotation, read back under the new key,
/// and absent from `Debug` output.
pub async fn trigger_secrets_are_sealed_and_rotated(backend: &impl Backend) {
    let dir = TempDir::new("trigger-rotation");
    let home = dir.path().join("home");
    let store1 = backend.open(KeyRing::from_key_file(&home).unwrap()).await.unwrap();
    let (_, ada) = github_and_ada(&store1).await;
    let instance = trigger_instance(&ada, "GITHUB_ISSUES_EVENT", json!({"owner": "o"}), 10);
    store1.upsert_trigger_instance(&instance).await.unwrap();
    let stored = store1.trigger_instance(&instance.id).await.unwrap().unwrap();
    assert!(!format!("{stored:?}").contains(WEBHOOK_SECRET), "Debug shows no secret");

    let ring2 = KeyRing::rotate_file(&home).unwrap();
    let store2 = backend.open(ring2).await.unwrap();
    // The client secret, the account's credentials and the trigger's secrets.
    assert_eq!(store2.reencrypt().await.unwrap(), 3);
    let reread = store2.trigger_instance(&instance.id).await.unwrap().unwrap();
    assert_eq!(secret(&reread), Some(WEBHOOK_SECRET));
    assert_eq!(store2.sealed_keys().await.unwrap().values().sum::<usize>(), 3);
}

/// One holder at a time claims an instance's next poll: another holder is refused until
/// the claim ends, the holder may claim again, and no instance means no claim.
pub async fn one_holder_claims_each_poll(backend: &impl Backend) {
    let ring = KeyRing::generate().unwrap();
    let store = Arc::new(backend.open(ring.clone()).await.unwrap());
    let other = Arc::new(backend.open(ring).await.unwrap());
    let (_, ada) = github_and_ada(&*store).await;
    let instance = trigger_instance(&ada, "GITHUB_ISSUES_EVENT", json!({"owner": "o", "repo": "r"}), 10);
    let id = store.upsert_trigger_instance(&instance).await.unwrap().id;

    assert!(store.claim_poll(&id, "node-a", at(1_000), at(61_000)).await.unwrap(), "a free instance is claimed");
    assert!(!other.claim_poll(&id, "node-b", at(2_000), at(62_000)).await.unwrap(), "a live claim keeps others out");
    assert!(store.claim_poll(&id, "node-a", at(3_000), at(63_000)).await.unwrap(), "the holder may claim again");
    assert!(!other.claim_poll(&id, "node-b", at(62_999), at(122_999)).await.unwrap(), "the renewed claim is live");
    assert!(other.claim_poll(&id, "node-b", at(63_000), at(123_000)).await.unwrap(), "an ended claim is taken over");
    assert!(!store.claim_poll(&id, "node-a", at(64_000), at(124_000)).await.unwrap(), "the old holder lost it");

    let tasks: Vec<_> = (0..16u64)
        .map(|n| {
            let store = if n % 2 == 0 { Arc::clone(&store) } else { Arc::clone(&other) };
            let id = id.clone();
            tokio::spawn(async move { store.claim_poll(&id, &format!("racer-{n}"), at(200_000), at(260_000)).await })
        })
        .collect();
    let mut won = 0;
    for task in tasks {
        won += usize::from(task.await.unwrap().unwrap());
    }
    assert_eq!(won, 1, "of concurrent claimers exactly one wins");

    let unknown = TriggerInstanceId::generate();
    assert!(!store.claim_poll(&unknown, "node-a", at(1_000), at(61_000)).await.unwrap(), "no instance, no claim");
}
