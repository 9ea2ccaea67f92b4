//! The spec language: what a toolkit YAML file may say.
//!
//! Every type here derives serde (to read YAML) and schemars (to publish
//! `catalog/schema/toolkit.schema.json` for editors).

mod auth;
mod definitions;
pub mod json_path;
mod method;
mod names;
mod overlay;
mod pagination;
pub mod pointer;
mod tool;
mod toolkit;
mod trigger;

pub use auth::*;
pub use definitions::*;
pub use method::*;
pub use names::*;
pub use overlay::*;
pub use pagination::*;
pub use tool::*;
pub use toolkit::*;
pub use trigger::*;
