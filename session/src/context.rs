//! What every meta tool works with: the session (id, configuration, scope) and the
//! parts shared by all sessions of a router (search, executor, store, memory rules).

use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use toolsmith_core::{Execute, SessionId, UserId};
use toolsmith_runtime::{Registry, ToolSearch};
use toolsmith_spec::{Tool, Toolkit};
use toolsmith_store::{Fact, Store};

use crate::config::SessionConfig;
use crate::error::SessionError;
use crate::memory::Learner;
use crate::scope::Scope;

/// How a [`ToolRouter`](crate::ToolRouter) behaves.
///
/// ```
/// let options = toolsmith_session::RouterOptions::new("http://127.0.0.1:8080".parse().unwrap());
/// assert_eq!(options.link_ttl.as_secs(), 600);
/// ```
#[derive(Clone, Debug)]
pub struct RouterOptions {
    /// The server's public URL: Connect Links are `<public_url>/link/<token>`.
    pub public_url: url::Url,
    /// How long a Connect Link works.
    pub link_ttl: Duration,
    /// How long `COMPOSIO_WAIT_FOR_CONNECTIONS` waits at most.
    pub wait_timeout: Duration,
    /// Input schemas larger than this (JSON bytes) are referenced, not inlined, by search.
    pub max_inline_schema_bytes: usize,
    /// Sessions kept ready in memory (their scope computed).
    pub cache_size: usize,
    /// The workbench (sandboxes of all sessions): with one, sessions offer
    /// `COMPOSIO_REMOTE_WORKBENCH` and `COMPOSIO_REMOTE_BASH_TOOL` (unless their
    /// `workbench.enable` is `false`) and large `COMPOSIO_MULTI_EXECUTE_TOOL` results are
    /// offloaded into it. `None`: no workbench.
    pub workbench: Option<Arc<toolsmith_workbench::Workbench>>,
}

impl RouterOptions {
    /// Defaults with the server's public URL.
    pub fn new(public_url: url::Url) -> Self {
        RouterOptions {
            public_url,
            link_ttl: Duration::from_secs(600),
            wait_timeout: Duration::from_secs(60),
            max_inline_schema_bytes: 4096,
            cache_size: 1024,
            workbench: None,
        }
    }
}

/// What all sessions of a router share.
pub(crate) struct Shared {
    pub(crate) search: Arc<ToolSearch>,
    pub(crate) executor: Arc<dyn Execute>,
    pub(crate) store: Arc<dyn Store>,
    pub(crate) learner: Learner,
    pub(crate) options: RouterOptions,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared").field("options", &self.options).finish_non_exhaustive()
    }
}

/// One session, ready: its configuration, scope and mask over the search index.
#[derive(Clone, Debug)]
pub(crate) struct Cx {
    pub(crate) id: SessionId,
    pub(crate) config: Arc<SessionConfig>,
    pub(crate) scope: Scope,
    pub(crate) mask: Option<Arc<[bool]>>,
    pub(crate) shared: Arc<Shared>,
    /// Facts this process remembered for the session, to skip writing them again.
    pub(crate) written: Arc<std::sync::Mutex<std::collections::HashMap<String, String>>>,
}

/// A tool the session may use.
pub(crate) struct Found<'r> {
    /// Its canonical slug.
    pub(crate) slug: String,
    /// Its toolkit's slug.
    pub(crate) toolkit: String,
    /// The spec, for catalog tools.
    pub(crate) spec: Option<(&'r Toolkit, &'r Tool)>,
}

impl Cx {
    pub(crate) fn registry(&self) -> &Registry {
        self.shared.search.registry()
    }

    pub(crate) fn user(&self) -> &UserId {
        &self.config.user_id
    }

    /// A tool by slug, if it exists and the session allows it; the error says which.
    pub(crate) fn tool(&self, slug: &str) -> Result<Found<'_>, SessionError> {
        let registry = self.registry();
        let (found, tags): (Found<'_>, Vec<String>) = if let Some(t) = registry.tool(slug) {
            let tags = t.tool.tags.iter().filter_map(|tag| serde_json::to_value(tag).ok()?.as_str().map(String::from));
            (
                Found {
                    slug: t.tool.slug.as_str().to_owned(),
                    toolkit: t.toolkit.slug.as_str().to_owned(),
                    spec: Some((t.toolkit, t.tool)),
                },
                tags.collect(),
            )
        } else if let Some(local) = registry.local_tools().find(|d| d.slug.eq_ignore_ascii_case(slug)) {
            (
                Found { slug: local.slug.to_owned(), toolkit: local.toolkit.to_owned(), spec: None },
                local.tags.iter().map(|t| (*t).to_owned()).collect(),
            )
        } else {
            return Err(
                self.out_of_scope(slug, format!("no tool is named {slug}; find tools with COMPOSIO_SEARCH_TOOLS"))
            );
        };
        let tags: Vec<&str> = tags.iter().map(String::as_str).collect();
        self.scope
            .check(&found.toolkit, &found.slug, &tags)
            .map_err(|reason| self.out_of_scope(&found.slug, reason))?;
        Ok(found)
    }

    /// A toolkit by slug, if it exists and the session allows it.
    pub(crate) fn toolkit(&self, slug: &str) -> Result<&Toolkit, SessionError> {
        let toolkit = self
            .registry()
            .toolkit(&slug.to_ascii_lowercase())
            .ok_or_else(|| self.out_of_scope(slug, format!("no toolkit is named `{slug}`")))?;
        self.scope.check_toolkit(toolkit.slug.as_str()).map_err(|reason| self.out_of_scope(slug, reason))?;
        Ok(toolkit)
    }

    pub(crate) fn out_of_scope(&self, slug: &str, reason: String) -> SessionError {
        SessionError::OutOfScope { session: self.id.clone(), slug: slug.to_owned(), reason }
    }

    /// Remembers facts that are new or changed since this process last wrote them; a
    /// store failure is not the call's failure (memory is a help). `true` when something
    /// was written.
    pub(crate) async fn remember(&self, facts: &[Fact]) -> bool {
        let fresh: Vec<Fact> = match self.written.lock() {
            Ok(written) => facts.iter().filter(|f| written.get(&f.key) != Some(&f.value)).cloned().collect(),
            Err(_) => facts.to_vec(),
        };
        if fresh.is_empty() {
            return false;
        }
        match self.shared.store.remember(&self.id, &fresh).await {
            Ok(()) => {
                if let Ok(mut written) = self.written.lock() {
                    written.extend(fresh.into_iter().map(|f| (f.key, f.value)));
                }
                true
            }
            Err(e) => {
                tracing::warn!(session = %self.id, error = %e, "could not remember facts");
                false
            }
        }
    }

    /// What the session remembers (empty when the store fails).
    pub(crate) async fn memory(&self) -> Vec<Fact> {
        self.shared.store.memory(&self.id).await.unwrap_or_default()
    }

    /// The `session` object of meta tool answers.
    pub(crate) fn session_info(&self) -> Value {
        json!({
            "id": self.id.as_str(),
            "generate_id": false,
            "instructions": format!("Pass session_id {} with every meta tool call of this conversation.", self.id),
        })
    }
}

/// What agents add to their calls about their plan (`thought`, `current_step`,
/// `current_step_metric`, `session_id`): accepted and not used.
#[derive(serde::Deserialize)]
pub(crate) struct StepNotes {
    #[serde(default, rename = "thought")]
    _thought: Option<String>,
    #[serde(default, rename = "current_step")]
    _current_step: Option<String>,
    #[serde(default, rename = "current_step_metric")]
    _current_step_metric: Option<String>,
    #[serde(default, rename = "session_id")]
    _session_id: Option<String>,
}

/// Reads a meta tool's arguments; the error names the JSON path.
pub(crate) fn arguments<T: DeserializeOwned>(tool: &'static str, arguments: Value) -> Result<T, SessionError> {
    let arguments = if arguments.is_null() { json!({}) } else { arguments };
    serde_path_to_error::deserialize(arguments).map_err(|e| {
        let path = e.path().to_string();
        SessionError::Arguments {
            tool,
            path: if path == "." { "arguments".into() } else { path },
            message: e.inner().to_string(),
        }
    })
}
