//! The [`Client`]: sends tool calls over HTTP.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::Value;

use crate::validate::Validators;
use crate::{Error, UserId};
use toolsmith_catalog::{Tool, Toolkit};

/// Sends tool calls. Cheap to clone; share one per process: clones share the
/// connection pool and the compiled input schemas (each tool's is compiled once).
///
/// ```
/// let client = toolsmith::Client::builder()
///     .base_url("github", "http://127.0.0.1:8080")
///     .timeout(std::time::Duration::from_secs(10))
///     .build();
/// # let _ = client;
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    pub(crate) http: reqwest::Client,
    pub(crate) base_urls: HashMap<String, String>,
    pub(crate) validators: Validators,
}

/// Builds a [`Client`].
#[derive(Debug, Default)]
pub struct ClientBuilder {
    base_urls: HashMap<String, String>,
    timeout: Option<Duration>,
}

impl ClientBuilder {
    /// Sends the toolkit's requests to `url` instead of its spec's base URL (a test
    /// server, a proxy, an on-premises install). Requests still may not leave that
    /// URL's scheme, host and port, nor its path.
    ///
    /// ```
    /// let client = toolsmith::Client::builder().base_url("jira", "https://acme.atlassian.net").build();
    /// # let _ = client;
    /// ```
    pub fn base_url(mut self, toolkit: &str, url: impl Into<String>) -> Self {
        self.base_urls.insert(toolkit.to_ascii_lowercase(), url.into());
        self
    }

    /// Time allowed for one request, connection included (30 s by default).
    ///
    /// ```
    /// let client = toolsmith::Client::builder().timeout(std::time::Duration::from_secs(5)).build();
    /// # let _ = client;
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Builds the client.
    ///
    /// ```
    /// let client = toolsmith::Client::builder().build();
    /// # let _ = client;
    /// ```
    pub fn build(self) -> Client {
        let http = reqwest::Client::builder()
            .timeout(self.timeout.unwrap_or(Duration::from_secs(30)))
            .user_agent(concat!("toolsmith/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        Client { http, base_urls: self.base_urls, validators: Validators::default() }
    }
}

impl Default for Client {
    fn default() -> Self {
        Client::builder().build()
    }
}

impl Client {
    /// A client with default settings.
    ///
    /// ```
    /// let client = toolsmith::Client::new();
    /// # let _ = client;
    /// ```
    pub fn new() -> Self {
        Client::default()
    }

    /// Starts building a client.
    ///
    /// ```
    /// let builder = toolsmith::Client::builder();
    /// # let _ = builder;
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Runs a tool with JSON arguments and returns the response data: the one path
    /// typed calls ([`crate::Tool::execute`]) and dynamic calls share.
    ///
    /// 1. Checks the arguments against the tool's input schema (JSON Schema 2020-12,
    ///    compiled once per tool): [`Error::InvalidArguments`] lists every violation
    ///    with its JSON path. `null` arguments count as `{}`.
    /// 2. Builds the request from the tool's HTTP binding: path parameters
    ///    percent-encoded, query parameters in their declared style, the toolkit's
    ///    headers and header parameters, a JSON / form / multipart / raw body.
    /// 3. Sends it to the toolkit's base URL ([`ClientBuilder::base_url`] overrides it);
    ///    a request that would leave that URL's origin or path is [`Error::Refused`].
    /// 4. Reads the response: JSON as is, text as a string, an empty body as `null`,
    ///    binary content as `{"content_type", "size", "base64"}`. A non-2xx status is
    ///    [`Error::Api`]; a network failure is [`Error::Request`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let toolkit: toolsmith::Toolkit = serde_yaml::from_str(r#"
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
    /// let client = toolsmith::Client::new();
    /// let user = toolsmith::UserId::new("user-1");
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
        let _ = user; // credentials are injected per user once accounts exist
        let empty = Value::Object(serde_json::Map::new());
        let arguments = if arguments.is_null() { &empty } else { arguments };
        self.validators.check(toolkit, tool, arguments)?;
        let Some(arguments) = arguments.as_object() else {
            // The input schema is always `type: object`, so validation already said so.
            return Err(Error::InvalidArguments {
                slug: tool.slug.as_str().to_owned(),
                problems: vec![(String::new(), "the arguments must be a JSON object".to_owned())],
            });
        };
        let request = crate::request::build(self, toolkit, tool, arguments)?;
        crate::request::send(self, tool, request).await
    }

    /// The base URL requests of `toolkit` go to.
    pub(crate) fn base_url_for<'a>(&'a self, toolkit: &'a Toolkit) -> &'a str {
        self.base_urls
            .get(toolkit.slug.as_str())
            .or_else(|| self.base_urls.get(&toolkit.slug.as_str().to_ascii_lowercase()))
            .map_or(toolkit.base_url.as_str(), String::as_str)
    }

    /// Runs a typed tool; the same as `tool.execute(self, user)`.
    pub async fn execute<T: crate::Tool>(&self, tool: &T, user: &UserId) -> Result<T::Output, Error> {
        tool.execute(self, user).await
    }
}
