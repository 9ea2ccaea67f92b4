//! One delivery worker per project: [`serve`](crate::serve) runs them beside the API,
//! and picks up projects created while it runs.

use std::collections::HashSet;
use std::time::Duration;

use toolsmith_core::ProjectId;
use toolsmith_triggers::delivery::{Deliverer, DeliveryOptions};

use crate::state::AppState;

/// How often the list of projects is read again for new ones.
pub const PROJECT_RESCAN: Duration = Duration::from_secs(2);

/// Runs a [`Deliverer`] for every project of `state`, each woken by
/// [`AppState::delivery_wake`], until [`AppState::shutdown_token`] is cancelled; a project
/// created meanwhile gets its worker within [`PROJECT_RESCAN`].
pub async fn run(state: AppState, options: DeliveryOptions) {
    let stop = state.shutdown_token().clone();
    let mut started: HashSet<ProjectId> = HashSet::new();
    loop {
        start_new(&state, options, &mut started).await;
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(PROJECT_RESCAN) => {}
        }
    }
}

/// Starts the workers of projects that have none yet.
async fn start_new(state: &AppState, options: DeliveryOptions, started: &mut HashSet<ProjectId>) {
    let projects = match state.project_stores().projects().await {
        Ok(projects) => projects.into_iter().filter(|p| !started.contains(&p.id)).collect::<Vec<_>>(),
        Err(e) => {
            tracing::warn!(error = %e, "could not list the projects to deliver their trigger events");
            return;
        }
    };
    for project in projects {
        let store = match state.project_stores().store_of(&project).await {
            Ok(store) => store,
            Err(e) => {
                tracing::warn!(project = %project.name, error = %e, "could not open the project's store to deliver its trigger events");
                continue;
            }
        };
        match Deliverer::new(store, options) {
            Ok(deliverer) => {
                tracing::debug!(project = %project.name, "delivering the project's trigger events");
                let wake = state.delivery_wake().subscribe();
                tokio::spawn(deliverer.run(wake, state.shutdown_token().clone()));
                started.insert(project.id);
            }
            Err(e) => {
                // The options are wrong for every project: said once for each.
                tracing::error!(project = %project.name, error = %e, "the project's trigger events are not delivered");
                started.insert(project.id);
            }
        }
    }
}
