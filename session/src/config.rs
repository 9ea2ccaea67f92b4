//! A session's configuration, in Composio's names and shapes (`POST
//! /tool_router/session`): which toolkits and tools the agent may use, which auth
//! configs and accounts it uses, and which meta tools it gets.
//!
//! [`SessionConfig::from_json`] reads a request body and says where it is wrong (the
//! JSON path and what to write instead); [`SessionConfig::check`](crate::ToolRouter::create)
//! against the registry and the store happens when the session is created.

use indexmap::IndexMap;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use toolsmith_core::{AuthConfigId, ConnectedAccountId, UserId};

use crate::error::ConfigError;

/// The MCP hints a tag filter may name.
pub const HINTS: &[&str] =
    &["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint", "createHint", "updateHint"];

/// What a session allows and offers. Immutable once the session exists: a different
/// configuration is a new session.
///
/// ```
/// let config = toolsmith_session::SessionConfig::from_json(serde_json::json!({
///     "user_id": "ada",
///     "toolkits": ["github"],
///     "manage_connections": { "enable": true, "enable_wait_for_connections": true },
/// })).unwrap();
/// assert_eq!(config.toolkits, Some(toolsmith_session::ToolkitFilter::Enable(vec!["github".into()])));
/// assert!(config.manage_connections.enable_wait_for_connections);
/// assert!(config.search.enable);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionConfig {
    /// The user whose accounts the session uses.
    pub user_id: UserId,
    /// The toolkits the agent may use: all of the catalog when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toolkits: Option<ToolkitFilter>,
    /// Per toolkit, which of its tools.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub tools: IndexMap<String, ToolFilter>,
    /// Which tools by MCP hint (`readOnlyHint`, …).
    #[serde(default, skip_serializing_if = "TagFilter::is_empty")]
    pub tags: TagFilter,
    /// The auth config each toolkit connects with.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub auth_configs: IndexMap<String, AuthConfigId>,
    /// The connected accounts each toolkit uses (one, or several with `multi_account`).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty", deserialize_with = "accounts")]
    pub connected_accounts: IndexMap<String, Vec<ConnectedAccountId>>,
    /// `COMPOSIO_MANAGE_CONNECTIONS` and `COMPOSIO_WAIT_FOR_CONNECTIONS`.
    #[serde(default, deserialize_with = "manage")]
    pub manage_connections: ManageConnections,
    /// Several accounts of one toolkit.
    #[serde(default)]
    pub multi_account: MultiAccount,
    /// App tools listed with the meta tools.
    #[serde(default)]
    pub preload: Preload,
    /// `COMPOSIO_SEARCH_TOOLS` and `COMPOSIO_GET_TOOL_SCHEMAS`.
    #[serde(default)]
    pub search: Switch,
    /// `COMPOSIO_MULTI_EXECUTE_TOOL`.
    #[serde(default)]
    pub execute: ExecuteSettings,
    /// `COMPOSIO_PROXY_EXECUTE` (off by default).
    #[serde(default = "Switch::off")]
    pub proxy_execute: Switch,
    /// The workbench: `COMPOSIO_REMOTE_WORKBENCH`, `COMPOSIO_REMOTE_BASH_TOOL` and
    /// auto-offload, when the server has one (Composio's SDK sends its `workbench` or
    /// `sandbox` option here; `sandbox` is accepted as well).
    #[serde(default, alias = "sandbox")]
    pub workbench: Workbench,
    /// Experimental settings, kept as given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub experimental: Option<Value>,
    /// Execution hooks (approval rules), kept as given; enforced by a later part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hooks: Option<Value>,
    /// Composio's paid "instant accounts" (`false` or settings): accepted, not offered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instant: Option<Value>,
}

impl SessionConfig {
    /// A configuration with Composio's defaults for `user`: every toolkit, search,
    /// multi-execute and connection management on.
    ///
    /// ```
    /// let config = toolsmith_session::SessionConfig::new("ada");
    /// assert!(config.toolkits.is_none() && config.manage_connections.enable);
    /// ```
    pub fn new(user: impl Into<String>) -> Self {
        SessionConfig {
            user_id: UserId::new(user),
            toolkits: None,
            tools: IndexMap::new(),
            tags: TagFilter::default(),
            auth_configs: IndexMap::new(),
            connected_accounts: IndexMap::new(),
            manage_connections: ManageConnections::default(),
            multi_account: MultiAccount::default(),
            preload: Preload::default(),
            search: Switch::default(),
            execute: ExecuteSettings::default(),
            proxy_execute: Switch::off(),
            workbench: Workbench::default(),
            experimental: None,
            hooks: None,
            instant: None,
        }
    }

    /// Reads a configuration from a request body; the error names the JSON path.
    ///
    /// ```
    /// let err = toolsmith_session::SessionConfig::from_json(serde_json::json!({
    ///     "user_id": "ada", "toolkits": { "enable": ["github"], "disable": ["slack"] }
    /// })).unwrap_err();
    /// assert_eq!(err.field, "toolkits");
    /// assert!(err.message.contains("not both"), "{}", err.message);
    /// ```
    pub fn from_json(body: Value) -> Result<Self, ConfigError> {
        serde_path_to_error::deserialize(body).map_err(|e| {
            let field = e.path().to_string();
            let field = if field == "." { String::new() } else { field };
            ConfigError::new(field, e.inner().to_string())
        })
    }
}

/// Which toolkits: only these (`enable`, or a plain list), or all but these (`disable`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum ToolkitFilter {
    /// Only these toolkits.
    #[serde(rename = "enable")]
    Enable(Vec<String>),
    /// Every toolkit but these.
    #[serde(rename = "disable")]
    Disable(Vec<String>),
}

/// A filter as a plain list or as its object form.
#[derive(Deserialize)]
#[serde(untagged)]
enum ListOr<M> {
    List(Vec<String>),
    Map(M),
}

/// Reads a [`ListOr`]; `expected` says what was wanted when neither form fits.
fn list_or<'de, D: Deserializer<'de>, M: Deserialize<'de>>(d: D, expected: &str) -> Result<ListOr<M>, D::Error> {
    ListOr::deserialize(d).map_err(|_| serde::de::Error::custom(format!("expected {expected}")))
}

impl<'de> Deserialize<'de> for ToolkitFilter {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match list_or::<D, EnableDisable>(d, "a list of toolkit slugs, {\"enable\": [...]} or {\"disable\": [...]}")? {
            ListOr::List(list) => Ok(ToolkitFilter::Enable(list)),
            ListOr::Map(m) => match (m.enable, m.disable) {
                (Some(e), None) => Ok(ToolkitFilter::Enable(e)),
                (None, Some(d)) => Ok(ToolkitFilter::Disable(d)),
                (Some(_), Some(_)) => Err(serde::de::Error::custom("give `enable` or `disable`, not both")),
                (None, None) => Err(serde::de::Error::custom("give `enable: [...]` or `disable: [...]`")),
            },
        }
    }
}

/// `{enable}` / `{disable}` as sent, or `{enabled}` / `{disabled}` as Composio echoes.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EnableDisable {
    #[serde(default, alias = "enabled")]
    enable: Option<Vec<String>>,
    #[serde(default, alias = "disabled")]
    disable: Option<Vec<String>>,
}

/// Which tools of one toolkit: only these, all but these, or by MCP hint.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ToolFilter {
    /// Only these tool slugs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable: Option<Vec<String>>,
    /// Every tool but these.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disable: Option<Vec<String>>,
    /// By hint.
    #[serde(skip_serializing_if = "TagFilter::is_empty")]
    pub tags: TagFilter,
}

impl<'de> Deserialize<'de> for ToolFilter {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Map {
            #[serde(default, alias = "enabled")]
            enable: Option<Vec<String>>,
            #[serde(default, alias = "disabled")]
            disable: Option<Vec<String>>,
            #[serde(default)]
            tags: TagFilter,
        }
        match list_or::<D, Map>(
            d,
            "a list of tool slugs, {\"enable\": [...]}, {\"disable\": [...]} or {\"tags\": [...]}",
        )? {
            ListOr::List(list) => Ok(ToolFilter { enable: Some(list), ..Default::default() }),
            ListOr::Map(m) if m.enable.is_some() && m.disable.is_some() => {
                Err(serde::de::Error::custom("give `enable` or `disable`, not both"))
            }
            ListOr::Map(m) => Ok(ToolFilter { enable: m.enable, disable: m.disable, tags: m.tags }),
        }
    }
}

/// Tools by MCP hint: a tool needs one of `enable` (when given) and none of `disable`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TagFilter {
    /// A tool needs at least one of these.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub enable: Vec<String>,
    /// A tool with any of these is left out.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub disable: Vec<String>,
}

impl TagFilter {
    /// No filtering.
    pub fn is_empty(&self) -> bool {
        self.enable.is_empty() && self.disable.is_empty()
    }

    /// Whether a tool with `tags` passes.
    ///
    /// ```
    /// let filter = toolsmith_session::TagFilter { enable: vec!["readOnlyHint".into()], disable: vec![] };
    /// assert!(filter.allows(&["readOnlyHint", "openWorldHint"]));
    /// assert!(!filter.allows(&["destructiveHint"]));
    /// ```
    pub fn allows(&self, tags: &[&str]) -> bool {
        (self.enable.is_empty() || self.enable.iter().any(|t| tags.contains(&t.as_str())))
            && !self.disable.iter().any(|t| tags.contains(&t.as_str()))
    }
}

impl<'de> Deserialize<'de> for TagFilter {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match list_or::<D, EnableDisable>(d, "a list of MCP hints or {\"enable\": [...], \"disable\": [...]}")? {
            ListOr::List(enable) => Ok(TagFilter { enable, disable: Vec::new() }),
            ListOr::Map(m) => {
                Ok(TagFilter { enable: m.enable.unwrap_or_default(), disable: m.disable.unwrap_or_default() })
            }
        }
    }
}

/// `connected_accounts`: a toolkit's account may be given as one id or a list.
fn accounts<'de, D: Deserializer<'de>>(d: D) -> Result<IndexMap<String, Vec<ConnectedAccountId>>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(ConnectedAccountId),
        Many(Vec<ConnectedAccountId>),
    }
    let map: IndexMap<String, OneOrMany> = IndexMap::deserialize(d)?;
    Ok(map
        .into_iter()
        .map(|(k, v)| {
            (
                k,
                match v {
                    OneOrMany::One(id) => vec![id],
                    OneOrMany::Many(ids) => ids,
                },
            )
        })
        .collect())
}

/// `manage_connections`: a bool or the settings.
fn manage<'de, D: Deserializer<'de>>(d: D) -> Result<ManageConnections, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Wire {
        Flag(bool),
        Settings(ManageConnections),
    }
    Ok(match Wire::deserialize(d)? {
        Wire::Flag(enable) => ManageConnections { enable, ..Default::default() },
        Wire::Settings(s) => s,
    })
}

/// Whether the agent may connect accounts in the conversation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManageConnections {
    /// Offer `COMPOSIO_MANAGE_CONNECTIONS` (on by default).
    #[serde(default = "yes", alias = "enabled")]
    pub enable: bool,
    /// Where the Connect Link page sends the user when done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback_url: Option<String>,
    /// Offer `COMPOSIO_WAIT_FOR_CONNECTIONS` (off by default, as in Composio).
    #[serde(default)]
    pub enable_wait_for_connections: bool,
    /// Reserved (Composio's `enable_connection_removal`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_connection_removal: Option<bool>,
}

impl Default for ManageConnections {
    fn default() -> Self {
        ManageConnections {
            enable: true,
            callback_url: None,
            enable_wait_for_connections: false,
            enable_connection_removal: None,
        }
    }
}

/// Several accounts of one toolkit in a session.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MultiAccount {
    /// Allow it.
    #[serde(default)]
    pub enable: bool,
    /// At most this many per toolkit (2–10; 5 when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_accounts_per_toolkit: Option<u32>,
    /// With several, a call must name its account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_explicit_selection: Option<bool>,
}

/// App tools listed with the meta tools.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preload {
    /// Tool slugs, or `"all"` (needs a `toolkits` allow list; at most 1000 tools).
    #[serde(default)]
    pub tools: PreloadTools,
}

/// [`Preload::tools`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PreloadTools {
    /// These tools.
    Some(Vec<String>),
    /// Every tool in scope.
    All,
}

impl Default for PreloadTools {
    fn default() -> Self {
        PreloadTools::Some(Vec::new())
    }
}

impl Serialize for PreloadTools {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            PreloadTools::Some(list) => list.serialize(s),
            PreloadTools::All => s.serialize_str("all"),
        }
    }
}

impl<'de> Deserialize<'de> for PreloadTools {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::String(s) if s == "all" => Ok(PreloadTools::All),
            Value::Array(items) => items
                .into_iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s),
                    other => Err(serde::de::Error::custom(format!("expected a tool slug, found {other}"))),
                })
                .collect::<Result<_, _>>()
                .map(PreloadTools::Some),
            other => Err(serde::de::Error::custom(format!("expected a list of tool slugs or \"all\", found {other}"))),
        }
    }
}

/// An on/off setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Switch {
    /// On.
    #[serde(default = "yes", alias = "enabled")]
    pub enable: bool,
}

impl Switch {
    /// Off.
    pub fn off() -> Self {
        Switch { enable: false }
    }
}

impl Default for Switch {
    fn default() -> Self {
        Switch { enable: true }
    }
}

/// `execute`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExecuteSettings {
    /// Offer `COMPOSIO_MULTI_EXECUTE_TOOL` (on by default).
    #[serde(default = "yes")]
    pub enable_multi_execute: bool,
}

impl Default for ExecuteSettings {
    fn default() -> Self {
        ExecuteSettings { enable_multi_execute: true }
    }
}

/// `workbench`: the session's sandbox (when the server runs one).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Workbench {
    /// Offer the workbench tools (on unless `false`, when the server has a workbench).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable: Option<bool>,
    /// `COMPOSIO_MULTI_EXECUTE_TOOL` results larger than this many bytes of JSON go to
    /// the workbench (20,000 when not set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_offload_threshold: Option<u64>,
    /// Let workbench code make proxy requests (`proxy_execute(...)`; also needs
    /// `proxy_execute.enable`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_proxy_execution: Option<bool>,
    /// Let workbench code run tools (`run_composio_tool`; on unless `false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_tool_execution: Option<bool>,
    /// `standard`, `medium`, `large` or `xlarge` (kept; every sandbox gets the server's
    /// limits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sandbox_size: Option<String>,
}

fn yes() -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn composio_request_shapes_are_read() {
        let config = SessionConfig::from_json(json!({
            "user_id": "user_probe",
            "toolkits": {"enable": ["github"]},
            "tools": {"github": {"disable": ["GITHUB_DELETE_A_REPOSITORY"]}, "slack": ["SLACK_SEND_MESSAGE"]},
            "tags": {"enable": ["readOnlyHint"], "disable": ["destructiveHint"]},
            "auth_configs": {"github": "ac_stub000001"},
            "connected_accounts": {"github": "ca_stub000003", "slack": ["ca_a", "ca_b"]},
            "manage_connections": true,
            "preload": {"tools": "all"},
            "proxy_execute": {"enable": true},
            "multi_account": {"enable": true, "max_accounts_per_toolkit": 3},
        }))
        .unwrap();
        assert_eq!(config.tools["slack"].enable.as_deref(), Some(&["SLACK_SEND_MESSAGE".to_owned()][..]));
        assert_eq!(config.connected_accounts["github"].len(), 1);
        assert_eq!(config.connected_accounts["slack"].len(), 2);
        assert_eq!(config.preload.tools, PreloadTools::All);
        assert!(config.proxy_execute.enable && config.manage_connections.enable);
        // What is stored reads back the same.
        let again = SessionConfig::from_json(serde_json::to_value(&config).unwrap()).unwrap();
        assert_eq!(again, config);
    }

    #[test]
    fn errors_name_the_field() {
        let err = SessionConfig::from_json(json!({"user_id": "u", "toolkit": ["github"]})).unwrap_err();
        assert!(err.message.contains("unknown field `toolkit`"), "{err}");
        let err =
            SessionConfig::from_json(json!({"user_id": "u", "connected_accounts": {"github": "ac_1"}})).unwrap_err();
        assert_eq!(err.field, "connected_accounts.github");
        let err = SessionConfig::from_json(json!({"user_id": "u", "preload": {"tools": 3}})).unwrap_err();
        assert_eq!(err.field, "preload.tools");
        let err = SessionConfig::from_json(json!({"toolkits": []})).unwrap_err();
        assert!(err.message.contains("user_id"), "{err}");
    }
}
