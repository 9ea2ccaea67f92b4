//! Errors as the REST API shows them: Composio's envelope
//! `{"error": {"message", "code", "slug", "status", "request_id", "suggested_fix", "errors"}}`,
//! with the status chosen from the error's kind in one place ([`status_of`]).

use std::collections::BTreeMap;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use toolsmith_core::ErrorKind;
use utoipa::openapi::{self, Content, RefOr, ResponseBuilder};
use utoipa::{IntoResponses, ToSchema};

/// Composio's error envelope: the body of every error answer (`ApiError::body` writes it).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ErrorEnvelope {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// The `error` of the envelope.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// What is wrong, naming the field or path it is about.
    pub message: String,
    /// The HTTP status times ten (`4040` for a 404), as Composio numbers its errors.
    pub code: u32,
    /// A stable identifier of the error (`ToolRouter_SessionNotFound`).
    pub slug: String,
    /// The HTTP status.
    pub status: u16,
    /// The request's `x-request-id`.
    pub request_id: String,
    /// How to fix it; empty when there is nothing to suggest.
    pub suggested_fix: String,
    /// Detail lines; the message alone when there are none.
    pub errors: Vec<String>,
}

/// The error answers of a route that only checks the key: 401, for the OpenAPI
/// description (`responses(…, KeyErrors)`).
pub(crate) struct KeyErrors;

/// The error answers of a route that checks the key and reads the project's store: 401
/// and 500, for the OpenAPI description (`responses(…, StoreErrors)`).
pub(crate) struct StoreErrors;

/// An answer in the envelope, as the OpenAPI description lists it.
fn envelope_response(description: &str) -> RefOr<openapi::Response> {
    let schema = utoipa::openapi::Ref::from_schema_name("ErrorEnvelope");
    RefOr::T(
        ResponseBuilder::new().description(description).content("application/json", Content::new(Some(schema))).build(),
    )
}

const UNAUTHORIZED: (&str, &str) = ("401", "No valid `x-api-key`");

impl IntoResponses for KeyErrors {
    fn responses() -> BTreeMap<String, RefOr<openapi::Response>> {
        [UNAUTHORIZED].into_iter().map(|(status, about)| (status.to_owned(), envelope_response(about))).collect()
    }
}

impl IntoResponses for StoreErrors {
    fn responses() -> BTreeMap<String, RefOr<openapi::Response>> {
        [UNAUTHORIZED, ("500", "The store failed")]
            .into_iter()
            .map(|(status, about)| (status.to_owned(), envelope_response(about)))
            .collect()
    }
}

/// An error answer of the API.
///
/// ```
/// use toolsmith_server::ApiError;
/// let err = ApiError::not_found("Session_NotFound", "session trs_x does not exist");
/// assert_eq!(err.status().as_u16(), 404);
/// assert_eq!(err.body("req_1")["error"]["code"], 4040);
/// ```
#[derive(Clone, Debug)]
pub struct ApiError {
    status: StatusCode,
    slug: String,
    message: String,
    suggested_fix: Option<String>,
    errors: Vec<String>,
}

/// The HTTP status of an error kind: the one mapping of the server.
pub fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::InvalidArguments => StatusCode::BAD_REQUEST,
        ErrorKind::NeedsAccount => StatusCode::BAD_REQUEST,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::Upstream => StatusCode::BAD_GATEWAY,
        ErrorKind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::Timeout => StatusCode::GATEWAY_TIMEOUT,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl ApiError {
    /// An error of `kind`, with a slug (`Tool_NotFound`) and a message.
    pub fn new(kind: ErrorKind, slug: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::with_status(status_of(kind), slug, message)
    }

    /// An error with an explicit status (authentication, payload size).
    pub fn with_status(status: StatusCode, slug: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError { status, slug: slug.into(), message: message.into(), suggested_fix: None, errors: Vec::new() }
    }

    /// 404.
    pub fn not_found(slug: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::new(ErrorKind::NotFound, slug, message)
    }

    /// 400.
    pub fn bad_request(slug: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::new(ErrorKind::InvalidArguments, slug, message)
    }

    /// 401.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        ApiError::with_status(StatusCode::UNAUTHORIZED, "Auth_InvalidApiKey", message)
            .fix("send a key of this server in the x-api-key header (create one with `toolsmith api-keys create`)")
    }

    /// With a suggested fix.
    pub fn fix(mut self, fix: impl Into<String>) -> Self {
        self.suggested_fix = Some(fix.into());
        self
    }

    /// With detail lines.
    pub fn errors(mut self, errors: Vec<String>) -> Self {
        self.errors = errors;
        self
    }

    /// Its status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The envelope, with the request's id.
    pub fn envelope(&self, request_id: &str) -> ErrorEnvelope {
        ErrorEnvelope {
            error: ErrorDetail {
                message: self.message.clone(),
                code: u32::from(self.status.as_u16()) * 10,
                slug: self.slug.clone(),
                status: self.status.as_u16(),
                request_id: request_id.to_owned(),
                suggested_fix: self.suggested_fix.clone().unwrap_or_default(),
                errors: if self.errors.is_empty() { vec![self.message.clone()] } else { self.errors.clone() },
            },
        }
    }

    /// The envelope as JSON, with the request's id.
    pub fn body(&self, request_id: &str) -> serde_json::Value {
        serde_json::to_value(self.envelope(request_id)).unwrap_or_default()
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.message)
    }
}

impl IntoResponse for ApiError {
    /// The body is written by the request-id layer, which knows the id; without that
    /// layer the envelope carries an empty id.
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body(""))).into_response();
        response.extensions_mut().insert(self);
        response
    }
}

impl From<toolsmith_core::Error> for ApiError {
    fn from(e: toolsmith_core::Error) -> Self {
        let kind = e.kind();
        let fix = e.remedy().map(|r| r.to_string());
        let err = ApiError::new(kind, slug_of(kind), e.to_string());
        match fix {
            Some(fix) => err.fix(fix),
            None => err,
        }
    }
}

impl From<toolsmith_session::SessionError> for ApiError {
    fn from(e: toolsmith_session::SessionError) -> Self {
        use toolsmith_session::SessionError;
        match &e {
            SessionError::Config(c) => ApiError::bad_request("ToolRouter_InvalidConfig", e.to_string())
                .errors(vec![format!("{}: {}", c.field, c.message)])
                .fix(c.fix.clone().unwrap_or_else(|| format!("correct `{}`", c.field))),
            SessionError::NotFound(_) => ApiError::not_found("ToolRouter_SessionNotFound", e.to_string())
                .fix("create a session with POST /api/v3.1/tool_router/session"),
            _ => ApiError::new(e.kind(), slug_of(e.kind()), e.to_string()),
        }
    }
}

/// A trigger error: its kind's status, a slug per variant, each config violation (at
/// its JSON path) in `errors`; a store failure as the store's.
impl From<toolsmith_triggers::TriggerError> for ApiError {
    fn from(e: toolsmith_triggers::TriggerError) -> Self {
        use toolsmith_triggers::TriggerError;
        let slug = match &e {
            TriggerError::Store(_) => "",
            TriggerError::UnknownType { .. } => "TriggerType_NotFound",
            TriggerError::InvalidConfig { .. } => "Trigger_InvalidConfig",
            TriggerError::UnknownAccount(_) => "ConnectedAccount_NotFound",
            TriggerError::NoAccount { .. } => "Trigger_NoConnectedAccount",
            _ => "Trigger_InvalidRequest",
        };
        match e {
            TriggerError::Store(store) => ApiError::from(store),
            TriggerError::InvalidConfig { ref problems, .. } => {
                let errors = problems.iter().map(ToString::to_string).collect();
                ApiError::new(e.kind(), slug, e.to_string()).fix(e.fix()).errors(errors)
            }
            e => ApiError::new(e.kind(), slug, e.to_string()).fix(e.fix()),
        }
    }
}

impl From<toolsmith_store::StoreError> for ApiError {
    fn from(e: toolsmith_store::StoreError) -> Self {
        let kind = match &e {
            toolsmith_store::StoreError::Missing(_) => ErrorKind::NotFound,
            toolsmith_store::StoreError::Conflict { .. } | toolsmith_store::StoreError::InUse { .. } => {
                ErrorKind::Conflict
            }
            _ => ErrorKind::Internal,
        };
        ApiError::new(kind, slug_of(kind), e.to_string())
    }
}

impl From<toolsmith_auth::LinkError> for ApiError {
    fn from(e: toolsmith_auth::LinkError) -> Self {
        ApiError::new(e.kind(), slug_of(e.kind()), e.to_string())
    }
}

impl From<toolsmith_auth::ConnectError> for ApiError {
    fn from(e: toolsmith_auth::ConnectError) -> Self {
        ApiError::new(e.kind(), slug_of(e.kind()), e.to_string())
    }
}

/// A generic slug of a kind (`Request_NotFound`).
fn slug_of(kind: ErrorKind) -> String {
    let name: String = kind
        .as_str()
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect();
    format!("Request_{name}")
}
