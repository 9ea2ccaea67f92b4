//! Connect Links: starting a connection that the user finishes on a page.
//!
//! [`initiate`] stores an `INITIATED` connected account and a single-use, expiring
//! [`LinkToken`] for it; the token goes into the link's URL. [`complete`] is what the
//! page calls with what the user entered: it spends the token and turns the account
//! `ACTIVE`. (The OAuth 2.0 redirect of the page is a later step; a static credential —
//! an API key, a token, a user and password — completes here.)

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use secrecy::SecretString;
use toolsmith_core::{AuthConfigId, ConnectedAccountId, ErrorKind, SessionId, UserId};
use toolsmith_spec::{AuthScheme, Toolkit};
use toolsmith_store::{
    AccountStatus, AuthConfig, ConnectLink, ConnectedAccount, Credentials, LinkToken, Store, StoreError,
};

use crate::connect::{auth_config, updated_account, ConnectError, StaticCredential};

/// What [`initiate`] needs besides the store and the toolkit.
#[derive(Clone, Debug)]
pub struct LinkRequest {
    /// The user who connects.
    pub user_id: UserId,
    /// The auth config to connect with; by default the toolkit's first enabled one, else
    /// a new one for its first static scheme (API key, bearer, basic), else OAuth 2.0.
    pub auth_config: Option<AuthConfigId>,
    /// The session asking, if any.
    pub session: Option<SessionId>,
    /// Where the page sends the user when done.
    pub callback_url: Option<String>,
    /// How long the link works.
    pub ttl: Duration,
}

impl LinkRequest {
    /// A link for `user` that works for ten minutes.
    ///
    /// ```
    /// let request = toolsmith_auth::LinkRequest::new(toolsmith_core::UserId::new("ada"));
    /// assert_eq!(request.ttl.as_secs(), 600);
    /// ```
    pub fn new(user_id: UserId) -> Self {
        LinkRequest { user_id, auth_config: None, session: None, callback_url: None, ttl: Duration::from_secs(600) }
    }
}

/// A started connection: the `INITIATED` account and the token of its link.
#[derive(Debug)]
pub struct Initiated {
    /// The account, `INITIATED` until the link is completed.
    pub account: ConnectedAccount,
    /// The auth config it connects with.
    pub auth_config: AuthConfig,
    /// The link's secret: put it in the URL handed to the user, nowhere else.
    pub token: LinkToken,
    /// When the link stops working.
    pub expires_at: SystemTime,
}

/// Why a link could not be made or completed. Messages never contain the token.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LinkError {
    /// No link has this token.
    #[error("this Connect Link does not exist; ask for a new link")]
    Unknown,
    /// The link was used already.
    #[error("this Connect Link was used already; ask for a new link to connect again")]
    Used,
    /// The link expired.
    #[error("this Connect Link expired; ask for a new link")]
    Expired,
    /// The link's account is gone (deleted after the link was made).
    #[error("the account {0} of this Connect Link was deleted; ask for a new link")]
    AccountGone(ConnectedAccountId),
    /// The credential did not fit the toolkit, or the auth config could not be chosen.
    #[error(transparent)]
    Connect(#[from] ConnectError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl LinkError {
    /// The kind of failure, for a server's status code.
    pub fn kind(&self) -> ErrorKind {
        match self {
            LinkError::Unknown | LinkError::AccountGone(_) => ErrorKind::NotFound,
            LinkError::Used | LinkError::Expired => ErrorKind::Conflict,
            LinkError::Connect(e) => e.kind(),
            LinkError::Store(_) => ErrorKind::Internal,
        }
    }
}

/// Starts connecting an account of `toolkit`: stores an `INITIATED` account and a link
/// for it. See [`LinkRequest`] for the auth config chosen.
pub async fn initiate(store: &dyn Store, toolkit: &Toolkit, request: LinkRequest) -> Result<Initiated, LinkError> {
    let config = match &request.auth_config {
        Some(id) => {
            let config = store
                .auth_config(id)
                .await?
                .ok_or_else(|| ConnectError::AuthConfig(format!("auth config {id} does not exist")))?;
            if config.toolkit != toolkit.slug {
                return Err(ConnectError::AuthConfig(format!(
                    "auth config {id} is for toolkit `{}`, not `{}`",
                    config.toolkit, toolkit.slug
                ))
                .into());
            }
            config
        }
        None => match store.auth_configs(Some(&toolkit.slug)).await?.into_iter().find(|c| !c.disabled) {
            Some(config) => config,
            None => auth_config(store, toolkit, preferred_scheme(toolkit)?, None).await?,
        },
    };
    let now = SystemTime::now();
    let account = ConnectedAccount {
        id: ConnectedAccountId::generate(),
        user_id: request.user_id.clone(),
        toolkit: toolkit.slug.clone(),
        auth_config: config.id.clone(),
        status: AccountStatus::Initiated,
        status_reason: Some("waiting for the user to finish the Connect Link".to_owned()),
        alias: None,
        fields: BTreeMap::new(),
        credentials: Credentials::default(),
        created_at: now,
        updated_at: now,
    };
    store.put_account(&account).await?;
    let token = LinkToken::generate();
    let expires_at = now + request.ttl;
    store
        .put_link(&ConnectLink {
            token_hash: token.hash(),
            account: account.id.clone(),
            user_id: request.user_id,
            toolkit: toolkit.slug.clone(),
            auth_config: config.id.clone(),
            session: request.session,
            callback_url: request.callback_url,
            created_at: now,
            expires_at,
            used_at: None,
        })
        .await?;
    Ok(Initiated { account, auth_config: config, token, expires_at })
}

/// Completes a link with a static credential (connection field values by name): spends
/// the token, stores the credential and turns the account `ACTIVE`. A used, expired or
/// unknown token is refused and changes nothing.
pub async fn complete(
    store: &dyn Store,
    toolkit: &Toolkit,
    token: &LinkToken,
    values: BTreeMap<String, SecretString>,
) -> Result<ConnectedAccount, LinkError> {
    let updated = prepare(store, toolkit, token, values).await?;
    finish(store, token, updated).await
}

/// Checks a static credential for a link without spending it: the account as it would be
/// stored (`ACTIVE`, with the credential), so a caller can verify the credential before
/// [`finish`] stores it. A credential that does not fit is refused and changes nothing.
pub async fn prepare(
    store: &dyn Store,
    toolkit: &Toolkit,
    token: &LinkToken,
    values: BTreeMap<String, SecretString>,
) -> Result<ConnectedAccount, LinkError> {
    let link = store.link(&token.hash()).await?.ok_or(LinkError::Unknown)?;
    let account = store.account(&link.account).await?.ok_or_else(|| LinkError::AccountGone(link.account.clone()))?;
    let credential = StaticCredential {
        scheme: None,
        values,
        alias: None,
        auth_config: Some(link.auth_config.clone()),
        ..StaticCredential::new(link.user_id.as_str())
    };
    Ok(updated_account(store, toolkit, &account, credential).await?)
}

/// Spends the link's token and stores `account` (from [`prepare`], `ACTIVE` or, when
/// its credential failed a check, `FAILED`). A used, expired or unknown token is refused
/// and stores nothing.
pub async fn finish(
    store: &dyn Store,
    token: &LinkToken,
    account: ConnectedAccount,
) -> Result<ConnectedAccount, LinkError> {
    let hash = token.hash();
    if store.consume_link(&hash, SystemTime::now()).await?.is_none() {
        return Err(match store.link(&hash).await? {
            Some(l) if l.used_at.is_some() => LinkError::Used,
            Some(_) => LinkError::Expired,
            None => LinkError::Unknown,
        });
    }
    store.put_account(&account).await?;
    Ok(account)
}

/// The scheme a new auth config uses when none exists: the first static one the user
/// can type in, else the first at all.
fn preferred_scheme(toolkit: &Toolkit) -> Result<&AuthScheme, ConnectError> {
    toolkit
        .auth
        .iter()
        .find(|s| matches!(s, AuthScheme::ApiKey(_) | AuthScheme::Bearer(_) | AuthScheme::Basic(_)))
        .or_else(|| toolkit.auth.iter().find(|s| !matches!(s, AuthScheme::None(_))))
        .or_else(|| toolkit.auth.first())
        .ok_or_else(|| ConnectError::CredentialNeeded { toolkit: toolkit.slug.to_string(), offered: Vec::new() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use toolsmith_store::{ConnectLinks, ConnectedAccounts, KeyRing, SqliteStore};

    fn toolkit() -> Toolkit {
        serde_yaml::from_str(
            "{ slug: demo, name: Demo, description: A demo toolkit for tests., version: 20261122_00, \
             base_url: 'https://api.example.com', auth: [{ scheme: oauth2, authorization_url: 'https://a.example/authorize', \
             token_url: 'https://a.example/token' }, { scheme: bearer, fields: [{ name: token, title: Token, secret: true, pattern: '^tok_' }] }] }",
        )
        .unwrap()
    }

    fn values(token: &str) -> BTreeMap<String, SecretString> {
        BTreeMap::from([("token".to_owned(), SecretString::from(token))])
    }

    #[tokio::test]
    async fn a_link_completes_once_and_a_bad_credential_does_not_spend_it() {
        let store = SqliteStore::in_memory(KeyRing::generate().unwrap()).unwrap();
        let toolkit = toolkit();
        let started = initiate(&store, &toolkit, LinkRequest::new(UserId::new("ada"))).await.unwrap();
        // A static scheme is preferred for a new auth config: the user can type it in.
        assert_eq!(started.auth_config.scheme, "bearer");
        assert_eq!(started.account.status, AccountStatus::Initiated);
        let bad = complete(&store, &toolkit, &started.token, values("nope")).await.unwrap_err();
        assert!(bad.to_string().contains("does not match `^tok_`"), "{bad}");
        assert!(!bad.to_string().contains("nope"), "{bad}");
        let account = complete(&store, &toolkit, &started.token, values("tok_1")).await.unwrap();
        assert_eq!((account.id.clone(), account.status), (started.account.id.clone(), AccountStatus::Active));
        assert_eq!(store.account(&account.id).await.unwrap().unwrap().credentials.secret("token"), Some("tok_1"));
        let again = complete(&store, &toolkit, &started.token, values("tok_2")).await.unwrap_err();
        assert!(matches!(again, LinkError::Used), "{again}");
        let unknown = complete(&store, &toolkit, &LinkToken::generate(), values("tok_3")).await.unwrap_err();
        assert!(matches!(unknown, LinkError::Unknown), "{unknown}");
    }

    #[tokio::test]
    async fn prepare_spends_nothing_and_finish_stores_what_it_is_given() {
        let store = SqliteStore::in_memory(KeyRing::generate().unwrap()).unwrap();
        let toolkit = toolkit();
        let started = initiate(&store, &toolkit, LinkRequest::new(UserId::new("ada"))).await.unwrap();
        let mut prepared = prepare(&store, &toolkit, &started.token, values("tok_1")).await.unwrap();
        assert_eq!(prepared.status, AccountStatus::Active);
        // Nothing stored, the link still works.
        assert_eq!(store.account(&started.account.id).await.unwrap().unwrap().status, AccountStatus::Initiated);
        assert!(store.link(&started.token.hash()).await.unwrap().unwrap().used_at.is_none());
        // A caller whose check refused the credential stores the account FAILED.
        prepared.status = AccountStatus::Failed;
        let failed = finish(&store, &started.token, prepared.clone()).await.unwrap();
        assert_eq!(store.account(&failed.id).await.unwrap().unwrap().status, AccountStatus::Failed);
        let again = finish(&store, &started.token, prepared).await.unwrap_err();
        assert!(matches!(again, LinkError::Used), "{again}");
    }

    #[tokio::test]
    async fn an_expired_link_is_refused_and_changes_nothing() {
        let store = SqliteStore::in_memory(KeyRing::generate().unwrap()).unwrap();
        let toolkit = toolkit();
        let request = LinkRequest { ttl: Duration::ZERO, ..LinkRequest::new(UserId::new("ada")) };
        let started = initiate(&store, &toolkit, request).await.unwrap();
        let err = complete(&store, &toolkit, &started.token, values("tok_1")).await.unwrap_err();
        assert!(matches!(err, LinkError::Expired), "{err}");
        assert_eq!(err.kind(), ErrorKind::Conflict);
        let account = store.account(&started.account.id).await.unwrap().unwrap();
        assert_eq!(account.status, AccountStatus::Initiated);
    }
}
