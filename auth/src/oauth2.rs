//! OAuth 2.0 tokens of connected accounts: obtained when a user authorizes through a
//! Connect Link ([`authorization_url`], [`complete_authorization`]), refreshed shortly
//! before they expire and after a 401, fetched with the client-credentials grant for
//! machine accounts.
//!
//! [`TokenManager`] is what the executor calls before each request of an OAuth 2.0
//! account ([`TokenManager::ensure_fresh`]) and again when the API answered 401
//! ([`TokenManager::refresh_rejected`], then the request is retried once). It follows
//! Nango's design:
//!
//! - **Single flight in the process**: concurrent calls for one account share one token
//!   request and all get its result. The request runs on its own task, so its tokens are
//!   stored even when every caller stopped waiting (a rotated refresh token is spent the
//!   moment the server answers).
//! - **A lease across processes**: before a token request the manager takes the account's
//!   refresh lease in the store
//!   ([`Store::try_lock_refresh`](toolsmith_store::RefreshLeases::try_lock_refresh)), polling
//!   every 50 ms for up to 1.2 × its time to live; the new tokens are written with
//!   [`Store::finish_refresh`](toolsmith_store::RefreshLeases::finish_refresh), in the
//!   transaction that releases the lease.
//! - **Double-checked freshness**: with the lease held, the account is read again and
//!   returned as is when another caller or process has already replaced its token; when
//!   the lease cannot be had in time, the account is read again and used if its token is
//!   still valid.
//! - **Failures sorted**: a refused grant (`invalid_grant`, `invalid_client`,
//!   `unauthorized_client`, or no refresh token) marks the account `EXPIRED` with a reason
//!   and returns [`TokenError::ReconnectRequired`]; an unreachable or failing token
//!   endpoint leaves the account `ACTIVE` and untouched ([`TokenError::Unavailable`]).
//!
//! Token requests are sent with the `oauth2` crate (see the `grant` module for what is
//! adapted: JSON bodies, redirects refused, lenient token responses).
//!
//! ```
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! use std::sync::Arc;
//! use std::time::{Duration, SystemTime};
//! use toolsmith::auth::oauth2::{TokenError, TokenManager};
//! use toolsmith::store::{KeyRing, SqliteStore, Store};
//! # use std::collections::BTreeMap;
//! # use secrecy::{ExposeSecret, SecretString};
//! # use toolsmith::store::{AccountStatus, AuthConfig, ConnectedAccount, Credentials, OAuth2Tokens};
//! # use toolsmith::{AuthConfigId, ConnectedAccountId, ToolkitSlug, UserId};
//!
//! let store: Arc<dyn Store> = Arc::new(SqliteStore::in_memory(KeyRing::generate()?)?);
//! # let now = SystemTime::now();
//! # let config = AuthConfig {
//! #     id: AuthConfigId::generate(), toolkit: ToolkitSlug::new("acme"), name: "Acme".into(),
//! #     scheme: "oauth2".into(), client_id: Some("client".into()), client_secret: Some(SecretString::from("s3cret")),
//! #     scopes: vec![], disabled: false, created_at: now,
//! # };
//! # store.put_auth_config(&config).await?;
//! # let tokens = OAuth2Tokens {
//! #     access_token: SecretString::from("at-1"), refresh_token: Some(SecretString::from("rt-1")),
//! #     token_type: "Bearer".into(), expires_at: Some(now + Duration::from_secs(3600)), scopes: vec![],
//! # };
//! # let account = ConnectedAccount {
//! #     id: ConnectedAccountId::generate(), user_id: UserId::new("alice"), toolkit: config.toolkit.clone(),
//! #     auth_config: config.id.clone(), status: AccountStatus::Active, status_reason: None, alias: None,
//! #     fields: BTreeMap::new(), credentials: Credentials { secrets: BTreeMap::new(), oauth2: Some(tokens) },
//! #     created_at: now, updated_at: now,
//! # };
//! # store.put_account(&account).await?;
//! // The toolkit's scheme; here its token endpoint is down (nothing listens on the port).
//! let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
//! let scheme: toolsmith::catalog::OAuth2 =
//!     serde_yaml::from_str(&format!("token_url: http://127.0.0.1:{port}/oauth/token"))?;
//! let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
//! let tokens = TokenManager::new(store.clone(), http);
//!
//! // Before each request: the token expires in an hour, so it is used as is.
//! let account = tokens.ensure_fresh(&scheme, account).await?;
//! # let token = |a: &ConnectedAccount| a.credentials.oauth2.as_ref().unwrap().access_token.expose_secret().to_owned();
//! assert_eq!(token(&account), "at-1");
//!
//! // The API answered 401: refresh once, then retry the request. The token endpoint
//! // cannot be reached: a retryable error, and the account is left as it was.
//! let err = tokens.refresh_rejected(&scheme, &account).await.unwrap_err();
//! assert!(matches!(err, TokenError::Unavailable { .. }) && err.is_retryable());
//! assert!(err.to_string().contains("could not connect"), "{err}");
//! assert_eq!(store.account(&account.id).await?.unwrap().status, AccountStatus::Active);
//! # Ok::<(), Box<dyn std::error::Error>>(()) }).unwrap();
//! ```

mod authorize;
mod error;
mod flight;
mod grant;

use std::fmt;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use secrecy::{ExposeSecret, SecretString};
use toolsmith_spec::{OAuth2, OAuth2Grant};

pub use authorize::{authorization_url, complete_authorization, AuthorizeError, CallbackParams};
pub use error::TokenError;
use flight::{Flights, Outcome};
use grant::{renew, Failure, Grant, TokenRequest};

use toolsmith_core::ConnectedAccountId;
use toolsmith_store::{AccountStatus, ConnectedAccount, OAuth2Tokens, Store, StoreError};

/// Timings of a [`TokenManager`].
///
/// ```
/// use std::time::Duration;
/// use toolsmith::auth::oauth2::RefreshOptions;
/// let options = RefreshOptions { margin: Duration::from_secs(60), ..RefreshOptions::default() };
/// assert_eq!(options.lease_ttl, Duration::from_secs(30));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefreshOptions {
    /// Tokens expiring within this margin are refreshed before use (5 minutes). A token
    /// whose whole lifetime (from when it was stored to its expiry) is shorter than twice
    /// the margin is refreshed at half its lifetime instead, so short-lived tokens are not
    /// refreshed on every call.
    pub margin: Duration,
    /// How long a refresh lease lasts (30 s): another process may take over after that.
    pub lease_ttl: Duration,
    /// How often a held lease is polled (50 ms); the wait ends after 1.2 × `lease_ttl`.
    pub poll_interval: Duration,
    /// Bound of one token request (10 s); at most three quarters of `lease_ttl` are used,
    /// so that the lease outlives the request.
    pub request_timeout: Duration,
}

impl Default for RefreshOptions {
    fn default() -> Self {
        RefreshOptions {
            margin: Duration::from_secs(5 * 60),
            lease_ttl: Duration::from_secs(30),
            poll_interval: Duration::from_millis(50),
            request_timeout: Duration::from_secs(10),
        }
    }
}

/// Keeps OAuth 2.0 accounts supplied with valid access tokens; see the
/// [module documentation](self). Cheap to clone; clones share their flights and lease
/// holder id.
///
/// ```
/// use std::sync::Arc;
/// use toolsmith::auth::oauth2::TokenManager;
/// use toolsmith::store::{KeyRing, SqliteStore};
///
/// let store = Arc::new(SqliteStore::in_memory(KeyRing::generate()?)?);
/// let tokens = TokenManager::new(store, reqwest::Client::new());
/// let same = tokens.clone();
/// assert_eq!(same.holder(), tokens.holder());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct TokenManager {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn Store>,
    http: reqwest::Client,
    holder: String,
    options: RefreshOptions,
    flights: Arc<Flights>,
    /// Token requests that renewed an account's tokens.
    renewed: std::sync::atomic::AtomicU64,
    /// Token requests (or attempts) that failed.
    failed: std::sync::atomic::AtomicU64,
}

/// How many token requests a [`TokenManager`] made, by outcome (for metrics).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TokenRequestCounts {
    /// Requests that renewed an account's tokens.
    pub renewed: u64,
    /// Requests that failed (refused, unavailable, misconfigured, or the account expired).
    pub failed: u64,
}

impl fmt::Debug for TokenManager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenManager")
            .field("holder", &self.inner.holder)
            .field("options", &self.inner.options)
            .field("store", &self.inner.store)
            .finish_non_exhaustive()
    }
}

/// Which grant gets the new token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Refresh,
    ClientCredentials,
}

impl Kind {
    /// The grant the scheme renews tokens with.
    fn of(scheme: &OAuth2) -> Kind {
        match scheme.grant {
            OAuth2Grant::AuthorizationCode => Kind::Refresh,
            OAuth2Grant::ClientCredentials => Kind::ClientCredentials,
        }
    }
}

/// What the caller needs from the flight.
#[derive(Clone)]
enum Want {
    /// A token that does not expire within the margin; `seen` is the one the caller had.
    Fresh { seen: Option<SecretString> },
    /// Any valid token but this one, which the API rejected.
    Replace { rejected: SecretString },
}

/// One flight's task.
#[derive(Clone)]
struct Job {
    kind: Kind,
    want: Want,
    /// Whether an `INITIATED` account may get tokens (connecting a machine account).
    connecting: bool,
}

impl TokenManager {
    /// A manager over `store` that sends token requests with `http`, with the default
    /// [`RefreshOptions`].
    ///
    /// `http` should not follow redirects (`reqwest::redirect::Policy::none()`): a
    /// redirected token request would carry the client secret and the refresh token to
    /// another URL. The manager refuses any redirect it sees.
    ///
    /// ```
    /// # let store = std::sync::Arc::new(toolsmith::store::SqliteStore::in_memory(toolsmith::store::KeyRing::generate()?)?);
    /// let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    /// let tokens = toolsmith::auth::oauth2::TokenManager::new(store, http);
    /// assert_eq!(tokens.options().margin.as_secs(), 300);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(store: Arc<dyn Store>, http: reqwest::Client) -> Self {
        Self::with_options(store, http, RefreshOptions::default())
    }

    /// A manager with other timings.
    ///
    /// ```
    /// # let store = std::sync::Arc::new(toolsmith::store::SqliteStore::in_memory(toolsmith::store::KeyRing::generate()?)?);
    /// use std::time::Duration;
    /// use toolsmith::auth::oauth2::{RefreshOptions, TokenManager};
    /// let options = RefreshOptions { margin: Duration::from_secs(60), ..RefreshOptions::default() };
    /// let tokens = TokenManager::with_options(store, reqwest::Client::new(), options);
    /// assert_eq!(tokens.options().margin, Duration::from_secs(60));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_options(store: Arc<dyn Store>, http: reqwest::Client, options: RefreshOptions) -> Self {
        TokenManager {
            inner: Arc::new(Inner {
                store,
                http,
                holder: holder_id(),
                options,
                flights: Arc::default(),
                renewed: Default::default(),
                failed: Default::default(),
            }),
        }
    }

    /// How many token requests this manager made, by outcome.
    ///
    /// ```
    /// # let store = std::sync::Arc::new(toolsmith::store::SqliteStore::in_memory(toolsmith::store::KeyRing::generate()?)?);
    /// let tokens = toolsmith::auth::oauth2::TokenManager::new(store, reqwest::Client::new());
    /// assert_eq!(tokens.request_counts(), Default::default());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn request_counts(&self) -> TokenRequestCounts {
        use std::sync::atomic::Ordering::Relaxed;
        TokenRequestCounts { renewed: self.inner.renewed.load(Relaxed), failed: self.inner.failed.load(Relaxed) }
    }

    /// The id this manager takes refresh leases under (`tm-` and 16 hex digits, random).
    ///
    /// ```
    /// # let store = std::sync::Arc::new(toolsmith::store::SqliteStore::in_memory(toolsmith::store::KeyRing::generate()?)?);
    /// use toolsmith::auth::oauth2::TokenManager;
    /// let a = TokenManager::new(store.clone(), reqwest::Client::new());
    /// let b = TokenManager::new(store, reqwest::Client::new());
    /// assert!(a.holder().starts_with("tm-"));
    /// assert_ne!(a.holder(), b.holder());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn holder(&self) -> &str {
        &self.inner.holder
    }

    /// Its timings.
    ///
    /// ```
    /// # let store = std::sync::Arc::new(toolsmith::store::SqliteStore::in_memory(toolsmith::store::KeyRing::generate()?)?);
    /// let tokens = toolsmith::auth::oauth2::TokenManager::new(store, reqwest::Client::new());
    /// assert_eq!(tokens.options().poll_interval.as_millis(), 50);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn options(&self) -> &RefreshOptions {
        &self.inner.options
    }

    /// The account with an access token that does not expire within the margin: `account`
    /// itself when its token is fresh or has no expiry (used until a 401), else the
    /// account after a refresh (or a client-credentials token request, for a scheme with
    /// `grant: client_credentials`) that concurrent callers share.
    ///
    /// The [module documentation](self) has a complete example.
    ///
    /// ```no_run
    /// # async fn demo(tokens: toolsmith::auth::oauth2::TokenManager, scheme: toolsmith::catalog::OAuth2,
    /// #               account: toolsmith::store::ConnectedAccount) -> Result<(), toolsmith::auth::oauth2::TokenError> {
    /// let account = tokens.ensure_fresh(&scheme, account).await?;
    /// let token = account.credentials.oauth2.as_ref().map(|t| &t.access_token);
    /// # Ok(()) }
    /// ```
    pub async fn ensure_fresh(
        &self,
        scheme: &OAuth2,
        account: ConnectedAccount,
    ) -> Result<ConnectedAccount, TokenError> {
        self.fresh(scheme, account, Kind::of(scheme), false).await
    }

    /// The account with a token other than the one the API just rejected (a 401): the
    /// account as stored when another caller already replaced that token, else after one
    /// refresh shared with concurrent callers. The executor retries its request once
    /// with the result.
    ///
    /// The [module documentation](self) has a complete example.
    ///
    /// ```no_run
    /// # async fn demo(tokens: toolsmith::auth::oauth2::TokenManager, scheme: toolsmith::catalog::OAuth2,
    /// #               account: toolsmith::store::ConnectedAccount) -> Result<(), toolsmith::auth::oauth2::TokenError> {
    /// // `account` holds the token that got the 401.
    /// let retry_with = tokens.refresh_rejected(&scheme, &account).await?;
    /// # Ok(()) }
    /// ```
    pub async fn refresh_rejected(
        &self,
        scheme: &OAuth2,
        account: &ConnectedAccount,
    ) -> Result<ConnectedAccount, TokenError> {
        let kind = Kind::of(scheme);
        check_status(account, false)?;
        let Some(rejected) = account.credentials.oauth2.as_ref().map(|t| t.access_token.clone()) else {
            return self.fly(scheme, account, Job { kind, want: Want::Fresh { seen: None }, connecting: false }).await;
        };
        let job = Job { kind, want: Want::Replace { rejected: rejected.clone() }, connecting: false };
        // A flight started for another reason may end with the rejected token (its caller
        // only wanted one that does not expire soon): then fly again, for this reason.
        let mut outcome = self.fly(scheme, account, job.clone()).await;
        if outcome.as_ref().is_ok_and(|a| same_token(a, &rejected)) {
            outcome = self.fly(scheme, account, job).await;
        }
        outcome
    }

    /// The machine account with a token from the client-credentials grant: `account`
    /// itself while its token does not expire within the margin, else a new token
    /// (requested once for concurrent callers). An `INITIATED` account (being connected)
    /// becomes `ACTIVE` with its first token. [`TokenManager::ensure_fresh`] calls this
    /// for schemes with `grant: client_credentials`.
    ///
    /// ```no_run
    /// # async fn demo(tokens: toolsmith::auth::oauth2::TokenManager, scheme: toolsmith::catalog::OAuth2,
    /// #               account: toolsmith::store::ConnectedAccount) -> Result<(), toolsmith::auth::oauth2::TokenError> {
    /// let account = tokens.client_credentials(&scheme, account).await?;
    /// assert!(account.credentials.oauth2.is_some());
    /// # Ok(()) }
    /// ```
    pub async fn client_credentials(
        &self,
        scheme: &OAuth2,
        account: ConnectedAccount,
    ) -> Result<ConnectedAccount, TokenError> {
        self.fresh(scheme, account, Kind::ClientCredentials, true).await
    }

    async fn fresh(
        &self,
        scheme: &OAuth2,
        account: ConnectedAccount,
        kind: Kind,
        connecting: bool,
    ) -> Result<ConnectedAccount, TokenError> {
        check_status(&account, connecting)?;
        let now = SystemTime::now();
        let tokens = account.credentials.oauth2.as_ref();
        if account.status == AccountStatus::Active
            && tokens.is_some_and(|t| !expiring(t, account.updated_at, self.inner.options.margin, now))
        {
            return Ok(account);
        }
        let seen = tokens.map(|t| t.access_token.clone());
        self.fly(scheme, &account, Job { kind, want: Want::Fresh { seen }, connecting }).await
    }

    /// Joins or starts the account's flight.
    async fn fly(&self, scheme: &OAuth2, account: &ConnectedAccount, job: Job) -> Outcome {
        let inner = Arc::clone(&self.inner);
        let scheme = scheme.clone();
        let (id, toolkit) = (account.id.clone(), account.toolkit.clone());
        let start = move || -> Pin<Box<dyn std::future::Future<Output = Outcome> + Send>> {
            Box::pin(async move { inner.flight(&scheme, &id, &job).await })
        };
        let interrupted = || TokenError::Unavailable {
            account: account.id.clone(),
            toolkit,
            reason: "the token refresh stopped before it finished (its task panicked or the runtime shut down)"
                .to_owned(),
        };
        self.inner.flights.run(&account.id, start, interrupted).await
    }
}

impl Inner {
    /// One flight: double-checked under the lease, at most one token request.
    async fn flight(&self, scheme: &OAuth2, id: &ConnectedAccountId, job: &Job) -> Outcome {
        let current = self.load(id).await?;
        check_status(&current, job.connecting)?;
        if self.satisfied(&current, &job.want) {
            return Ok(current);
        }
        if !self.acquire(&current).await? {
            let current = self.load(id).await?;
            check_status(&current, job.connecting)?;
            if current.credentials.oauth2.as_ref().is_some_and(|t| !expired(t, SystemTime::now()))
                && !matches!(&job.want, Want::Replace { rejected } if same_token(&current, rejected))
            {
                return Ok(current);
            }
            return Err(TokenError::Unavailable {
                account: id.clone(),
                toolkit: current.toolkit,
                reason: format!(
                    "another process held the account's refresh lease for more than {:.1} s",
                    self.lease_wait().as_secs_f32()
                ),
            });
        }
        let (started_from, write, outcome) = self.attempt(scheme, id, job).await;
        match self.store.finish_refresh(id, &self.holder, write.as_ref()).await {
            Ok(()) => {
                if let Some(expired) = write.as_ref().filter(|a| a.status == AccountStatus::Expired) {
                    self.announce_expiry(expired).await;
                }
                outcome
            }
            Err(StoreError::LockLost(_)) => self.salvage(id, started_from, write, outcome).await,
            Err(err) if write.is_none() => {
                tracing::warn!(account = %id, error = %err, "could not release the refresh lease; it expires by itself");
                outcome
            }
            Err(err) => {
                tracing::error!(account = %id, error = %err, "could not store the result of a token refresh");
                Err(TokenError::store(id, err))
            }
        }
    }

    /// Under the lease: what to write and what to return.
    /// Also returns the access token the account had (see [`Inner::salvage`]).
    async fn attempt(
        &self,
        scheme: &OAuth2,
        id: &ConnectedAccountId,
        job: &Job,
    ) -> (Option<SecretString>, Option<ConnectedAccount>, Outcome) {
        let current = match self.load(id).await {
            Ok(current) => current,
            Err(err) => return (None, None, Err(err)),
        };
        let started_from = current.credentials.oauth2.as_ref().map(|t| t.access_token.clone());
        let (write, outcome) = self.renew_locked(scheme, id, current, job).await;
        (started_from, write, outcome)
    }

    /// [`Inner::attempt`] once the account is read.
    async fn renew_locked(
        &self,
        scheme: &OAuth2,
        id: &ConnectedAccountId,
        current: ConnectedAccount,
        job: &Job,
    ) -> (Option<ConnectedAccount>, Outcome) {
        if let Err(err) = check_status(&current, job.connecting) {
            return (None, Err(err));
        }
        if self.satisfied(&current, &job.want) {
            tracing::debug!(account = %id, toolkit = %current.toolkit, "tokens were refreshed meanwhile");
            return (None, Ok(current));
        }
        let config = match self.store.auth_config(&current.auth_config).await {
            Ok(Some(config)) => config,
            Ok(None) => {
                let problem = format!(
                    "its auth config {} does not exist; create it or reconnect the account with another one",
                    current.auth_config
                );
                return (None, Err(TokenError::Config { account: id.clone(), toolkit: current.toolkit, problem }));
            }
            Err(err) => return (None, Err(TokenError::store(id, err))),
        };
        let url_template = match job.kind {
            Kind::Refresh => scheme.refresh_url.as_deref().unwrap_or(&scheme.token_url),
            Kind::ClientCredentials => &scheme.token_url,
        };
        let url = match grant::template(url_template, &current.fields) {
            Ok(url) => url,
            Err(problem) => {
                return (None, Err(TokenError::Config { account: id.clone(), toolkit: current.toolkit, problem }))
            }
        };
        let tokens = current.credentials.oauth2.as_ref();
        let scopes = if config.scopes.is_empty() { &scheme.scopes.default } else { &config.scopes };
        let grant = match (job.kind, tokens.and_then(|t| t.refresh_token.as_ref())) {
            (Kind::ClientCredentials, _) => Grant::ClientCredentials(scopes),
            (Kind::Refresh, Some(refresh_token)) => Grant::Refresh(refresh_token),
            (Kind::Refresh, None) => {
                let reason = "the access token expired and there is no refresh token to get a new one".to_owned();
                return self.expire(current, reason);
            }
        };
        tracing::debug!(account = %id, toolkit = %current.toolkit, url = %url, grant = ?job.kind, "requesting OAuth 2.0 tokens");
        let request =
            TokenRequest { scheme, config: &config, url: &url, grant, also_secret: tokens.map(|t| &t.access_token) };
        let answer = grant::request(&self.http, request, self.request_timeout()).await;
        let counter = if answer.is_ok() { &self.renewed } else { &self.failed };
        counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        match answer {
            Ok(granted) => {
                let updated = renew(current, granted);
                tracing::info!(
                    account = %id,
                    toolkit = %updated.toolkit,
                    expires_in_s = updated.credentials.oauth2.as_ref().and_then(|t| t.expires_at)
                        .and_then(|at| at.duration_since(SystemTime::now()).ok()).map(|d| d.as_secs()),
                    "OAuth 2.0 tokens renewed"
                );
                (Some(updated.clone()), Ok(updated))
            }
            Err(Failure::Permanent(reason)) => self.expire(current, reason),
            Err(Failure::Transient(reason)) => {
                tracing::warn!(account = %id, toolkit = %current.toolkit, reason = %reason, "token request failed; the account is unchanged");
                (None, Err(TokenError::Unavailable { account: id.clone(), toolkit: current.toolkit, reason }))
            }
            Err(Failure::Refused(reason)) => {
                tracing::warn!(account = %id, toolkit = %current.toolkit, reason = %reason, "token request refused; the account is unchanged");
                let error = TokenError::Refused {
                    account: id.clone(),
                    toolkit: current.toolkit,
                    auth_config: current.auth_config,
                    url,
                    reason,
                };
                (None, Err(error))
            }
            Err(Failure::Config(problem)) => {
                (None, Err(TokenError::Config { account: id.clone(), toolkit: current.toolkit, problem }))
            }
        }
    }

    /// Marks the account `EXPIRED` with `reason`.
    fn expire(&self, mut account: ConnectedAccount, reason: String) -> (Option<ConnectedAccount>, Outcome) {
        tracing::warn!(account = %account.id, toolkit = %account.toolkit, reason = %reason, "OAuth 2.0 grant refused; the account is now EXPIRED");
        account.status = AccountStatus::Expired;
        account.status_reason = Some(reason.clone());
        account.updated_at = SystemTime::now();
        let error = TokenError::ReconnectRequired {
            account: account.id.clone(),
            toolkit: account.toolkit.clone(),
            user: account.user_id.clone(),
            reason,
        };
        (Some(account), Err(error))
    }

    /// Records `composio.connected_account.expired` for the app, once: only the holder of
    /// the lease that wrote the account `EXPIRED` calls this, and the event's dedupe key
    /// is the time it was written. A failure is logged; the account stays expired.
    async fn announce_expiry(&self, account: &ConnectedAccount) {
        let reason = account.status_reason.as_deref().unwrap_or("the OAuth 2.0 grant was refused");
        let mut event = toolsmith_triggers::envelope::account_expired(account, reason, account.updated_at);
        let at = account.updated_at.duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_micros();
        event.dedupe_key = Some(format!("{}@{}@{at}", event.kind, account.id));
        if let Err(e) = self.store.record_trigger_events(&[event], None).await {
            tracing::warn!(account = %account.id, error = %e, "could not record the account's expiry for the app's webhook");
        }
    }

    /// The lease expired during the request and another process took it, so nothing was
    /// written. New tokens are still stored when the account still holds the token this
    /// flight started from: the refresh token they replace may already be spent.
    async fn salvage(
        &self,
        id: &ConnectedAccountId,
        started_from: Option<SecretString>,
        write: Option<ConnectedAccount>,
        outcome: Outcome,
    ) -> Outcome {
        tracing::warn!(account = %id, "the refresh lease expired during the token request");
        let (Some(renewed), Ok(_)) = (write, &outcome) else { return outcome };
        let stored = self.load(id).await?;
        let untouched = stored.status == AccountStatus::Active
            && match (&started_from, &stored.credentials.oauth2) {
                (Some(old), Some(tokens)) => tokens.access_token.expose_secret() == old.expose_secret(),
                (None, None) => true,
                _ => false,
            };
        if untouched {
            self.store.put_account(&renewed).await.map_err(|e| TokenError::store(id, e))?;
            return Ok(renewed);
        }
        check_status(&stored, false)?;
        Ok(stored)
    }

    async fn load(&self, id: &ConnectedAccountId) -> Result<ConnectedAccount, TokenError> {
        match self.store.account(id).await {
            Ok(Some(account)) => Ok(account),
            Ok(None) => Err(TokenError::AccountMissing(id.clone())),
            Err(err) => Err(TokenError::store(id, err)),
        }
    }

    /// Takes the account's lease, polling while another holder has it; `false` when the
    /// wait ran out.
    async fn acquire(&self, account: &ConnectedAccount) -> Result<bool, TokenError> {
        let deadline = Instant::now() + self.lease_wait();
        let mut waited = false;
        loop {
            match self.store.try_lock_refresh(&account.id, &self.holder, self.options.lease_ttl).await {
                Ok(true) => return Ok(true),
                Ok(false) => {}
                Err(StoreError::Missing(_)) => return Err(TokenError::AccountMissing(account.id.clone())),
                Err(err) => return Err(TokenError::store(&account.id, err)),
            }
            if !waited {
                tracing::debug!(account = %account.id, toolkit = %account.toolkit, "waiting for the refresh lease another process holds");
                waited = true;
            }
            if Instant::now() >= deadline {
                return Ok(false);
            }
            tokio::time::sleep(self.options.poll_interval).await;
        }
    }

    fn lease_wait(&self) -> Duration {
        self.options.lease_ttl.mul_f64(1.2)
    }

    fn request_timeout(&self) -> Duration {
        self.options.request_timeout.min(self.options.lease_ttl.mul_f64(0.75))
    }

    /// Whether the stored account already gives the caller what it wants.
    fn satisfied(&self, account: &ConnectedAccount, want: &Want) -> bool {
        let Some(tokens) = account.credentials.oauth2.as_ref() else { return false };
        let now = SystemTime::now();
        if account.status != AccountStatus::Active || expired(tokens, now) {
            return false;
        }
        match want {
            Want::Fresh { seen } => {
                !expiring(tokens, account.updated_at, self.options.margin, now)
                    || seen.as_ref().is_some_and(|seen| !same_token(account, seen))
            }
            Want::Replace { rejected } => !same_token(account, rejected),
        }
    }
}

/// `NotActive` unless the account is `ACTIVE` (or `INITIATED` while connecting).
fn check_status(account: &ConnectedAccount, connecting: bool) -> Result<(), TokenError> {
    match account.status {
        AccountStatus::Active => Ok(()),
        AccountStatus::Initiated if connecting => Ok(()),
        status => Err(TokenError::NotActive {
            account: account.id.clone(),
            toolkit: account.toolkit.clone(),
            user: account.user_id.clone(),
            status,
            reason: account.status_reason.clone(),
        }),
    }
}

/// Whether the token expires within the margin (capped at half its lifetime, counted
/// from `stored_at`). Tokens without an expiry never do.
fn expiring(tokens: &OAuth2Tokens, stored_at: SystemTime, margin: Duration, now: SystemTime) -> bool {
    let Some(expires_at) = tokens.expires_at else { return false };
    let lifetime = expires_at.duration_since(stored_at).unwrap_or_default();
    let margin = margin.min(lifetime / 2);
    now.checked_add(margin).is_none_or(|limit| expires_at <= limit)
}

/// Whether the token's expiry has passed.
fn expired(tokens: &OAuth2Tokens, now: SystemTime) -> bool {
    tokens.expires_at.is_some_and(|at| at <= now)
}

fn same_token(account: &ConnectedAccount, token: &SecretString) -> bool {
    account.credentials.oauth2.as_ref().is_some_and(|t| t.access_token.expose_secret() == token.expose_secret())
}

/// `tm-` and 16 random hex digits (the clock and process id if the OS has no randomness).
fn holder_id() -> String {
    let mut bytes = [0u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
        bytes = (nanos ^ (u64::from(std::process::id()) << 32)).to_le_bytes();
    }
    format!("tm-{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(expires_at: Option<SystemTime>) -> OAuth2Tokens {
        OAuth2Tokens {
            access_token: SecretString::from("a"),
            refresh_token: None,
            token_type: "Bearer".into(),
            expires_at,
            scopes: vec![],
        }
    }

    #[test]
    fn expiry_uses_the_margin_capped_at_half_the_lifetime() {
        let now = SystemTime::now();
        let minute = Duration::from_secs(60);
        let margin = 5 * minute;
        assert!(!expiring(&tokens(None), now, margin, now));
        // An hour-long token stored an hour ago: expires within the margin.
        assert!(expiring(&tokens(Some(now + 4 * minute)), now - 56 * minute, margin, now));
        assert!(!expiring(&tokens(Some(now + 6 * minute)), now - 54 * minute, margin, now));
        // A one-minute token just stored: fresh for 30 s although it expires within 5 min.
        assert!(!expiring(&tokens(Some(now + minute)), now, margin, now));
        assert!(expiring(&tokens(Some(now + minute)), now, margin, now + 31 * Duration::from_secs(1)));
        assert!(expiring(&tokens(Some(now - minute)), now - 2 * minute, margin, now));
        assert!(expired(&tokens(Some(now - minute)), now) && !expired(&tokens(None), now));
    }

    #[test]
    fn holders_are_random() {
        let (a, b) = (holder_id(), holder_id());
        assert_ne!(a, b);
        assert_eq!(a.len(), 3 + 16);
    }
}
