//! The tool callback: a per-session Unix socket (`<session>/run/tool.sock`, owned by the
//! sandbox uid, mode 0600) bound read-only at `/run/toolsmith/tool.sock` in the sandbox,
//! where the kernel's `run_composio_tool` and `proxy_execute` send one JSON request per
//! line. Each request runs through the session's [`ToolAccess`]: the caller's `Execute`
//! (with the session's scope, accounts and approval rules), never anything else. The
//! socket itself names the session: the sandbox holds no credential.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::{json, Map, Value};
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::task::{JoinHandle, JoinSet};
use toolsmith_core::spec::{Method, Toolkit};
use toolsmith_core::{Call, CallOptions, ConnectedAccountId, Execute, ExecutionResult, ProxyRequest, Target, UserId};

use crate::protocol::{read_line, Line};
use crate::Error;

/// Longest tool request accepted from a sandbox, in bytes.
const MAX_REQUEST: usize = 16 << 20;

/// Finds what a slug names, for the session: the caller decides which tools and
/// toolkits a sandbox may reach (an error for the others, returned to Python as
/// `error`).
pub trait Resolve: Send + Sync {
    /// The tool `slug` (`GITHUB_LIST_REPOS`).
    fn tool(&self, slug: &str) -> Result<Target<'_>, toolsmith_core::Error>;
    /// The toolkit `slug` (`github`), for `proxy_execute`.
    fn toolkit(&self, slug: &str) -> Result<&Toolkit, toolsmith_core::Error>;
}

/// What a session's sandbox may call: its user, the `Execute` that runs its calls (with
/// the session's policies) and how slugs are resolved.
#[derive(Clone)]
pub struct ToolAccess {
    /// The user the calls are made for.
    pub user: UserId,
    /// Runs the calls.
    pub executor: Arc<dyn Execute>,
    /// Resolves slugs.
    pub resolver: Arc<dyn Resolve>,
}

impl std::fmt::Debug for ToolAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToolAccess").field("user", &self.user).finish_non_exhaustive()
    }
}

/// The access of a session, replaced by each cell's caller.
pub(crate) type SharedAccess = Arc<Mutex<Arc<ToolAccess>>>;

/// A session's tool socket, served until dropped.
#[derive(Debug)]
pub(crate) struct ToolServer {
    task: JoinHandle<()>,
    path: PathBuf,
}

impl ToolServer {
    /// Binds `path` (replacing a stale socket), hands it to `uid` with mode 0600 and serves it.
    pub(crate) fn start(path: &Path, uid: Option<u32>, access: SharedAccess) -> Result<ToolServer, Error> {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::remove_file(path);
        let listener = UnixListener::bind(path).map_err(Error::io(path, "listen on"))?;
        if let Some(uid) = uid {
            std::os::unix::fs::chown(path, Some(uid), Some(uid)).map_err(Error::io(path, "change the owner of"))?;
        }
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(Error::io(path, "change the mode of"))?;
        let task = tokio::spawn(async move {
            let mut connections = JoinSet::new();
            loop {
                tokio::select! {
                    accepted = listener.accept() => match accepted {
                        Ok((stream, _)) => { connections.spawn(serve(stream, access.clone())); }
                        Err(error) => tracing::warn!(%error, "workbench tool socket: accept failed"),
                    },
                    Some(_) = connections.join_next(), if !connections.is_empty() => {}
                }
            }
        });
        Ok(ToolServer { task, path: path.to_path_buf() })
    }
}

impl Drop for ToolServer {
    fn drop(&mut self) {
        self.task.abort();
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Answers the requests of one connection, in order.
async fn serve(stream: UnixStream, access: SharedAccess) {
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    loop {
        let reply = match read_line(&mut read, MAX_REQUEST).await {
            Ok(Line::Whole(line)) => {
                let access = access.lock().unwrap_or_else(|e| e.into_inner()).clone();
                answer(&access, &line).await
            }
            Ok(Line::TooLong) => refusal(format!("the request is longer than {MAX_REQUEST} bytes")),
            Ok(Line::Eof) | Err(_) => return,
        };
        let mut text = reply.to_string();
        text.push('\n');
        if write.write_all(text.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// A failed call in Composio's shape, for a request that could not be run.
fn refusal(message: String) -> Value {
    json!({ "data": {}, "error": message, "successful": false, "log_id": null })
}

/// Runs one request: `{"op": "tool", "slug", "arguments", "account"}` or
/// `{"op": "proxy", "toolkit", "method", "endpoint", "query", "headers", "body", "account"}`.
pub(crate) async fn answer(access: &ToolAccess, line: &[u8]) -> Value {
    match run(access, line).await {
        Ok(result) => serde_json::to_value(result).unwrap_or_else(|e| refusal(e.to_string())),
        Err(message) => refusal(message),
    }
}

async fn run(access: &ToolAccess, line: &[u8]) -> Result<ExecutionResult, String> {
    let request: Value = serde_json::from_slice(line).map_err(|e| format!("the request is not JSON: {e}"))?;
    let field = |key: &str| request.get(key).filter(|v| !v.is_null());
    let text = |key: &str| match field(key) {
        Some(Value::String(s)) => Ok(s.as_str()),
        _ => Err(format!("`{key}` must be a string")),
    };
    let account = match field("account") {
        None => None,
        Some(Value::String(id)) => Some(
            id.parse::<ConnectedAccountId>()
                .map_err(|e| format!("`connected_account_id` {id:?} is not an account id: {e}"))?,
        ),
        Some(_) => return Err("`connected_account_id` must be a string".into()),
    };
    let options = CallOptions { account, ..Default::default() };
    let outcome = match field("op").and_then(Value::as_str).unwrap_or("tool") {
        "tool" => {
            let target = access.resolver.tool(text("slug")?);
            let target = match target {
                Ok(target) => target,
                Err(error) => return Ok(ExecutionResult::from_result(Err(error), None)),
            };
            let arguments = field("arguments").cloned().unwrap_or(Value::Object(Map::new()));
            access.executor.run(Call { target, user: &access.user, arguments, options }).await
        }
        "proxy" => {
            let toolkit = match access.resolver.toolkit(text("toolkit")?) {
                Ok(toolkit) => toolkit,
                Err(error) => return Ok(ExecutionResult::from_result(Err(error), None)),
            };
            let method: Method = serde_json::from_value(Value::String(text("method")?.to_ascii_uppercase()))
                .map_err(|_| "`method` must be GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS".to_owned())?;
            let request = ProxyRequest {
                method,
                endpoint: text("endpoint")?.to_owned(),
                query: pairs(field("query"), "query_params")?,
                headers: pairs(field("headers"), "headers")?,
                body: field("body").cloned(),
            };
            let target = Target::Proxy { toolkit, request: &request };
            let arguments = Value::Null;
            access.executor.run(Call { target, user: &access.user, arguments, options }).await
        }
        other => return Err(format!("unknown request `{other}`: use run_composio_tool or proxy_execute")),
    };
    Ok(outcome.into())
}

/// `{"name": value}` as name/value pairs (non-string values as JSON text).
fn pairs(value: Option<&Value>, name: &str) -> Result<Vec<(String, String)>, String> {
    match value {
        None => Ok(Vec::new()),
        Some(Value::Object(map)) => {
            Ok(map.iter().map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_owned))).collect())
        }
        Some(_) => Err(format!("`{name}` must be an object of names to values")),
    }
}
