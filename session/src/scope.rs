//! Which tools a session offers: its toolkit, tool and tag filters, applied the same way
//! to search, schemas and execution.

use std::sync::Arc;

use toolsmith_runtime::ToolSearch;

use crate::config::{SessionConfig, ToolkitFilter};

/// A session's filters, ready to answer "may the agent use this tool, and if not, why".
///
/// ```
/// use toolsmith_session::{Scope, SessionConfig};
/// let mut config = SessionConfig::new("ada");
/// config.toolkits = Some(toolsmith_session::ToolkitFilter::Enable(vec!["github".into()]));
/// let scope = Scope::new(&config);
/// assert!(scope.check("github", "GITHUB_CREATE_ISSUE", &[]).is_ok());
/// let why = scope.check("slack", "SLACK_SEND_MESSAGE", &[]).unwrap_err();
/// assert!(why.contains("toolkits.enable"), "{why}");
/// ```
#[derive(Clone, Debug)]
pub struct Scope {
    config: Arc<SessionConfig>,
}

impl Scope {
    /// The scope of a configuration.
    pub fn new(config: &SessionConfig) -> Self {
        Scope { config: Arc::new(config.clone()) }
    }

    /// Whether a toolkit is in scope; the reason when not.
    pub fn check_toolkit(&self, toolkit: &str) -> Result<(), String> {
        match &self.config.toolkits {
            Some(ToolkitFilter::Enable(list)) if !list.iter().any(|t| t.eq_ignore_ascii_case(toolkit)) => Err(format!(
                "toolkit `{toolkit}` is not enabled in this session (toolkits.enable: {})",
                list.join(", ")
            )),
            Some(ToolkitFilter::Disable(list)) if list.iter().any(|t| t.eq_ignore_ascii_case(toolkit)) => {
                Err(format!("toolkit `{toolkit}` is disabled in this session (toolkits.disable)"))
            }
            _ => Ok(()),
        }
    }

    /// Whether a tool (of `toolkit`, with MCP hint `tags`) is in scope; the reason when not.
    pub fn check(&self, toolkit: &str, slug: &str, tags: &[&str]) -> Result<(), String> {
        self.check_toolkit(toolkit)?;
        let same = |s: &String| s.eq_ignore_ascii_case(slug);
        if let Some((key, filter)) = self.config.tools.iter().find(|(k, _)| k.eq_ignore_ascii_case(toolkit)) {
            if let Some(enable) = &filter.enable {
                if !enable.iter().any(same) {
                    return Err(format!("{slug} is not among the tools enabled for `{key}` (tools.{key}.enable)"));
                }
            }
            if filter.disable.as_ref().is_some_and(|d| d.iter().any(same)) {
                return Err(format!("{slug} is disabled in this session (tools.{key}.disable)"));
            }
            if !filter.tags.allows(tags) {
                return Err(format!("{slug}'s hints [{}] do not pass tools.{key}.tags", tags.join(", ")));
            }
        }
        if !self.config.tags.allows(tags) {
            return Err(format!("{slug}'s hints [{}] do not pass the session's tags filter", tags.join(", ")));
        }
        Ok(())
    }

    /// One entry per document of `search`'s index: `true` when in scope. `None` when the
    /// session allows everything (no mask needed).
    pub fn mask(&self, search: &ToolSearch) -> Option<Arc<[bool]>> {
        let c = &self.config;
        if c.toolkits.is_none() && c.tools.is_empty() && c.tags.is_empty() {
            return None;
        }
        let mask: Vec<bool> = search
            .index()
            .documents()
            .iter()
            .map(|d| {
                let tags: Vec<&str> = d.tags.iter().map(String::as_str).collect();
                self.check(&d.toolkit, &d.slug, &tags).is_ok()
            })
            .collect();
        Some(mask.into())
    }
}
