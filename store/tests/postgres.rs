//! What only the PostgreSQL backend can show: a dump of the database holds no secret,
//! account writes reach the other servers, projects share one database without seeing
//! each other's records, servers starting together migrate once, a newer database is
//! refused, and one server at a time holds a refresh lease. Each test has a new database
//! of the test process's own server ([`PgCluster`]); each `PgStore::connect` is a pool
//! of its own, as another server's would be.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use toolsmith_store::conformance::fixtures::{
    account, at, config, github_and_ada, log_entry, PgCluster, ALL_SECRETS, CLIENT_SECRET,
};
use toolsmith_store::conformance::{subscription, trigger_instance, SUBSCRIPTION_SECRET, WEBHOOK_SECRET};
use toolsmith_store::prelude::*;
use toolsmith_store::{KeyRing, LogFilter, PgStore, StoreError, TriggerEventType};

/// The newest `pg_dump` of Debian's `postgresql` packages.
fn pg_dump() -> PathBuf {
    let mut bins: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is installed under /usr/lib/postgresql (apt-get install postgresql)")
        .map(|entry| entry.unwrap().path().join("bin"))
        .filter(|bin| bin.join("pg_dump").is_file())
        .collect();
    bins.sort_by_key(|bin| {
        let version = bin.parent().unwrap().file_name().unwrap().to_string_lossy().into_owned();
        version.split('.').map(|part| part.parse::<u32>().unwrap_or(0)).collect::<Vec<_>>()
    });
    bins.pop().expect("a pg_dump under /usr/lib/postgresql/*/bin").join("pg_dump")
}

/// Every secret of the fixtures, written in two projects (config, account, a refresh that
/// wrote new tokens, logs, a trigger instance, a webhook subscription): none is in the output of the cluster's own `pg_dump`.
#[tokio::test]
async fn a_database_dump_holds_no_secret() {
    let url = PgCluster::shared().database().await;
    let main = PgStore::connect(&url, KeyRing::generate().unwrap()).await.unwrap();
    let acme = main.for_project(&main.ensure_project("acme").await.unwrap());
    let mut ids = Vec::new();
    for store in [&main, &acme] {
        let (github, ada) = github_and_ada(store).await;
        assert!(store.try_lock_refresh(&ada.id, "node-1", Duration::from_secs(60)).await.unwrap());
        let mut refreshed = ada.clone();
        refreshed.updated_at = at(10);
        store.finish_refresh(&ada.id, "node-1", Some(&refreshed)).await.unwrap();
        store.put_logs(&[log_entry("ada", "GITHUB_STAR", 3), log_entry("ada", "GITHUB_STAR", 4)]).await.unwrap();
        ids.extend([github.id.to_string(), ada.id.to_string()]);
    }
    // The other sealed columns: a trigger instance's secrets, a subscription's secret.
    for store in [&main, &acme] {
        let (_, ada) = github_and_ada(store).await;
        let instance = trigger_instance(&ada, "GITHUB_ISSUES_EVENT", serde_json::json!({"repo": "r"}), 20);
        store.upsert_trigger_instance(&instance).await.unwrap();
        let hooks = subscription(&[TriggerEventType::Message], 21);
        store.create_webhook_subscription(&hooks).await.unwrap();
        ids.extend([instance.id.to_string(), hooks.id.to_string()]);
    }

    let out = Command::new(pg_dump()).arg("--no-owner").arg("--dbname").arg(&url).output().unwrap();
    assert!(out.status.success(), "pg_dump failed: {}", String::from_utf8_lossy(&out.stderr));
    let dump = String::from_utf8(out.stdout).unwrap();
    for id in &ids {
        assert!(dump.contains(id.as_str()), "the dump has the rows ({id})");
    }
    assert!(dump.contains("acme-marker"), "the dump has the non-secret fields");
    for secret in ALL_SECRETS.into_iter().chain([WEBHOOK_SECRET, SUBSCRIPTION_SECRET]) {
        assert!(!dump.contains(secret), "the dump holds a secret");
    }
}

/// A write to accounts on server A moves the `account_changes` of server B (through
/// `NOTIFY`), for a save and a delete.
#[tokio::test]
async fn account_changes_cross_servers() {
    let url = PgCluster::shared().database().await;
    let keys = KeyRing::generate().unwrap();
    let a = PgStore::connect(&url, keys.clone()).await.unwrap();
    let b = PgStore::connect(&url, keys).await.unwrap();
    let mut changes = b.account_changes();
    let within = Duration::from_secs(10);

    // B's listener moves once when it starts listening; after the first move, whatever
    // its cause, B is listening.
    let (github, ada) = github_and_ada(&a).await;
    tokio::time::timeout(within, changes.changed()).await.expect("B's listener starts").unwrap();
    changes.borrow_and_update();

    let mut renamed = ada.clone();
    renamed.alias = Some("work".to_owned());
    a.put_account(&renamed).await.unwrap();
    tokio::time::timeout(within, changes.changed()).await.expect("a save on A reaches B").unwrap();
    changes.borrow_and_update();

    assert!(a.delete_account(&ada.id).await.unwrap());
    tokio::time::timeout(within, changes.changed()).await.expect("a delete on A reaches B").unwrap();
    assert!(b.account(&ada.id).await.unwrap().is_none());
    assert!(b.delete_auth_config(&github.id).await.unwrap());
}

/// Two projects' handles on one database see only their own auth configs, accounts and
/// logs, and the main handle (the default project) neither's; an id of one project is
/// not found, deleted, leased or overwritten through the other.
#[tokio::test]
async fn projects_are_isolated() {
    let url = PgCluster::shared().database().await;
    let main = PgStore::connect(&url, KeyRing::generate().unwrap()).await.unwrap();
    let acme = main.for_project(&main.ensure_project("acme").await.unwrap());
    let beta = main.for_project(&main.ensure_project("beta").await.unwrap());
    let (acme_config, acme_ada) = github_and_ada(&acme).await;
    let (beta_config, beta_ada) = github_and_ada(&beta).await;
    let (acme_log, beta_log) = (log_entry("ada", "GITHUB_STAR", 5), log_entry("ada", "GITHUB_STAR", 6));
    acme.put_log(&acme_log).await.unwrap();
    beta.put_log(&beta_log).await.unwrap();

    for (store, config, ada, log) in
        [(&acme, &acme_config, &acme_ada, &acme_log), (&beta, &beta_config, &beta_ada, &beta_log)]
    {
        let configs: Vec<_> = store.auth_configs(None).await.unwrap().into_iter().map(|c| c.id).collect();
        assert_eq!(configs, std::slice::from_ref(&config.id));
        let accounts: Vec<_> = store.accounts(&Default::default()).await.unwrap().into_iter().map(|a| a.id).collect();
        assert_eq!(accounts, std::slice::from_ref(&ada.id));
        let logs: Vec<_> = store.logs(&LogFilter::default()).await.unwrap().into_iter().map(|l| l.id).collect();
        assert_eq!(logs, std::slice::from_ref(&log.id));
    }
    assert!(main.auth_configs(None).await.unwrap().is_empty());
    assert!(main.accounts(&Default::default()).await.unwrap().is_empty());
    assert!(main.logs(&LogFilter::default()).await.unwrap().is_empty());

    // Through the other project, ids are not there.
    assert!(beta.auth_config(&acme_config.id).await.unwrap().is_none());
    assert!(beta.account(&acme_ada.id).await.unwrap().is_none());
    assert!(beta.log(&acme_log.id).await.unwrap().is_none());
    assert!(!beta.delete_auth_config(&acme_config.id).await.unwrap());
    assert!(!beta.delete_account(&acme_ada.id).await.unwrap());
    let lease = beta.try_lock_refresh(&acme_ada.id, "node-1", Duration::from_secs(60)).await;
    assert!(matches!(lease, Err(StoreError::Missing(_))), "{lease:?}");
    // An account of beta cannot use acme's auth config.
    let err = beta.put_account(&account(&acme_config, "bob", None, 7)).await.unwrap_err();
    assert!(matches!(err, StoreError::Missing(_)), "{err}");
    // Writing beta's config or account with acme's id is refused, and acme's stay.
    let mut taken = config("github", 8, None);
    taken.id = acme_config.id.clone();
    let err = beta.put_auth_config(&taken).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }) && err.to_string().contains("another project"), "{err}");
    let mut stolen = account(&beta_config, "eve", None, 9);
    stolen.id = acme_ada.id.clone();
    let err = beta.put_account(&stolen).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }) && err.to_string().contains("another project"), "{err}");
    let kept = acme.auth_config(&acme_config.id).await.unwrap().unwrap();
    assert_eq!(
        kept.client_secret.map(|s| secrecy::ExposeSecret::expose_secret(&s).to_owned()).as_deref(),
        Some(CLIENT_SECRET)
    );
    assert_eq!(acme.account(&acme_ada.id).await.unwrap().unwrap().user_id.as_str(), "ada");
}

/// Eight servers starting together on a new database all connect, and the schema is
/// applied once; migrating again applies nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn migrations_run_once_under_concurrent_starters() {
    let url = PgCluster::shared().database().await;
    let keys = KeyRing::generate().unwrap();
    let starters: Vec<_> = (0..8)
        .map(|_| {
            let (url, keys) = (url.clone(), keys.clone());
            tokio::spawn(async move { PgStore::connect(&url, keys).await })
        })
        .collect();
    for starter in starters {
        starter.await.unwrap().unwrap();
    }
    let status = PgStore::schema_status(&url).await.unwrap();
    let versions: Vec<u32> = status.applied.iter().map(|(version, _, _)| *version).collect();
    assert_eq!(versions, [1]);
    assert_eq!(status.current(), PgStore::SCHEMA_VERSION);
    assert!(PgStore::migrate(&url).await.unwrap().is_empty());
    assert_eq!(PgStore::schema_status(&url).await.unwrap().applied.len(), 1);
}

/// A database a newer toolsmith migrated (schema version 99) is refused, by connecting
/// and by migrating, with a message that says to upgrade.
#[tokio::test]
async fn a_newer_database_is_refused() {
    let url = PgCluster::shared().database().await;
    assert_eq!(PgStore::migrate(&url).await.unwrap(), [1]);
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    sqlx::query("INSERT INTO toolsmith_schema (version, description, applied_at) VALUES (99, 'from the future', 0)")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;

    let err = PgStore::connect(&url, KeyRing::generate().unwrap()).await.unwrap_err();
    let message = err.to_string();
    assert!(message.contains("99") && message.contains("upgrade toolsmith"), "{message}");
    assert!(!message.contains("password"), "{message}");
    let err = PgStore::migrate(&url).await.unwrap_err();
    assert!(err.to_string().contains("upgrade toolsmith"), "{err}");
}

/// Sixteen holders on two servers race for one account's refresh lease: exactly one
/// wins; a loser cannot finish it, the winner can.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_server_at_a_time_holds_the_refresh_lease() {
    let url = PgCluster::shared().database().await;
    let keys = KeyRing::generate().unwrap();
    let a = Arc::new(PgStore::connect(&url, keys.clone()).await.unwrap());
    let b = Arc::new(PgStore::connect(&url, keys).await.unwrap());
    let (_, ada) = github_and_ada(&*a).await;
    let racers: Vec<_> = (0..16)
        .map(|i| {
            let store = Arc::clone(if i % 2 == 0 { &a } else { &b });
            let id = ada.id.clone();
            tokio::spawn(async move {
                let holder = format!("node-{i}");
                store.try_lock_refresh(&id, &holder, Duration::from_secs(60)).await.unwrap().then_some(holder)
            })
        })
        .collect();
    let mut winners = Vec::new();
    for racer in racers {
        winners.extend(racer.await.unwrap());
    }
    assert_eq!(winners.len(), 1, "{winners:?}");
    let winner = &winners[0];
    let loser = if winner == "node-0" { "node-1" } else { "node-0" };
    let mut refreshed = ada.clone();
    refreshed.credentials.oauth2.as_mut().unwrap().access_token = SecretString::from("new-token");
    assert!(matches!(b.finish_refresh(&ada.id, loser, Some(&refreshed)).await, Err(StoreError::LockLost(_))));
    a.finish_refresh(&ada.id, winner, Some(&refreshed)).await.unwrap();
    assert!(b.try_lock_refresh(&ada.id, loser, Duration::from_secs(60)).await.unwrap(), "released");
}

/// A batch of logs is one statement: a batch with a repeated id writes none of its
/// entries.
#[tokio::test]
async fn a_log_batch_is_written_whole_or_not_at_all() {
    let url = PgCluster::shared().database().await;
    let store = PgStore::connect(&url, KeyRing::generate().unwrap()).await.unwrap();
    let (first, second) = (log_entry("ada", "GITHUB_STAR", 1), log_entry("ada", "GITHUB_STAR", 2));
    let err = store.put_logs(&[first.clone(), second.clone(), first.clone()]).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { .. }), "{err}");
    assert!(store.logs(&LogFilter::default()).await.unwrap().is_empty());
    store.put_logs(&[first.clone(), second.clone()]).await.unwrap();
    let ids: Vec<_> = store.logs(&LogFilter::default()).await.unwrap().into_iter().map(|l| l.id).collect();
    assert_eq!(ids, [second.id, first.id]);
}
