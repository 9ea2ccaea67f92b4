//! Records, secrets and comparisons the conformance checks share with backend-specific
//! tests.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use secrecy::{ExposeSecret, SecretString};
use toolsmith_core::{ApiKeyId, AuthConfigId, ConnectedAccountId, LogId, ProjectId, SessionId, UserId};
use toolsmith_spec::{ToolSlug, ToolkitSlug};

use crate::{
    AccountStatus, ApiKey, ApiKeySecret, AuthConfig, ConnectLink, ConnectedAccount, Credentials, ExecutionLog, Fact,
    LinkToken, OAuth2Tokens, Project, SessionRecord, Store,
};

#[cfg(feature = "postgres")]
pub use super::pg_cluster::PgCluster;

/// The client secret of [`config`]`(…, Some(CLIENT_SECRET))`.
pub const CLIENT_SECRET: &str = "SECRET-client-secret-q8Zr1";
/// The `api_key` secret of every [`account`].
pub const API_KEY: &str = "SECRET-api-key-Lm4Tx9";
/// The access token of every [`account`].
pub const ACCESS_TOKEN: &str = "SECRET-access-token-Vb7Hs2";
/// The refresh token of every [`account`].
pub const REFRESH_TOKEN: &str = "SECRET-refresh-token-Kd3Wp6";
/// Every secret the fixtures store: none may appear in a file, a message or `Debug`.
pub const ALL_SECRETS: [&str; 4] = [CLIENT_SECRET, API_KEY, ACCESS_TOKEN, REFRESH_TOKEN];

/// A folder under the system's temp folder, removed when dropped.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// A new empty folder whose name starts with `toolsmith-store-<name>-`.
    pub fn new(name: &str) -> TempDir {
        let mut random = [0u8; 8];
        getrandom::fill(&mut random).unwrap();
        let suffix: String = random.iter().map(|b| format!("{b:02x}")).collect();
        let path = std::env::temp_dir().join(format!("toolsmith-store-{name}-{}-{suffix}", std::process::id()));
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A time with whole milliseconds (stores keep milliseconds).
pub fn at(ms: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(ms)
}

/// An OAuth 2.0 auth config of `toolkit` created at `created_ms`, with `secret` as its
/// client secret.
pub fn config(toolkit: &str, created_ms: u64, secret: Option<&str>) -> AuthConfig {
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

/// An active account of `user` through `config`, with an API key, OAuth 2.0 tokens and
/// the non-secret field `subdomain = acme-marker`.
pub fn account(config: &AuthConfig, user: &str, alias: Option<&str>, created_ms: u64) -> ConnectedAccount {
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

/// Stores a GitHub auth config with [`CLIENT_SECRET`] and an [`account`] of `ada` through
/// it, and returns both.
pub async fn github_and_ada(store: &impl Store) -> (AuthConfig, ConnectedAccount) {
    let github = config("github", 1, Some(CLIENT_SECRET));
    store.put_auth_config(&github).await.unwrap();
    let ada = account(&github, "ada", None, 2);
    store.put_account(&ada).await.unwrap();
    (github, ada)
}

/// A successful execution of `tool` by `user`.
pub fn log_entry(user: &str, tool: &str, started_ms: u64) -> ExecutionLog {
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

/// A session of `user` created at `created_ms`, with a nested JSON configuration.
pub fn session(user: &str, created_ms: u64) -> SessionRecord {
    SessionRecord {
        id: SessionId::generate(),
        user_id: UserId::new(user),
        config: serde_json::json!({
            "toolkits": {"enable": ["github", "slack"], "disable": []},
            "auth_configs": {"github": "ac_abc"},
            "manage_connections": {"enable": true, "callback_url": null, "wait_for_connections": 2.5},
            "tags": [["readOnlyHint", true], {"limit": 20}],
            "name": "ünïcode \"quoted\"\n",
        }),
        created_at: at(created_ms),
    }
}

/// A fact learned from `source`, remembered at `updated_ms`.
pub fn fact(key: &str, value: &str, source: &str, updated_ms: u64) -> Fact {
    Fact { key: key.to_owned(), value: value.to_owned(), source: source.to_owned(), updated_at: at(updated_ms) }
}

/// A new token and an unused Connect Link for `account` made at `created_ms`, expiring
/// at `expires_ms`.
pub fn link(account: &ConnectedAccount, created_ms: u64, expires_ms: u64) -> (LinkToken, ConnectLink) {
    let token = LinkToken::generate();
    let link = ConnectLink {
        token_hash: token.hash(),
        account: account.id.clone(),
        user_id: account.user_id.clone(),
        toolkit: account.toolkit.clone(),
        auth_config: account.auth_config.clone(),
        session: None,
        callback_url: Some("https://app.example/connected?step=2".to_owned()),
        created_at: at(created_ms),
        expires_at: at(expires_ms),
        used_at: None,
    };
    (token, link)
}

/// A project named `name` created at `created_ms`.
pub fn project(name: &str, created_ms: u64) -> Project {
    Project { id: ProjectId::generate(), name: name.to_owned(), created_at: at(created_ms) }
}

/// A new key and its unrevoked record for `project`, named `name`, made at `created_ms`.
pub fn api_key(project: &Project, name: Option<&str>, created_ms: u64) -> (ApiKeySecret, ApiKey) {
    let secret = ApiKeySecret::generate();
    let key = ApiKey {
        id: ApiKeyId::generate(),
        project: project.id.clone(),
        name: name.map(str::to_owned),
        key_hash: secret.hash(),
        prefix: secret.prefix(),
        created_at: at(created_ms),
        revoked_at: None,
    };
    (secret, key)
}

/// Asserts that two auth configs are equal, client secret included.
pub fn assert_same_config(got: &AuthConfig, want: &AuthConfig) {
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

/// Asserts that two connected accounts are equal, credentials included.
pub fn assert_same_account(got: &ConnectedAccount, want: &ConnectedAccount) {
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
