//! The [`Client`]: sends tool calls over HTTP.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::Value;

use crate::{Error, UserId};
use toolsmith_catalog::{Tool, Toolkit};

/// Sends tool calls. Cheap to clone; share one per process.
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
}

/// Builds a [`Client`].
#[derive(Debug, Default)]
pub struct ClientBuilder {
    base_urls: HashMap<String, String>,
    timeout: Option<Duration>,
}

impl ClientBuilder {
    /// Sends the toolkit's requests to `url` instead of its spec's base URL (a test
    /// server, a proxy, an on-premises install).
    pub fn base_url(mut self, toolkit: &str, url: impl Into<String>) -> Self {
        self.base_urls.insert(toolkit.to_ascii_lowercase(), url.into());
        self
    }

    /// Time allowed for one request, connection included (30 s by default).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Builds the client.
    pub fn build(self) -> Client {
        let http = reqwest::Client::builder()
            .timeout(self.timeout.unwrap_or(Duration::from_secs(30)))
            .user_agent(concat!("toolsmith/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        Client { http, base_urls: self.base_urls }
    }
}

impl Default for Client {
    fn default() -> Self {
        Client::builder().build()
    }
}

impl Client {
    /// A client with default settings.
    pub fn new() -> Self {
        Client::default()
    }

    /// Starts building a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// Runs a tool with JSON arguments and returns the response data: the one path
    /// typed calls ([`crate::Tool::execute`]) and dynamic calls share.
    ///
    /// Builds the request from the tool's HTTP binding (path parameters encoded,
    /// query parameters in their declared style, headers, JSON / form / multipart
    /// body), sends it to the toolkit's base URL, and reads the response: JSON as is,
    /// text as a string, an empty body as `null`. A non-2xx status is [`Error::Api`].
    pub async fn call(&self, toolkit: &Toolkit, tool: &Tool, user: &UserId, arguments: &Value) -> Result<Value, Error> {
        let _ = user; // credentials are injected per user once accounts exist
        let request = crate::request::build(self, toolkit, tool, arguments)?;
        crate::request::send(self, tool, request).await
    }

    /// The base URL requests of `toolkit` go to.
    pub(crate) fn base_url_for<'a>(&'a self, toolkit: &'a Toolkit) -> &'a str {
        self.base_urls.get(toolkit.slug.as_str()).map_or(toolkit.base_url.as_str(), String::as_str)
    }

    /// Runs a typed tool; the same as `tool.execute(self, user)`.
    pub async fn execute<T: crate::Tool>(&self, tool: &T, user: &UserId) -> Result<T::Output, Error> {
        tool.execute(self, user).await
    }
}
