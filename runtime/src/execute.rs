//! One execution, start to end: check the arguments, pick the connected account and
//! make its credentials fresh, build the request, inject the credentials, send it (with
//! retries, and one refresh after a 401), shape the result and log it.

use std::path::Path;
use std::sync::Arc;
use std::time::{Instant, SystemTime};

use reqwest::header::{HeaderMap, CONTENT_TYPE, LOCATION};
use serde_json::{json, Map, Value};
use toolsmith_core::{
    BoxFuture, Call, CallOptions, Context, DryRun, Execute, ExecutionResult, LocalHandler, Outcome, ProxyRequest,
    Schemas, Target, ToolDefinition,
};
use toolsmith_spec::{AuthScheme, Method, Tool, Toolkit};

use crate::request::{self, Connection};
use crate::store::{AuthConfig, ConnectedAccount, ExecutionLog};
use crate::{redaction, retry, Client, ConnectedAccountId, Error, LogId, UserId};
use toolsmith_auth::{self as auth, Redactor};

/// Longest API error body kept in [`Error::Api`], in characters.
const ERROR_BODY_CHARS: usize = 2000;

/// What is being sent: a tool call or a proxied request.
#[derive(Clone, Copy)]
enum Send<'a> {
    Tool { tool: &'a Tool, arguments: &'a Map<String, Value> },
    Proxy { slug: &'a str, request: &'a ProxyRequest },
}

impl Send<'_> {
    fn slug(&self) -> &str {
        match self {
            Send::Tool { tool, .. } => tool.slug.as_str(),
            Send::Proxy { slug, .. } => slug,
        }
    }

    fn method(&self) -> Method {
        match self {
            Send::Tool { tool, .. } => tool.http.method,
            Send::Proxy { request, .. } => request.method,
        }
    }
}

/// The account of a call with what it needs: its auth config and scheme.
struct Credentials<'t> {
    account: Arc<ConnectedAccount>,
    scheme: &'t AuthScheme,
}

impl Execute for Client {
    /// The one execution path: typed calls, calls by slug, hand-written tools, proxy
    /// requests and dry runs all come here.
    fn run<'a>(&'a self, call: Call<'a>) -> BoxFuture<'a, Outcome> {
        Box::pin(self.run_call(call))
    }
}

impl Client {
    /// Runs a tool with JSON arguments and returns the response data: the one path
    /// typed calls ([`crate::Tool::execute`]) and dynamic calls share ([`Execute::run`]).
    ///
    /// 1. Checks the arguments against the tool's input schema (JSON Schema 2020-12,
    ///    compiled once per tool): [`Error::InvalidArguments`] lists every violation
    ///    with its JSON path. `null` arguments count as `{}`.
    /// 2. Builds the request from the tool's HTTP binding: path parameters
    ///    percent-encoded, query parameters in their declared style, the toolkit's
    ///    headers and header parameters, a JSON / form / multipart / raw body.
    /// 3. Sends it to the toolkit's base URL ([`ClientBuilder::base_url`](crate::ClientBuilder::base_url) overrides it);
    ///    a request that would leave that URL's origin or path is [`Error::Refused`].
    /// 4. Reads the response: JSON as is, text as a string, an empty body as `null`,
    ///    binary content as `{"content_type", "size", "base64"}`. A non-2xx status is
    ///    [`Error::Api`]; a network failure is [`Error::Request`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let toolkit: toolsmith_runtime::Toolkit = serde_yaml::from_str(r#"
    /// slug: demo
    /// name: Demo
    /// description: A demonstration toolkit.
    /// version: 20261122_00
    /// base_url: http://127.0.0.1:9
    /// auth: [{ scheme: none }]
    /// tools:
    ///   - slug: DEMO_CREATE_THING
    ///     name: Create a thing
    ///     description: Creates a thing with a title.
    ///     http: { method: POST, path: /things }
    ///     input:
    ///       type: object
    ///       required: [title]
    ///       properties:
    ///         title: { type: string, in: body, description: Title of the thing }
    /// "#).unwrap();
    /// let client = toolsmith_runtime::Client::new();
    /// let user = toolsmith_runtime::UserId::new("user-1");
    /// let err = client
    ///     .call(&toolkit, &toolkit.tools[0], &user, &serde_json::json!({ "titel": "x" }))
    ///     .await
    ///     .unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "invalid arguments for DEMO_CREATE_THING: /titel: is not a known property; /title: is required"
    /// );
    /// # }
    /// ```
    pub async fn call(&self, toolkit: &Toolkit, tool: &Tool, user: &UserId, arguments: &Value) -> Result<Value, Error> {
        let call = Call {
            target: Target::Spec { toolkit, tool },
            user,
            arguments: arguments.clone(),
            options: CallOptions::default(),
        };
        self.run(call).await.result
    }

    /// Runs a typed tool; the same as `tool.execute(&client, user)`.
    pub async fn execute<T: crate::Tool>(&self, tool: &T, user: &UserId) -> Result<T::Output, Error> {
        tool.execute(self, user).await
    }

    /// Runs a typed tool with options (account, version, dry run); the same as
    /// `tool.execute_with(&client, user, options)`.
    pub async fn execute_with_options<T: crate::Tool>(
        &self,
        tool: &T,
        user: &UserId,
        options: CallOptions,
    ) -> Result<T::Output, Error> {
        tool.execute_with(self, user, options).await
    }

    async fn run_call(&self, call: Call<'_>) -> Outcome {
        let Call { target, user, arguments, options } = call;
        match target {
            Target::Definition(definition) => match (definition.local, &definition.schemas) {
                (Some(handler), _) => self.execute_local(definition, handler, user, arguments).await,
                (None, Schemas::Compiled { toolkit, index }) => match toolkit.tool(*index) {
                    Ok((toolkit, tool)) => self.execute_spec(toolkit, tool, user, &arguments, &options).await,
                    Err(error) => Outcome::from(Err(error)),
                },
                (None, Schemas::Json { .. }) => Outcome::from(Err(Error::Spec {
                    slug: definition.slug.to_owned(),
                    message: "the definition has neither an HTTP binding in a compiled toolkit nor a handler"
                        .to_owned(),
                })),
            },
            Target::Spec { toolkit, tool } => self.execute_spec(toolkit, tool, user, &arguments, &options).await,
            Target::Proxy { toolkit, request } => self.execute_proxy(toolkit, user, request, &options).await,
            _ => Outcome::from(Err(Error::Spec {
                slug: target.slug().into_owned(),
                message: "this kind of call is not supported by this version of the runtime".to_owned(),
            })),
        }
    }

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
        let call = Call {
            target: Target::Spec { toolkit, tool },
            user,
            arguments: arguments.clone(),
            options: options.clone(),
        };
        self.run(call).await.into()
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
        let call =
            Call { target: Target::Proxy { toolkit, request }, user, arguments: Value::Null, options: options.clone() };
        self.run(call).await.into()
    }

    /// Runs the toolkit's `verify:` request (a cheap call that succeeds only with a
    /// valid credential) with `account`, as its auth scheme declares it. `Ok(None)` when
    /// the scheme declares none, `Ok(Some(status))` when it answered the expected status
    /// (200 unless `expect_status` says otherwise); any other answer is
    /// [`Error::Auth`] with the status and the start of the body, secrets redacted.
    /// Nothing is logged: this is part of connecting, not a tool call.
    pub async fn verify(&self, toolkit: &Toolkit, account: &ConnectedAccount) -> Result<Option<u16>, Error> {
        let slug = format!("{}_VERIFY", toolkit.slug.as_str().to_ascii_uppercase());
        let store_error = |message: String, source: Option<crate::store::StoreError>| Error::Store {
            slug: slug.clone(),
            message,
            source: source.map(|e| Box::new(e) as toolsmith_core::BoxError),
        };
        let Some(accounts) = &self.accounts else {
            return Err(store_error("the client has no store to read the account's auth config from".into(), None));
        };
        let config = accounts
            .store
            .auth_config(&account.auth_config)
            .await
            .map_err(|e| store_error(e.to_string(), Some(e)))?
            .ok_or_else(|| store_error(format!("the auth config {} is gone", account.auth_config), None))?;
        let scheme =
            auth::scheme_of(toolkit, &config).map_err(|message| Error::Spec { slug: slug.clone(), message })?;
        let Some(check) = scheme.verify() else { return Ok(None) };
        let proxy = ProxyRequest { method: check.method, endpoint: check.path.clone(), ..Default::default() };
        let connection = Connection { scheme, account };
        let (request, _) = self.prepare(toolkit, Send::Proxy { slug: &slug, request: &proxy }, Some(connection))?;
        let response = self.http.execute(request).await.map_err(|e| request::transport(&slug, e, None))?;
        let status = response.status().as_u16();
        let expected = check.expect_status.unwrap_or(200);
        if status == expected {
            return Ok(Some(status));
        }
        let body = response.text().await.unwrap_or_default();
        let body: String = body.trim().chars().take(200).collect();
        let message = format!(
            "the credential did not pass toolkit `{}`'s check: {} {} answered {status} (expected {expected}){}",
            toolkit.slug,
            check.method.as_str(),
            check.path,
            if body.is_empty() { String::new() } else { format!(": {body}") }
        );
        let error = Error::Auth {
            slug,
            message,
            remedy: Some(Box::new(toolsmith_core::Remedy::ReconnectAccount {
                user: account.user_id.clone(),
                toolkit: toolkit.slug.as_str().to_owned(),
                account: account.id.clone(),
            })),
            source: None,
        };
        // An API may echo the credential it refused.
        Err(redaction::redact_error(error, &Redactor::of_call(scheme, account)))
    }

    /// The request a call would send, with secrets redacted; nothing is sent to the
    /// API (an expired OAuth 2.0 token is refreshed first, as the call would). The same
    /// as a call with [`CallOptions::dry_run`].
    pub async fn dry_run(
        &self,
        toolkit: &Toolkit,
        tool: &Tool,
        user: &UserId,
        arguments: &Value,
        options: &CallOptions,
    ) -> Result<DryRun, Error> {
        let options = CallOptions { dry_run: true, ..options.clone() };
        let call = Call { target: Target::Spec { toolkit, tool }, user, arguments: arguments.clone(), options };
        let data = self.run(call).await.result?;
        serde_json::from_value(data)
            .map_err(|e| Error::Decode { slug: tool.slug.as_str().to_owned(), message: e.to_string() })
    }

    async fn execute_proxy(
        &self,
        toolkit: &Toolkit,
        user: &UserId,
        request: &ProxyRequest,
        options: &CallOptions,
    ) -> Outcome {
        let slug = format!("{}_PROXY", toolkit.slug.as_str().to_ascii_uppercase());
        let started = (Instant::now(), SystemTime::now());
        let mut trace = Trace::default();
        let result = self.send(toolkit, Send::Proxy { slug: &slug, request }, user, options, &mut trace).await;
        self.finish(&slug, user, result, trace, started).await
    }

    /// Runs a hand-written tool: its handler, with this client to call other tools;
    /// traced and logged like an HTTP call.
    async fn execute_local(
        &self,
        definition: &ToolDefinition,
        handler: LocalHandler,
        user: &UserId,
        arguments: Value,
    ) -> Outcome {
        let started = (Instant::now(), SystemTime::now());
        let trace = Trace { attempts: 1, ..Trace::default() };
        let arguments = if arguments.is_null() { Value::Object(Map::new()) } else { arguments };
        let result = handler.call(arguments, Context { client: self, user }).await;
        self.finish(definition.slug, user, result, trace, started).await
    }

    /// Checks the arguments, then sends the call (or, for a dry run, shows the
    /// request it would send).
    async fn execute_spec(
        &self,
        toolkit: &Toolkit,
        tool: &Tool,
        user: &UserId,
        arguments: &Value,
        options: &CallOptions,
    ) -> Outcome {
        if options.dry_run {
            return Outcome::from(self.dry_run_request(toolkit, tool, user, arguments, options).await);
        }
        self.execute_with(toolkit, tool, user, arguments, options).await
    }

    async fn dry_run_request(
        &self,
        toolkit: &Toolkit,
        tool: &Tool,
        user: &UserId,
        arguments: &Value,
        options: &CallOptions,
    ) -> Result<Value, Error> {
        let arguments = self.checked(toolkit, tool, arguments)?;
        let call = Send::Tool { tool, arguments };
        let credentials = self.credentials(toolkit, call.slug(), user, options).await?;
        let connection = credentials.as_ref().map(|c| Connection { scheme: c.scheme, account: &c.account });
        let (request, secret_query) = self.prepare(toolkit, call, connection)?;
        let redactor = credentials.as_ref().map(|c| Redactor::of_call(c.scheme, &c.account)).unwrap_or_default();
        let dry = redaction::dry_run(&request, &secret_query, &redactor);
        serde_json::to_value(dry)
            .map_err(|e| Error::Decode { slug: tool.slug.as_str().to_owned(), message: e.to_string() })
    }

    /// A tool call from start to end: checks, credentials, send, log.
    async fn execute_with(
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
            Ok(arguments) => self.send(toolkit, Send::Tool { tool, arguments }, user, options, &mut trace).await,
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
                    .map_err(|e| token_error(slug, toolkit, user, e))?;
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
        key: crate::account_cache::Key,
    ) -> Result<(Arc<ConnectedAccount>, &'t AuthScheme), Error> {
        let internal = |message: String, source: Option<crate::store::StoreError>| Error::Store {
            slug: slug.to_owned(),
            message,
            source: source.map(|e| Box::new(e) as toolsmith_core::BoxError),
        };
        let account =
            auth::select_account(accounts.store.as_ref(), slug, toolkit, user, options.account.as_ref()).await?;
        let config: AuthConfig = accounts
            .store
            .auth_config(&account.auth_config)
            .await
            .map_err(|e| internal(e.to_string(), Some(e)))?
            .ok_or_else(|| {
                internal(format!("the auth config {} of account {} is gone", account.auth_config, account.id), None)
            })?;
        let scheme =
            auth::scheme_of(toolkit, &config).map_err(|message| Error::Spec { slug: slug.to_owned(), message })?;
        let account = Arc::new(account);
        accounts.cache.put(key, account.clone(), config.scheme);
        Ok((account, scheme))
    }

    /// Builds the request and adds the credentials; returns it with the names of query
    /// parameters that hold secrets.
    fn prepare(
        &self,
        toolkit: &Toolkit,
        call: Send<'_>,
        connection: Option<Connection<'_>>,
    ) -> Result<(reqwest::Request, Vec<String>), Error> {
        let slug = call.slug();
        let base = self.base_url_override(toolkit);
        let mut request = match call {
            Send::Tool { tool, arguments } => request::build(&self.http, base, toolkit, tool, arguments, connection)?,
            Send::Proxy { slug, request } => {
                request::build_proxy(&self.http, base, toolkit, slug, request, connection)?
            }
        };
        let secret_query = match connection {
            Some(c) => auth::inject(&mut request, c.scheme, c.account)
                .map_err(|message| auth::field_error(slug, toolkit, message))?,
            None => Vec::new(),
        };
        Ok((request, secret_query))
    }

    /// Sends the call with the account's credentials, and takes every secret it sent
    /// out of the result.
    async fn send(
        &self,
        toolkit: &Toolkit,
        call: Send<'_>,
        user: &UserId,
        options: &CallOptions,
        trace: &mut Trace,
    ) -> Result<Value, Error> {
        let slug = call.slug();
        let mut credentials = self.credentials(toolkit, slug, user, options).await?;
        trace.account = credentials.as_ref().map(|c| c.account.id.clone());
        // Every secret this call sends, to take out of what it returns and logs: APIs
        // echo credentials back in error bodies.
        let mut redactor = credentials.as_ref().map(|c| Redactor::of_call(c.scheme, &c.account)).unwrap_or_default();
        let result = self.attempts(toolkit, call, user, trace, &mut credentials, &mut redactor).await;
        redaction::redacted(result, &redactor)
    }

    /// The attempts of one call: retries on the toolkit's retry statuses for idempotent
    /// methods, and one OAuth 2.0 refresh after a 401.
    async fn attempts(
        &self,
        toolkit: &Toolkit,
        call: Send<'_>,
        user: &UserId,
        trace: &mut Trace,
        credentials: &mut Option<Credentials<'_>>,
        redactor: &mut Redactor,
    ) -> Result<Value, Error> {
        let slug = call.slug();
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
                                .map_err(|e| token_error(slug, toolkit, user, e))?,
                        );
                        accounts.cache.update(&c.account);
                        redactor.add_account(&c.account);
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
        let response_location = header_text(response.headers(), LOCATION.as_str());
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
        if matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308) {
            return Err(refused_redirect(slug, status.as_u16(), &response_location, origin));
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
            request::Read::BadJson(message) => Err(Error::Decode { slug: slug.to_owned(), message }),
            request::Read::Binary => {
                match &self.files_dir {
                    Some(dir) => {
                        // File writes block: off the executor's threads.
                        let (dir, log_id) = (dir.clone(), trace.log_id.clone());
                        let saved =
                            tokio::task::spawn_blocking(move || save_file(&dir, &log_id, &content_type, &bytes)).await;
                        match saved {
                            Ok(saved) => saved.map_err(|(message, source)| Error::Store {
                                slug: slug.to_owned(),
                                message,
                                source: Some(Box::new(source)),
                            }),
                            Err(join) => Err(Error::Store {
                                slug: slug.to_owned(),
                                message: "saving the response was interrupted".to_owned(),
                                source: Some(Box::new(join)),
                            }),
                        }
                    }
                    None => Ok(request::inline_binary(&content_type, &bytes)),
                }
            }
        }
    }

    fn too_large(&self, slug: &str) -> Error {
        Error::Request {
            slug: slug.to_owned(),
            message: format!(
                "the response is larger than {} bytes; raise `ClientBuilder::max_response_bytes` to read it",
                self.max_response_bytes
            ),
            source: None,
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

/// A token refresh failure as the call's error, with the remedy and the token error as
/// its source.
fn token_error(slug: &str, toolkit: &Toolkit, user: &UserId, error: auth::oauth2::TokenError) -> Error {
    Error::Auth {
        slug: slug.to_owned(),
        message: error.to_string(),
        remedy: error.remedy(user, &toolkit.slug).map(Box::new),
        source: Some(Box::new(error)),
    }
}

/// A redirect the client did not follow (it only follows redirects within the origin it
/// was sent to): where it pointed, without its query.
fn refused_redirect(slug: &str, status: u16, location: &str, origin: &(dyn Fn() -> String + Sync)) -> Error {
    let target = match location.split(['?', '#']).next().unwrap_or_default() {
        "" => "nowhere (no Location header)".to_owned(),
        target => format!("`{target}`"),
    };
    Error::Refused {
        slug: slug.to_owned(),
        reason: format!(
            "the API answered {status}, a redirect to {target}; it was not followed because it leaves {}, \
             the only origin this toolkit talks to (set the toolkit's base_url to the new address if it moved)",
            origin()
        ),
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
fn save_file(dir: &Path, log_id: &LogId, content_type: &str, bytes: &[u8]) -> Result<Value, (String, std::io::Error)> {
    let essence = content_type.split(';').next().unwrap_or_default().trim();
    let extension = match essence.rsplit('/').next().unwrap_or_default() {
        "" | "octet-stream" => "bin",
        sub => sub.split('+').next().unwrap_or("bin"),
    };
    let extension: String = extension.chars().filter(char::is_ascii_alphanumeric).take(10).collect();
    std::fs::create_dir_all(dir).map_err(|e| (format!("cannot create the files folder {}: {e}", dir.display()), e))?;
    let path = dir.join(format!("{log_id}.{extension}"));
    std::fs::write(&path, bytes).map_err(|e| (format!("cannot save the response to {}: {e}", path.display()), e))?;
    Ok(json!({ "file": {
        "path": path.display().to_string(),
        "content_type": if essence.is_empty() { "application/octet-stream" } else { essence },
        "size": bytes.len(),
    } }))
}
