//! The meta tools: their definitions ([`tools`]) and one module per group of tools.

pub(crate) mod connections;
pub(crate) mod execute;
pub(crate) mod search;
pub(crate) mod tools;
pub(crate) mod workbench;
pub(crate) mod workbench_access;
