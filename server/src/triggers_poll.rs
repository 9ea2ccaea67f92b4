//! Polling triggers in `toolsmith serve`: a [`Poller`] per project store, running each
//! poll instance's tool through the project's executor (the one executor: argument
//! checks, auth injection, OAuth 2.0 refresh, the execution log, metrics).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use toolsmith_core::{Call, CallOptions, Execute};
use toolsmith_spec::ToolSlug;
use toolsmith_store::TriggerInstance;
use toolsmith_triggers::poll::{PollExecutor, PollFailure, PollOptions, Poller};

use crate::state::{AppState, ProjectCx};

/// How often the projects are listed again, for a project created while serving.
const PROJECTS_REFRESH: Duration = Duration::from_secs(10);

/// A project's executor as the poller sees it.
struct ProjectExecutor {
    state: AppState,
    cx: Arc<ProjectCx>,
}

#[async_trait::async_trait]
impl PollExecutor for ProjectExecutor {
    async fn run(
        &self,
        instance: &TriggerInstance,
        tool: &ToolSlug,
        arguments: Map<String, Value>,
    ) -> Result<Value, PollFailure> {
        let found = self.state.registry().resolve(tool.as_str(), None).map_err(|e| PollFailure::of(&e))?;
        let call = Call {
            target: found.target(),
            user: &instance.user_id,
            arguments: Value::Object(arguments),
            options: CallOptions { account: instance.account.clone(), ..CallOptions::default() },
        };
        self.cx.client.run(call).await.result.map_err(|e| PollFailure::of(&e))
    }
}

/// Polls the poll instances of every project until `cancel`: one [`Poller`] per
/// project, started when the project is first listed (projects are listed again every
/// few seconds). Returns when every poller has stopped.
pub(crate) async fn run(state: AppState, cancel: CancellationToken) {
    let types = Arc::new(state.trigger_types().clone());
    let mut started: HashSet<String> = HashSet::new();
    let mut pollers = JoinSet::new();
    loop {
        match state.ready_projects().await {
            Ok(projects) => {
                for cx in projects {
                    if !started.insert(cx.project.id.as_str().to_owned()) {
                        continue;
                    }
                    let executor = Arc::new(ProjectExecutor { state: state.clone(), cx: cx.clone() });
                    let options =
                        PollOptions { recorded: Some(state.delivery_wake().clone()), ..PollOptions::default() };
                    let poller = Poller::new(cx.store.clone(), types.clone(), executor, options);
                    pollers.spawn(poller.run(cancel.child_token()));
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot list the projects whose triggers to poll; trying again"),
        }
        tokio::select! {
            () = cancel.cancelled() => break,
            () = tokio::time::sleep(PROJECTS_REFRESH) => {}
        }
    }
    while pollers.join_next().await.is_some() {}
}
