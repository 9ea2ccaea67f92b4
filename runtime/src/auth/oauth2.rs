//! OAuth 2.0 tokens (temporary interface stub in the main tree; the oauth branch
//! replaces this file).

use std::sync::Arc;

use toolsmith_catalog::OAuth2;

use crate::store::{ConnectedAccount, Store};

/// Keeps OAuth 2.0 access tokens fresh.
#[derive(Debug)]
pub struct TokenManager {
    _store: Arc<dyn Store>,
    _http: reqwest::Client,
}

/// Why tokens could not be made fresh.
#[derive(Debug, thiserror::Error)]
#[error("token refresh is not available in this build")]
pub struct TokenError;

impl TokenManager {
    /// A manager over `store`.
    pub fn new(store: Arc<dyn Store>, http: reqwest::Client) -> Self {
        TokenManager { _store: store, _http: http }
    }

    /// The account with a fresh access token.
    pub async fn ensure_fresh(&self, _scheme: &OAuth2, account: ConnectedAccount) -> Result<ConnectedAccount, TokenError> {
        Ok(account)
    }

    /// Refreshes after a 401.
    pub async fn refresh_rejected(&self, _scheme: &OAuth2, _account: &ConnectedAccount) -> Result<ConnectedAccount, TokenError> {
        Err(TokenError)
    }
}
