#![allow(clippy::unwrap_used)]
//! The authorization-code flow of a Connect Link against a real authorization server
//! (oidc-provider, see `oidc/mod.rs`): the URL, the user's login and consent, the
//! callback.

mod oidc;

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use oidc::{AuthServer, User, REDIRECT_URI};
use secrecy::{ExposeSecret, SecretString};
use toolsmith_auth::oauth2::{authorization_url, complete_authorization, AuthorizeError, CallbackParams};
use toolsmith_auth::{initiate, Initiated, LinkError, LinkRequest};
use toolsmith_core::{AuthConfigId, UserId};
use toolsmith_spec::Toolkit;
use toolsmith_store::{AccountStatus, AuthConfig, AuthConfigs, ConnectLinks, ConnectedAccounts, KeyRing, SqliteStore};

const SECRET: &[u8] = b"server secret of the tests";

struct Setup {
    server: AuthServer,
    store: SqliteStore,
    toolkit: Toolkit,
    http: reqwest::Client,
    config: AuthConfigId,
}

impl Setup {
    async fn new() -> Setup {
        Setup::with_client("basic-client", "basic-client-secret-5b0e", "basic").await
    }

    /// `client_auth` is the scheme's: `basic` or `body`.
    async fn with_client(client_id: &str, client_secret: &str, client_auth: &str) -> Setup {
        let server = AuthServer::start().await;
        let toolkit: Toolkit = serde_yaml::from_str(&format!(
            "{{ slug: demo, name: Demo, description: A demo toolkit for tests., version: 20261122_00, \
             base_url: 'https://api.example.com', auth: [{{ scheme: oauth2, authorization_url: '{base}/auth', \
             token_url: '{base}/token', scopes: {{ default: [openid, offline_access, 'api:read'] }}, \
             authorize_params: {{ prompt: consent }}, client_auth: {client_auth} }}] }}",
            base = server.base
        ))
        .unwrap();
        let store = SqliteStore::in_memory(KeyRing::generate().unwrap()).unwrap();
        let config = AuthConfigId::generate();
        store
            .put_auth_config(&AuthConfig {
                id: config.clone(),
                toolkit: toolkit.slug.clone(),
                name: "oidc".into(),
                scheme: "oauth2".into(),
                client_id: Some(client_id.into()),
                client_secret: Some(SecretString::from(client_secret)),
                scopes: Vec::new(),
                disabled: false,
                created_at: SystemTime::now(),
            })
            .await
            .unwrap();
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Setup { server, store, toolkit, http, config }
    }

    async fn link(&self, ttl: Duration) -> Initiated {
        let request =
            LinkRequest { ttl, auth_config: Some(self.config.clone()), ..LinkRequest::new(UserId::new("ada")) };
        initiate(&self.store, &self.toolkit, request).await.unwrap()
    }

    /// The user goes through the provider's pages for `started`; the callback's parameters.
    async fn user(&self, started: &Initiated, user: User) -> CallbackParams {
        let link = self.store.link(&started.token.hash()).await.unwrap().unwrap();
        let url = authorization_url(&self.toolkit, &started.auth_config, &link, REDIRECT_URI, SECRET).unwrap();
        callback(oidc::authorize(url, user).await)
    }

    async fn complete(&self, callback: CallbackParams) -> Result<toolsmith_store::ConnectedAccount, AuthorizeError> {
        complete_authorization(
            &self.store,
            &self.toolkit,
            &self.http,
            callback,
            REDIRECT_URI,
            SECRET,
            Some(&self.server.base),
        )
        .await
    }

    async fn status(&self, started: &Initiated) -> (AccountStatus, Option<String>) {
        let account = self.store.account(&started.account.id).await.unwrap().unwrap();
        (account.status, account.status_reason)
    }
}

fn callback(query: BTreeMap<String, String>) -> CallbackParams {
    CallbackParams {
        code: query.get("code").map(|c| SecretString::from(c.as_str())),
        state: query.get("state").cloned().unwrap_or_default(),
        error: query.get("error").cloned(),
        error_description: query.get("error_description").cloned(),
        iss: query.get("iss").cloned(),
    }
}

#[tokio::test]
async fn a_user_authorizes_and_the_account_turns_active_with_tokens_and_scopes() {
    let setup = Setup::new().await;
    let started = setup.link(Duration::from_secs(600)).await;
    let params = setup.user(&started, User::Consents).await;
    assert!(params.code.is_some(), "{params:?}");
    assert_eq!(params.iss.as_deref(), Some(setup.server.base.as_str()));
    let account = setup.complete(params.clone()).await.unwrap();
    assert_eq!((account.id.clone(), account.status), (started.account.id.clone(), AccountStatus::Active));
    let stored = setup.store.account(&account.id).await.unwrap().unwrap();
    assert_eq!(stored.status, AccountStatus::Active);
    let tokens = stored.credentials.oauth2.unwrap();
    assert!(!tokens.access_token.expose_secret().is_empty());
    assert!(tokens.refresh_token.is_some_and(|t| !t.expose_secret().is_empty()));
    assert!(tokens.expires_at.is_some());
    let mut scopes = tokens.scopes.clone();
    scopes.sort();
    assert_eq!(scopes, ["api:read", "offline_access", "openid"]);
    let link = setup.store.link(&started.token.hash()).await.unwrap().unwrap();
    assert!(link.used_at.is_some());

    // The same callback again (a reused state): refused, and the account stays ACTIVE.
    let again = setup.complete(params).await.unwrap_err();
    assert!(matches!(again, AuthorizeError::Link(LinkError::Used)), "{again}");
    assert_eq!(setup.status(&started).await.0, AccountStatus::Active);
}

#[tokio::test]
async fn a_forged_state_is_refused_and_changes_nothing() {
    let setup = Setup::new().await;
    let started = setup.link(Duration::from_secs(600)).await;
    let params = setup.user(&started, User::Consents).await;
    let (hash, mac) = params.state.split_once('.').unwrap();
    let forged_mac = format!("{hash}.{}", "0".repeat(mac.len()));
    let other_link = setup.link(Duration::from_secs(600)).await;
    let moved = format!("{}.{mac}", other_link.token.hash());
    for state in [forged_mac, moved, hash.to_owned(), String::new()] {
        let err = setup.complete(CallbackParams { state, ..params.clone() }).await.unwrap_err();
        assert!(matches!(err, AuthorizeError::BadState), "{err}");
        assert_eq!(err.kind(), toolsmith_core::ErrorKind::Forbidden);
    }
    assert_eq!(setup.status(&started).await.0, AccountStatus::Initiated);
    assert_eq!(setup.status(&other_link).await.0, AccountStatus::Initiated);
    // The genuine callback still completes.
    assert_eq!(setup.complete(params).await.unwrap().status, AccountStatus::Active);
}

#[tokio::test]
async fn an_expired_link_is_refused_and_the_account_failed() {
    let setup = Setup::new().await;
    let started = setup.link(Duration::from_secs(1)).await;
    let params = setup.user(&started, User::Consents).await;
    tokio::time::sleep(Duration::from_millis(1200)).await;
    let err = setup.complete(params).await.unwrap_err();
    assert!(matches!(err, AuthorizeError::Link(LinkError::Expired)), "{err}");
    let (status, reason) = setup.status(&started).await;
    assert_eq!(status, AccountStatus::Failed);
    assert!(reason.unwrap().contains("expired"));
}

#[tokio::test]
async fn a_denial_fails_the_account_and_spends_the_link() {
    let setup = Setup::new().await;
    let started = setup.link(Duration::from_secs(600)).await;
    let params = setup.user(&started, User::Denies).await;
    assert_eq!(params.error.as_deref(), Some("access_denied"), "{params:?}");
    let err = setup.complete(params.clone()).await.unwrap_err();
    assert!(matches!(err, AuthorizeError::Denied(_)), "{err}");
    assert!(err.to_string().contains("the user denied access"), "{err}");
    let (status, reason) = setup.status(&started).await;
    assert_eq!(status, AccountStatus::Failed);
    assert!(reason.unwrap().contains("denied"));
    let again = setup.complete(params).await.unwrap_err();
    assert!(matches!(again, AuthorizeError::Link(LinkError::Used)), "{again}");
}

#[tokio::test]
async fn a_response_from_another_issuer_is_refused_and_no_code_is_exchanged() {
    let setup = Setup::new().await;
    let started = setup.link(Duration::from_secs(600)).await;
    let params = setup.user(&started, User::Consents).await;
    let code = params.code.as_ref().unwrap().expose_secret().to_owned();
    let wrong = CallbackParams { iss: Some("https://evil.example".into()), ..params };
    let err = setup.complete(wrong).await.unwrap_err();
    assert!(matches!(err, AuthorizeError::WrongIssuer { .. }), "{err}");
    assert!(!err.to_string().contains(&code), "{err}");
    let (status, reason) = setup.status(&started).await;
    assert_eq!(status, AccountStatus::Failed);
    assert!(reason.unwrap().contains("evil.example"));
    let account = setup.store.account(&started.account.id).await.unwrap().unwrap();
    assert!(account.credentials.oauth2.is_none());
}

#[tokio::test]
async fn a_refused_code_fails_the_account_without_the_code_in_the_reason() {
    let setup = Setup::new().await;
    let started = setup.link(Duration::from_secs(600)).await;
    let params = setup.user(&started, User::Consents).await;
    let bogus = "not-a-real-code-0123456789";
    let err = setup.complete(CallbackParams { code: Some(SecretString::from(bogus)), ..params }).await.unwrap_err();
    assert!(matches!(err, AuthorizeError::Exchange(_)), "{err}");
    assert!(err.to_string().contains("invalid_grant"), "{err}");
    assert!(!err.to_string().contains(bogus), "{err}");
    let (status, reason) = setup.status(&started).await;
    assert_eq!(status, AccountStatus::Failed);
    assert!(!reason.unwrap().contains(bogus));
}

#[tokio::test]
async fn a_client_authenticating_in_the_body_completes() {
    let setup = Setup::with_client("post-client", "post-client-secret-91c3", "body").await;
    let started = setup.link(Duration::from_secs(600)).await;
    let params = setup.user(&started, User::Consents).await;
    let account = setup.complete(params).await.unwrap();
    assert_eq!(account.status, AccountStatus::Active);
    assert!(account.credentials.oauth2.unwrap().refresh_token.is_some());
}

#[tokio::test]
async fn reconnecting_an_expired_account_keeps_its_id_and_replaces_its_tokens_whole() {
    let setup = Setup::new().await;
    let first = setup.link(Duration::from_secs(600)).await;
    let params = setup.user(&first, User::Consents).await;
    let old = setup.complete(params).await.unwrap();
    let old_tokens = old.credentials.oauth2.clone().unwrap();
    assert!(old_tokens.refresh_token.is_some());
    let expire = |account: &toolsmith_store::ConnectedAccount| toolsmith_store::ConnectedAccount {
        status: AccountStatus::Expired,
        status_reason: Some("invalid_grant".into()),
        ..account.clone()
    };
    setup.store.put_account(&expire(&old)).await.unwrap();
    // The new grant has no refresh token (no `offline_access`): the old one must not stay.
    let mut config = setup.store.auth_config(&setup.config).await.unwrap().unwrap();
    config.scopes = vec!["openid".into(), "api:read".into()];
    setup.store.put_auth_config(&config).await.unwrap();

    let request = LinkRequest { account: Some(old.id.clone()), ..LinkRequest::new(UserId::new("ada")) };
    let again = initiate(&setup.store, &setup.toolkit, request).await.unwrap();
    assert_eq!(again.account.id, old.id);
    let (status, reason) = setup.status(&again).await;
    assert_eq!(status, AccountStatus::Initiated);
    assert!(reason.unwrap().contains("being reconnected"));
    let params = setup.user(&again, User::Consents).await;
    let renewed = setup.complete(params).await.unwrap();
    assert_eq!((renewed.id.clone(), renewed.status), (old.id.clone(), AccountStatus::Active));
    let stored = setup.store.account(&old.id).await.unwrap().unwrap();
    let tokens = stored.credentials.oauth2.unwrap();
    assert_ne!(tokens.access_token.expose_secret(), old_tokens.access_token.expose_secret());
    assert!(tokens.refresh_token.is_none(), "the old refresh token was kept beside the new access token");
    assert_eq!(setup.store.accounts(&Default::default()).await.unwrap().len(), 1);

    // A reconnection the user denies ends FAILED with the reason, under the same id.
    let active = setup.store.account(&old.id).await.unwrap().unwrap();
    setup.store.put_account(&expire(&active)).await.unwrap();
    let request = LinkRequest { account: Some(old.id.clone()), ..LinkRequest::new(UserId::new("ada")) };
    let denied = initiate(&setup.store, &setup.toolkit, request).await.unwrap();
    let params = setup.user(&denied, User::Denies).await;
    assert!(matches!(setup.complete(params).await.unwrap_err(), AuthorizeError::Denied(_)));
    let (status, reason) = setup.status(&denied).await;
    assert_eq!(status, AccountStatus::Failed);
    assert!(reason.unwrap().contains("denied"));
}
