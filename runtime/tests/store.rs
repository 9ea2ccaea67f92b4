//! The embedded store on real SQLite files: round trips, encryption at rest, key files,
//! rotation, refresh leases across two "processes", migrations, concurrency.

// An integration test crate: its helpers may unwrap too (a panic fails the test).
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use secrecy::{ExposeSecret, SecretString};
use toolsmith::store::prelude::*;
use toolsmith::store::{
    AccountFilter, AccountStatus, AuthConfig, ConnectedAccount, Credentials, ExecutionLog, KeyError, KeyRing,
    LogFilter, OAuth2Tokens, SqliteStore, StoreError,
};
use toolsmith::{AuthConfigId, ConnectedAccountId, LogId, ToolSlug, ToolkitSlug, UserId};

const CLIENT_SECRET: &str = "SECRET-client-secret-q8Zr1";
const API_KEY: &str = "SECRET-api-key-Lm4Tx9";
const ACCESS_TOKEN: &str = "SECRET-access-token-Vb7Hs2";
const REFRESH_TOKEN: &str = "SECRET-refresh-token-Kd3Wp6";
const ALL_SECRETS: [&str; 4] = [CLIENT_SECRET, API_KEY, ACCESS_TOKEN, REFRESH_TOKEN];

/// A folder under the system's temp folder, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let mut random = [0u8; 8];
        getrandom::fill(&mut random).unwrap();
        let suffix: String = random.iter().map(|b| format!("{b:02x}")).collect();
        let path = std::env::temp_dir().join(format!("toolsmith-store-{name}-{}-{suffix}", std::process::id()));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    fn db(&self) -> PathBuf {
        self.0.join("toolsmith.db")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A time with whole milliseconds (the store keeps milliseconds).
fn at(ms: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(ms)
}

fn config(toolkit: &str, created_ms: u64, secret: Option<&str>) -> AuthConfig {
    AuthConfig {
        id: AuthConfigId::generate(),
        toolkit: ToolkitSlug::new(toolkit),
        name: format!("{toolkit} (org app)"),
        scheme: "oauth2".to_owned(),
        client_id: Some("client-id-public".to_owned()),
        client_secret: secret.map(SecretString::from),
        scopes: vec!["repo".to_owned(), "read:user".to_owned()],
        disabled: false,
        created_at: at(created_ms),
    }
}

fn account(config: &AuthConfig, user: &str, alias: Option<&str>, created_ms: u64) -> ConnectedAccount {
    ConnectedAccount {
        id: ConnectedAccountId::generate(),
        user_id: UserId::new(user),
        toolkit: config.toolkit.clone(),
        auth_config: config.id.clone(),
        status: AccountStatus::Active,
        status_reason: None,
        alias: alias.map(str::to_owned),
        fields: BTreeMap::from([("subdomain".to_owned(), "acme-marker".to_owned())]),
        credentials: Credentials {
            secrets: BTreeMap::from([("api_key".to_owned(), SecretString::from(API_KEY))]),
            oauth2: Some(OAuth2Tokens {
                access_token: SecretString::from(ACCESS_TOKEN),
                refresh_token: Some(SecretString::from(REFRESH_TOKEN)),
                token_type: "Bearer".to_owned(),
                expires_at: Some(at(1_900_000_000_000)),
                scopes: vec!["repo".to_owned()],
            }),
        },
        created_at: at(created_ms),
        updated_at: at(created_ms + 5),
    }
}

fn log_entry(user: &str, tool: &str, started_ms: u64) -> ExecutionLog {
    ExecutionLog {
        id: LogId::generate(),
        tool: ToolSlug::new(tool),
        user_id: UserId::new(user),
        account: Some(ConnectedAccountId::generate()),
        status: Some(201),
        successful: true,
        error: None,
        attempts: 2,
        duration_ms: 1234,
        started_at: at(started_ms),
    }
}

fn assert_same_config(got: &AuthConfig, want: &AuthConfig) {
    assert_eq!(
        (&got.id, &got.toolkit, &got.name, &got.scheme, &got.client_id, &got.scopes, got.disabled, got.created_at),
        (
            &want.id,
            &want.toolkit,
            &want.name,
            &want.scheme,
            &want.client_id,
            &want.scopes,
            want.disabled,
            want.created_at
        )
    );
    assert_eq!(
        got.client_secret.as_ref().map(|s| s.expose_secret().to_owned()),
        want.client_secret.as_ref().map(|s| s.expose_secret().to_owned())
    );
}

fn assert_same_account(got: &ConnectedAccount, want: &ConnectedAccount) {
    assert_eq!(
        (&got.id, &got.user_id, &got.toolkit, &got.auth_config, got.status, &got.status_reason, &got.alias),
        (&want.id, &want.user_id, &want.toolkit, &want.auth_config, want.status, &want.status_reason, &want.alias)
    );
    assert_eq!((&got.fields, got.created_at, got.updated_at), (&want.fields, want.created_at, want.updated_at));
    let secrets =
        |c: &Credentials| c.secrets.iter().map(|(k, v)| (k.clone(), v.expose_secret().to_owned())).collect::<Vec<_>>();
    assert_eq!(secrets(&got.credentials), secrets(&want.credentials));
    let tokens = |c: &Credentials| {
        c.oauth2.as_ref().map(|t| {
            (
                t.access_token.expose_secret().to_owned(),
                t.refresh_token.as_ref().map(|r| r.expose_secret().to_owned()),
                t.token_type.clone(),
                t.expires_at,
                t.scopes.clone(),
            )
        })
    };
    assert_eq!(tokens(&got.credentials), tokens(&want.credentials));
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

fn user_version(db: &Path) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap()
}

#[tokio::test]
async fn every_record_kind_round_trips() {
    let dir = TempDir::new("roundtrip");
    let store = SqliteStore::open(dir.db(), KeyRing::generate().unwrap()).unwrap();

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
    assert!(store.put_log(&first).await.is_err(), "a log id is written once");
}

#[tokio::test]
async fn accounts_need_their_auth_config_and_used_configs_stay() {
    let dir = TempDir::new("integrity");
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(dir.db(), KeyRing::generate().unwrap()).unwrap());
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

#[tokio::test]
async fn no_secret_plaintext_reaches_the_files() {
    let dir = TempDir::new("plaintext");
    let store = SqliteStore::open(dir.db(), KeyRing::generate().unwrap()).unwrap();
    let github = config("github", 1, Some(CLIENT_SECRET));
    store.put_auth_config(&github).await.unwrap();
    for i in 0..20 {
        store.put_account(&account(&github, &format!("user-{i}"), Some("alias-marker"), 10 + i)).await.unwrap();
    }
    let check = |when: &str| {
        let files = file_bytes(&dir.db());
        assert!(!files.is_empty());
        for (path, bytes) in &files {
            for secret in ALL_SECRETS {
                assert!(!contains(bytes, secret), "{when}: {path} holds {secret}");
            }
        }
        // The search itself works: non-secret values are there in clear.
        assert!(files.iter().any(|(_, b)| contains(b, "alias-marker") && contains(b, "acme-marker")), "{when}");
    };
    check("before the checkpoint (pages in the WAL)");
    store.checkpoint().await.unwrap();
    assert_eq!(std::fs::metadata(format!("{}-wal", dir.db().display())).unwrap().len(), 0);
    check("after the checkpoint");
}

#[cfg(unix)]
#[tokio::test]
async fn key_files_and_database_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = TempDir::new("modes");
    let home = dir.0.join("home");
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

#[tokio::test]
async fn rotation_reencrypts_every_sealed_value() {
    let dir = TempDir::new("rotation");
    let home = dir.0.join("home");
    let ring1 = KeyRing::from_key_file(&home).unwrap();
    let key1 = ring1.current().clone();
    let store1 = SqliteStore::open(dir.db(), ring1).unwrap();
    let github = config("github", 1, Some(CLIENT_SECRET));
    let slack = config("slack", 2, None);
    store1.put_auth_config(&github).await.unwrap();
    store1.put_auth_config(&slack).await.unwrap();
    let accounts = [account(&github, "ada", None, 3), account(&github, "bob", None, 4), account(&slack, "cy", None, 5)];
    for a in &accounts {
        store1.put_account(a).await.unwrap();
    }
    store1.checkpoint().await.unwrap();
    let key1_marker = format!("v1:{key1}:");
    assert!(contains(&std::fs::read(dir.db()).unwrap(), &key1_marker));

    let ring2 = KeyRing::rotate_file(&home).unwrap();
    let key2 = ring2.current().clone();
    assert_ne!(key1, key2);
    assert_eq!(ring2.ids().cloned().collect::<Vec<_>>(), [key2.clone(), key1.clone()]);
    let store2 = SqliteStore::open(dir.db(), ring2).unwrap();
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
    let store = SqliteStore::open(dir.db(), only2).unwrap();
    for a in &accounts {
        assert_same_account(&store.account(&a.id).await.unwrap().unwrap(), a);
    }
    assert_same_config(&store.auth_config(&github.id).await.unwrap().unwrap(), &github);
    store.checkpoint().await.unwrap();
    for (path, bytes) in file_bytes(&dir.db()) {
        assert!(!contains(&bytes, &key1_marker), "{path} still holds a value sealed with key 1");
        assert!(contains(&bytes, &format!("v1:{key2}:")) || !path.ends_with(".db"), "{path}");
    }
}

#[tokio::test]
async fn a_ring_without_the_key_says_which_key_is_missing() {
    let dir = TempDir::new("missing-key");
    let ring = KeyRing::generate().unwrap();
    let store = SqliteStore::open(dir.db(), ring.clone()).unwrap();
    let github = config("github", 1, Some(CLIENT_SECRET));
    store.put_auth_config(&github).await.unwrap();
    let ada = account(&github, "ada", None, 2);
    store.put_account(&ada).await.unwrap();
    drop(store);

    let stranger = SqliteStore::open(dir.db(), KeyRing::generate().unwrap()).unwrap();
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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_process_at_a_time_holds_the_refresh_lease() {
    let dir = TempDir::new("lease");
    let ring = KeyRing::generate().unwrap();
    let a = Arc::new(SqliteStore::open(dir.db(), ring.clone()).unwrap());
    let b = Arc::new(SqliteStore::open(dir.db(), ring).unwrap());
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

#[tokio::test]
async fn migrations_run_once_and_newer_schemas_are_refused() {
    let dir = TempDir::new("migrations");
    let ring = KeyRing::generate().unwrap();
    // Several "processes" opening a new file at once migrate it once.
    let openers: Vec<_> = (0..4)
        .map(|_| {
            let (db, ring) = (dir.db(), ring.clone());
            std::thread::spawn(move || SqliteStore::open(db, ring).map(drop))
        })
        .collect();
    for opener in openers {
        opener.join().unwrap().unwrap();
    }
    assert_eq!(user_version(&dir.db()), i64::from(SqliteStore::SCHEMA_VERSION));

    let store = SqliteStore::open(dir.db(), ring.clone()).unwrap();
    let github = config("github", 1, Some(CLIENT_SECRET));
    store.put_auth_config(&github).await.unwrap();
    drop(store);
    let reopened = SqliteStore::open(dir.db(), ring.clone()).unwrap();
    assert_same_config(&reopened.auth_config(&github.id).await.unwrap().unwrap(), &github);
    assert_eq!(user_version(&dir.db()), i64::from(SqliteStore::SCHEMA_VERSION));
    drop(reopened);

    let conn = rusqlite::Connection::open(dir.db()).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let err = SqliteStore::open(dir.db(), ring).unwrap_err();
    assert!(err.to_string().contains("schema version 99, newer than this toolsmith knows"), "{err}");
    assert!(err.to_string().contains("upgrade toolsmith"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_concurrent_reads_succeed() {
    let dir = TempDir::new("concurrent");
    let store = Arc::new(SqliteStore::open(dir.db(), KeyRing::generate().unwrap()).unwrap());
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

#[tokio::test]
async fn debug_output_holds_no_secret() {
    let dir = TempDir::new("debug");
    let ring = KeyRing::generate().unwrap();
    let store = SqliteStore::open(dir.db(), ring.clone()).unwrap();
    let github = config("github", 1, Some(CLIENT_SECRET));
    store.put_auth_config(&github).await.unwrap();
    let ada = account(&github, "ada", None, 2);
    store.put_account(&ada).await.unwrap();
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
