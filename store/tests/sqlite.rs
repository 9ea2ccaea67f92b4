//! What only the SQLite backend can show: the bytes and modes of its files, migrations
//! under concurrent openers. The behaviour every backend shares is checked by the
//! conformance suite (`tests/conformance.rs`).

// An integration test crate: its helpers may unwrap too (a panic fails the test).
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use secrecy::ExposeSecret;
use toolsmith_core::TriggerInstanceId;
use toolsmith_store::conformance::fixtures::{
    account, assert_same_account, assert_same_config, at, config, fact, github_and_ada, link, log_entry, session,
    TempDir, ALL_SECRETS, CLIENT_SECRET,
};
use toolsmith_store::conformance::{
    subscription, trigger_event, trigger_instance, SUBSCRIPTION_SECRET, WEBHOOK_SECRET,
};
use toolsmith_store::prelude::*;
use toolsmith_store::{
    DeliveryFilter, DeliveryStatus, KeyError, KeyRing, LogFilter, SqliteStore, StoreError, TriggerEventType,
};

fn db(dir: &TempDir) -> PathBuf {
    dir.path().join("toolsmith.db")
}

/// The bytes of the database file and of its WAL and shared-memory files.
fn file_bytes(db: &Path) -> Vec<(String, Vec<u8>)> {
    ["", "-wal", "-shm"]
        .iter()
        .filter_map(|suffix| {
            let path = PathBuf::from(format!("{}{suffix}", db.display()));
            std::fs::read(&path).ok().map(|bytes| (path.display().to_string(), bytes))
        })
        .collect()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// Drops the tables of schema version 5 (the trigger outbox), oldest dependents first:
/// with the tables of earlier versions, turns a file back into an older version's.
/// Undoes migration 6 (poll claims, MCP sessions).
const DROP_6: &str = "DROP TABLE mcp_sessions; ALTER TABLE trigger_instances DROP COLUMN poll_holder; \
                      ALTER TABLE trigger_instances DROP COLUMN poll_until;";
/// Undoes migration 5 (the outbox).
const DROP_OUTBOX: &str = "DROP TABLE trigger_delivery_attempts; DROP TABLE trigger_deliveries; \
                           DROP TABLE webhook_subscriptions; DROP TABLE trigger_events;";

fn user_version(db: &Path) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap()
}

#[tokio::test]
async fn no_secret_plaintext_reaches_the_files() {
    let dir = TempDir::new("plaintext");
    let store = SqliteStore::open(db(&dir), KeyRing::generate().unwrap()).unwrap();
    let github = config("github", 1, Some(CLIENT_SECRET));
    store.put_auth_config(&github).await.unwrap();
    for i in 0..20 {
        store.put_account(&account(&github, &format!("user-{i}"), Some("alias-marker"), 10 + i)).await.unwrap();
    }
    let watched = account(&github, "watched", None, 40);
    store.put_account(&watched).await.unwrap();
    let instance = trigger_instance(&watched, "GITHUB_ISSUES_EVENT", serde_json::json!({"repo": "r"}), 50);
    store.upsert_trigger_instance(&instance).await.unwrap();
    let check = |when: &str| {
        let files = file_bytes(&db(&dir));
        assert!(!files.is_empty());
        for (path, bytes) in &files {
            for secret in ALL_SECRETS.into_iter().chain([WEBHOOK_SECRET]) {
                assert!(!contains(bytes, secret), "{when}: {path} holds {secret}");
            }
        }
        // The search itself works: non-secret values are there in clear.
        assert!(files.iter().any(|(_, b)| contains(b, "alias-marker") && contains(b, "acme-marker")), "{when}");
    };
    check("before the checkpoint (pages in the WAL)");
    store.checkpoint().await.unwrap();
    assert_eq!(std::fs::metadata(format!("{}-wal", db(&dir).display())).unwrap().len(), 0);
    check("after the checkpoint");
}

#[cfg(unix)]
#[tokio::test]
async fn key_files_and_database_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("modes");
    let home = dir.path().join("home");
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;

    let ring = KeyRing::from_key_file(&home).unwrap();
    let key_file = KeyRing::key_file(&home);
    assert_eq!(mode(&key_file), 0o600);
    assert_eq!(mode(&home), 0o700);
    assert_eq!(KeyRing::from_key_file(&home).unwrap().current(), ring.current(), "the file is reused");

    let db = home.join("toolsmith.db");
    let store = SqliteStore::open(&db, ring.clone()).unwrap();
    store.put_auth_config(&config("github", 1, Some(CLIENT_SECRET))).await.unwrap();
    assert_eq!(mode(&db), 0o600);
    assert_eq!(mode(Path::new(&format!("{}-wal", db.display()))), 0o600);

    for loose in [0o644, 0o640, 0o604, 0o660] {
        std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(loose)).unwrap();
        let err = KeyRing::from_key_file(&home).unwrap_err();
        assert!(matches!(err, KeyError::Permissions { .. }), "{err}");
        assert!(err.to_string().contains(&format!("chmod 600 {}", key_file.display())), "{err}");
        let err = KeyRing::rotate_file(&home).unwrap_err();
        assert!(matches!(err, KeyError::Permissions { .. }), "{err}");
    }
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert_eq!(KeyRing::from_key_file(&home).unwrap().current(), ring.current());
    let rotated = KeyRing::rotate_file(&home).unwrap();
    assert_eq!(mode(&key_file), 0o600, "rotation keeps the file private");
    assert_eq!(rotated.ids().nth(1), Some(ring.current()));
    let leftovers: Vec<_> = std::fs::read_dir(&home).unwrap().filter_map(|e| e.ok()).map(|e| e.file_name()).collect();
    assert!(leftovers.iter().all(|n| !n.to_string_lossy().ends_with(".tmp")), "{leftovers:?}");
}

/// The file side of the conformance check `rotation_reencrypts_every_sealed_value`: after
/// re-encryption and with the old key dropped, no value sealed with it is left on disk.
#[tokio::test]
async fn rotation_leaves_no_value_sealed_with_the_old_key_in_the_files() {
    let dir = TempDir::new("rotation");
    let home = dir.path().join("home");
    let ring1 = KeyRing::from_key_file(&home).unwrap();
    let key1 = ring1.current().clone();
    let store1 = SqliteStore::open(db(&dir), ring1).unwrap();
    let github = config("github", 1, Some(CLIENT_SECRET));
    store1.put_auth_config(&github).await.unwrap();
    for (i, user) in ["ada", "bob"].into_iter().enumerate() {
        store1.put_account(&account(&github, user, None, 3 + i as u64)).await.unwrap();
    }
    store1.checkpoint().await.unwrap();
    let key1_marker = format!("v1:{key1}:");
    assert!(contains(&std::fs::read(db(&dir)).unwrap(), &key1_marker));

    let ring2 = KeyRing::rotate_file(&home).unwrap();
    let key2 = ring2.current().clone();
    let store2 = SqliteStore::open(db(&dir), ring2).unwrap();
    assert_eq!(store2.reencrypt().await.unwrap(), 3);
    drop((store1, store2));
    let store = SqliteStore::open(db(&dir), KeyRing::from_key_file(&home).unwrap()).unwrap();
    store.checkpoint().await.unwrap();
    for (path, bytes) in file_bytes(&db(&dir)) {
        assert!(!contains(&bytes, &key1_marker), "{path} still holds a value sealed with key 1");
        assert!(contains(&bytes, &format!("v1:{key2}:")) || !path.ends_with(".db"), "{path}");
    }
}

#[tokio::test]
async fn migrations_run_once_and_newer_schemas_are_refused() {
    let dir = TempDir::new("migrations");
    let ring = KeyRing::generate().unwrap();
    // Several "processes" opening a new file at once migrate it once (and none is
    // refused as busy while another switches the new file to WAL).
    let start = Arc::new(std::sync::Barrier::new(4));
    let openers: Vec<_> = (0..4)
        .map(|_| {
            let (db, ring, start) = (db(&dir), ring.clone(), Arc::clone(&start));
            std::thread::spawn(move || {
                start.wait();
                SqliteStore::open(db, ring).map(drop)
            })
        })
        .collect();
    for opener in openers {
        opener.join().unwrap().unwrap();
    }
    assert_eq!(user_version(&db(&dir)), i64::from(SqliteStore::SCHEMA_VERSION));

    let store = SqliteStore::open(db(&dir), ring.clone()).unwrap();
    let github = config("github", 1, Some(CLIENT_SECRET));
    store.put_auth_config(&github).await.unwrap();
    drop(store);
    let reopened = SqliteStore::open(db(&dir), ring.clone()).unwrap();
    assert_same_config(&reopened.auth_config(&github.id).await.unwrap().unwrap(), &github);
    assert_eq!(user_version(&db(&dir)), i64::from(SqliteStore::SCHEMA_VERSION));
    drop(reopened);

    let conn = rusqlite::Connection::open(db(&dir)).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let err = SqliteStore::open(db(&dir), ring).unwrap_err();
    assert!(err.to_string().contains("schema version 99, newer than this toolsmith knows"), "{err}");
    assert!(err.to_string().contains("upgrade toolsmith"), "{err}");
}

/// A session, its memory and a Connect Link survive closing and reopening the file.
#[tokio::test]
async fn sessions_and_links_survive_reopening_the_file() {
    let dir = TempDir::new("reopen-sessions");
    let ring = KeyRing::generate().unwrap();
    let store = SqliteStore::open(db(&dir), ring.clone()).unwrap();
    let (_, ada) = github_and_ada(&store).await;
    let kept = session("ada", 1_000);
    store.put_session(&kept).await.unwrap();
    let facts =
        [fact("channel_id", "C0123", "SLACK_LIST_CHANNELS", 3_000), fact("repo", "a/b", "GITHUB_GET_REPO", 2_000)];
    store.remember(&kept.id, &facts).await.unwrap();
    let (token, made) = link(&ada, 10_000, 20_000);
    store.put_link(&made).await.unwrap();
    drop(store);

    let reopened = SqliteStore::open(db(&dir), ring).unwrap();
    assert_eq!(reopened.session(&kept.id).await.unwrap().as_ref(), Some(&kept));
    assert_eq!(reopened.memory(&kept.id).await.unwrap(), facts);
    assert_eq!(reopened.link(&token.hash()).await.unwrap().as_ref(), Some(&made));
    assert!(reopened.consume_link(&token.hash(), at(11_000)).await.unwrap().is_some());
    assert!(reopened.consume_link(&token.hash(), at(11_001)).await.unwrap().is_none());
}

/// A file of schema version 1 (before sessions and Connect Links) is migrated on open:
/// its records stay and the new tables work.
#[tokio::test]
async fn a_version_1_file_gains_sessions_and_links() {
    let dir = TempDir::new("migrate-2");
    let ring = KeyRing::generate().unwrap();
    let store = SqliteStore::open(db(&dir), ring.clone()).unwrap();
    let (_, ada) = github_and_ada(&store).await;
    drop(store);
    let conn = rusqlite::Connection::open(db(&dir)).unwrap();
    conn.execute_batch(&format!(
        "DROP TABLE mcp_sessions; {DROP_OUTBOX} DROP TABLE session_memory; DROP TABLE sessions; DROP TABLE connect_links; \
         DROP TABLE api_keys; DROP TABLE projects; DROP TABLE trigger_instances; PRAGMA user_version = 1"
    ))
    .unwrap();
    drop(conn);

    let store = SqliteStore::open(db(&dir), ring).unwrap();
    assert_eq!(user_version(&db(&dir)), i64::from(SqliteStore::SCHEMA_VERSION));
    assert_same_account(&store.account(&ada.id).await.unwrap().unwrap(), &ada);
    let kept = session("ada", 1_000);
    store.put_session(&kept).await.unwrap();
    store.put_link(&link(&ada, 10_000, 20_000).1).await.unwrap();
    assert_eq!(store.links_of(&ada.id).await.unwrap().len(), 1);
}

/// A file of schema version 3 (before trigger instances) is migrated on open: its
/// records stay and trigger instances can be stored.
#[tokio::test]
async fn a_version_3_file_gains_trigger_instances() {
    let dir = TempDir::new("migrate-4");
    let ring = KeyRing::generate().unwrap();
    let store = SqliteStore::open(db(&dir), ring.clone()).unwrap();
    let (_, ada) = github_and_ada(&store).await;
    drop(store);
    let conn = rusqlite::Connection::open(db(&dir)).unwrap();
    conn.execute_batch(&format!(
        "DROP TABLE mcp_sessions; {DROP_OUTBOX} DROP TABLE trigger_instances; PRAGMA user_version = 3"
    ))
    .unwrap();
    drop(conn);

    let store = SqliteStore::open(db(&dir), ring).unwrap();
    assert_eq!(user_version(&db(&dir)), i64::from(SqliteStore::SCHEMA_VERSION));
    assert_same_account(&store.account(&ada.id).await.unwrap().unwrap(), &ada);
    let instance = trigger_instance(&ada, "GITHUB_PUSH", serde_json::json!({}), 10);
    store.upsert_trigger_instance(&instance).await.unwrap();
    assert!(store.trigger_instance(&instance.id).await.unwrap().is_some());
}

/// Reads do not queue behind the writer: while another process holds the write lock and
/// the store's writer waits for it (up to the 5 s busy timeout), 32 concurrent reads on
/// the store complete. The write then fails as `Busy`, which is retryable, and succeeds
/// when retried after the lock is released.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reads_do_not_wait_for_a_blocked_writer() {
    let dir = TempDir::new("readers");
    let store = Arc::new(SqliteStore::open(db(&dir), KeyRing::generate().unwrap()).unwrap());
    let (_, ada) = github_and_ada(&*store).await;

    // Another process takes the write lock and keeps it; the store's writer waits.
    let other = rusqlite::Connection::open(db(&dir)).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let entry = log_entry("ada", "GITHUB_GET_REPO", 1);
    let write = tokio::spawn({
        let (store, entry) = (Arc::clone(&store), entry.clone());
        async move { store.put_log(&entry).await }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!write.is_finished(), "the writer waits for the lock");

    let started = Instant::now();
    let reads: Vec<_> = (0..32)
        .map(|i| {
            let (store, id) = (Arc::clone(&store), ada.id.clone());
            tokio::spawn(async move {
                match i % 2 {
                    0 => store.account(&id).await.map(|found| found.is_some()),
                    _ => store.logs(&LogFilter::default()).await.map(|logs| logs.is_empty()),
                }
            })
        })
        .collect();
    for read in reads {
        let done = tokio::time::timeout(Duration::from_secs(2), read).await;
        assert!(done.expect("a read queued behind the waiting writer").unwrap().unwrap());
    }
    let elapsed = started.elapsed();
    eprintln!("32 concurrent reads while the writer waited for another process's lock: {elapsed:?}");
    assert!(!write.is_finished(), "the writer still waits: the reads went past it");

    // The writer gives up after the busy timeout: retryable, nothing written.
    let err = write.await.unwrap().unwrap_err();
    assert!(matches!(err, StoreError::Busy { .. }) && err.is_retryable(), "{err:?}");
    assert!(err.to_string().contains("try again"), "{err}");
    assert!(std::error::Error::source(&err).is_some(), "the SQLite error is kept as the source");
    assert!(store.log(&entry.id).await.unwrap().is_none());
    other.execute_batch("ROLLBACK").unwrap();
    store.put_log(&entry).await.unwrap();
    assert_eq!(store.log(&entry.id).await.unwrap(), Some(entry));
}

/// Issue 18, the outbox's durability: pending deliveries and their claims survive closing
/// and reopening the file (a restart); a claim made before the restart still holds until
/// its lease ends, then the delivery is claimed again.
#[tokio::test]
async fn pending_deliveries_and_claims_survive_reopening_the_file() {
    let dir = TempDir::new("reopen-outbox");
    let ring = KeyRing::generate().unwrap();
    let store = SqliteStore::open(db(&dir), ring.clone()).unwrap();
    let hooks = subscription(&TriggerEventType::ALL, 1);
    store.create_webhook_subscription(&hooks).await.unwrap();
    let (a, b) = (TriggerInstanceId::generate(), TriggerInstanceId::generate());
    let events: Vec<_> = [&a, &b, &a, &b, &a]
        .iter()
        .zip(10..)
        .map(|(i, ms)| trigger_event(Some(i), TriggerEventType::Message, None, ms))
        .collect();
    store.record_trigger_events(&events, None).await.unwrap();
    let lease = Duration::from_secs(60);
    let claimed = store.claim_deliveries(at(1_000), lease, 1).await.unwrap();
    assert_eq!(claimed[0].event.id, events[0].id);
    drop(store);

    let store = SqliteStore::open(db(&dir), ring).unwrap();
    let pending = DeliveryFilter { statuses: vec![DeliveryStatus::Pending], ..Default::default() };
    assert_eq!(store.deliveries(&pending).await.unwrap().len(), 5);
    let others = store.claim_deliveries(at(2_000), lease, 10).await.unwrap();
    assert_eq!(
        others.iter().map(|d| &d.event.id).collect::<Vec<_>>(),
        [&events[1].id, &events[3].id],
        "a is still claimed"
    );
    assert_eq!(others[0].subscription.secret.expose_secret(), SUBSCRIPTION_SECRET);
    let again = store.claim_deliveries(at(61_000), lease, 10).await.unwrap();
    assert_eq!(again.iter().map(|d| &d.event.id).collect::<Vec<_>>(), [&events[0].id, &events[2].id, &events[4].id]);
}

/// The subscription's signing secrets (the first and the one an update set) never reach
/// the database file or its WAL in clear; its URL does.
#[tokio::test]
async fn subscription_secrets_never_reach_the_files() {
    let dir = TempDir::new("plaintext-outbox");
    let store = SqliteStore::open(db(&dir), KeyRing::generate().unwrap()).unwrap();
    let mut hooks = subscription(&[TriggerEventType::Message], 1);
    store.create_webhook_subscription(&hooks).await.unwrap();
    let rotated = "SECRET-rotated-whs-secret-Jp2Lx";
    hooks.secret = secrecy::SecretString::from(rotated);
    store.update_webhook_subscription(&hooks).await.unwrap();
    let a = TriggerInstanceId::generate();
    store.record_trigger_events(&[trigger_event(Some(&a), TriggerEventType::Message, None, 5)], None).await.unwrap();
    store.claim_deliveries(at(10), Duration::from_secs(1), 10).await.unwrap();
    let check = |when: &str| {
        let files = file_bytes(&db(&dir));
        for (path, bytes) in &files {
            for secret in [SUBSCRIPTION_SECRET, rotated] {
                assert!(!contains(bytes, secret), "{when}: {path} holds {secret}");
            }
        }
        assert!(files.iter().any(|(_, b)| contains(b, "app.example/hooks/composio")), "{when}: the search works");
    };
    check("before the checkpoint (pages in the WAL)");
    store.checkpoint().await.unwrap();
    check("after the checkpoint");
}

/// A file of schema version 4 (before the outbox) is migrated on open: its records stay
/// and events, subscriptions and deliveries can be stored.
#[tokio::test]
async fn a_version_4_file_gains_the_outbox() {
    let dir = TempDir::new("migrate-5");
    let ring = KeyRing::generate().unwrap();
    let store = SqliteStore::open(db(&dir), ring.clone()).unwrap();
    let (_, ada) = github_and_ada(&store).await;
    drop(store);
    let conn = rusqlite::Connection::open(db(&dir)).unwrap();
    conn.execute_batch(&format!("{DROP_6} {DROP_OUTBOX} PRAGMA user_version = 4")).unwrap();
    drop(conn);

    let store = SqliteStore::open(db(&dir), ring).unwrap();
    assert_eq!(user_version(&db(&dir)), i64::from(SqliteStore::SCHEMA_VERSION));
    assert_same_account(&store.account(&ada.id).await.unwrap().unwrap(), &ada);
    store.create_webhook_subscription(&subscription(&[TriggerEventType::Message], 1)).await.unwrap();
    let recorded =
        store.record_trigger_events(&[trigger_event(None, TriggerEventType::Message, None, 2)], None).await.unwrap();
    assert_eq!(store.claim_deliveries(at(3), Duration::from_secs(1), 1).await.unwrap()[0].event, recorded[0]);
}

#[tokio::test]
async fn a_version_5_file_gains_poll_claims_and_mcp_sessions() {
    let dir = TempDir::new("migrate-6");
    let ring = KeyRing::generate().unwrap();
    let store = SqliteStore::open(db(&dir), ring.clone()).unwrap();
    let (_, ada) = github_and_ada(&store).await;
    let instance = trigger_instance(&ada, "GITHUB_ISSUES_EVENT", serde_json::json!({"owner": "o", "repo": "r"}), 10);
    let id = store.upsert_trigger_instance(&instance).await.unwrap().id;
    drop(store);
    let conn = rusqlite::Connection::open(db(&dir)).unwrap();
    conn.execute_batch(&format!("{DROP_6} PRAGMA user_version = 5")).unwrap();
    drop(conn);

    let store = SqliteStore::open(db(&dir), ring).unwrap();
    assert_eq!(user_version(&db(&dir)), i64::from(SqliteStore::SCHEMA_VERSION));
    assert!(store.trigger_instance(&id).await.unwrap().is_some(), "the instance survived the migration");
    assert!(store.claim_poll(&id, "node-a", at(1_000), at(61_000)).await.unwrap());
    assert!(!store.claim_poll(&id, "node-b", at(2_000), at(62_000)).await.unwrap());
    store.put_mcp_session("mcp-1", "{}", at(1_000)).await.unwrap();
    assert_eq!(store.mcp_session("mcp-1").await.unwrap().as_deref(), Some("{}"));
}
