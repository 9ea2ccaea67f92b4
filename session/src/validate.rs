//! Checking a configuration against the catalog and the store before a session is made:
//! every toolkit, tool, hint, auth config and account it names must exist and fit.

use toolsmith_runtime::Registry;
use toolsmith_store::Store;

use crate::config::{PreloadTools, SessionConfig, ToolkitFilter, HINTS};
use crate::error::{ConfigError, SessionError};

/// At most this many tools with `preload.tools: "all"`.
pub(crate) const MAX_PRELOAD: usize = 1000;

/// The first problem of `config`, with its field.
pub(crate) async fn check(config: &SessionConfig, registry: &Registry, store: &dyn Store) -> Result<(), SessionError> {
    check_catalog(config, registry)?;
    check_store(config, store).await
}

fn check_catalog(config: &SessionConfig, registry: &Registry) -> Result<(), ConfigError> {
    let toolkit = |field: String, slug: &str| -> Result<(), ConfigError> {
        if registry.toolkit(&slug.to_ascii_lowercase()).is_some() {
            return Ok(());
        }
        let err = ConfigError::new(field, format!("unknown toolkit `{slug}`"));
        let close: Vec<String> = registry
            .toolkits()
            .map(|t| t.slug.to_string())
            .filter(|t| strsim::jaro_winkler(t, &slug.to_ascii_lowercase()) > 0.8)
            .take(3)
            .collect();
        Err(if close.is_empty() {
            err.fix("list the toolkits with `toolsmith toolkits list`")
        } else {
            err.fix(format!("did you mean {}?", close.join(", ")))
        })
    };
    match &config.toolkits {
        Some(ToolkitFilter::Enable(list)) => {
            for (i, slug) in list.iter().enumerate() {
                toolkit(format!("toolkits.enable[{i}]"), slug)?;
            }
        }
        Some(ToolkitFilter::Disable(list)) => {
            for (i, slug) in list.iter().enumerate() {
                toolkit(format!("toolkits.disable[{i}]"), slug)?;
            }
        }
        None => {}
    }
    let enabled = |slug: &str| match &config.toolkits {
        Some(ToolkitFilter::Enable(list)) => list.iter().any(|t| t.eq_ignore_ascii_case(slug)),
        Some(ToolkitFilter::Disable(list)) => !list.iter().any(|t| t.eq_ignore_ascii_case(slug)),
        None => true,
    };
    for (key, filter) in &config.tools {
        toolkit(format!("tools.{key}"), key)?;
        if !enabled(key) {
            return Err(ConfigError::new(
                format!("tools.{key}"),
                format!("toolkit `{key}` is not enabled in this session"),
            )
            .fix(format!("enable `{key}` in `toolkits`, or remove `tools.{key}`")));
        }
        for (list, name) in [(&filter.enable, "enable"), (&filter.disable, "disable")] {
            for (i, slug) in list.iter().flatten().enumerate() {
                let belongs = registry.tool(slug).is_some_and(|t| t.toolkit.slug.as_str().eq_ignore_ascii_case(key));
                if !belongs {
                    return Err(ConfigError::new(
                        format!("tools.{key}.{name}[{i}]"),
                        format!("toolkit `{key}` has no tool `{slug}`"),
                    )
                    .fix(format!("list its tools with `toolsmith tools list --toolkit {key}`")));
                }
            }
        }
        check_hints(&format!("tools.{key}.tags"), &filter.tags.enable, &filter.tags.disable)?;
    }
    check_hints("tags", &config.tags.enable, &config.tags.disable)?;
    for (field, map_keys) in [
        ("auth_configs", config.auth_configs.keys().collect::<Vec<_>>()),
        ("connected_accounts", config.connected_accounts.keys().collect()),
    ] {
        for key in map_keys {
            toolkit(format!("{field}.{key}"), key)?;
        }
    }
    let multi = &config.multi_account;
    if let Some(max) = multi.max_accounts_per_toolkit {
        if !(2..=10).contains(&max) {
            return Err(ConfigError::new("multi_account.max_accounts_per_toolkit", format!("{max} is out of range"))
                .fix("give 2 to 10"));
        }
    }
    for (key, ids) in &config.connected_accounts {
        let max = if multi.enable { multi.max_accounts_per_toolkit.unwrap_or(5) as usize } else { 1 };
        if ids.len() > max {
            let err = ConfigError::new(format!("connected_accounts.{key}"), format!("{} accounts given", ids.len()));
            return Err(if multi.enable {
                err.fix(format!("give at most {max} (multi_account.max_accounts_per_toolkit)"))
            } else {
                err.fix("give one account, or enable multi_account")
            });
        }
    }
    match &config.preload.tools {
        PreloadTools::Some(list) => {
            for (i, slug) in list.iter().enumerate() {
                let Some(found) = registry.tool(slug) else {
                    return Err(ConfigError::new(format!("preload.tools[{i}]"), format!("unknown tool `{slug}`"))
                        .fix("list tools with `toolsmith tools list`"));
                };
                if !enabled(found.toolkit.slug.as_str()) {
                    return Err(ConfigError::new(
                        format!("preload.tools[{i}]"),
                        format!(
                            "{slug} belongs to toolkit `{}`, which this session does not enable",
                            found.toolkit.slug
                        ),
                    ));
                }
            }
        }
        PreloadTools::All => {
            let Some(ToolkitFilter::Enable(list)) = &config.toolkits else {
                return Err(ConfigError::new("preload.tools", "\"all\" needs a list of toolkits")
                    .fix("give `toolkits: {\"enable\": [...]}` too"));
            };
            let count: usize =
                list.iter().filter_map(|t| registry.toolkit(&t.to_ascii_lowercase())).map(|t| t.tools.len()).sum();
            if count > MAX_PRELOAD {
                return Err(ConfigError::new("preload.tools", format!("\"all\" is {count} tools, over {MAX_PRELOAD}"))
                    .fix("name the tools, or enable fewer toolkits"));
            }
        }
    }
    if config.workbench.auto_offload_threshold == Some(0) {
        return Err(ConfigError::new("workbench.auto_offload_threshold", "0 is not a size")
            .fix("give a number of characters above 0"));
    }
    Ok(())
}

fn check_hints(field: &str, enable: &[String], disable: &[String]) -> Result<(), ConfigError> {
    for (list, name) in [(enable, "enable"), (disable, "disable")] {
        for (i, hint) in list.iter().enumerate() {
            if !HINTS.contains(&hint.as_str()) {
                return Err(ConfigError::new(format!("{field}.{name}[{i}]"), format!("unknown hint `{hint}`"))
                    .fix(format!("use one of {}", HINTS.join(", "))));
            }
        }
    }
    Ok(())
}

async fn check_store(config: &SessionConfig, store: &dyn Store) -> Result<(), SessionError> {
    for (key, id) in &config.auth_configs {
        let field = format!("auth_configs.{key}");
        let Some(ac) = store.auth_config(id).await? else {
            return Err(ConfigError::new(field, format!("auth config {id} does not exist"))
                .fix("list auth configs with `toolsmith auth-configs list`")
                .into());
        };
        if !ac.toolkit.as_str().eq_ignore_ascii_case(key) {
            return Err(ConfigError::new(
                field,
                format!("auth config {id} belongs to toolkit `{}`, not `{key}`", ac.toolkit),
            )
            .into());
        }
        if ac.disabled {
            return Err(ConfigError::new(field, format!("auth config {id} is disabled"))
                .fix("enable it or pin another")
                .into());
        }
    }
    for (key, ids) in &config.connected_accounts {
        for (i, id) in ids.iter().enumerate() {
            let field = format!("connected_accounts.{key}[{i}]");
            let Some(account) = store.account(id).await? else {
                return Err(ConfigError::new(field, format!("connected account {id} does not exist")).into());
            };
            if account.user_id != config.user_id {
                return Err(ConfigError::new(
                    field,
                    format!("connected account {id} belongs to another user, not `{}`", config.user_id),
                )
                .fix("pin one of this user's accounts")
                .into());
            }
            if !account.toolkit.as_str().eq_ignore_ascii_case(key) {
                return Err(ConfigError::new(
                    field,
                    format!("connected account {id} is of toolkit `{}`, not `{key}`", account.toolkit),
                )
                .into());
            }
            if let Some((_, pinned)) = config.auth_configs.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)) {
                if &account.auth_config != pinned {
                    return Err(ConfigError::new(
                        field,
                        format!(
                            "connected account {id} uses auth config {}, but auth_configs.{key} pins {pinned}",
                            account.auth_config
                        ),
                    )
                    .into());
                }
            }
        }
    }
    Ok(())
}
