//! One execution, start to end: check the arguments, pick the connected account and
//! make its credentials fresh, build the request, inject the credentials, send it (with
//! retries, and one refresh after a 401), shape the result and log it.

use std::path::Path;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use reqwest::header::{HeaderMap, CONTENT_TYPE};
use serde::Serialize;
use serde_json::{json, Map, Value};
use toolsmith_catalog::{AuthScheme, Method, Tool, Toolkit};

use crate::auth::{self, REDACTED};
use crate::request::{self, Connection};
use crate::store::{AuthConfig, ConnectedAccount, ExecutionLog};
use crate::{retry, Client, ConnectedAccountId, Error, LogId, UserId};

/// Longest API error body kept in [`Error::Api`], in characters.
const ERROR_BODY_CHARS: usize = 2000;

/// Choices for one call.
///
/// ```
/// let options = toolsmith::CallOptions { account: Some("ca_work".parse().unwrap()), ..Default::default() };
/// # let _ = options;
/// ```
#[derive(Clone, Debug, Default)]
pub struct CallOptions {
    /// The connected account to use; by default the user's only active account of the
    /// toolkit.
    pub account: Option<ConnectedAccountId>,
    /// The toolkit version to run (`20261122_00`), for calls by slug through the
    /// [`Registry`](crate::Registry): used exactly, an error when it is not loaded; the
    /// newest loaded version when `None`.
    pub version: Option<String>,
}

/// The result of an execution in Composio's shape: `{data, error, successful, log_id}`.
///
/// ```
/// let result = toolsmith::ExecutionResult::from_result(Ok(serde_json::json!({"id": 1})), None);
/// assert_eq!(serde_json::to_value(&result).unwrap(),
///            serde_json::json!({"data": {"id": 1}, "error": null, "successful": true, "log_id": null}));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExecutionResult {
    /// The response data (`{}` when the call failed before a response; the API's error
    /// body under `data` when it answered with an error status).
    pub data: Value,
    /// What went wrong, for a person or an LLM; `null` on success.
    pub error: Option<String>,
    /// Whether the call succeeded.
    pub successful: bool,
    /// The execution's log entry (`toolsmith logs`), when the client has a store.
    pub log_id: Option<LogId>,
}

impl ExecutionResult {
    /// Shapes a call's result.
    pub fn from_result(result: Result<Value, Error>, log_id: Option<LogId>) -> Self {
        match result {
            Ok(data) => ExecutionResult { data, error: None, successful: true, log_id },
            Err(error) => {
                let data = match &error {
                    Error::Api { status, body, .. } => {
                        json!({ "status": status, "body": serde_json::from_str::<Value>(body).unwrap_or_else(|_| Value::String(body.clone())) })
                    }
                    _ => Value::Object(Map::new()),
                };
                ExecutionResult { data, error: Some(error.to_string()), successful: false, log_id }
            }
        }
    }
}

/// What a call did, for its result and its log entry.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub(crate) result: Result<Value, Error>,
    pub(crate) log_id: Option<LogId>,
}

/// The request a call would send, with secrets replaced by `[REDACTED]`.
///
/// ```
/// # let dry = toolsmith::DryRun { method: "GET".into(), url: "https://api.example.com/x?key=[REDACTED]".into(), headers: vec![], body: None };
/// assert!(!dry.url.contains("secret"));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DryRun {
    /// HTTP method.
    pub method: String,
    /// The full URL, secret query parameters redacted.
    pub url: String,
    /// Headers in order, credential headers redacted.
    pub headers: Vec<(String, String)>,
    /// The body as text (binary parts summarized), if any.
    pub body: Option<String>,
}

/// A raw request to a toolkit's API, authenticated like its tools' requests
/// (Composio's proxy execute).
///
/// ```
/// let request = toolsmith::ProxyRequest { method: toolsmith::catalog::Method::Get, endpoint: "/user".into(), ..Default::default() };
/// # let _ = request;
/// ```
#[derive(Clone, Debug, Default)]
pub struct ProxyRequest {
    /// HTTP method.
    pub method: Method,
    /// The path relative to the toolkit's base URL (`/repos/o/r/issues`), or an absolute
    /// URL under it; anything else is refused.
    pub endpoint: String,
    /// Query parameters.
    pub query: Vec<(String, String)>,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// A JSON body.
    pub body: Option<Value>,
}

/// What is being sent: a tool call or a proxied request.
#[derive(Clone, Copy)]
enum Call<'a> {
    Tool { tool: &'a Tool, arguments: &'a Map<String, Value> },
    Proxy { slug: &'a str, request: &'a ProxyRequest },
}

impl Call<'_> {
    fn slug(&self) -> &str {
        match self {
            Call::Tool { tool, .. } => tool.slug.as_str(),
            Call::Proxy { slug, .. } => slug,
        }
    }

    fn method(&self) -> Method {
        match self {
            Call::Tool { tool, .. } => tool.http.method,
            Call::Proxy { request, .. } => request.method,
        }
    }
}

/// The account of a call with what it needs: its auth config and scheme.
struct Credentials<'t> {
    account: Arc<ConnectedAccount>,
    scheme: &'t AuthScheme,
}

impl Client {
    /// Runs a tool like [`Client::call`], with options, and returns the result in
    /// Composio's shape, with the log id.
    pub async fn execute_tool(
        &self,
        toolkit: &Toolkit,
        tool: &Tool,
        user: &UserId,
        arguments: &Value,
        options: &CallOptions,
    ) -> ExecutionResult {
        let outcome = self.execute_with(toolkit, tool, user, arguments, options).await;
        ExecutionResult::from_result(outcome.result, outcome.log_id)
    }

    /// Sends an authenticated raw request to a toolkit's API: the account, refresh,
    /// retries, SSRF checks, result shape and log of a tool call.
    pub async fn proxy(
        &self,
        toolkit: &Toolkit,
        user: &UserId,
        request: &ProxyRequest,
        options: &CallOptions,
    ) -> ExecutionResult {
        let slug = format!("{}_PROXY", toolkit.slug.as_str().to_ascii_uppercase());
        let started = (Instant::now(), SystemTime::now());
        let mut trace = Trace::default();
        let result = self.run(toolkit, Call::Proxy { slug: &slug, request }, user, options, &mut trace).await;
        let outcome = self.finish(&slug, user, result, trace, started).await;
        ExecutionResult::from_result(outcome.result, outcome.log_id)
    }

    /// The request a call would send, with secrets redacted; nothing is sent to the
    /// API (an expired OAuth 2.0 token is refreshed first, as the call would).
    pub async fn dry_run(
        &self,
        toolkit: &Toolkit,
        tool: &Tool,
        user: &UserId,
        arguments: &Value,
        options: &CallOptions,
    ) -> Result<DryRun, Error> {
        let arguments = self.checked(toolkit, tool, arguments)?;
        let call = Call::Tool { tool, arguments };
        let credentials = self.credentials(toolkit, call.slug(), user, options).await?;
        let connection = credentials.as_ref().map(|c| Connection { scheme: c.scheme, account: &c.account });
        let (request, secret_query) = self.prepare(toolkit, call, connection)?;
        Ok(redact(&request, &secret_query))
    }

    /// The one execution path: what [`Client::call`], [`Client::execute_tool`] and typed
    /// calls use.
    pub(crate) async fn execute_with(
        &self,
        toolkit: &Toolkit,
        tool: &Tool,
        user: &UserId,
        arguments: &Value,
        options: &CallOptions,
    ) -> Outcome {
        let started = (Instant::now(), SystemTime::now());
        let mut trace = Trace::default();
        let result = match self.checked(toolkit, tool, arguments) {
            Ok(arguments) => self.run(toolkit, Call::Tool { tool, arguments }, user, options, &mut trace).await,
            Err(error) => Err(error),
        };
        self.finish(tool.slug.as_str(), user, result, trace, started).await
    }

    /// The arguments as an object, checked against the tool's input schema (`null`
    /// counts as `{}`).
    fn checked<'v>(
        &self,
        toolkit: &Toolkit,
        tool: &Tool,
        arguments: &'v Value,
    ) -> Result<&'v Map<String, Value>, Error> {
        static EMPTY: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
        let arguments = if arguments.is_null() { EMPTY.get_or_init(|| Value::Object(Map::new())) } else { arguments };
        self.validators.check(toolkit, tool, arguments)?;
        arguments.as_object().ok_or_else(|| Error::InvalidArguments {
            slug: tool.slug.as_str().to_owned(),
            problems: vec![(String::new(), "the arguments must be a JSON object".to_owned())],
        })
    }

    /// Picks the account and makes its credentials fresh; `None` when the client has
    /// no store or the toolkit needs no account.
    async fn credentials<'t>(
        &self,
        toolkit: &'t Toolkit,
        slug: &str,
        user: &UserId,
        options: &CallOptions,
    ) -> Result<Option<Credentials<'t>>, Error> {
        let Some(accounts) = &self.accounts else { return Ok(None) };
        if options.account.is_none() && !auth::needs_account(toolkit) {
            return Ok(None);
        }
        let auth_error = |message: String| Error::Auth { slug: slug.to_owned(), message };
        let key = (user.clone(), toolkit.slug.as_str().to_owned(), options.account.clone());
        let (account, scheme) = match accounts.cache.get(&key) {
            Some((account, name)) => match toolkit.auth.iter().find(|s| s.name() == name) {
                Some(scheme) => (account, scheme),
                None => self.resolve(accounts, toolkit, slug, user, options, key).await?,
            },
            None => self.resolve(accounts, toolkit, slug, user, options, key).await?,
        };
        let account = match scheme {
            AuthScheme::Oauth2(oauth2) => {
                let before = account.updated_at;
                let fresh = accounts
                    .tokens
                    .ensure_fresh(oauth2, Arc::unwrap_or_clone(account))
                    .await
                    .map_err(|e| auth_error(e.to_string()))?;
                let fresh = Arc::new(fresh);
                if fresh.updated_at != before {
                    accounts.cache.update(&fresh);
                }
                fresh
            }
            _ => account,
        };
        Ok(Some(Credentials { account, scheme }))
    }

    /// Reads the call's account and its auth config from the store, and caches them.
    async fn resolve<'t>(
        &self,
        accounts: &crate::client::Accounts,
        toolkit: &'t Toolkit,
        slug: &str,
        user: &UserId,
        options: &CallOptions,
        key: crate::auth::cache::Key,
    ) -> Result<(Arc<ConnectedAccount>, &'t AuthScheme), Error> {
        let auth_error = |message: String| Error::Auth { slug: slug.to_owned(), message };
        let account =
            auth::select_account(accounts.store.as_ref(), slug, toolkit, user, options.account.as_ref()).await?;
        let config: AuthConfig =
            accounts.store.auth_config(&account.auth_config).await.map_err(|e| auth_error(e.to_string()))?.ok_or_else(
                || auth_error(format!("the auth config {} of account {} is gone", account.auth_config, account.id)),
            )?;
        let scheme = auth::scheme_of(toolkit, &config).map_err(auth_error)?;
        let account = Arc::new(account);
        accounts.cache.put(key, account.clone(), config.scheme);
        Ok((account, scheme))
    }

    /// Builds the request and adds the credentials; returns it with the names of query
    /// parameters that hold secrets.
    fn prepare(
        &self,
        toolkit: &Toolkit,
        call: Call<'_>,
        connection: Option<Connection<'_>>,
    ) -> Result<(reqwest::Request, Vec<String>), Error> {
        let slug = call.slug();
        let mut request = match call {
            Call::Tool { tool, arguments } => request::build(self, toolkit, tool, arguments, connection)?,
            Call::Proxy { slug, request } => request::build_proxy(self, toolkit, slug, request, connection)?,
        };
        let secret_query = match connection {
            Some(c) => auth::inject(&mut request, c.scheme, c.account)
                .map_err(|message| Error::Auth { slug: slug.to_owned(), message })?,
            None => Vec::new(),
        };
        Ok((request, secret_query))
    }

    /// Sends the call: retries on the toolkit's retry statuses for idempotent methods,
    /// and refreshes OAuth 2.0 tokens once after a 401.
    async fn run(
        &self,
        toolkit: &Toolkit,
        call: Call<'_>,
        user: &UserId,
        options: &CallOptions,
        trace: &mut Trace,
    ) -> Result<Value, Error> {
        let slug = call.slug();
        let mut credentials = self.credentials(toolkit, slug, user, options).await?;
        trace.account = credentials.as_ref().map(|c| c.account.id.clone());
        let policy = retry::Policy::of(toolkit, self.max_retry_wait);
        let mut refreshed = false;
        loop {
            let connection = credentials.as_ref().map(|c| Connection { scheme: c.scheme, account: &c.account });
            let (request, _) = self.prepare(toolkit, call, connection)?;
            // The origin names the server in transport errors (never the path or query).
            let url = request.url().clone();
            let origin = move || url.origin().ascii_serialization();
            trace.attempts += 1;
            let response =
                self.http.execute(request).await.map_err(|e| request::transport(slug, e, Some(&origin())))?;
            let status = response.status().as_u16();
            trace.status = Some(status);
            if status == 401 && !refreshed {
                if let (Some(accounts), Some(c)) = (&self.accounts, credentials.as_mut()) {
                    if let AuthScheme::Oauth2(oauth2) = c.scheme {
                        refreshed = true;
                        c.account = Arc::new(
                            accounts
                                .tokens
                                .refresh_rejected(oauth2, &c.account)
                                .await
                                .map_err(|e| Error::Auth { slug: slug.to_owned(), message: e.to_string() })?,
                        );
                        accounts.cache.update(&c.account);
                        continue;
                    }
                }
            }
            if let Some(wait) = policy.next(call.method(), trace.attempts, status, response.headers()) {
                tracing::debug!(
                    tool = slug,
                    status,
                    attempt = trace.attempts,
                    wait_ms = wait.as_millis() as u64,
                    "retrying"
                );
                tokio::time::sleep(wait).await;
                continue;
            }
            return self.read(slug, response, &origin, trace).await;
        }
    }

    /// Reads a response into the call's data: JSON as is, other text as a string,
    /// nothing as `null`, binary content as a saved file (or inline base64 without a
    /// files folder). A non-2xx status is [`Error::Api`].
    async fn read(
        &self,
        slug: &str,
        mut response: reqwest::Response,
        origin: &(dyn Fn() -> String + Sync),
        trace: &Trace,
    ) -> Result<Value, Error> {
        let status = response.status();
        let content_type = header_text(response.headers(), CONTENT_TYPE.as_str());
        if response.content_length().is_some_and(|n| n > self.max_response_bytes as u64) {
            return Err(self.too_large(slug));
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| request::transport(slug, e, Some(&origin())))? {
            if bytes.len() + chunk.len() > self.max_response_bytes {
                return Err(self.too_large(slug));
            }
            bytes.extend_from_slice(&chunk);
        }
        if !status.is_success() {
            let text = String::from_utf8_lossy(&bytes);
            return Err(Error::Api {
                slug: slug.to_owned(),
                status: status.as_u16(),
                body: text.chars().take(ERROR_BODY_CHARS).collect(),
            });
        }
        match request::read_body(&content_type, &bytes) {
            request::Read::Data(value) => Ok(value),
            request::Read::Binary => match &self.files_dir {
                Some(dir) => save_file(dir, trace, &content_type, &bytes)
                    .map_err(|message| Error::Request { slug: slug.to_owned(), message }),
                None => Ok(request::inline_binary(&content_type, &bytes)),
            },
        }
    }

    fn too_large(&self, slug: &str) -> Error {
        Error::Request {
            slug: slug.to_owned(),
            message: format!(
                "the response is larger than {} bytes; raise `ClientBuilder::max_response_bytes` to read it",
                self.max_response_bytes
            ),
        }
    }

    /// Logs the execution (in the store, and as a tracing event) and returns its outcome.
    async fn finish(
        &self,
        slug: &str,
        user: &UserId,
        result: Result<Value, Error>,
        trace: Trace,
        (started, started_at): (Instant, SystemTime),
    ) -> Outcome {
        let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let successful = result.is_ok();
        tracing::info!(
            tool = slug,
            user = user.as_str(),
            account = trace.account.as_ref().map(ConnectedAccountId::as_str),
            status = trace.status,
            attempts = trace.attempts,
            duration_ms,
            successful,
            "executed"
        );
        let Some(accounts) = &self.accounts else { return Outcome { result, log_id: None } };
        let entry = ExecutionLog {
            id: trace.log_id.clone(),
            tool: toolsmith_catalog::ToolSlug::new(slug),
            user_id: user.clone(),
            account: trace.account,
            status: trace.status,
            successful,
            error: result.as_ref().err().map(ToString::to_string),
            attempts: trace.attempts,
            duration_ms,
            started_at,
        };
        accounts.log.push(entry).await;
        Outcome { result, log_id: Some(trace.log_id) }
    }
}

/// What happened during a call, for its log entry.
struct Trace {
    log_id: LogId,
    account: Option<ConnectedAccountId>,
    status: Option<u16>,
    attempts: u32,
}

impl Default for Trace {
    fn default() -> Self {
        Trace { log_id: LogId::next(), account: None, status: None, attempts: 0 }
    }
}

/// A header as text, or empty.
fn header_text(headers: &HeaderMap, name: &str) -> String {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().trim().to_owned()
}

/// Saves a binary response as `<dir>/<log id>.<extension>` and returns the reference.
fn save_file(dir: &Path, trace: &Trace, content_type: &str, bytes: &[u8]) -> Result<Value, String> {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    let extension = match essence.rsplit('/').next().unwrap_or_default() {
        "" | "octet-stream" => "bin",
        sub => sub.split('+').next().unwrap_or("bin"),
    };
    let extension: String = extension.chars().filter(char::is_ascii_alphanumeric).take(10).collect();
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create the files folder {}: {e}", dir.display()))?;
    let path = dir.join(format!("{}.{extension}", trace.log_id));
    std::fs::write(&path, bytes).map_err(|e| format!("cannot save the response to {}: {e}", path.display()))?;
    Ok(json!({ "file": {
        "path": path.display().to_string(),
        "content_type": if essence.is_empty() { "application/octet-stream" } else { essence },
        "size": bytes.len(),
    } }))
}

/// The request with secrets replaced: sensitive headers, and the query parameters
/// that carry a credential.
fn redact(request: &reqwest::Request, secret_query: &[String]) -> DryRun {
    let mut url = request.url().clone();
    if !secret_query.is_empty() {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let hidden = secret_query.iter().any(|s| *s == k);
                (k.into_owned(), if hidden { REDACTED.to_owned() } else { v.into_owned() })
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    let headers = request
        .headers()
        .iter()
        .map(|(name, value)| {
            let shown = if value.is_sensitive() {
                REDACTED.to_owned()
            } else {
                value.to_str().map_or_else(|_| "(binary)".to_owned(), str::to_owned)
            };
            (name.as_str().to_owned(), shown)
        })
        .collect();
    let body = request.body().map(|body| match body.as_bytes() {
        Some(bytes) => {
            String::from_utf8(bytes.to_vec()).unwrap_or_else(|_| format!("({} bytes of binary data)", bytes.len()))
        }
        None => "(a multipart body, streamed)".to_owned(),
    });
    DryRun { method: request.method().as_str().to_owned(), url: url.to_string(), headers, body }
}
