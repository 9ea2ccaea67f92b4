//! The response of every page: HTML with the security headers, and the pages' template.
//!
//! The Content-Security-Policy allows no script, only the template's own `<style>` (by its
//! SHA-256, not `'unsafe-inline'`), images over HTTPS or inline, and forms posting to the
//! server itself, or to the app's origin for a form whose answer redirects back to the app.

use std::sync::OnceLock;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use sha2::{Digest, Sha256};

/// The pages' template.
pub(super) const TEMPLATE: &str = include_str!("../../templates/link.html");

/// The `style-src` source of the template's one `<style>` element: its SHA-256.
fn style_source() -> &'static str {
    static SOURCE: OnceLock<String> = OnceLock::new();
    SOURCE.get_or_init(|| {
        let style = TEMPLATE
            .split_once("<style>")
            .and_then(|(_, rest)| rest.split_once("</style>"))
            .map_or("", |(style, _)| style);
        let digest = Sha256::digest(style.as_bytes());
        format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest))
    })
}

/// The Content-Security-Policy of a page whose forms post to the server and may be
/// redirected to `form_to` (an origin, `https://app.example`).
fn csp(form_to: Option<&str>) -> String {
    let form_to = form_to.map(|origin| format!(" {origin}")).unwrap_or_default();
    format!(
        "default-src 'none'; style-src {}; img-src https: data:; form-action 'self'{form_to}; frame-ancestors 'none'",
        style_source()
    )
}

/// An HTML page with the security headers every page carries.
pub(crate) fn html(status: StatusCode, body: String) -> Response {
    html_with_form_to(status, body, None)
}

/// The same for a page with a form whose answer may redirect to the app at `callback`:
/// browsers check `form-action` on that redirect too, so the app's origin is allowed.
pub(crate) fn html_with_form_to(status: StatusCode, body: String, callback: Option<&url::Url>) -> Response {
    let origin =
        callback.filter(|url| matches!(url.scheme(), "http" | "https")).map(|url| url.origin().ascii_serialization());
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    if let Ok(policy) = HeaderValue::from_str(&csp(origin.as_deref())) {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response.extensions_mut().insert(crate::markers::Page);
    response
}
