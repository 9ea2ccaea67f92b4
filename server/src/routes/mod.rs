//! The REST API: one router per resource, served under both `/api/v3` and `/api/v3.1`.

pub mod listing;
pub mod sessions;
pub mod shapes;
pub mod toolkits;
pub mod tools;

use axum::Router;

use crate::state::AppState;

/// Every resource's routes, unprefixed.
pub fn api() -> Router<AppState> {
    Router::new().merge(sessions::router()).merge(tools::router()).merge(toolkits::router())
}
