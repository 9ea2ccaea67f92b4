//! What handlers take from a request: the caller's project (from `x-api-key`), a JSON
//! body read with the path of any error, and the origin the client called.

use std::sync::Arc;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use toolsmith_store::ApiKeySecret;

use crate::error::ApiError;
use crate::state::{AppState, ProjectCx};

/// The project of the request's `x-api-key`; 401 without a valid key.
#[derive(Clone, Debug)]
pub struct Caller(pub Arc<ProjectCx>);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Some(key) = parts.headers.get("x-api-key") else {
            return Err(ApiError::unauthorized("no x-api-key header"));
        };
        let key = key.to_str().map_err(|_| ApiError::unauthorized("the x-api-key header is not text"))?;
        match state.project(&ApiKeySecret::from(key.trim().to_owned())).await? {
            Some(project) => Ok(Caller(project)),
            None => Err(ApiError::unauthorized("the x-api-key is not a key of this server, or it was revoked")),
        }
    }
}

/// A JSON body; a body that does not fit says where (`tools[0].arguments: invalid type`).
#[derive(Debug)]
pub struct Body<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::with_status(e.status(), "Request_BodyUnreadable", e.body_text()))?;
        let bytes =
            if bytes.iter().all(u8::is_ascii_whitespace) { axum::body::Bytes::from_static(b"{}") } else { bytes };
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        serde_path_to_error::deserialize(&mut de).map(Body).map_err(|e| {
            let path = e.path().to_string();
            let at = if path == "." { "the body".to_owned() } else { format!("`{path}`") };
            ApiError::bad_request("Request_InvalidBody", format!("{at}: {}", e.inner()))
                .fix("send a JSON object in the shape of Composio's API for this route")
        })
    }
}

/// The origin the client called (`http://127.0.0.1:8787`), from the `Host` header.
#[derive(Clone, Debug)]
pub struct Origin(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Origin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let host = parts
            .headers
            .get("x-forwarded-host")
            .or_else(|| parts.headers.get(axum::http::header::HOST))
            .and_then(|h| h.to_str().ok())
            .ok_or_else(|| ApiError::bad_request("Request_NoHost", "the request has no Host header"))?;
        let scheme = parts.headers.get("x-forwarded-proto").and_then(|h| h.to_str().ok()).unwrap_or("http");
        Ok(Origin(format!("{scheme}://{host}")))
    }
}
