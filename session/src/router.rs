//! The tool router: creates, finds and deletes sessions, and keeps recently used ones
//! ready in memory.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use serde_json::Value;
use toolsmith_core::{Execute, SessionId};
use toolsmith_runtime::ToolSearch;
use toolsmith_store::{SessionRecord, Store, StoreError};

use crate::config::SessionConfig;
use crate::context::{Cx, RouterOptions, Shared};
use crate::error::{ConfigError, SessionError};
use crate::memory::Learner;
use crate::scope::Scope;
use crate::session::Session;
use crate::validate;

/// Makes and finds sessions. Build one per process around the catalog's search, the
/// executor and the store, and share it (clones share everything).
///
/// ```no_run
/// # async fn demo(search: std::sync::Arc<toolsmith_runtime::ToolSearch>,
/// #   client: std::sync::Arc<toolsmith_runtime::Client>,
/// #   store: std::sync::Arc<dyn toolsmith_store::Store>) -> Result<(), toolsmith_session::SessionError> {
/// use toolsmith_session::{RouterOptions, SessionConfig, ToolRouter};
/// let router = ToolRouter::new(search, client, store, RouterOptions::new("http://127.0.0.1:8080".parse().unwrap()));
/// let session = router.create(SessionConfig::new("ada")).await?;
/// let found = session.execute_meta("COMPOSIO_SEARCH_TOOLS",
///     serde_json::json!({"queries": [{"use_case": "create a GitHub issue"}]})).await;
/// assert!(found.successful);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct ToolRouter {
    shared: Arc<Shared>,
    cache: Arc<Mutex<HashMap<SessionId, Session>>>,
}

impl ToolRouter {
    /// A router over a search of the catalog (its registry is the catalog), the executor
    /// every call goes through, and the store of sessions, accounts and links.
    pub fn new(
        search: Arc<ToolSearch>,
        executor: Arc<dyn Execute>,
        store: Arc<dyn Store>,
        options: RouterOptions,
    ) -> Self {
        let learner = Learner::new(search.registry());
        ToolRouter {
            shared: Arc::new(Shared { search, executor, store, learner, options }),
            cache: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// Creates a session from a request body (Composio's `POST /tool_router/session`).
    pub async fn create_from_json(&self, body: Value) -> Result<Session, SessionError> {
        self.create(SessionConfig::from_json(body)?).await
    }

    /// Creates a session: the configuration is checked against the catalog and the store
    /// (unknown toolkits, another user's accounts, pins that do not fit are refused with
    /// the field named), then stored.
    pub async fn create(&self, config: SessionConfig) -> Result<Session, SessionError> {
        validate::check(&config, self.shared.search.registry(), &*self.shared.store).await?;
        let record = SessionRecord {
            id: SessionId::generate(),
            user_id: config.user_id.clone(),
            config: serde_json::to_value(&config)
                .map_err(|e| ConfigError::new("", format!("the configuration cannot be stored: {e}")))?,
            created_at: SystemTime::now(),
        };
        self.shared.store.put_session(&record).await?;
        Ok(self.ready(record.id, config))
    }

    /// A session by id; [`SessionError::NotFound`] when there is none.
    pub async fn session(&self, id: &SessionId) -> Result<Session, SessionError> {
        if let Some(session) = self.cached(id) {
            return Ok(session);
        }
        let record = self.shared.store.session(id).await?.ok_or_else(|| SessionError::NotFound(id.clone()))?;
        let config = SessionConfig::from_json(record.config).map_err(|e| {
            SessionError::Store(StoreError::Database {
                path: "sessions".into(),
                message: format!(
                    "session {id} holds a configuration this build cannot read ({e}); create a new session"
                ),
                source: None,
            })
        })?;
        Ok(self.ready(record.id, config))
    }

    /// Deletes a session and its memory, and stops its workbench sandbox; `false` when
    /// there was none. Its accounts, links and workbench files stay.
    pub async fn delete(&self, id: &SessionId) -> Result<bool, SessionError> {
        if let Ok(mut cache) = self.cache.lock() {
            cache.remove(id);
        }
        if let Some(workbench) = &self.shared.options.workbench {
            workbench.stop(id.as_str()).await;
        }
        Ok(self.shared.store.delete_session(id).await?)
    }

    /// The catalog its sessions work on.
    pub fn registry(&self) -> &toolsmith_runtime::Registry {
        self.shared.search.registry()
    }

    /// The options it was built with.
    pub fn options(&self) -> &RouterOptions {
        &self.shared.options
    }

    fn cached(&self, id: &SessionId) -> Option<Session> {
        self.cache.lock().ok()?.get(id).cloned()
    }

    fn ready(&self, id: SessionId, config: SessionConfig) -> Session {
        let scope = Scope::new(&config);
        let mask = scope.mask(&self.shared.search);
        let session = Session {
            cx: Cx {
                id: id.clone(),
                config: Arc::new(config),
                scope,
                mask,
                shared: self.shared.clone(),
                written: Arc::default(),
            },
        };
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= self.shared.options.cache_size {
                // Sessions are immutable, so any entry may go; the store has them all.
                if let Some(victim) = cache.keys().next().cloned() {
                    cache.remove(&victim);
                }
            }
            cache.insert(id, session.clone());
        }
        session
    }
}
