//! The REST API: one router per resource, served under both `/api/v3` and `/api/v3.1`.

pub mod auth_configs;
pub mod connected_accounts;
pub mod files;
pub mod listing;
pub mod logs;
pub mod records;
pub mod sessions;
pub mod shapes;
pub mod toolkits;
pub mod tools;
pub mod triggers;
pub mod webhook_subscriptions;

use axum::Router;

use crate::state::AppState;

/// Every resource's routes, unprefixed.
pub fn api() -> Router<AppState> {
    Router::new()
        .merge(sessions::router())
        .merge(files::router())
        .merge(tools::router())
        .merge(toolkits::router())
        .merge(auth_configs::router())
        .merge(connected_accounts::router())
        .merge(logs::router())
        .merge(triggers::router())
        .merge(webhook_subscriptions::router())
}
