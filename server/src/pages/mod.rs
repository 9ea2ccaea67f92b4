//! Pages a person opens in a browser (no API key): the Connect Link page. Plain HTML
//! rendered with minijinja (autoescape on), no JavaScript, strict security headers.

mod csrf;
mod html;
mod link;
mod oauth;
pub(crate) mod secret;

use axum::Router;

use crate::state::AppState;

/// The pages' routes.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/link/callback", axum::routing::get(oauth::callback))
        .route("/link/{token}", axum::routing::get(oauth::show).post(link::submit))
}
