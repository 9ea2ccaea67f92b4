//! `/tool_router/session/{id}/mounts/{mount}/…`: a session's workbench files (Composio's
//! session files API; the one mount is `files`, the sandbox's `/mnt/files`): list them,
//! get signed upload and download URLs, delete. The signed URLs
//! (`/tool_router/files/{token}`, PUT to upload, GET to download) need no key: the token
//! is an HMAC over the session, the path, the operation and the expiry, with the
//! process's secret (a restart voids them). Every path is confined to the session's
//! folder by the workbench (no `..`, no absolute paths elsewhere, no symlinks).

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::Sha256;
use toolsmith_core::SessionId;
use toolsmith_workbench::{Workbench, MOUNT_PREFIX};

use crate::error::ApiError;
use crate::extract::{Body, Caller, Origin};
use crate::routes::listing;
use crate::routes::records::iso;
use crate::state::AppState;

/// How long an upload or download URL works.
const URL_TTL: Duration = Duration::from_secs(3600);

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tool_router/session/{id}/mounts/{mount}/items", get(list))
        .route("/tool_router/session/{id}/mounts/{mount}/upload_url", post(upload_url))
        .route("/tool_router/session/{id}/mounts/{mount}/download_url", post(download_url))
        .route("/tool_router/session/{id}/mounts/{mount}/delete", post(delete))
        .route("/tool_router/files/{token}", get(download).put(upload))
}

fn workbench(state: &AppState) -> Result<&Arc<Workbench>, ApiError> {
    state.options().workbench.as_ref().ok_or_else(|| {
        ApiError::not_found("Workbench_NotEnabled", "this server runs no workbench, so sessions have no files")
            .fix("start the server with a workbench (`toolsmith serve` does unless --no-workbench)")
    })
}

/// The session (of the caller's project) and the workbench; only the `files` mount exists.
async fn session_files<'s>(
    state: &'s AppState,
    caller: &Caller,
    id: &str,
    mount: &str,
) -> Result<(SessionId, &'s Arc<Workbench>), ApiError> {
    let workbench = workbench(state)?;
    if mount != "files" {
        return Err(ApiError::not_found(
            "Workbench_MountNotFound",
            format!("session mounts are `files`, not `{mount}`"),
        )
        .fix("use /mounts/files/…"));
    }
    let sid = SessionId::parse(id).ok_or_else(|| {
        ApiError::not_found("ToolRouter_SessionNotFound", format!("`{id}` is not a session id (they start with trs_)"))
    })?;
    let session = caller.0.router.session(&sid).await?;
    Ok((session.id().clone(), workbench))
}

/// The session, the workbench and the body's path, checked and relative to the mount.
async fn file_of<'s>(
    state: &'s AppState,
    caller: &Caller,
    (id, mount): &(String, String),
    path: &str,
) -> Result<(SessionId, &'s Arc<Workbench>, String), ApiError> {
    let (sid, workbench) = session_files(state, caller, id, mount).await?;
    let relative = toolsmith_workbench::mount_relative(path).map_err(file_error(path))?;
    Ok((sid, workbench, relative))
}

/// The answer of `upload_url` / `download_url`: the URL under `key`, its expiry and the path.
fn url_answer(key: &str, (url, expires): (String, SystemTime), relative: &str) -> Value {
    json!({
        key: url,
        "expires_at": iso(expires),
        "mount_relative_path": relative,
        "sandbox_mount_prefix": MOUNT_PREFIX,
    })
}

/// A workbench error as the API says it: a refused path is 400, a missing file 404, a
/// write past the session's disk quota 413.
fn file_error(path: &str) -> impl FnOnce(toolsmith_workbench::Error) -> ApiError + '_ {
    move |error| match &error {
        toolsmith_workbench::Error::DiskQuota { .. } => {
            ApiError::with_status(StatusCode::PAYLOAD_TOO_LARGE, "Workbench_DiskQuotaExceeded", error.to_string())
                .fix("delete files with POST …/mounts/files/delete (or in the workbench), then upload again")
        }
        toolsmith_workbench::Error::Path { .. } => ApiError::bad_request("Workbench_InvalidPath", error.to_string()),
        toolsmith_workbench::Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
            ApiError::not_found("Workbench_FileNotFound", format!("no file `{path}` in this session's /mnt/files"))
                .fix("list the files with GET …/mounts/files/items")
        }
        _ => ApiError::new(toolsmith_core::ErrorKind::Internal, "Workbench_Failed", error.to_string()),
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// Only paths (relative to the mount) that start with this.
    #[serde(default)]
    prefix: Option<String>,
    /// The most items of a page (100 by default).
    #[serde(default)]
    limit: Option<usize>,
    /// The `next_cursor` of the previous page.
    #[serde(default)]
    cursor: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v3.1/tool_router/session/{id}/mounts/{mount}/items",
    operation_id = "sessions_files_list",
    tag = "sessions",
    params(("id" = String, Path, description = "The session id (`trs_…`)"), ("mount" = String, Path, description = "`files` (the sandbox's /mnt/files)"), ListQuery),
    responses(
        (status = 200, description = "`items` (`{mount_relative_path, sandbox_mount_prefix, size, last_modified}`, by path), `next_cursor`, `total_items`.", body = Object),
        (status = 404, description = "No such session, mount or workbench", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, mount)): Path<(String, String)>,
    Query(query): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let (sid, workbench) = session_files(&state, &caller, &id, &mount).await?;
    let prefix = query.prefix.as_deref().unwrap_or("");
    let files = workbench.list_files(sid.as_str(), prefix).map_err(file_error(prefix))?;
    let items: Vec<Value> = files
        .into_iter()
        .map(|f| {
            json!({
                "mount_relative_path": f.path,
                "sandbox_mount_prefix": MOUNT_PREFIX,
                "size": f.size,
                "last_modified": iso(f.modified),
            })
        })
        .collect();
    let (items, next, total) = listing::slice(items, query.limit.unwrap_or(100), query.cursor.as_deref())?;
    Ok(Json(json!({"items": items, "next_cursor": next, "total_items": total})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PathBody {
    mount_relative_path: String,
    #[serde(default)]
    mimetype: Option<String>,
}

/// What a signed URL allows.
#[derive(Serialize, Deserialize)]
struct Grant {
    /// `get` or `put`.
    op: String,
    /// The session.
    s: String,
    /// The path, relative to the mount.
    p: String,
    /// Expiry, seconds since the epoch.
    e: u64,
}

fn mac(key: &[u8; 32], payload: &str) -> Hmac<Sha256> {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(b"workbench-file\n");
    mac.update(payload.as_bytes());
    mac
}

fn no_secret() -> ApiError {
    ApiError::new(
        toolsmith_core::ErrorKind::Internal,
        "Workbench_NoSecret",
        "the server has no randomness to sign URLs",
    )
}

/// A signed URL for `op` on `path` of session `sid`, and when it expires.
fn signed_url(origin: &Origin, op: &str, sid: &SessionId, path: &str) -> Result<(String, SystemTime), ApiError> {
    let key = crate::pages::secret::secret().ok_or_else(no_secret)?;
    let expires = SystemTime::now() + URL_TTL;
    let e = expires.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    let grant = Grant { op: op.into(), s: sid.as_str().into(), p: path.into(), e };
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let payload = b64.encode(serde_json::to_vec(&grant).unwrap_or_default());
    let signature = b64.encode(mac(key, &payload).finalize().into_bytes());
    Ok((format!("{}/api/v3.1/tool_router/files/{payload}.{signature}", origin.0), expires))
}

/// The grant of `token` for `op`; 401 when it is forged, for another operation or expired
/// (the token is the request's credential).
fn grant(token: &str, op: &str) -> Result<Grant, ApiError> {
    let denied = |why: &str| {
        ApiError::with_status(
            axum::http::StatusCode::UNAUTHORIZED,
            "Workbench_InvalidFileUrl",
            format!("this file URL {why}"),
        )
        .fix("ask for a new one with POST …/mounts/files/upload_url or download_url")
    };
    let key = crate::pages::secret::secret().ok_or_else(no_secret)?;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let (payload, signature) = token.split_once('.').ok_or_else(|| denied("is not signed"))?;
    let signature = b64.decode(signature).map_err(|_| denied("is not signed"))?;
    mac(key, payload)
        .verify_slice(&signature)
        .map_err(|_| denied("has a wrong signature (or the server restarted)"))?;
    let grant: Grant = b64
        .decode(payload)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| denied("is not readable"))?;
    if grant.op != op {
        return Err(denied(&format!("is for {}, not {op}", grant.op.to_ascii_uppercase())));
    }
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    if grant.e < now {
        return Err(denied("has expired"));
    }
    Ok(grant)
}

#[utoipa::path(
    post,
    path = "/api/v3.1/tool_router/session/{id}/mounts/{mount}/upload_url",
    operation_id = "sessions_files_upload_url",
    tag = "sessions",
    params(("id" = String, Path, description = "The session id (`trs_…`)"), ("mount" = String, Path, description = "`files`")),
    request_body(content = Object, description = "`mount_relative_path` (required), `mimetype`."),
    responses(
        (status = 200, description = "`upload_url` (PUT the bytes there, no key), `expires_at`, `mount_relative_path`, `sandbox_mount_prefix`.", body = Object),
        (status = 400, description = "The path is refused (`..`, absolute elsewhere)", body = crate::error::ErrorEnvelope),
        (status = 404, description = "No such session, mount or workbench", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
async fn upload_url(
    State(state): State<AppState>,
    caller: Caller,
    origin: Origin,
    Path(target): Path<(String, String)>,
    Body(body): Body<PathBody>,
) -> Result<Json<Value>, ApiError> {
    let _ = body.mimetype;
    let (sid, _, relative) = file_of(&state, &caller, &target, &body.mount_relative_path).await?;
    Ok(Json(url_answer("upload_url", signed_url(&origin, "put", &sid, &relative)?, &relative)))
}

#[utoipa::path(
    post,
    path = "/api/v3.1/tool_router/session/{id}/mounts/{mount}/download_url",
    operation_id = "sessions_files_download_url",
    tag = "sessions",
    params(("id" = String, Path, description = "The session id (`trs_…`)"), ("mount" = String, Path, description = "`files`")),
    request_body(content = Object, description = "`mount_relative_path` (required)."),
    responses(
        (status = 200, description = "`download_url` (GET it, no key), `expires_at`, `mount_relative_path`, `sandbox_mount_prefix`, `size`.", body = Object),
        (status = 400, description = "The path is refused (`..`, absolute elsewhere, a symlink)", body = crate::error::ErrorEnvelope),
        (status = 404, description = "No such session, mount, workbench or file", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
async fn download_url(
    State(state): State<AppState>,
    caller: Caller,
    origin: Origin,
    Path(target): Path<(String, String)>,
    Body(body): Body<PathBody>,
) -> Result<Json<Value>, ApiError> {
    let path = &body.mount_relative_path;
    let (sid, workbench, relative) = file_of(&state, &caller, &target, path).await?;
    let size = workbench.file_size(sid.as_str(), &relative).map_err(file_error(path))?;
    let mut answer = url_answer("download_url", signed_url(&origin, "get", &sid, &relative)?, &relative);
    answer["size"] = json!(size);
    Ok(Json(answer))
}

#[utoipa::path(
    post,
    path = "/api/v3.1/tool_router/session/{id}/mounts/{mount}/delete",
    operation_id = "sessions_files_delete",
    tag = "sessions",
    params(("id" = String, Path, description = "The session id (`trs_…`)"), ("mount" = String, Path, description = "`files`")),
    request_body(content = Object, description = "`mount_relative_path` (required)."),
    responses(
        (status = 200, description = "`{mount_relative_path, deleted: true}`.", body = Object),
        (status = 400, description = "The path is refused", body = crate::error::ErrorEnvelope),
        (status = 404, description = "No such session, mount, workbench or file", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    Path(target): Path<(String, String)>,
    Body(body): Body<PathBody>,
) -> Result<Json<Value>, ApiError> {
    let path = &body.mount_relative_path;
    let (sid, workbench, relative) = file_of(&state, &caller, &target, path).await?;
    if !workbench.delete_file(sid.as_str(), &relative).map_err(file_error(path))? {
        return Err(ApiError::not_found(
            "Workbench_FileNotFound",
            format!("no file `{path}` in this session's /mnt/files"),
        ));
    }
    Ok(Json(json!({"mount_relative_path": relative, "deleted": true})))
}

#[utoipa::path(
    get,
    path = "/api/v3.1/tool_router/files/{token}",
    operation_id = "sessions_files_download",
    tag = "sessions",
    security(()),
    params(("token" = String, Path, description = "The token of a `download_url`")),
    responses(
        (status = 200, description = "The file's bytes (`application/octet-stream`).", body = Object),
        (status = 401, description = "The URL is forged, expired or for an upload", body = crate::error::ErrorEnvelope),
        (status = 404, description = "The file is gone", body = crate::error::ErrorEnvelope),
    )
)]
async fn download(State(state): State<AppState>, Path(token): Path<String>) -> Result<impl IntoResponse, ApiError> {
    let grant = grant(&token, "get")?;
    let bytes = workbench(&state)?.read_file(&grant.s, &grant.p).map_err(file_error(&grant.p))?;
    Ok(([(CONTENT_TYPE, "application/octet-stream")], bytes))
}

#[utoipa::path(
    put,
    path = "/api/v3.1/tool_router/files/{token}",
    operation_id = "sessions_files_upload",
    tag = "sessions",
    security(()),
    params(("token" = String, Path, description = "The token of an `upload_url`")),
    request_body(content = Vec<u8>, description = "The file's bytes.", content_type = "application/octet-stream"),
    responses(
        (status = 200, description = "`{mount_relative_path, size}`: written (replacing a file there).", body = Object),
        (status = 400, description = "A symlink is in the way", body = crate::error::ErrorEnvelope),
        (status = 401, description = "The URL is forged, expired or for a download", body = crate::error::ErrorEnvelope),
        (status = 413, description = "The file would bring the session's files past their disk quota", body = crate::error::ErrorEnvelope),
    )
)]
async fn upload(
    State(state): State<AppState>,
    Path(token): Path<String>,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    let grant = grant(&token, "put")?;
    workbench(&state)?.write_file(&grant.s, &grant.p, &bytes).map_err(file_error(&grant.p))?;
    Ok(Json(json!({"mount_relative_path": grant.p, "size": bytes.len()})))
}
