//! Sessions and meta tools: the agent's way in (Composio's "tool router").
//!
//! An application creates a [`Session`] for a user through a [`ToolRouter`]; the session
//! fixes which toolkits and tools the agent may use and which auth configs and accounts
//! it uses ([`SessionConfig`], Composio's names). Instead of thousands of tool schemas the
//! agent gets a handful of meta tools ([`MetaTool`]): it searches tools
//! (`COMPOSIO_SEARCH_TOOLS`), fetches schemas, connects the user's accounts through a
//! Connect Link (`COMPOSIO_MANAGE_CONNECTIONS`, `COMPOSIO_WAIT_FOR_CONNECTIONS`) and runs
//! tools (`COMPOSIO_MULTI_EXECUTE_TOOL`, `COMPOSIO_PROXY_EXECUTE`) — every call through
//! the one executor, in the session's scope. What results reveal (a repository's owner
//! and name, a channel id) is remembered per session and offered back ([`memory`]).
//!
//! Provider formats: [`Session::provider_tools`] renders the session's tools for OpenAI,
//! Anthropic or Gemini ([`toolsmith_providers`]), [`Session::handle_tool_calls`] runs a
//! model's calls through the session and builds the result messages
//! ([`handle_direct_tool_calls`] does the same without a session).
//!
//! The REST server and the MCP endpoint wrap this crate without adding logic.

mod accounts;
mod calls;
mod config;
mod context;
mod error;
pub mod memory;
mod meta;
mod router;
mod scope;
mod session;
mod validate;

pub use calls::handle_direct_tool_calls;
pub use config::{
    ExecuteSettings, ManageConnections, MultiAccount, Preload, PreloadTools, SessionConfig, Switch, TagFilter,
    ToolFilter, ToolkitFilter, Workbench, HINTS,
};
pub use context::RouterOptions;
pub use error::{ConfigError, SessionError};
pub use meta::connections::{link_url, Link};
pub use meta::tools::{MetaTool, MetaToolDefinition};
pub use router::ToolRouter;
pub use scope::Scope;
pub use session::{Session, SessionTool};
