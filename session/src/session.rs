//! A session: the meta tools it offers, and running them (and app tools) in its scope.

use std::sync::Arc;

use serde::Serialize;
use serde_json::{json, Value};
use toolsmith_core::{ConnectedAccountId, ExecutionResult, LogId, SessionId};
use toolsmith_store::{ConnectedAccount, Fact};

use crate::accounts;
use crate::config::{PreloadTools, SessionConfig};
use crate::context::Cx;
use crate::error::SessionError;
use crate::meta::connections::{self, Link};
use crate::meta::tools::MetaTool;
use crate::meta::{execute, search, workbench};

/// A tool as a session lists it: Composio's Tool object (`slug`, `description`,
/// `input_parameters`, …).
#[derive(Clone, Debug, Serialize)]
pub struct SessionTool {
    /// `COMPOSIO_SEARCH_TOOLS`, `GITHUB_CREATE_ISSUE`.
    pub slug: String,
    /// A short name.
    pub name: String,
    /// What it does, for the model.
    pub description: String,
    /// The input JSON Schema.
    pub input_parameters: Value,
    /// The output JSON Schema.
    pub output_parameters: Value,
    /// `{slug, name}` of its toolkit (`composio` for meta tools).
    pub toolkit: Value,
    /// MCP hints.
    pub tags: Vec<String>,
    /// Whether it runs without an account.
    pub no_auth: bool,
}

impl SessionTool {
    /// A meta tool as sessions list it (toolkit `composio`, no account needed).
    pub fn meta(tool: MetaTool) -> SessionTool {
        let d = tool.definition();
        SessionTool {
            slug: d.slug.clone(),
            name: d.display_name.clone(),
            description: d.description.clone(),
            input_parameters: d.input_schema.clone(),
            output_parameters: d.output_schema(),
            toolkit: json!({"slug": "composio", "name": "Composio"}),
            tags: d.tags.clone(),
            no_auth: true,
        }
    }
}

/// A session: a user, the toolkits and accounts the agent may use, and what it learned.
/// Get one from a [`ToolRouter`](crate::ToolRouter); clones share everything.
#[derive(Clone, Debug)]
pub struct Session {
    pub(crate) cx: Cx,
}

impl Session {
    /// Its id (`trs_…`).
    pub fn id(&self) -> &SessionId {
        &self.cx.id
    }

    /// Its configuration.
    pub fn config(&self) -> &Arc<SessionConfig> {
        &self.cx.config
    }

    /// The meta tools this session offers, by its configuration.
    pub fn meta_tools(&self) -> Vec<MetaTool> {
        let c = &self.cx.config;
        MetaTool::ALL
            .into_iter()
            .filter(|tool| match tool {
                MetaTool::SearchTools | MetaTool::GetToolSchemas => c.search.enable,
                MetaTool::MultiExecuteTool => c.execute.enable_multi_execute,
                MetaTool::ManageConnections => c.manage_connections.enable,
                MetaTool::WaitForConnections => {
                    c.manage_connections.enable && c.manage_connections.enable_wait_for_connections
                }
                MetaTool::ProxyExecute => c.proxy_execute.enable,
                MetaTool::RemoteWorkbench | MetaTool::RemoteBashTool => workbench::available(&self.cx).is_some(),
            })
            .collect()
    }

    /// The tools an agent gets: the meta tools, then the preloaded app tools.
    pub fn tools(&self) -> Vec<SessionTool> {
        let mut tools: Vec<SessionTool> = self.meta_tools().into_iter().map(SessionTool::meta).collect();
        let registry = self.cx.registry();
        let preload: Vec<String> = match &self.cx.config.preload.tools {
            PreloadTools::Some(list) => list.clone(),
            PreloadTools::All => registry
                .tools()
                .filter(|t| self.cx.scope.check_toolkit(t.toolkit.slug.as_str()).is_ok())
                .map(|t| t.tool.slug.to_string())
                .collect(),
        };
        for slug in preload {
            let Ok(found) = self.cx.tool(&slug) else { continue };
            let Some((toolkit, tool)) = found.spec else { continue };
            tools.push(SessionTool {
                slug: found.slug.clone(),
                name: tool.name.clone(),
                description: tool.description.clone(),
                input_parameters: toolkit.input_schema(tool),
                output_parameters: toolkit.output_schema(tool).unwrap_or_else(|| json!({"type": "object"})),
                toolkit: json!({"slug": toolkit.slug.as_str(), "name": toolkit.name}),
                tags: tool
                    .tags
                    .iter()
                    .filter_map(|t| serde_json::to_value(t).ok()?.as_str().map(String::from))
                    .collect(),
                no_auth: !toolsmith_auth::needs_account(toolkit),
            });
        }
        tools
    }

    /// Runs a meta tool. The answer is Composio's `{data, error, successful, log_id}`;
    /// bad arguments, a meta tool this session does not offer and the like come back as
    /// `successful: false` with an error the model can act on.
    pub async fn execute_meta(&self, slug: &str, arguments: Value) -> ExecutionResult {
        let log_id = Some(LogId::next());
        match self.meta(slug, arguments).await {
            Ok(data) => ExecutionResult { data, error: None, successful: true, log_id },
            Err(e) => ExecutionResult { data: json!({}), error: Some(e.to_string()), successful: false, log_id },
        }
    }

    async fn meta(&self, slug: &str, arguments: Value) -> Result<Value, SessionError> {
        let unavailable = |reason: &str| SessionError::MetaTool {
            session: self.cx.id.clone(),
            slug: slug.to_owned(),
            reason: reason.to_owned(),
        };
        let tool = MetaTool::parse(slug).ok_or_else(|| unavailable("no meta tool has this slug"))?;
        if !self.meta_tools().contains(&tool) {
            let workbench_tool = matches!(tool, MetaTool::RemoteWorkbench | MetaTool::RemoteBashTool);
            if workbench_tool && self.cx.shared.options.workbench.is_none() {
                return Err(unavailable("this server runs no workbench (start it with one to offer the sandbox)"));
            }
            return Err(unavailable("the session's configuration switches it off"));
        }
        let cx = &self.cx;
        match tool {
            MetaTool::SearchTools => search::search(cx, arguments).await,
            MetaTool::GetToolSchemas => search::schemas(cx, arguments).await,
            MetaTool::ManageConnections => connections::manage(cx, arguments).await,
            MetaTool::WaitForConnections => connections::wait(cx, arguments).await,
            MetaTool::MultiExecuteTool => execute::multi(cx, arguments).await,
            MetaTool::ProxyExecute => execute::proxy(cx, arguments).await,
            MetaTool::RemoteWorkbench => workbench::python(cx, arguments).await,
            MetaTool::RemoteBashTool => workbench::bash(cx, arguments).await,
        }
    }

    /// Runs a tool by slug: a meta tool, or an app tool in the session's scope (with the
    /// account given, else the session's choice). A missing connection comes back as an
    /// unsuccessful result whose error carries a Connect Link.
    pub async fn execute(&self, slug: &str, arguments: Value, account: Option<ConnectedAccountId>) -> ExecutionResult {
        if MetaTool::parse(slug).is_some() {
            return self.execute_meta(slug, arguments).await;
        }
        execute::run_tool(&self.cx, slug, arguments, account).await.result
    }

    /// [`execute`](Self::execute) with Composio's `enable_auto_workbench_offload`: a
    /// (non-meta) tool's data larger than the session's `workbench.auto_offload_threshold`
    /// goes to the session's workbench, and `data` becomes the preview that
    /// `COMPOSIO_MULTI_EXECUTE_TOOL` gives for offloaded results (`offloaded_to_workbench`,
    /// `file_path`, `size_bytes`, `preview`, `structure`, `how_to_read`). Without a
    /// workbench it is `execute`.
    pub async fn execute_offloading(
        &self,
        slug: &str,
        arguments: Value,
        account: Option<ConnectedAccountId>,
    ) -> ExecutionResult {
        let mut result = self.execute(slug, arguments, account).await;
        if MetaTool::parse(slug).is_none() {
            workbench::offload_result(&self.cx, slug, &mut result);
        }
        result
    }

    /// Searches tools in the session's scope (`COMPOSIO_SEARCH_TOOLS`'s data).
    pub async fn search(&self, queries: &[&str]) -> Result<Value, SessionError> {
        let queries: Vec<Value> = queries.iter().map(|q| json!({"use_case": q})).collect();
        search::search(&self.cx, json!({ "queries": queries })).await
    }

    /// Starts connecting `toolkit` for the session's user: an `INITIATED` account and its
    /// Connect Link (Composio's `session.authorize`).
    pub async fn link(&self, toolkit: &str, callback_url: Option<String>) -> Result<Link, SessionError> {
        let toolkit = self.cx.toolkit(toolkit)?;
        connections::link(&self.cx, toolkit, callback_url).await
    }

    /// A raw request to a toolkit's API with the session's account (Composio's
    /// `POST /tool_router/session/{id}/proxy_execute`; the same arguments as
    /// `COMPOSIO_PROXY_EXECUTE`, whether or not the session offers that meta tool).
    pub async fn proxy_execute(&self, arguments: Value) -> Result<ExecutionResult, SessionError> {
        execute::proxy_result(&self.cx, arguments).await
    }

    /// Where a toolkit stands for the session's user: whether it needs no account, and
    /// the account its status is about (the active one, else the newest). Errors for a
    /// toolkit outside the session.
    pub async fn toolkit_connection(&self, toolkit: &str) -> Result<(bool, Option<ConnectedAccount>), SessionError> {
        let toolkit = self.cx.toolkit(toolkit)?;
        let connection = accounts::connection(&self.cx, toolkit).await?;
        Ok((matches!(connection, accounts::Connection::NoAuth), connection.account().cloned()))
    }

    /// What the session remembers, most recent first.
    pub async fn memory(&self) -> Result<Vec<Fact>, SessionError> {
        Ok(self.cx.shared.store.memory(&self.cx.id).await?)
    }
}
