//! Why getting fresh OAuth 2.0 tokens failed.

use std::sync::Arc;

use toolsmith_spec::ToolkitSlug;

use toolsmith_core::{ErrorKind, Remedy};
use toolsmith_store::{AccountStatus, StoreError};

use toolsmith_core::{AuthConfigId, ConnectedAccountId, UserId};

/// Why [`TokenManager`](super::TokenManager) could not give an account fresh tokens.
///
/// Messages name the account and toolkit and say what to do; they never contain a token
/// or a client secret (text the token endpoint sent back is shortened and has every
/// secret of the request blanked out). [`TokenError::is_retryable`] tells a failure that
/// may pass by itself (the token endpoint was down) from one that needs a person.
///
/// ```
/// use toolsmith::auth::oauth2::TokenError;
/// let err = TokenError::Unavailable {
///     account: "ca_1".parse().unwrap(),
///     toolkit: toolsmith::ToolkitSlug::new("github"),
///     reason: "the token endpoint answered 503".into(),
/// };
/// assert!(err.is_retryable());
/// assert!(err.to_string().contains("ca_1 (github)"));
/// ```
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The authorization server refused the account's grant for good (`invalid_grant`,
    /// `invalid_client`, `unauthorized_client`), or there is no refresh token to refresh
    /// with. The account is now `EXPIRED` with `reason` as its status reason.
    #[error(
        "connected account {account} ({toolkit}, user `{user}`) can no longer get tokens: {reason}; \
         the account is now EXPIRED and the user must reconnect it: \
         `toolsmith accounts connect --user {user} --toolkit {toolkit}`"
    )]
    ReconnectRequired {
        /// The account.
        account: ConnectedAccountId,
        /// Its toolkit.
        toolkit: ToolkitSlug,
        /// Its user.
        user: UserId,
        /// Why (`invalid_grant: grant request is invalid`), also stored as the account's
        /// status reason.
        reason: String,
    },
    /// The account is not `ACTIVE` (expired, revoked, disabled…): no token request was sent.
    #[error(
        "connected account {account} ({toolkit}, user `{user}`) is {status}{}; reconnect it with \
         `toolsmith accounts connect --user {user} --toolkit {toolkit}`",
        reason.as_ref().map(|r| format!(" ({r})")).unwrap_or_default()
    )]
    NotActive {
        /// The account.
        account: ConnectedAccountId,
        /// Its toolkit.
        toolkit: ToolkitSlug,
        /// Its user.
        user: UserId,
        /// Its status.
        status: AccountStatus,
        /// Its status reason.
        reason: Option<String>,
    },
    /// A failure that may pass by itself: the token endpoint answered 5xx or 429, timed
    /// out, refused the connection or sent something that is not a token response, or
    /// another process held the refresh lease too long. The account stays `ACTIVE` with
    /// its tokens unchanged; retry later.
    #[error(
        "could not refresh the tokens of connected account {account} ({toolkit}): {reason}; \
         the account is unchanged, retry later"
    )]
    Unavailable {
        /// The account.
        account: ConnectedAccountId,
        /// Its toolkit.
        toolkit: ToolkitSlug,
        /// What happened.
        reason: String,
    },
    /// The token endpoint refused the request for a reason reconnecting does not fix
    /// (`invalid_scope`, `unsupported_grant_type`, `invalid_request`, a 4xx status without
    /// an OAuth error, a redirect). The account is unchanged; the spec's `oauth2` scheme
    /// or the auth config needs fixing.
    #[error(
        "the token endpoint {url} refused the token request of connected account {account} ({toolkit}): \
         {reason}; check the oauth2 scheme of the `{toolkit}` spec and auth config {auth_config}"
    )]
    Refused {
        /// The account.
        account: ConnectedAccountId,
        /// Its toolkit.
        toolkit: ToolkitSlug,
        /// The auth config it uses.
        auth_config: AuthConfigId,
        /// The token endpoint.
        url: String,
        /// What it answered.
        reason: String,
    },
    /// No token request can be built: the auth config is missing or has no client id, a
    /// field the token URL needs is missing, the URL is not valid.
    #[error("cannot request tokens for connected account {account} ({toolkit}): {problem}")]
    Config {
        /// The account.
        account: ConnectedAccountId,
        /// Its toolkit.
        toolkit: ToolkitSlug,
        /// What is wrong and how to fix it.
        problem: String,
    },
    /// The account was removed from the store.
    #[error("connected account {0} no longer exists; connect the toolkit again with `toolsmith accounts connect`")]
    AccountMissing(ConnectedAccountId),
    /// The store could not be read or written.
    #[error("the store failed while refreshing the tokens of connected account {account}: {source}")]
    Store {
        /// The account.
        account: ConnectedAccountId,
        /// What failed.
        #[source]
        source: Arc<StoreError>,
    },
}

impl TokenError {
    /// Whether the same call may succeed later without anyone changing anything: the token
    /// endpoint or the store was unavailable.
    ///
    /// ```
    /// use toolsmith::auth::oauth2::TokenError;
    /// assert!(!TokenError::AccountMissing("ca_1".parse().unwrap()).is_retryable());
    /// ```
    pub fn is_retryable(&self) -> bool {
        matches!(self, TokenError::Unavailable { .. } | TokenError::Store { .. })
    }

    /// The connected account the error is about.
    ///
    /// ```
    /// use toolsmith::auth::oauth2::TokenError;
    /// let err = TokenError::AccountMissing("ca_1".parse().unwrap());
    /// assert_eq!(err.account().as_str(), "ca_1");
    /// ```
    pub fn account(&self) -> &ConnectedAccountId {
        match self {
            TokenError::ReconnectRequired { account, .. }
            | TokenError::NotActive { account, .. }
            | TokenError::Unavailable { account, .. }
            | TokenError::Refused { account, .. }
            | TokenError::Config { account, .. }
            | TokenError::Store { account, .. }
            | TokenError::AccountMissing(account) => account,
        }
    }

    /// What kind of failure it is, for a server to map: the account must be
    /// (re)connected, the token endpoint failed, or the deployment is misconfigured.
    ///
    /// ```
    /// use toolsmith::auth::oauth2::TokenError;
    /// let err = TokenError::AccountMissing("ca_1".parse().unwrap());
    /// assert_eq!(err.kind(), toolsmith::ErrorKind::NeedsAccount);
    /// ```
    pub fn kind(&self) -> ErrorKind {
        match self {
            TokenError::ReconnectRequired { .. } | TokenError::NotActive { .. } | TokenError::AccountMissing(_) => {
                ErrorKind::NeedsAccount
            }
            TokenError::Unavailable { .. } => ErrorKind::Upstream,
            TokenError::Refused { .. } | TokenError::Config { .. } | TokenError::Store { .. } => ErrorKind::Internal,
        }
    }

    /// What the caller can do: reconnect the account when the grant is gone or the
    /// account is not active, connect one when it was removed, retry when the failure may
    /// pass by itself.
    pub fn remedy(&self, user: &UserId, toolkit: &ToolkitSlug) -> Option<Remedy> {
        match self {
            TokenError::ReconnectRequired { account, .. } | TokenError::NotActive { account, .. } => {
                Some(Remedy::ReconnectAccount {
                    user: user.clone(),
                    toolkit: toolkit.as_str().to_owned(),
                    account: account.clone(),
                })
            }
            TokenError::AccountMissing(_) => {
                Some(Remedy::ConnectAccount { user: user.clone(), toolkit: toolkit.as_str().to_owned() })
            }
            TokenError::Unavailable { .. } | TokenError::Store { .. } => Some(Remedy::RetryLater),
            TokenError::Refused { .. } | TokenError::Config { .. } => Some(Remedy::FixSpec),
        }
    }

    pub(super) fn store(account: &ConnectedAccountId, source: StoreError) -> Self {
        TokenError::Store { account: account.clone(), source: Arc::new(source) }
    }
}
