//! Connect Links: starting a connection that the user finishes on a page.
//!
//! [`initiate`] stores an `INITIATED` connected account and a single-use, expiring
//! [`LinkToken`] for it; the token goes into the link's URL. [`complete`] is what the
//! page calls with what the user entered: it spends the token and turns the account
//! `ACTIVE`. (The OAuth 2.0 redirect of the page is in [`crate::oauth2`]; a static
//! credential — an API key, a token, a user and password — completes here.)
//!
//! A link can also reconnect an existing account ([`LinkRequest::account`], and an
//! `EXPIRED` account of the same user, toolkit, auth config and alias is reused without
//! asking): the account keeps its id, user, alias and auth config and turns `INITIATED`;
//! its old credentials stay until the link completes, which replaces them all.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use secrecy::SecretString;
use toolsmith_core::{AuthConfigId, ConnectedAccountId, ErrorKind, SessionId, UserId};
use toolsmith_spec::{AuthScheme, Toolkit};
use toolsmith_store::{
    AccountFilter, AccountStatus, AuthConfig, ConnectLink, ConnectedAccount, Credentials, LinkToken, Store, StoreError,
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
    /// The account to reconnect (see [`initiate`]); `None` connects a new account or
    /// reuses an `EXPIRED` one.
    pub account: Option<ConnectedAccountId>,
    /// A name for a new account; an `EXPIRED` account is reused only when it has this
    /// alias (when given).
    pub alias: Option<String>,
}

impl LinkRequest {
    /// A link for `user` that works for ten minutes.
    ///
    /// ```
    /// let request = toolsmith_auth::LinkRequest::new(toolsmith_core::UserId::new("ada"));
    /// assert_eq!(request.ttl.as_secs(), 600);
    /// ```
    pub fn new(user_id: UserId) -> Self {
        LinkRequest {
            user_id,
            auth_config: None,
            session: None,
            callback_url: None,
            ttl: Duration::from_secs(600),
            account: None,
            alias: None,
        }
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
    /// The account to reconnect does not exist, or is not the user's or the toolkit's.
    #[error("connected account {account} {reason}")]
    NoSuchAccount {
        /// The account asked for.
        account: ConnectedAccountId,
        /// What does not fit (`does not exist`, `belongs to another user`…).
        reason: String,
    },
    /// The account to reconnect is in a status a link cannot leave.
    #[error("connected account {account} is {status}: {fix}")]
    NotReconnectable {
        /// The account asked for.
        account: ConnectedAccountId,
        /// Its status.
        status: AccountStatus,
        /// What to do instead.
        fix: &'static str,
    },
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
            LinkError::Unknown | LinkError::AccountGone(_) | LinkError::NoSuchAccount { .. } => ErrorKind::NotFound,
            LinkError::Used | LinkError::Expired | LinkError::NotReconnectable { .. } => ErrorKind::Conflict,
            LinkError::Connect(e) => e.kind(),
            LinkError::Store(_) => ErrorKind::Internal,
        }
    }
}

/// Starts connecting an account of `toolkit`: stores an `INITIATED` account and a link
/// for it. See [`LinkRequest`] for the auth config chosen.
///
/// With [`LinkRequest::account`], the link reconnects that account: it must be the
/// user's and the toolkit's, and `EXPIRED`, `FAILED` or `INITIATED` (an `ACTIVE`,
/// `REVOKED` or `INACTIVE` one is refused); its auth config is kept. Without it, an
/// `EXPIRED` account of the same user, toolkit and auth config (and alias, when one is
/// asked) is reconnected rather than a new one created.
pub async fn initiate(store: &dyn Store, toolkit: &Toolkit, request: LinkRequest) -> Result<Initiated, LinkError> {
    let reconnected = match &request.account {
        Some(id) => Some(reconnectable(store, toolkit, &request.user_id, id).await?),
        None => None,
    };
    let config = match (&reconnected, &request.auth_config) {
        (Some(account), Some(id)) if *id != account.auth_config => {
            return Err(ConnectError::AuthConfig(format!(
                "connected account {} connects through auth config {}, not {id}; a reconnection keeps its auth config",
                account.id, account.auth_config
            ))
            .into())
        }
        (Some(account), _) => chosen_config(store, toolkit, &account.auth_config).await?,
        (None, Some(id)) => chosen_config(store, toolkit, id).await?,
        (None, None) => match store.auth_configs(Some(&toolkit.slug)).await?.into_iter().find(|c| !c.disabled) {
            Some(config) => config,
            None => auth_config(store, toolkit, preferred_scheme(toolkit)?, None).await?,
        },
    };
    let reconnected = match reconnected {
        Some(account) => Some(account),
        None => expired_account(store, toolkit, &request, &config).await?,
    };
    let now = SystemTime::now();
    let account = match reconnected {
        // The old credentials stay (unused: the account is not ACTIVE) until the link
        // completes and replaces them.
        Some(old) => ConnectedAccount {
            status: AccountStatus::Initiated,
            status_reason: Some(format!(
                "being reconnected (was {}): waiting for the user to finish the Connect Link",
                old.status
            )),
            updated_at: now,
            ..old
        },
        None => ConnectedAccount {
            id: ConnectedAccountId::generate(),
            user_id: request.user_id.clone(),
            toolkit: toolkit.slug.clone(),
            auth_config: config.id.clone(),
            status: AccountStatus::Initiated,
            status_reason: Some("waiting for the user to finish the Connect Link".to_owned()),
            alias: request.alias.clone(),
            fields: BTreeMap::new(),
            credentials: Credentials::default(),
            created_at: now,
            updated_at: now,
        },
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

/// The auth config `id`, which must exist and be `toolkit`'s.
async fn chosen_config(store: &dyn Store, toolkit: &Toolkit, id: &AuthConfigId) -> Result<AuthConfig, LinkError> {
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
    Ok(config)
}

/// The account `id` when `user` may reconnect it with a link of `toolkit`.
async fn reconnectable(
    store: &dyn Store,
    toolkit: &Toolkit,
    user: &UserId,
    id: &ConnectedAccountId,
) -> Result<ConnectedAccount, LinkError> {
    let no = |reason: String| LinkError::NoSuchAccount { account: id.clone(), reason };
    let account = store.account(id).await?.ok_or_else(|| no("does not exist".to_owned()))?;
    if account.user_id != *user {
        return Err(no(format!("belongs to another user than `{user}`")));
    }
    if account.toolkit != toolkit.slug {
        return Err(no(format!("is an account of toolkit `{}`, not `{}`", account.toolkit, toolkit.slug)));
    }
    let fix = match account.status {
        AccountStatus::Expired | AccountStatus::Failed | AccountStatus::Initiated => return Ok(account),
        AccountStatus::Active => "it is connected; only an EXPIRED or FAILED account is reconnected",
        AccountStatus::Revoked => "access was revoked; connect a new account instead",
        AccountStatus::Inactive => "it was disabled; enable it instead of reconnecting it",
    };
    Err(LinkError::NotReconnectable { account: account.id, status: account.status, fix })
}

/// The newest `EXPIRED` account of the request's user with `config` (and the alias
/// asked, if any): the one a link without an explicit account reconnects.
async fn expired_account(
    store: &dyn Store,
    toolkit: &Toolkit,
    request: &LinkRequest,
    config: &AuthConfig,
) -> Result<Option<ConnectedAccount>, LinkError> {
    let filter = AccountFilter {
        user_id: Some(request.user_id.clone()),
        toolkit: Some(toolkit.slug.clone()),
        auth_config: Some(config.id.clone()),
        statuses: vec![AccountStatus::Expired],
    };
    let expired = store.accounts(&filter).await?;
    Ok(expired.into_iter().rev().find(|a| request.alias.is_none() || a.alias == request.alias))
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
    // A reconnected account's old secrets are not kept: the link replaces them all.
    let account = ConnectedAccount { credentials: Credentials::default(), ..account };
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
#[path = "link_tests.rs"]
mod tests;
