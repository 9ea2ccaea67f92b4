//! The endpoint's door: the caller's project from `x-api-key`, then the session of the URL
//! within that project.

use axum::extract::{Path, Request};
use axum::middleware::Next;
use axum::response::Response;
use toolsmith_core::SessionId;

use crate::error::ApiError;
use crate::extract::Caller;

/// The middleware: 401 without a valid key, 404 for a session that is not the key's
/// project's (or does not exist); otherwise the request goes on with the
/// [`toolsmith_session::Session`] in its extensions.
pub(crate) async fn authorize(
    caller: Caller,
    Path(id): Path<String>,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let Some(sid) = SessionId::parse(&id) else {
        return Err(ApiError::not_found(
            "ToolRouter_SessionNotFound",
            format!("`{id}` in the MCP URL is not a session id (they start with trs_)"),
        )
        .fix("use the `mcp.url` that creating the session answered"));
    };
    let session = caller.0.router.session(&sid).await?;
    request.extensions_mut().insert(session);
    Ok(next.run(request).await)
}
