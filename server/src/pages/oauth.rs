//! The OAuth 2.0 leg of the Connect Link page: `GET /link/{token}` of a link whose auth
//! config uses an authorization-code scheme redirects to the provider
//! ([`toolsmith_auth::oauth2::authorization_url`]); the provider sends the user back to
//! `GET /link/callback`, which completes the flow
//! ([`toolsmith_auth::oauth2::complete_authorization`]) and returns to the app. Codes,
//! tokens and states are never logged nor shown.

use std::sync::OnceLock;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use secrecy::SecretString;
use serde::Deserialize;
use toolsmith_auth::oauth2::{authorization_url, complete_authorization, AuthorizeError, CallbackParams};
use toolsmith_auth::LinkError;
use toolsmith_spec::{AuthScheme, OAuth2Grant, Toolkit};
use toolsmith_store::{AuthConfig, LinkToken};

use super::link::{self, message, notice, refused, Open};
use super::secret::secret;
use crate::state::AppState;

/// The path of the redirect URI, under the server's public URL.
const CALLBACK_PATH: &str = "/link/callback";

/// The redirect URI registered with providers: `<public_url>/link/callback`.
fn redirect_uri(state: &AppState) -> String {
    format!("{}{CALLBACK_PATH}", state.options().public_url.as_str().trim_end_matches('/'))
}

/// The page when the process has no secret to sign the state with.
fn no_secret() -> Response {
    message(
        StatusCode::SERVICE_UNAVAILABLE,
        "Something went wrong",
        "This server cannot start an authorization (it has no source of randomness); try again later.",
    )
}

/// `GET /link/{token}`: for an OAuth 2.0 authorization-code scheme, 303 to the provider;
/// for any other scheme, the form of [`link::show`].
pub(crate) async fn show(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let hash = LinkToken::from(token).hash();
    let open = match link::open(&state, &hash).await {
        Ok(open) => open,
        Err(page) => return page,
    };
    let config = match link::auth_config(&open).await {
        Ok(config) => config,
        Err(page) => return page,
    };
    match toolsmith_auth::scheme_of(&open.toolkit, &config) {
        Ok(AuthScheme::Oauth2(scheme)) if scheme.grant == OAuth2Grant::AuthorizationCode => {
            start(&state, &open, &config)
        }
        Ok(_) => link::show(&open, &hash).await,
        Err(reason) => link::scheme_gone(&reason),
    }
}

/// The redirect to the provider's authorization URL.
fn start(state: &AppState, open: &Open, config: &AuthConfig) -> Response {
    if config.client_id.as_deref().is_none_or(str::is_empty) {
        return notice(
            StatusCode::CONFLICT,
            "App not registered",
            &format!(
                "{} cannot be connected yet: the app must be registered with it first. Its administrator sets the \
                 OAuth client with `toolsmith auth-configs update {} --client-id ID --client-secret SECRET`.",
                open.toolkit.name, config.id
            ),
            Some(&open.toolkit),
        );
    }
    let Some(key) = secret() else { return no_secret() };
    match authorization_url(&open.toolkit, config, &open.link, &redirect_uri(state), key) {
        Ok(url) => link::see_other(&url),
        Err(e) => failed_page(&e, Some(&open.toolkit)),
    }
}

/// The query the provider sends to the redirect URI.
#[derive(Deserialize)]
pub(crate) struct CallbackQuery {
    code: Option<String>,
    #[serde(default)]
    state: String,
    iss: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// The HTTP client of the code exchange (no redirects followed: a token endpoint answers
/// itself).
fn http() -> &'static reqwest::Client {
    static HTTP: OnceLock<reqwest::Client> = OnceLock::new();
    HTTP.get_or_init(|| {
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap_or_default()
    })
}

/// `GET /link/callback`: completes the authorization of the link named by `state`.
pub(crate) async fn callback(State(state): State<AppState>, Query(query): Query<CallbackQuery>) -> Response {
    let Some(key) = secret() else { return no_secret() };
    // The state is `<token hash>.<mac>`; the MAC is checked by `complete_authorization`.
    let Some((hash, _)) = query.state.split_once('.') else { return failed_page(&AuthorizeError::BadState, None) };
    let (cx, link) = match state.link_project(hash).await {
        Ok(Some(found)) => found,
        Ok(None) => return failed_page(&AuthorizeError::BadState, None),
        Err(e) => return refused(&LinkError::Store(e)),
    };
    let Some(toolkit) = state.registry().toolkit(link.toolkit.as_str()).cloned() else {
        return message(
            StatusCode::NOT_FOUND,
            "Toolkit not available",
            &format!("toolkit `{}` is no longer in this server's catalog; ask for a new link", link.toolkit),
        );
    };
    let params = CallbackParams {
        code: query.code.map(SecretString::from),
        state: query.state,
        error: query.error,
        error_description: query.error_description,
        iss: query.iss,
    };
    // The toolkit specs declare no issuer: the `iss` of the response is not compared.
    let done = complete_authorization(&*cx.store, &toolkit, http(), params, &redirect_uri(&state), key, None).await;
    match done {
        Ok(account) => link::connected(&link, &toolkit, &account),
        Err(e) => {
            tracing::warn!(error = %e, toolkit = %toolkit.slug, "an OAuth 2.0 Connect Link failed");
            // The app hears of a failure that ended the account; a refused callback (forged
            // state, used link) changed nothing and is only shown.
            let ended = !matches!(
                e,
                AuthorizeError::BadState
                    | AuthorizeError::Link(LinkError::Used | LinkError::Unknown)
                    | AuthorizeError::Store(_)
            );
            let reason = e.to_string();
            let back = if ended { link::back_to_app(&link, &[("status", "failed"), ("error", &reason)]) } else { None };
            back.unwrap_or_else(|| failed_page(&e, Some(&toolkit)))
        }
    }
}

/// The page of a failed authorization, with its status, under the toolkit when known.
fn failed_page(error: &AuthorizeError, toolkit: Option<&Toolkit>) -> Response {
    let text = error.to_string();
    let page = |status, title: &str, text: &str| notice(status, title, text, toolkit);
    match error {
        AuthorizeError::Link(e) => refused(e),
        AuthorizeError::BadState | AuthorizeError::WrongIssuer { .. } => {
            page(StatusCode::FORBIDDEN, "Authorization refused", &text)
        }
        AuthorizeError::Denied(_) => page(StatusCode::FORBIDDEN, "Access denied", &text),
        AuthorizeError::Provider { .. } | AuthorizeError::Exchange(_) => page(
            StatusCode::BAD_GATEWAY,
            "Connection failed",
            &format!(
                "{text}. Nothing was connected. Ask for a new Connect Link to try again; if this happens again, \
                 the app's OAuth client (its ID, secret or redirect URI) needs fixing by its developer."
            ),
        ),
        AuthorizeError::NoCode => page(StatusCode::BAD_REQUEST, "Connection failed", &text),
        AuthorizeError::Config(_) => page(StatusCode::CONFLICT, "Link no longer works", &text),
        _ => {
            tracing::error!(error = %text, "an OAuth 2.0 Connect Link failed");
            page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "The authorization could not be completed; try again, or ask for a new link.",
            )
        }
    }
}
