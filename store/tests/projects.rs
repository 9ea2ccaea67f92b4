//! What only the SQLite backend can show about projects: each project's records are in
//! a file of their own ([`SqliteStore::open_project`]), the default project's in the
//! main store; the default project is created once however many callers ask at once.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use toolsmith_store::conformance::fixtures::{api_key, github_and_ada, project, session, TempDir};
use toolsmith_store::prelude::*;
use toolsmith_store::{KeyRing, SqliteStore, DEFAULT_PROJECT};

/// Two projects' stores are different files under `<home>/projects/` (a private folder);
/// what is written in one is not in the other; the default project's store is the main
/// store, where the projects and keys are.
#[tokio::test]
async fn each_project_has_a_store_of_its_own() {
    let home = TempDir::new("projects-files");
    let keys = KeyRing::generate().unwrap();
    let main = SqliteStore::open(SqliteStore::default_path(home.path()), keys.clone()).unwrap();
    let default = main.ensure_default_project().await.unwrap();
    let (acme, beta) = (main.ensure_project("acme").await.unwrap(), main.ensure_project("beta").await.unwrap());
    assert_ne!(acme.id, beta.id);

    let acme_store = SqliteStore::open_project(home.path(), &acme, keys.clone()).unwrap();
    let beta_store = SqliteStore::open_project(home.path(), &beta, keys.clone()).unwrap();
    let (acme_file, beta_file) =
        (SqliteStore::project_path(home.path(), &acme), SqliteStore::project_path(home.path(), &beta));
    assert_eq!(acme_file, home.path().join("projects").join(format!("{}.db", acme.id)));
    assert_ne!(acme_file, beta_file);
    assert!(acme_file.is_file() && beta_file.is_file());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(home.path().join("projects")).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700, "the projects folder is private");
    }

    let (config, ada) = github_and_ada(&acme_store).await;
    let acme_session = session("ada", 1_000);
    acme_store.put_session(&acme_session).await.unwrap();
    assert!(beta_store.auth_config(&config.id).await.unwrap().is_none(), "beta does not see acme's config");
    assert!(beta_store.account(&ada.id).await.unwrap().is_none());
    assert!(beta_store.session(&acme_session.id).await.unwrap().is_none());
    assert!(main.account(&ada.id).await.unwrap().is_none(), "nor does the default project");
    assert!(acme_store.account(&ada.id).await.unwrap().is_some());

    // The default project's store is the main file: it sees the projects, and what the
    // main store holds.
    assert_eq!(SqliteStore::project_path(home.path(), &default), SqliteStore::default_path(home.path()));
    let default_store = SqliteStore::open_project(home.path(), &default, keys.clone()).unwrap();
    let (_, main_ada) = github_and_ada(&main).await;
    assert!(default_store.account(&main_ada.id).await.unwrap().is_some());
    assert_eq!(default_store.projects().await.unwrap(), [default, acme.clone(), beta]);
    assert!(acme_store.account(&main_ada.id).await.unwrap().is_none());

    // Reopened, a project's store still has its records.
    drop(acme_store);
    let reopened = SqliteStore::open_project(home.path(), &acme, keys).unwrap();
    assert_eq!(reopened.session(&acme_session.id).await.unwrap(), Some(acme_session));
}

/// Of 24 concurrent callers on three handles of one file (as three processes would
/// have), one creates the default project and all get it; later calls too.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_callers_get_one_default_project() {
    let home = TempDir::new("projects-default");
    let keys = KeyRing::generate().unwrap();
    let path = SqliteStore::default_path(home.path());
    let handles: Vec<Arc<SqliteStore>> =
        (0..3).map(|_| Arc::new(SqliteStore::open(&path, keys.clone()).unwrap())).collect();
    let calls: Vec<_> = (0..24)
        .map(|i| {
            let store = Arc::clone(&handles[i % handles.len()]);
            tokio::spawn(async move { store.ensure_default_project().await.unwrap() })
        })
        .collect();
    let mut got = Vec::new();
    for call in calls {
        got.push(call.await.unwrap());
    }
    let first = got[0].clone();
    assert_eq!(first.name, DEFAULT_PROJECT);
    assert!(got.iter().all(|p| *p == first), "{got:?}");
    assert_eq!(handles[1].projects().await.unwrap(), std::slice::from_ref(&first));
    assert_eq!(handles[2].ensure_default_project().await.unwrap(), first);
}

/// A file of schema version 2 (before projects) is migrated on open: its records stay
/// and projects and keys can be stored.
#[tokio::test]
async fn a_version_2_file_gains_projects_and_keys() {
    let home = TempDir::new("projects-migrate-3");
    let keys = KeyRing::generate().unwrap();
    let path = SqliteStore::default_path(home.path());
    let store = SqliteStore::open(&path, keys.clone()).unwrap();
    let (_, ada) = github_and_ada(&store).await;
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "DROP TABLE mcp_sessions; DROP TABLE trigger_delivery_attempts; DROP TABLE trigger_deliveries; \
         DROP TABLE webhook_subscriptions; \
         DROP TABLE trigger_events; DROP TABLE api_keys; DROP TABLE projects; DROP TABLE trigger_instances; \
         PRAGMA user_version = 2",
    )
    .unwrap();
    drop(conn);

    let store = SqliteStore::open(&path, keys).unwrap();
    assert!(store.account(&ada.id).await.unwrap().is_some());
    let acme = project("acme", 1_000);
    store.put_project(&acme).await.unwrap();
    let (secret, key) = api_key(&acme, Some("ci"), 2_000);
    store.put_api_key(&key).await.unwrap();
    assert_eq!(store.api_key_by_hash(&secret.hash()).await.unwrap(), Some(key));
}

/// A key still sealing a secret in a project's database is not pruned, though the main
/// store no longer needs it: the projects share the home's key file.
#[tokio::test]
async fn pruning_keeps_keys_a_project_database_needs() {
    let home = TempDir::new("projects-prune");
    let key1 = KeyRing::from_key_file(home.path()).unwrap().current().clone();
    let main = SqliteStore::open(SqliteStore::default_path(home.path()), KeyRing::from_key_file(home.path()).unwrap())
        .unwrap();
    let acme = main.ensure_project("acme").await.unwrap();
    let acme_store =
        SqliteStore::open_project(home.path(), &acme, KeyRing::from_key_file(home.path()).unwrap()).unwrap();
    github_and_ada(&acme_store).await;

    KeyRing::rotate_file(home.path()).unwrap();
    let ring = KeyRing::from_key_file(home.path()).unwrap();
    let main = SqliteStore::open(SqliteStore::default_path(home.path()), ring.clone()).unwrap();
    let acme_store = SqliteStore::open_project(home.path(), &acme, ring).unwrap();
    // The main store alone would let key 1 go.
    let err = toolsmith_store::prune_key_file_of(&[&main, &acme_store], home.path()).await.unwrap_err();
    assert!(err.to_string().contains(key1.as_str()), "{err}");
    assert_eq!(KeyRing::from_key_file(home.path()).unwrap().ids().count(), 2, "nothing was removed");
    acme_store.reencrypt().await.unwrap();
    assert_eq!(toolsmith_store::prune_key_file_of(&[&main, &acme_store], home.path()).await.unwrap(), [key1]);
}
