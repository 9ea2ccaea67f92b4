//! The seam every front end calls tools through: the [`Execute`] trait and the
//! vocabulary of one call ([`Call`], [`Target`], [`CallOptions`], [`Outcome`]), with
//! what a call runs: a [`ToolDefinition`] (static data, in a [`CompiledToolkit`] for
//! generated tools) whose [`LocalHandler`] gets a [`Context`] holding the executor.
//!
//! They are one module because they refer to each other: a definition's handler is
//! given the `Execute` that runs definitions. The typed traits built on them
//! ([`Tool`](crate::Tool), [`Handler`](crate::Handler)) are in `tool.rs`.
//!
//! The runtime's `Client` implements it over HTTP; sessions, servers and the workbench
//! wrap an `Execute` to add their policies (approval rules, allow-lists) without
//! knowing how a tool is run.

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use toolsmith_spec::{Method, Tool as ToolSpec, Toolkit, Version};

use crate::{ConnectedAccountId, Error, LogId, UserId};

/// A boxed, sendable future: what [`Execute::run`] returns, so that `dyn Execute` works.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Runs tool calls. One implementation does the work (the runtime's `Client`: argument
/// checks, account choice, credentials, HTTP, retries, the execution log); others wrap
/// one to add policy.
///
/// ```
/// use toolsmith_core::{BoxFuture, Call, Execute, Outcome};
///
/// /// Refuses every call: a policy layer in four lines.
/// struct DenyAll;
///
/// impl Execute for DenyAll {
///     fn run<'a>(&'a self, call: Call<'a>) -> BoxFuture<'a, Outcome> {
///         let slug = call.target.slug().into_owned();
///         Box::pin(async move {
///             Outcome::from(Err(toolsmith_core::Error::Refused { slug, reason: "denied by policy".into() }))
///         })
///     }
/// }
/// ```
pub trait Execute: Send + Sync {
    /// Runs one call and reports what happened.
    fn run<'a>(&'a self, call: Call<'a>) -> BoxFuture<'a, Outcome>;
}

impl<E: Execute + ?Sized> Execute for &E {
    fn run<'a>(&'a self, call: Call<'a>) -> BoxFuture<'a, Outcome> {
        (**self).run(call)
    }
}

impl<E: Execute + ?Sized> Execute for std::sync::Arc<E> {
    fn run<'a>(&'a self, call: Call<'a>) -> BoxFuture<'a, Outcome> {
        (**self).run(call)
    }
}

/// One call: what to run, for whom, with which arguments and options.
#[derive(Debug)]
pub struct Call<'a> {
    /// The tool (or raw request) to run.
    pub target: Target<'a>,
    /// The user the call is made for.
    pub user: &'a UserId,
    /// The arguments, a JSON object (`null` counts as `{}`); ignored by proxy calls.
    pub arguments: Value,
    /// Account, version, dry run.
    pub options: CallOptions,
}

/// What a [`Call`] runs.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum Target<'a> {
    /// A tool known by its static definition: typed calls, generated or hand-written.
    Definition(&'static ToolDefinition),
    /// A tool of a toolkit spec (loaded from YAML at run time).
    Spec {
        /// The toolkit.
        toolkit: &'a Toolkit,
        /// The tool.
        tool: &'a ToolSpec,
    },
    /// A raw request to a toolkit's API, authenticated like its tools' (Composio's
    /// proxy execute).
    Proxy {
        /// The toolkit whose base URL and credentials are used.
        toolkit: &'a Toolkit,
        /// The request.
        request: &'a ProxyRequest,
    },
}

impl Target<'_> {
    /// The slug the call is logged under: the tool's, or `<TOOLKIT>_PROXY`.
    ///
    /// ```
    /// # let def: &'static toolsmith_core::ToolDefinition = Box::leak(Box::new(toolsmith_core::ToolDefinition {
    /// #     slug: "DEMO_PING", toolkit: "demo", name: "Ping", description: "Checks the service.".into(),
    /// #     schemas: toolsmith_core::Schemas::Json { input: r#"{"type":"object"}"#.into(), output: None },
    /// #     tags: &[], http: None, local: None }));
    /// assert_eq!(toolsmith_core::Target::Definition(def).slug(), "DEMO_PING");
    /// ```
    pub fn slug(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Target::Definition(definition) => definition.slug.into(),
            Target::Spec { tool, .. } => tool.slug.as_str().into(),
            Target::Proxy { toolkit, .. } => format!("{}_PROXY", toolkit.slug.as_str().to_ascii_uppercase()).into(),
        }
    }
}

/// Choices for one call.
///
/// ```
/// let options = toolsmith_core::CallOptions { account: Some("ca_work".parse().unwrap()), ..Default::default() };
/// # let _ = options;
/// ```
/// Construct it with `..Default::default()`: fields are added as policies arrive.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CallOptions {
    /// The connected account to use; by default the user's only active account of the
    /// toolkit.
    pub account: Option<ConnectedAccountId>,
    /// The toolkit version to run (`20261122_00`), for calls by slug through a registry:
    /// used exactly, an error when it is not loaded; the newest loaded version when
    /// `None`.
    pub version: Option<Version>,
    /// Build the request but do not send it: the call's data is the [`DryRun`], secrets
    /// redacted.
    pub dry_run: bool,
}

/// What a call did: its result and the id of its log entry (when the executor keeps a
/// log).
#[derive(Debug)]
pub struct Outcome {
    /// The response data, or why the call failed.
    pub result: Result<Value, Error>,
    /// The execution's log entry.
    pub log_id: Option<LogId>,
}

impl From<Result<Value, Error>> for Outcome {
    fn from(result: Result<Value, Error>) -> Self {
        Outcome { result, log_id: None }
    }
}

/// The result of an execution in Composio's shape: `{data, error, successful, log_id}`.
///
/// ```
/// let result = toolsmith_core::ExecutionResult::from_result(Ok(serde_json::json!({"id": 1})), None);
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
    /// The execution's log entry (`toolsmith logs`), when the executor keeps a log.
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

impl From<Outcome> for ExecutionResult {
    fn from(outcome: Outcome) -> Self {
        ExecutionResult::from_result(outcome.result, outcome.log_id)
    }
}

/// A raw request to a toolkit's API, authenticated like its tools' requests
/// (Composio's proxy execute).
///
/// ```
/// let request = toolsmith_core::ProxyRequest { method: toolsmith_spec::Method::Get, endpoint: "/user".into(), ..Default::default() };
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

/// The request a call would send, with secrets replaced by `[REDACTED]`: the data of a
/// call made with [`CallOptions::dry_run`].
///
/// ```
/// # let dry = toolsmith_core::DryRun { method: "GET".into(), url: "https://api.example.com/x?key=[REDACTED]".into(), headers: vec![], body: None };
/// assert!(!dry.url.contains("secret"));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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

/// What a tool is, as static data: enough to list it, describe it to an LLM, and
/// call it. Generated code builds these as `static`s.
#[derive(Clone, Debug)]
pub struct ToolDefinition {
    /// `GITHUB_CREATE_ISSUE`
    pub slug: &'static str,
    /// `github`
    pub toolkit: &'static str,
    /// Short human name.
    pub name: &'static str,
    /// What it does and when to use it.
    pub description: Cow<'static, str>,
    /// Its input and output JSON Schemas.
    pub schemas: Schemas,
    /// MCP hints and `important`.
    pub tags: &'static [&'static str],
    /// The HTTP operation; `None` for a hand-written tool.
    pub http: Option<HttpBinding>,
    /// The body of a hand-written tool; `None` for a generated one.
    pub local: Option<LocalHandler>,
}

/// Where a tool's JSON Schemas (2020-12) come from.
#[derive(Clone)]
pub enum Schemas {
    /// JSON text: what `#[derive(Tool)]` derives with schemars.
    Json {
        /// The input schema.
        input: Cow<'static, str>,
        /// The output schema, when published.
        output: Option<Cow<'static, str>>,
    },
    /// The tool at `index` of a compiled toolkit's embedded spec: its schemas are
    /// read from there (with the toolkit definitions they use), not stored twice.
    Compiled {
        /// The toolkit.
        toolkit: &'static CompiledToolkit,
        /// The tool's place in the toolkit's spec.
        index: usize,
    },
}

impl fmt::Debug for Schemas {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Schemas::Json { input, output } => {
                f.debug_struct("Json").field("input", input).field("output", output).finish()
            }
            Schemas::Compiled { toolkit, index } => {
                f.debug_struct("Compiled").field("toolkit", &toolkit.slug()).field("index", index).finish()
            }
        }
    }
}

impl ToolDefinition {
    /// The input schema as a JSON value: self-contained (the shared definitions it
    /// uses are in its `$defs`).
    ///
    /// ```
    /// let def = toolsmith_core::ToolDefinition {
    ///     slug: "DEMO_PING", toolkit: "demo", name: "Ping", description: "Checks the service.".into(),
    ///     schemas: toolsmith_core::Schemas::Json { input: r#"{"type":"object"}"#.into(), output: None },
    ///     tags: &[], http: None, local: None,
    /// };
    /// assert_eq!(def.input_schema_value()["type"], "object");
    /// ```
    pub fn input_schema_value(&self) -> serde_json::Value {
        match &self.schemas {
            Schemas::Json { input, .. } => serde_json::from_str(input).unwrap_or_default(),
            Schemas::Compiled { toolkit, index } => toolkit
                .toolkit()
                .ok()
                .and_then(|spec| spec.tools.get(*index).map(|tool| spec.input_schema(tool)))
                .unwrap_or_default(),
        }
    }

    /// The output schema as a JSON value, when known.
    pub fn output_schema_value(&self) -> Option<serde_json::Value> {
        match &self.schemas {
            Schemas::Json { output, .. } => output.as_deref().and_then(|s| serde_json::from_str(s).ok()),
            Schemas::Compiled { toolkit, index } => {
                let spec = toolkit.toolkit().ok()?;
                spec.output_schema(spec.tools.get(*index)?)
            }
        }
    }
}

/// The HTTP side of a generated tool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HttpBinding {
    /// `GET`, `POST`, …
    pub method: &'static str,
    /// Path template relative to the toolkit's base URL: `/repos/{owner}/{repo}/issues`.
    pub path: &'static str,
}

/// What a hand-written tool gets to work with.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    /// The executor running the call, to call other tools (`tool.execute(cx.client, cx.user)`).
    pub client: &'a dyn Execute,
    /// The user the call is made for.
    pub user: &'a UserId,
}

impl fmt::Debug for Context<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context").field("user", &self.user).finish_non_exhaustive()
    }
}

/// The body of a hand-written tool as a function of JSON arguments: what an executor
/// runs for a [`ToolDefinition`] without an HTTP binding. `#[derive(toolsmith::Tool)]`
/// fills it in with [`LocalHandler::of`].
#[derive(Clone, Copy)]
pub struct LocalHandler(pub(crate) for<'a> fn(Value, Context<'a>) -> BoxFuture<'a, Result<Value, Error>>);

impl LocalHandler {
    /// Runs the tool on `arguments` (already checked against its input schema).
    pub fn call<'a>(&self, arguments: Value, cx: Context<'a>) -> BoxFuture<'a, Result<Value, Error>> {
        (self.0)(arguments, cx)
    }
}

impl fmt::Debug for LocalHandler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LocalHandler")
    }
}

/// A toolkit generated into Rust code. Its spec is embedded as JSON and parsed once,
/// on first use; its tools' definitions are static data.
///
/// Generated code declares one per toolkit (`github::TOOLKIT`) and a list of them
/// (`TOOLKITS`) that `Registry::from_compiled` (in `toolsmith-runtime`) takes.
pub struct CompiledToolkit {
    slug: &'static str,
    spec_json: &'static str,
    tools: &'static [ToolDefinition],
    parsed: OnceLock<Result<Toolkit, String>>,
}

impl std::fmt::Debug for CompiledToolkit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompiledToolkit").field("slug", &self.slug).field("tools", &self.tools.len()).finish()
    }
}

impl CompiledToolkit {
    /// Used by generated code.
    #[doc(hidden)]
    pub const fn new(slug: &'static str, spec_json: &'static str, tools: &'static [ToolDefinition]) -> Self {
        CompiledToolkit { slug, spec_json, tools, parsed: OnceLock::new() }
    }

    /// The toolkit slug.
    pub fn slug(&self) -> &'static str {
        self.slug
    }

    /// The definitions of the toolkit's tools.
    pub fn definitions(&self) -> &'static [ToolDefinition] {
        self.tools
    }

    /// The full toolkit spec (auth, base URL, tools), parsed on first use.
    pub fn toolkit(&self) -> Result<&Toolkit, Error> {
        self.parsed
            .get_or_init(|| serde_json::from_str(self.spec_json).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|message| Error::CompiledToolkit { toolkit: self.slug.to_owned(), message: message.clone() })
    }

    /// The spec of the tool at `index` with its toolkit: what an executor needs to
    /// call a generated tool.
    pub fn tool(&self, index: usize) -> Result<(&Toolkit, &ToolSpec), Error> {
        let toolkit = self.toolkit()?;
        let tool = toolkit.tools.get(index).ok_or_else(|| Error::CompiledToolkit {
            toolkit: self.slug.to_owned(),
            message: format!("it has no tool number {index}"),
        })?;
        Ok((toolkit, tool))
    }
}
