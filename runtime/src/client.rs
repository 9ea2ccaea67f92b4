//! The [`Client`] and its settings: what it holds (HTTP pool, base URL overrides,
//! compiled schemas, the store and token manager) and how it is built. How it runs a
//! call is in `execute.rs`, which reads these settings; nothing here calls back into it.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::account_cache::AccountCache;
use crate::log_writer::LogWriter;
use crate::store::Store;
use crate::validate::Validators;
use toolsmith_auth::oauth2::TokenManager;
use toolsmith_spec::Toolkit;

/// Sends tool calls. Cheap to clone; share one per process: clones share the
/// connection pool and the compiled input schemas (each tool's is compiled once).
///
/// ```
/// let client = toolsmith_runtime::Client::builder()
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
    pub(crate) accounts: Option<Accounts>,
    pub(crate) max_retry_wait: Duration,
    pub(crate) max_response_bytes: usize,
    pub(crate) files_dir: Option<PathBuf>,
}

/// Where credentials come from: the store of connected accounts, the OAuth 2.0 token
/// manager over it, the accounts recently resolved, and the execution log writer.
#[derive(Clone, Debug)]
pub(crate) struct Accounts {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) tokens: Arc<TokenManager>,
    pub(crate) cache: Arc<AccountCache>,
    pub(crate) log: Arc<LogWriter>,
}

/// Builds a [`Client`].
#[derive(Debug, Default)]
pub struct ClientBuilder {
    base_urls: HashMap<String, String>,
    timeout: Option<Duration>,
    store: Option<Arc<dyn Store>>,
    max_retry_wait: Option<Duration>,
    max_response_bytes: Option<usize>,
    files_dir: Option<PathBuf>,
    account_cache: Option<Duration>,
}

impl ClientBuilder {
    /// Sends the toolkit's requests to `url` instead of its spec's base URL (a test
    /// server, a proxy, an on-premises install). Requests still may not leave that
    /// URL's scheme, host and port, nor its path.
    ///
    /// ```
    /// let client = toolsmith_runtime::Client::builder().base_url("jira", "https://acme.atlassian.net").build();
    /// # let _ = client;
    /// ```
    pub fn base_url(mut self, toolkit: &str, url: impl Into<String>) -> Self {
        self.base_urls.insert(toolkit.to_ascii_lowercase(), url.into());
        self
    }

    /// Time allowed for one request, connection included (30 s by default).
    ///
    /// ```
    /// let client = toolsmith_runtime::Client::builder().timeout(std::time::Duration::from_secs(5)).build();
    /// # let _ = client;
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Authenticates calls with the users' connected accounts in `store`: each call uses
    /// the account it names or the user's only active account of the toolkit, refreshes
    /// OAuth 2.0 tokens when needed, and is logged there ([`ExecutionLog`](crate::store::ExecutionLog)).
    /// Without a store, requests go out without credentials and are not logged.
    ///
    /// ```no_run
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let store = toolsmith_runtime::store::SqliteStore::open_default()?;
    /// let client = toolsmith_runtime::Client::builder().store(std::sync::Arc::new(store)).build();
    /// # let _ = client; Ok(()) }
    /// ```
    pub fn store(mut self, store: Arc<dyn Store>) -> Self {
        self.store = Some(store);
        self
    }

    /// How long a resolved account is reused before the store is read again (5 s by
    /// default; zero reads it on every call). Tokens refreshed by this client are used
    /// at once; accounts changed by other processes are seen within this time.
    ///
    /// ```
    /// let client = toolsmith_runtime::Client::builder().account_cache(std::time::Duration::ZERO).build();
    /// # let _ = client;
    /// ```
    pub fn account_cache(mut self, ttl: Duration) -> Self {
        self.account_cache = Some(ttl);
        self
    }

    /// The longest wait before a retry (a `Retry-After` hint or a backoff) that a call
    /// accepts; a longer one ends the retries and returns the error (10 s by default).
    ///
    /// ```
    /// let client = toolsmith_runtime::Client::builder().max_retry_wait(std::time::Duration::from_secs(2)).build();
    /// # let _ = client;
    /// ```
    pub fn max_retry_wait(mut self, wait: Duration) -> Self {
        self.max_retry_wait = Some(wait);
        self
    }

    /// The largest response body read, in bytes (64 MiB by default); a larger one is an
    /// error instead of exhausting memory.
    ///
    /// ```
    /// let client = toolsmith_runtime::Client::builder().max_response_bytes(1 << 20).build();
    /// # let _ = client;
    /// ```
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = Some(bytes);
        self
    }

    /// Saves binary responses (files, images) in `dir` and returns a reference to the
    /// file (`{"file": {"path", "content_type", "size"}}`) instead of inline base64.
    ///
    /// ```
    /// let client = toolsmith_runtime::Client::builder().files_dir(std::env::temp_dir().join("toolsmith-files")).build();
    /// # let _ = client;
    /// ```
    pub fn files_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.files_dir = Some(dir.into());
        self
    }

    /// Builds the client. Redirects are followed only within the same origin, so
    /// credentials never follow a redirect to another host.
    ///
    /// ```
    /// let client = toolsmith_runtime::Client::builder().build();
    /// # let _ = client;
    /// ```
    pub fn build(self) -> Client {
        let same_origin = reqwest::redirect::Policy::custom(|attempt| {
            let same = attempt.previous().last().is_some_and(|last| last.origin() == attempt.url().origin());
            if attempt.previous().len() >= 10 {
                attempt.error("too many redirects")
            } else if same {
                attempt.follow()
            } else {
                attempt.stop()
            }
        });
        let http = reqwest::Client::builder()
            .timeout(self.timeout.unwrap_or(Duration::from_secs(30)))
            .user_agent(concat!("toolsmith/", env!("CARGO_PKG_VERSION")))
            .redirect(same_origin)
            .build()
            // Only fails when the TLS backend cannot start; the default client then
            // reports the same failure on the first request.
            .unwrap_or_default();
        let account_cache = self.account_cache.unwrap_or(Duration::from_secs(5));
        let accounts = self.store.map(|store| Accounts {
            tokens: Arc::new(TokenManager::new(store.clone(), http.clone())),
            cache: Arc::new(AccountCache::new(account_cache, store.account_changes())),
            log: Arc::new(LogWriter::new(store.clone())),
            store,
        });
        Client {
            http,
            base_urls: self.base_urls,
            validators: Validators::default(),
            accounts,
            max_retry_wait: self.max_retry_wait.unwrap_or(Duration::from_secs(10)),
            max_response_bytes: self.max_response_bytes.unwrap_or(64 << 20),
            files_dir: self.files_dir,
        }
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
    /// let client = toolsmith_runtime::Client::new();
    /// # let _ = client;
    /// ```
    pub fn new() -> Self {
        Client::default()
    }

    /// Starts building a client.
    ///
    /// ```
    /// let builder = toolsmith_runtime::Client::builder();
    /// # let _ = builder;
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The base URL set with [`ClientBuilder::base_url`] for `toolkit`, if any.
    pub(crate) fn base_url_override(&self, toolkit: &Toolkit) -> Option<&str> {
        self.base_urls.get(&toolkit.slug.as_str().to_ascii_lowercase()).map(String::as_str)
    }

    /// Waits until the log entries of every execution so far are in the store (they are
    /// written in the background, in batches). Call it before reading the log back in
    /// the same process, and before the process exits.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// let client = toolsmith_runtime::Client::new();
    /// client.flush_logs().await; // no store: nothing to wait for
    /// # }
    /// ```
    pub async fn flush_logs(&self) {
        if let Some(accounts) = &self.accounts {
            accounts.log.flush().await;
        }
    }

    /// How many OAuth 2.0 token requests (refreshes, client credentials) this client
    /// made, by outcome: for metrics.
    ///
    /// ```
    /// assert_eq!(toolsmith_runtime::Client::new().token_requests().renewed, 0);
    /// ```
    pub fn token_requests(&self) -> toolsmith_auth::oauth2::TokenRequestCounts {
        self.accounts.as_ref().map(|a| a.tokens.request_counts()).unwrap_or_default()
    }
}
