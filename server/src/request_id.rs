//! A request id on every response (`x-request-id`: the client's, else a new one), also
//! written into error envelopes.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

/// The middleware: `axum::middleware::from_fn(request_id)`.
pub(crate) async fn request_id(request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_owned)
        .unwrap_or_else(|| toolsmith_core::LogId::next().as_str().replacen("log_", "req_", 1));
    let mut response = next.run(request).await;
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
