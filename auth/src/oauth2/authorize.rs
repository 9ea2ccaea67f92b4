//! The OAuth 2.0 authorization-code flow of a Connect Link: the URL the user is sent to
//! ([`authorization_url`]) and what the redirect back completes
//! ([`complete_authorization`]).
//!
//! Nothing is stored for the flow besides the link itself: its `state` and PKCE verifier
//! are derived from the link's token hash under a server secret the caller keeps, so the
//! callback recomputes them. The derivation is HMAC-SHA256 (the `hmac` crate) under the
//! secret of `purpose || 0x00 || token_hash`, one purpose for the state and one for the
//! verifier.
//!
//! `state` is `<token_hash>.<mac>`: the hash finds the link, the MAC proves the server
//! made it; it is compared in constant time.

use std::time::{Duration, SystemTime};

use ::oauth2::{PkceCodeChallenge, PkceCodeVerifier};
use base64::Engine as _;
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use toolsmith_core::ErrorKind;
use toolsmith_spec::{AuthScheme, OAuth2, OAuth2Grant, Toolkit};
use toolsmith_store::{AccountStatus, AuthConfig, ConnectLink, ConnectedAccount, Credentials, Store, StoreError};

use super::grant::{self, Failure, Grant, TokenRequest};
use crate::link::LinkError;

/// How long the code exchange may take.
const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(10);

/// What the provider sent to the redirect URI, as query parameters.
#[derive(Clone, Default)]
pub struct CallbackParams {
    /// The authorization code, on success.
    pub code: Option<SecretString>,
    /// The `state` of [`authorization_url`], echoed.
    pub state: String,
    /// The OAuth error code (`access_denied`…), on failure.
    pub error: Option<String>,
    /// The provider's explanation of `error`.
    pub error_description: Option<String>,
    /// The issuer that answered (RFC 9207), when the provider says.
    pub iss: Option<String>,
}

impl std::fmt::Debug for CallbackParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallbackParams")
            .field("code", &self.code.as_ref().map(|_| "[redacted]"))
            .field("error", &self.error)
            .field("iss", &self.iss)
            .finish_non_exhaustive()
    }
}

/// Why an authorization could not start or complete. Messages never contain a code, a
/// token or the state.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthorizeError {
    /// The state was not made by this server (forged, altered or cut).
    #[error("the `state` of this authorization is not one this server issued; start again from a new Connect Link")]
    BadState,
    /// The link is unknown, used, expired, or its account is gone.
    #[error(transparent)]
    Link(#[from] LinkError),
    /// The user refused on the provider's consent page.
    #[error("the user denied access on the provider's page{}; ask for a new Connect Link to try again", describe(.0))]
    Denied(Option<String>),
    /// The provider answered the redirect with another error.
    #[error("the provider refused the authorization: {code}{}; ask for a new Connect Link", describe(.description))]
    Provider {
        /// The OAuth error code.
        code: String,
        /// The provider's explanation.
        description: Option<String>,
    },
    /// The redirect came from another issuer than expected (RFC 9207 mix-up defence).
    #[error("the authorization response names the issuer `{got}`, expected `{expected}`; the response is refused")]
    WrongIssuer {
        /// The issuer of the auth config.
        expected: String,
        /// The `iss` parameter received.
        got: String,
    },
    /// The redirect carried neither a code nor an error.
    #[error("the authorization response has no `code`; ask for a new Connect Link")]
    NoCode,
    /// The toolkit or auth config cannot run this flow.
    #[error("{0}")]
    Config(String),
    /// The token endpoint refused the code or could not be reached.
    #[error("exchanging the authorization code failed: {0}")]
    Exchange(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AuthorizeError {
    /// The kind of failure, for a server's status code.
    pub fn kind(&self) -> ErrorKind {
        match self {
            AuthorizeError::BadState | AuthorizeError::WrongIssuer { .. } => ErrorKind::Forbidden,
            AuthorizeError::Link(e) => e.kind(),
            AuthorizeError::Denied(_) => ErrorKind::Forbidden,
            AuthorizeError::Provider { .. } | AuthorizeError::Exchange(_) => ErrorKind::Upstream,
            AuthorizeError::NoCode => ErrorKind::InvalidArguments,
            AuthorizeError::Config(_) => ErrorKind::InvalidArguments,
            AuthorizeError::Store(_) => ErrorKind::Internal,
        }
    }
}

/// `: text` for an optional provider description, bounded and without control characters.
fn describe(text: &Option<String>) -> String {
    match text {
        Some(t) if !t.trim().is_empty() => {
            let clean: String = t.chars().take(200).map(|c| if c.is_control() { ' ' } else { c }).collect();
            format!(" ({clean})")
        }
        _ => String::new(),
    }
}

/// The provider's authorization URL for `link`: `response_type=code`, the client id,
/// `redirect_uri`, the scopes (the auth config's, else the scheme's defaults), the
/// scheme's `authorize_params`, a `state` bound to the link and, unless the scheme says
/// `pkce: false`, an S256 PKCE challenge. `secret` is the server's; the callback needs
/// the same one.
pub fn authorization_url(
    toolkit: &Toolkit,
    config: &AuthConfig,
    link: &ConnectLink,
    redirect_uri: &str,
    secret: &[u8],
) -> Result<url::Url, AuthorizeError> {
    let scheme = oauth2_scheme(toolkit, config)?;
    let client_id = client_id(config)?;
    let base = scheme.authorization_url.as_deref().ok_or_else(|| {
        AuthorizeError::Config(format!(
            "the oauth2 scheme of toolkit `{}` has no authorization_url; add it to the toolkit's spec",
            toolkit.slug
        ))
    })?;
    let mut url = url::Url::parse(base).map_err(|e| {
        AuthorizeError::Config(format!(
            "the authorization_url `{base}` of toolkit `{}` is not a URL ({e})",
            toolkit.slug
        ))
    })?;
    let scopes = if config.scopes.is_empty() { &scheme.scopes.default } else { &config.scopes };
    {
        let mut query = url.query_pairs_mut();
        for (name, value) in &scheme.authorize_params {
            if !RESERVED.contains(&name.as_str()) {
                query.append_pair(name, value);
            }
        }
        query.append_pair("response_type", "code").append_pair("client_id", client_id);
        query.append_pair("redirect_uri", redirect_uri);
        if !scopes.is_empty() {
            query.append_pair("scope", &scopes.join(&scheme.scopes.separator));
        }
        query.append_pair("state", &state(&link.token_hash, secret));
        if scheme.pkce {
            let verifier = PkceCodeVerifier::new(verifier(&link.token_hash, secret).expose_secret().to_owned());
            let challenge = PkceCodeChallenge::from_code_verifier_sha256(&verifier);
            query.append_pair("code_challenge", challenge.as_str()).append_pair("code_challenge_method", "S256");
        }
    }
    Ok(url)
}

/// Parameters the flow sets itself: a scheme's `authorize_params` cannot override them.
const RESERVED: [&str; 7] =
    ["response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method"];

/// Completes the flow with what the provider sent to `redirect_uri`: checks the state,
/// the link (unused, unexpired) and the issuer (`expected_issuer`, when given and the
/// provider sent `iss`), exchanges the code and stores the tokens sealed on the link's
/// account, which turns `ACTIVE`; the link is spent.
///
/// A forged state or a used link is refused and changes nothing. Any other failure once
/// the link is found (expired, denied, wrong issuer, refused code…) spends the link and
/// marks the account `FAILED` with the reason.
pub async fn complete_authorization(
    store: &dyn Store,
    toolkit: &Toolkit,
    http: &reqwest::Client,
    callback: CallbackParams,
    redirect_uri: &str,
    secret: &[u8],
    expected_issuer: Option<&str>,
) -> Result<ConnectedAccount, AuthorizeError> {
    let hash = check_state(&callback.state, secret)?;
    let link = store.link(hash).await?.ok_or(LinkError::Unknown)?;
    if link.used_at.is_some() {
        return Err(LinkError::Used.into());
    }
    let account = store.account(&link.account).await?.ok_or_else(|| LinkError::AccountGone(link.account.clone()))?;
    let now = SystemTime::now();
    // Claim the link first: of two concurrent callbacks, one exchanges the code.
    let claimed = store.consume_link(hash, now).await?;
    if claimed.is_none() {
        return match store.link(hash).await? {
            Some(l) if l.used_at.is_some() => Err(LinkError::Used.into()),
            Some(_) => Err(fail(store, account, LinkError::Expired.into()).await),
            None => Err(LinkError::Unknown.into()),
        };
    }
    let flow =
        Flow { toolkit, http, callback: &callback, redirect_uri, verifier: verifier(hash, secret), expected_issuer };
    match exchange(store, &flow, &account).await {
        Ok(updated) => {
            store.put_account(&updated).await?;
            Ok(updated)
        }
        Err(err) => Err(fail(store, account, err).await),
    }
}

/// Marks the account `FAILED` with the error as reason; the error (or the store's).
async fn fail(store: &dyn Store, mut account: ConnectedAccount, err: AuthorizeError) -> AuthorizeError {
    account.status = AccountStatus::Failed;
    account.status_reason = Some(err.to_string());
    account.updated_at = SystemTime::now();
    match store.put_account(&account).await {
        Ok(()) => err,
        Err(store_err) => store_err.into(),
    }
}

/// What the exchange needs besides the store and the account.
struct Flow<'a> {
    toolkit: &'a Toolkit,
    http: &'a reqwest::Client,
    callback: &'a CallbackParams,
    redirect_uri: &'a str,
    /// The link's PKCE verifier (sent only when the scheme uses PKCE).
    verifier: SecretString,
    expected_issuer: Option<&'a str>,
}

/// The checks after the link was claimed, the code exchange, and the account with tokens.
async fn exchange(
    store: &dyn Store,
    flow: &Flow<'_>,
    account: &ConnectedAccount,
) -> Result<ConnectedAccount, AuthorizeError> {
    let callback = flow.callback;
    if let (Some(expected), Some(got)) = (flow.expected_issuer, callback.iss.as_deref()) {
        if expected.trim_end_matches('/') != got.trim_end_matches('/') {
            return Err(AuthorizeError::WrongIssuer { expected: expected.to_owned(), got: describe_raw(got) });
        }
    }
    if let Some(code) = &callback.error {
        return Err(if code == "access_denied" {
            AuthorizeError::Denied(callback.error_description.clone())
        } else {
            AuthorizeError::Provider { code: describe_raw(code), description: callback.error_description.clone() }
        });
    }
    let code = callback.code.as_ref().filter(|c| !c.expose_secret().is_empty()).ok_or(AuthorizeError::NoCode)?;
    let config = store.auth_config(&account.auth_config).await?.ok_or_else(|| {
        AuthorizeError::Config(format!(
            "auth config {} of the account was deleted; create the link again",
            account.auth_config
        ))
    })?;
    let scheme = oauth2_scheme(flow.toolkit, &config)?;
    let request = TokenRequest {
        scheme,
        config: &config,
        url: &scheme.token_url,
        grant: Grant::AuthorizationCode {
            code,
            redirect_uri: flow.redirect_uri,
            verifier: scheme.pkce.then_some(&flow.verifier),
        },
        also_secret: None,
    };
    let granted = grant::request(flow.http, request, EXCHANGE_TIMEOUT).await.map_err(|failure| match failure {
        Failure::Config(reason) => AuthorizeError::Config(reason),
        Failure::Permanent(reason) | Failure::Transient(reason) | Failure::Refused(reason) => {
            AuthorizeError::Exchange(reason)
        }
    })?;
    let requested = if config.scopes.is_empty() { scheme.scopes.default.clone() } else { config.scopes.clone() };
    // Nothing of a reconnected account's old tokens is kept (no old refresh token beside
    // a new access token): the grant replaces the credentials whole.
    let fresh = ConnectedAccount { credentials: Credentials::default(), ..account.clone() };
    let mut updated = grant::renew(fresh, granted);
    if let Some(tokens) = updated.credentials.oauth2.as_mut() {
        if tokens.scopes.is_empty() {
            tokens.scopes = requested;
        }
    }
    Ok(updated)
}

/// Text from the redirect's query for a message: bounded, without control characters.
fn describe_raw(text: &str) -> String {
    text.chars().take(100).map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// The toolkit's authorization-code scheme the auth config uses.
fn oauth2_scheme<'a>(toolkit: &'a Toolkit, config: &AuthConfig) -> Result<&'a OAuth2, AuthorizeError> {
    match crate::select::scheme_of(toolkit, config).map_err(AuthorizeError::Config)? {
        AuthScheme::Oauth2(scheme) if scheme.grant == OAuth2Grant::AuthorizationCode => Ok(scheme),
        other => Err(AuthorizeError::Config(format!(
            "auth config {} uses the `{}` scheme of toolkit `{}`, not OAuth 2.0 with the authorization-code grant; \
             connect it with its credential instead",
            config.id,
            other.name(),
            toolkit.slug
        ))),
    }
}

fn client_id(config: &AuthConfig) -> Result<&str, AuthorizeError> {
    config.client_id.as_deref().filter(|id| !id.is_empty()).ok_or_else(|| {
        AuthorizeError::Config(format!(
            "auth config {} has no OAuth client id; set the client id and secret of the auth config",
            config.id
        ))
    })
}

/// HMAC-SHA256 under `secret` of `purpose || 0x00 || token_hash`: see the module doc.
fn keyed(secret: &[u8], purpose: &str, token_hash: &str) -> [u8; 32] {
    use hmac::Mac as _;
    // HMAC accepts keys of any length: `new_from_slice` cannot fail.
    let Ok(mut mac) = hmac::Hmac::<Sha256>::new_from_slice(secret) else { return [0; 32] };
    mac.update(purpose.as_bytes());
    mac.update(&[0]);
    mac.update(token_hash.as_bytes());
    mac.finalize().into_bytes().into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The `state` of a link: `<token_hash>.<mac>`.
fn state(token_hash: &str, secret: &[u8]) -> String {
    format!("{token_hash}.{}", hex(&keyed(secret, "state", token_hash)))
}

/// The PKCE verifier of a link: 43 base64url characters (RFC 7636 §4.1).
fn verifier(token_hash: &str, secret: &[u8]) -> SecretString {
    let bytes = keyed(secret, "pkce-verifier", token_hash);
    SecretString::from(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// The token hash of a state this server made, else [`AuthorizeError::BadState`]. The
/// MAC is compared in constant time.
fn check_state<'s>(state: &'s str, secret: &[u8]) -> Result<&'s str, AuthorizeError> {
    let (hash, mac) = state.split_once('.').ok_or(AuthorizeError::BadState)?;
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return Err(AuthorizeError::BadState);
    }
    let expected = hex(&keyed(secret, "state", hash));
    if mac.len() != expected.len() {
        return Err(AuthorizeError::BadState);
    }
    let diff = mac.bytes().zip(expected.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b));
    if diff == 0 {
        Ok(hash)
    } else {
        Err(AuthorizeError::BadState)
    }
}

#[cfg(test)]
#[path = "authorize_tests.rs"]
mod tests;
