//! Pages a person opens in a browser (no API key): the Connect Link page. Plain HTML
//! rendered with minijinja (autoescape on), no JavaScript, strict security headers.

mod csrf;
mod link;
mod oauth;
mod secret;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;

use crate::state::AppState;

/// The pages' routes.
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/link/callback", axum::routing::get(oauth::callback))
        .route("/link/{token}", axum::routing::get(oauth::show).post(link::submit))
}

/// The Content-Security-Policy of every page.
const CSP: &str = "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src https: data:; form-action 'self'; frame-ancestors 'none'";

/// Marks a response as a page: the request-id layer leaves its body as it is instead of
/// turning an error status into the API's JSON envelope.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Page;

/// An HTML page with the security headers every page carries.
pub(crate) fn html(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response.extensions_mut().insert(Page);
    response
}
