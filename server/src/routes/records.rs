//! Composio's shapes of the project's records: auth configs, connected accounts and
//! execution log entries. Secrets never appear: a secret field shows its name with
//! [`REDACTED`] as its value.

use std::time::SystemTime;

use serde_json::{json, Map, Value};
use toolsmith_auth::REDACTED;
use toolsmith_spec::Toolkit;
use toolsmith_store::{AccountStatus, AuthConfig, ConnectedAccount, ExecutionLog};

/// Composio's upper-case name of one of our schemes (`api_key` → `API_KEY`).
pub fn auth_scheme_name(scheme: &str) -> &'static str {
    match scheme {
        "oauth2" => "OAUTH2",
        "api_key" => "API_KEY",
        "bearer" => "BEARER_TOKEN",
        "basic" => "BASIC",
        _ => "NO_AUTH",
    }
}

/// A time as an ISO 8601 UTC string with milliseconds, fixed width: sorting the strings
/// sorts the times (`2026-12-07T10:00:00.123Z`).
pub fn iso(t: SystemTime) -> String {
    humantime::format_rfc3339_millis(t).to_string()
}

/// Our scheme name (`api_key`) from Composio's (`API_KEY`, any case); `None` for a scheme
/// this server does not implement.
pub fn scheme_from_name(name: &str) -> Option<&'static str> {
    ["oauth2", "api_key", "bearer", "basic", "none"]
        .into_iter()
        .find(|ours| auth_scheme_name(ours).eq_ignore_ascii_case(name) || ours.eq_ignore_ascii_case(name))
}

/// An auth config's status: `ENABLED` or `DISABLED`.
pub fn enabled_status(disabled: bool) -> &'static str {
    if disabled {
        "DISABLED"
    } else {
        "ENABLED"
    }
}

/// Composio's auth config object (list item, `GET /auth_configs/{id}`), with the number
/// of accounts connected through it. The client secret is redacted.
pub fn auth_config_object(config: &AuthConfig, toolkit: Option<&Toolkit>, connections: usize) -> Value {
    let mut credentials = Map::new();
    if let Some(id) = &config.client_id {
        credentials.insert("client_id".into(), json!(id));
    }
    if config.client_secret.is_some() {
        credentials.insert("client_secret".into(), json!(REDACTED));
    }
    if !config.scopes.is_empty() {
        credentials.insert("scopes".into(), json!(config.scopes));
    }
    json!({
        "id": config.id.as_str(),
        "uuid": config.id.as_str(),
        "name": config.name,
        "type": "custom",
        "status": enabled_status(config.disabled),
        "auth_scheme": auth_scheme_name(&config.scheme),
        "is_composio_managed": false,
        "is_enabled_for_tool_router": true,
        "credentials": credentials,
        "no_of_connections": connections,
        "toolkit": {
            "slug": config.toolkit.as_str(),
            "logo": toolkit.and_then(|t| t.logo_url.clone()),
            "auth_guide_url": toolkit.and_then(|t| t.docs_url.clone()),
        },
        "tool_access_config": {"tools_for_connected_account_creation": [], "tools_available_for_execution": []},
        "restrict_to_following_tools": [],
        "created_at": iso(config.created_at),
        "last_updated_at": iso(config.created_at),
        "created_by": null,
    })
}

/// Composio's connected account object (list item, `GET /connected_accounts/{id}`).
/// `state.val` shows plain connection fields with their values and secret ones with
/// their names only.
pub fn account_object(account: &ConnectedAccount, config: Option<&AuthConfig>) -> Value {
    let scheme = config.map_or("NO_AUTH", |c| auth_scheme_name(&c.scheme));
    let mut val = Map::new();
    val.insert("status".into(), json!(account.status.as_str()));
    for (name, value) in &account.fields {
        val.insert(name.clone(), json!(value));
    }
    for name in account.credentials.secrets.keys() {
        val.insert(name.clone(), json!(REDACTED));
    }
    if let Some(tokens) = &account.credentials.oauth2 {
        val.insert("access_token".into(), json!(REDACTED));
        val.insert("token_type".into(), json!(tokens.token_type));
        val.insert("scope".into(), json!(tokens.scopes.join(" ")));
    }
    json!({
        "id": account.id.as_str(),
        "user_id": account.user_id.as_str(),
        "status": account.status.as_str(),
        "status_reason": account.status_reason,
        "alias": account.alias,
        "toolkit": {"slug": account.toolkit.as_str()},
        "auth_config": {
            "id": account.auth_config.as_str(),
            "auth_scheme": scheme,
            "is_composio_managed": false,
            "is_disabled": config.is_some_and(|c| c.disabled),
        },
        "state": {"authScheme": scheme, "val": val},
        "data": account.fields,
        "params": {},
        "is_disabled": account.status == AccountStatus::Inactive,
        "created_at": iso(account.created_at),
        "updated_at": iso(account.updated_at),
        "test_request_endpoint": "",
    })
}

/// An execution log entry (`GET /logs/tools` item), with the toolkit when the catalog
/// knows the tool.
pub fn log_object(log: &ExecutionLog, toolkit: Option<&str>) -> Value {
    json!({
        "id": log.id.as_str(),
        "log_id": log.id.as_str(),
        "tool_slug": log.tool.as_str(),
        "toolkit_slug": toolkit,
        "user_id": log.user_id.as_str(),
        "connected_account_id": log.account.as_ref().map(|a| a.as_str()),
        "status_code": log.status,
        "successful": log.successful,
        "error": log.error,
        "attempts": log.attempts,
        "duration_ms": log.duration_ms,
        "started_at": iso(log.started_at),
        "created_at": iso(log.started_at),
    })
}
