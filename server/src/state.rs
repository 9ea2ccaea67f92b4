//! What every handler shares: the catalog and its search, how to find a request's
//! project from its API key, and each project's store, executor and tool router.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use toolsmith_core::{ProjectId, TriggerInstanceId};
use toolsmith_runtime::{Client, Registry, ToolSearch};
use toolsmith_session::{RouterOptions, ToolRouter};
use toolsmith_store::{ApiKeySecret, ConnectLink, Project, Store, StoreError, TriggerInstance};
use toolsmith_triggers::delivery::{DeliveryOptions, DeliveryWake};
use toolsmith_triggers::TriggerTypes;

use crate::metrics::{Metered, Metrics};

/// Where projects and their stores come from: the home's main store and one store per
/// project with SQLite ([`HomeProjects`](crate::HomeProjects)), one PostgreSQL database
/// for all (`PgProjects`, feature `postgres`), in-memory stores in tests
/// (`crate::testing`, feature `testing`).
#[async_trait::async_trait]
pub trait ProjectStores: Send + Sync {
    /// The deployment's main store: the projects and their API keys, and what belongs to
    /// no project (the MCP endpoint's protocol sessions, which any server goes on with).
    fn shared(&self) -> Result<Arc<dyn Store>, StoreError>;
    /// The project a key opens; `None` for an unknown or revoked key.
    async fn project_of(&self, key: &ApiKeySecret) -> Result<Option<Project>, StoreError> {
        let main = self.shared()?;
        let Some(record) = main.api_key_by_hash(&key.hash()).await? else { return Ok(None) };
        if record.revoked_at.is_some() {
            return Ok(None);
        }
        main.project(&record.project).await
    }
    /// The store of a project's records.
    async fn store_of(&self, project: &Project) -> Result<Arc<dyn Store>, StoreError>;
    /// Every project, for what is found without a key: a Connect Link's page looks its
    /// token up in each project's store (a server has a few projects; links are opened
    /// rarely, so no index to keep in step).
    async fn projects(&self) -> Result<Vec<Project>, StoreError> {
        self.shared()?.projects().await
    }
}

/// The stores of the projects opened so far, each opened once (the default project's is
/// the main store, never in here).
pub(crate) struct OpenedStores<S>(Mutex<HashMap<ProjectId, Arc<S>>>);

impl<S> Default for OpenedStores<S> {
    fn default() -> Self {
        OpenedStores(Mutex::default())
    }
}

impl<S> OpenedStores<S> {
    /// The store of `project`, opened with `open` the first time.
    pub(crate) fn get_or_open(
        &self,
        project: &Project,
        open: impl FnOnce() -> Result<S, StoreError>,
    ) -> Result<Arc<S>, StoreError> {
        if let Some(store) = self.0.lock().ok().and_then(|o| o.get(&project.id).cloned()) {
            return Ok(store);
        }
        let store = Arc::new(open()?);
        if let Ok(mut opened) = self.0.lock() {
            // Two first requests may race: keep the first.
            return Ok(opened.entry(project.id.clone()).or_insert(store).clone());
        }
        Ok(store)
    }
}

/// How the server behaves.
#[derive(Clone, Debug)]
pub struct ServerOptions {
    /// The URL clients reach the server at, for Connect Links; MCP URLs follow the origin
    /// each client called.
    pub public_url: url::Url,
    /// Largest request body, in bytes.
    pub body_limit: usize,
    /// Longest a request may take (executions included); routes that can run a workbench
    /// cell wait longer ([`cell_request_timeout`](Self::cell_request_timeout)).
    pub request_timeout: Duration,
    /// Host names MCP requests may carry (rmcp refuses others: DNS-rebinding guard).
    pub allowed_hosts: Vec<String>,
    /// The workbench (sessions' sandboxes and files; `None`: sessions have none).
    pub workbench: Option<Arc<toolsmith_workbench::Workbench>>,
    /// How [`serve`](crate::serve) delivers each project's trigger events to its webhook
    /// subscription (`None`: it does not).
    pub deliveries: Option<DeliveryOptions>,
}

impl ServerOptions {
    /// Defaults for a server reached at `public_url`.
    ///
    /// ```
    /// let options = toolsmith_server::ServerOptions::new("http://127.0.0.1:8787".parse().unwrap());
    /// assert_eq!(options.body_limit, 4 * 1024 * 1024);
    /// assert!(options.allowed_hosts.contains(&"127.0.0.1".to_owned()));
    /// ```
    pub fn new(public_url: url::Url) -> Self {
        let mut allowed_hosts = vec!["localhost".to_owned(), "127.0.0.1".to_owned(), "::1".to_owned()];
        if let Some(host) = public_url.host_str() {
            if !allowed_hosts.iter().any(|h| h == host) {
                allowed_hosts.push(host.to_owned());
            }
        }
        ServerOptions {
            public_url,
            body_limit: 4 * 1024 * 1024,
            request_timeout: Duration::from_secs(120),
            allowed_hosts,
            workbench: None,
            deliveries: Some(DeliveryOptions::default()),
        }
    }
}

/// What a request that can run a workbench cell waits beyond the workbench's longest cell.
pub const CELL_MARGIN: Duration = Duration::from_secs(10);

impl ServerOptions {
    /// How long a request that can run a workbench cell may take (a session's `execute`
    /// and `execute_meta`, MCP calls): the workbench's longest cell
    /// ([`SandboxConfig::longest_cell`](toolsmith_workbench::SandboxConfig::longest_cell)) plus
    /// [`CELL_MARGIN`], or [`request_timeout`](Self::request_timeout) when that is longer or
    /// there is no workbench; so that a cell is never cut off at the HTTP layer while it
    /// keeps running.
    pub fn cell_request_timeout(&self) -> Duration {
        let cells = self.workbench.as_ref().map(|w| w.config().longest_cell() + CELL_MARGIN);
        cells.map_or(self.request_timeout, |cells| cells.max(self.request_timeout))
    }
}

/// One project, ready: its store, the executor over it, and its tool router.
pub struct ProjectCx {
    /// The project.
    pub project: Project,
    /// Its records.
    pub store: Arc<dyn Store>,
    /// The executor, with the project's accounts (counted in the metrics).
    pub client: Arc<Metered<Arc<Client>>>,
    /// Its sessions.
    pub router: ToolRouter,
}

impl std::fmt::Debug for ProjectCx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProjectCx").field("project", &self.project.name).finish_non_exhaustive()
    }
}

/// The server's shared state (cheap to clone).
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

struct Inner {
    search: Arc<ToolSearch>,
    projects: Arc<dyn ProjectStores>,
    options: ServerOptions,
    /// Base URLs of toolkits, for tests against local APIs (`toolkit → URL`).
    base_urls: Vec<(String, String)>,
    ready: Mutex<HashMap<String, Arc<ProjectCx>>>,
    /// The catalog's trigger types, made at their first use.
    trigger_types: OnceLock<TriggerTypes>,
    metrics: Metrics,
    /// Cancelled when the server shuts down: ends open MCP streams.
    shutdown: tokio_util::sync::CancellationToken,
    /// Poked when events are recorded: the delivery workers look at once.
    wake: DeliveryWake,
}

impl axum::extract::FromRef<AppState> for Metrics {
    fn from_ref(state: &AppState) -> Metrics {
        state.0.metrics.clone()
    }
}

impl AppState {
    /// State over a catalog (its search), the projects, and options.
    pub fn new(search: Arc<ToolSearch>, projects: Arc<dyn ProjectStores>, options: ServerOptions) -> Self {
        AppState::with_base_urls(search, projects, options, Vec::new())
    }

    /// The same, with toolkits' base URLs replaced (a local API in tests, a proxy).
    pub fn with_base_urls(
        search: Arc<ToolSearch>,
        projects: Arc<dyn ProjectStores>,
        options: ServerOptions,
        base_urls: Vec<(String, String)>,
    ) -> Self {
        AppState(Arc::new(Inner {
            search,
            projects,
            options,
            base_urls,
            ready: Mutex::default(),
            trigger_types: OnceLock::new(),
            metrics: Metrics::default(),
            shutdown: Default::default(),
            wake: DeliveryWake::default(),
        }))
    }

    /// Cancelled when [`serve`](crate::serve) shuts down (open MCP streams end with it).
    pub fn shutdown_token(&self) -> &tokio_util::sync::CancellationToken {
        &self.0.shutdown
    }

    /// What wakes the delivery workers: whoever records trigger events pokes it.
    pub fn delivery_wake(&self) -> &DeliveryWake {
        &self.0.wake
    }

    /// Where projects and their stores come from.
    pub fn project_stores(&self) -> &Arc<dyn ProjectStores> {
        &self.0.projects
    }

    /// The metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.0.metrics
    }

    /// The catalog.
    pub fn registry(&self) -> &Registry {
        self.0.search.registry()
    }

    /// The catalog's trigger types.
    pub fn trigger_types(&self) -> &TriggerTypes {
        self.0.trigger_types.get_or_init(|| TriggerTypes::new(self.registry().toolkits()))
    }

    /// The catalog's search.
    pub fn search(&self) -> &Arc<ToolSearch> {
        &self.0.search
    }

    /// The options.
    pub fn options(&self) -> &ServerOptions {
        &self.0.options
    }

    /// The project a key opens, ready; `None` for an unknown or revoked key.
    pub async fn project(&self, key: &ApiKeySecret) -> Result<Option<Arc<ProjectCx>>, StoreError> {
        let Some(project) = self.0.projects.project_of(key).await? else { return Ok(None) };
        self.ready(project).await.map(Some)
    }

    /// The project whose store holds the Connect Link with this token hash, ready, and
    /// the link; `None` when no project has it. The token is the credential: no key.
    pub async fn link_project(&self, token_hash: &str) -> Result<Option<(Arc<ProjectCx>, ConnectLink)>, StoreError> {
        self.find_in_projects(|cx| async move { cx.store.link(token_hash).await }).await
    }

    /// The project whose store holds the trigger instance `id`, ready, and the instance;
    /// `None` when no project has it. The id (random) in the instance's webhook URL is
    /// the credential: no key.
    pub async fn trigger_instance_project(
        &self,
        id: &TriggerInstanceId,
    ) -> Result<Option<(Arc<ProjectCx>, TriggerInstance)>, StoreError> {
        self.find_in_projects(|cx| async move { cx.store.trigger_instance(id).await }).await
    }

    /// The first project in which `find` finds something, ready, and what it found.
    async fn find_in_projects<T, F>(
        &self,
        find: impl Fn(Arc<ProjectCx>) -> F,
    ) -> Result<Option<(Arc<ProjectCx>, T)>, StoreError>
    where
        F: std::future::Future<Output = Result<Option<T>, StoreError>>,
    {
        for cx in self.ready_projects().await? {
            if let Some(found) = find(cx.clone()).await? {
                return Ok(Some((cx, found)));
            }
        }
        Ok(None)
    }

    /// Every project, ready: for what is found or runs without a key (a Connect Link's
    /// page, the trigger poller).
    pub(crate) async fn ready_projects(&self) -> Result<Vec<Arc<ProjectCx>>, StoreError> {
        let mut ready = Vec::new();
        for project in self.0.projects.projects().await? {
            ready.push(self.ready(project).await?);
        }
        Ok(ready)
    }

    /// A project with its store, executor and router (made once, then shared).
    async fn ready(&self, project: Project) -> Result<Arc<ProjectCx>, StoreError> {
        if let Some(ready) = self.0.ready.lock().ok().and_then(|r| r.get(project.id.as_str()).cloned()) {
            return Ok(ready);
        }
        let store = self.0.projects.store_of(&project).await?;
        let mut builder = Client::builder().store(store.clone());
        for (toolkit, url) in &self.0.base_urls {
            builder = builder.base_url(toolkit, url.clone());
        }
        let runtime_client = Arc::new(builder.build());
        self.0.metrics.watch(&runtime_client);
        let client = Arc::new(Metered::new(runtime_client, self.0.metrics.clone()));
        let router = ToolRouter::new(
            self.0.search.clone(),
            client.clone(),
            store.clone(),
            RouterOptions {
                workbench: self.0.options.workbench.clone(),
                ..RouterOptions::new(self.0.options.public_url.clone())
            },
        );
        let ready = Arc::new(ProjectCx { project, store, client, router });
        if let Ok(mut map) = self.0.ready.lock() {
            // Two first requests may race: keep the first, so both use one router.
            let entry = map.entry(ready.project.id.as_str().to_owned()).or_insert(ready);
            return Ok(entry.clone());
        }
        Ok(ready)
    }
}
