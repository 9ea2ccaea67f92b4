//! The toolsmith runtime: find, authenticate and execute tools.
//!
//! - [`Registry`]: every toolkit and tool, compiled in ([`CompiledToolkit`]) or
//!   loaded from YAML at run time; [`Registry::resolve`] is where a slug and a version
//!   become a tool.
//! - [`Client`]: the one executor. It implements [`Execute`]: typed calls, calls by
//!   slug, hand-written tools, proxy requests and dry runs all go through
//!   [`Execute::run`], which checks arguments, injects the user's connected account
//!   ([`auth`]), retries, refuses SSRF, shapes the result in Composio's
//!   `{data, error, successful, log_id}` ([`ExecutionResult`]) and logs it.
//! - [`search`]: [`ToolSearch`], the answer to `COMPOSIO_SEARCH_TOOLS` over a registry,
//!   on the engine of the `toolsmith-search` crate ([`SearchIndex`]).
//! - [`store`]: auth configs (`ac_…`), connected accounts (`ca_…`) and the execution
//!   log in a SQLite file, secrets encrypted at rest ([`store::SqliteStore`]).
//!
//! Users depend on the `toolsmith` facade, which re-exports this crate.
//!
//! ```no_run
//! let registry = toolsmith_runtime::Registry::load(&["catalog/toolkits"])?;
//! for t in registry.tools().take(5) {
//!     println!("{} — {}", t.tool.slug, t.tool.name);
//! }
//! # Ok::<(), toolsmith_runtime::LoadError>(())
//! ```

mod account_cache;
mod client;
mod encode;
mod execute;
mod log_writer;
mod redaction;
mod registry;
mod request;
mod retry;
pub mod search;
mod validate;

pub use client::{Client, ClientBuilder};
pub use registry::{Broken, LazyToolkit, LoadError, Page, Registry, Resolved, ToolQuery, ToolRef};
pub use search::{SearchIndex, ToolSearch};
pub use toolsmith_core::{
    AuthConfigId, CallOptions, CompiledToolkit, ConnectedAccountId, DryRun, Error, Execute, ExecutionResult, LogId,
    ProxyRequest, Tool, ToolDefinition, UserId,
};
pub use toolsmith_spec::{ToolSlug, Toolkit, ToolkitSlug};

/// The spec model, for code that reads toolkits.
pub use toolsmith_catalog as catalog;

/// Account selection, credential injection, connecting accounts and OAuth 2.0 refresh:
/// the `toolsmith-auth` crate.
pub use toolsmith_auth as auth;

/// Auth configs, connected accounts, refresh leases and the execution log: the
/// `toolsmith-store` crate.
pub use toolsmith_store as store;
