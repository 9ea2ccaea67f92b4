//! A request id on every response (`x-request-id`: the client's, else a new one), also
//! written into error envelopes.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// The middleware: `axum::middleware::from_fn(request_id)`.
pub(crate) async fn request_id(mut request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_owned)
        .unwrap_or_else(|| toolsmith_core::LogId::next().as_str().replacen("log_", "req_", 1));
    request.extensions_mut().insert(crate::markers::RequestId(id.clone()));
    let mut response = next.run(request).await;
    if response.extensions().get::<ApiError>().is_none()
        && response.extensions().get::<crate::markers::Page>().is_none()
        && !is_json(&response)
        && response.status().as_u16() >= 400
    {
        // A rejection of axum or a layer (a bad query string, a body over the limit, a
        // timeout) answers plain text: put it in Composio's envelope too.
        let status = response.status();
        let body = std::mem::take(response.body_mut());
        let text = axum::body::to_bytes(body, 64 * 1024)
            .await
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        let message =
            if text.trim().is_empty() { status.canonical_reason().unwrap_or("error").to_owned() } else { text };
        response.extensions_mut().insert(ApiError::with_status(status, slug(status), message));
    }
    if let Some(error) = response.extensions_mut().remove::<ApiError>() {
        let mut again = (error.status(), axum::Json(error.body(&id))).into_response();
        for (name, value) in response.headers() {
            if name != axum::http::header::CONTENT_LENGTH && name != axum::http::header::CONTENT_TYPE {
                again.headers_mut().insert(name.clone(), value.clone());
            }
        }
        response = again;
    }
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

fn is_json(response: &Response) -> bool {
    response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// The slug of an error answered by axum or a layer.
fn slug(status: axum::http::StatusCode) -> &'static str {
    match status.as_u16() {
        400 | 422 => "Request_InvalidParameters",
        404 => "Request_RouteNotFound",
        405 => "Request_MethodNotAllowed",
        408 | 504 => "Request_Timeout",
        413 => "Request_BodyTooLarge",
        415 => "Request_UnsupportedMediaType",
        _ => "Request_Failed",
    }
}
