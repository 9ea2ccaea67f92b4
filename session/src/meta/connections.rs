//! `COMPOSIO_MANAGE_CONNECTIONS` and `COMPOSIO_WAIT_FOR_CONNECTIONS`: connection status
//! per toolkit, Connect Links for the missing ones, and waiting for the user to finish.

use std::time::{Duration, Instant, SystemTime};

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::{json, Value};
use toolsmith_auth::LinkRequest;
use toolsmith_spec::Toolkit;

use crate::accounts::{connection, Connection};
use crate::context::{arguments, Cx};
use crate::error::SessionError;

/// A Connect Link made for the session's user.
#[derive(Clone, Debug)]
pub struct Link {
    /// The toolkit.
    pub toolkit: String,
    /// The `INITIATED` account the link completes.
    pub connected_account_id: toolsmith_core::ConnectedAccountId,
    /// The auth config it connects with.
    pub auth_config_id: toolsmith_core::AuthConfigId,
    /// The page the user opens: `<public_url>/link/<token>`.
    pub redirect_url: String,
    /// When it stops working.
    pub expires_at: SystemTime,
}

/// The page a Connect Link's user opens: `<public_url>/link/<token>` (the one place this
/// URL is built: sessions and the REST API's `/connected_accounts/link` share it).
///
/// ```
/// let token = toolsmith_store::LinkToken::from("lk_1".to_owned());
/// let url = toolsmith_session::link_url(&"http://127.0.0.1:8787/base/".parse().unwrap(), &token);
/// assert_eq!(url, "http://127.0.0.1:8787/base/link/lk_1");
/// ```
pub fn link_url(public_url: &url::Url, token: &toolsmith_store::LinkToken) -> String {
    format!("{}/link/{}", public_url.as_str().trim_end_matches('/'), token.expose())
}

/// Starts a connection of `toolkit` for the session's user and makes its link.
pub(crate) async fn link(cx: &Cx, toolkit: &Toolkit, callback_url: Option<String>) -> Result<Link, SessionError> {
    let request = LinkRequest {
        auth_config: cx
            .config
            .auth_configs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(toolkit.slug.as_str()))
            .map(|(_, v)| v.clone()),
        session: Some(cx.id.clone()),
        callback_url: callback_url.or_else(|| cx.config.manage_connections.callback_url.clone()),
        ttl: cx.shared.options.link_ttl,
        ..LinkRequest::new(cx.user().clone())
    };
    let initiated = toolsmith_auth::initiate(&*cx.shared.store, toolkit, request)
        .await
        .map_err(|source| SessionError::Link { toolkit: toolkit.slug.to_string(), source: Box::new(source) })?;
    let url = link_url(&cx.shared.options.public_url, &initiated.token);
    Ok(Link {
        toolkit: toolkit.slug.to_string(),
        connected_account_id: initiated.account.id,
        auth_config_id: initiated.auth_config.id,
        redirect_url: url,
        expires_at: initiated.expires_at,
    })
}

#[derive(Deserialize)]
struct ManageArgs {
    toolkits: Vec<String>,
    #[serde(default)]
    reinitiate_all: bool,
    #[serde(default, rename = "session_id")]
    _session_id: Option<String>,
}

/// `COMPOSIO_MANAGE_CONNECTIONS`.
pub(crate) async fn manage(cx: &Cx, args: Value) -> Result<Value, SessionError> {
    let args: ManageArgs = arguments("COMPOSIO_MANAGE_CONNECTIONS", args)?;
    let mut results = IndexMap::new();
    let (mut active, mut initiated, mut failed) = (0, 0, 0);
    for name in &args.toolkits {
        let entry = match manage_one(cx, name, args.reinitiate_all).await {
            Ok(entry) => entry,
            Err(e) => json!({
                "toolkit": name, "status": "failed", "has_active_connection": false,
                "error_message": e.to_string(),
            }),
        };
        match entry["status"].as_str() {
            Some("active") => active += 1,
            Some("initiated") => initiated += 1,
            _ => failed += 1,
        }
        results.insert(name.to_ascii_lowercase(), entry);
    }
    let message = match (initiated, failed) {
        (0, 0) => "Every toolkit is connected; go on with the task.".to_owned(),
        (0, _) => "Some toolkits could not be connected; see error_message.".to_owned(),
        _ => "Show each redirect_url to the user and ask them to authorize; then call COMPOSIO_WAIT_FOR_CONNECTIONS (or ask the user to say when done).".to_owned(),
    };
    Ok(json!({
        "message": message,
        "results": results,
        "summary": {
            "total_toolkits": args.toolkits.len(),
            "active_connections": active,
            "initiated_connections": initiated,
            "failed_connections": failed,
        },
        "session": cx.session_info(),
    }))
}

async fn manage_one(cx: &Cx, name: &str, reinitiate: bool) -> Result<Value, SessionError> {
    let toolkit = cx.toolkit(name)?;
    let slug = toolkit.slug.as_str();
    let now = connection(cx, toolkit).await?;
    if let Connection::NoAuth = now {
        return Ok(json!({
            "toolkit": slug, "status": "active", "has_active_connection": true,
            "instruction": format!("{} needs no account; its tools can run now.", toolkit.name),
        }));
    }
    if now.is_active() && !reinitiate {
        let account = now.account();
        return Ok(json!({
            "toolkit": slug, "status": "active", "has_active_connection": true,
            "connected_account_id": account.map(|a| a.id.as_str()),
            "auth_config_id": account.map(|a| a.auth_config.as_str()),
            "created_at": account.map(|a| rfc3339(a.created_at)),
            "account_type": "PRIVATE",
        }));
    }
    let link = link(cx, toolkit, None).await?;
    Ok(json!({
        "toolkit": slug,
        "status": "initiated",
        "has_active_connection": now.is_active(),
        "redirect_url": link.redirect_url,
        "instruction": format!(
            "Ask the user to open {} and connect {}; the link works once, until {}.",
            link.redirect_url, toolkit.name, rfc3339(link.expires_at)
        ),
        "connected_account_id": link.connected_account_id.as_str(),
        "auth_config_id": link.auth_config_id.as_str(),
        "created_at": rfc3339(SystemTime::now()),
        "was_reinitiated": reinitiate && now.is_active(),
        "account_type": "PRIVATE",
    }))
}

#[derive(Deserialize)]
struct WaitArgs {
    toolkits: Vec<String>,
    #[serde(default)]
    mode: Mode,
    #[serde(default, rename = "session_id")]
    _session_id: Option<String>,
}

#[derive(Deserialize, Default, Clone, Copy, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Mode {
    #[default]
    Any,
    All,
}

/// How often a waiter re-reads the store when no local write woke it (writes by other
/// processes sharing the database).
const REREAD: Duration = Duration::from_secs(1);

/// `COMPOSIO_WAIT_FOR_CONNECTIONS`: returns when the accounts turn ACTIVE (any or all),
/// or at the router's wait timeout. Wakes on the store's account changes, not a busy loop.
pub(crate) async fn wait(cx: &Cx, args: Value) -> Result<Value, SessionError> {
    let args: WaitArgs = arguments("COMPOSIO_WAIT_FOR_CONNECTIONS", args)?;
    if args.toolkits.is_empty() {
        return Err(SessionError::Arguments {
            tool: "COMPOSIO_WAIT_FOR_CONNECTIONS",
            path: "toolkits".into(),
            message: "give at least one toolkit".into(),
        });
    }
    let mut changes = cx.shared.store.account_changes();
    let deadline = Instant::now() + cx.shared.options.wait_timeout;
    loop {
        changes.borrow_and_update();
        let (results, active) = wait_statuses(cx, &args.toolkits).await;
        let done = match args.mode {
            Mode::Any => active > 0,
            Mode::All => active == args.toolkits.len(),
        };
        let now = Instant::now();
        if done || now >= deadline {
            let message = if done {
                "Connected: go on with the task.".to_owned()
            } else {
                format!(
                    "Timed out after {} s with {active} of {} toolkits connected; ask the user whether they finished, then wait again.",
                    cx.shared.options.wait_timeout.as_secs(),
                    args.toolkits.len()
                )
            };
            return Ok(json!({ "message": message, "results": results, "session": cx.session_info() }));
        }
        let pause = (deadline - now).min(REREAD);
        tokio::select! {
            _ = changes.changed() => {}
            () = tokio::time::sleep(pause) => {}
        }
    }
}

async fn wait_statuses(cx: &Cx, names: &[String]) -> (IndexMap<String, Value>, usize) {
    let mut results = IndexMap::new();
    let mut active = 0;
    for name in names {
        let entry = match cx.toolkit(name) {
            Err(e) => {
                json!({"toolkit": name, "status": "NOT_FOUND", "has_active_connection": false, "error_message": e.to_string()})
            }
            Ok(toolkit) => match connection(cx, toolkit).await {
                Err(e) => {
                    json!({"toolkit": name, "status": "FAILED", "has_active_connection": false, "error_message": e.to_string()})
                }
                Ok(c) => {
                    active += usize::from(c.is_active());
                    let account = c.account();
                    json!({
                        "toolkit": toolkit.slug.as_str(),
                        "status": c.status(),
                        "has_active_connection": c.is_active(),
                        "connected_account_id": account.map(|a| a.id.as_str()),
                        "auth_config_id": account.map(|a| a.auth_config.as_str()),
                        "created_at": account.map(|a| rfc3339(a.created_at)),
                        "current_user_info": {},
                        "error_message": account.and_then(|a| a.status_reason.clone()).filter(|_| !c.is_active()),
                    })
                }
            },
        };
        results.insert(name.to_ascii_lowercase(), entry);
    }
    (results, active)
}

/// A time as RFC 3339 UTC (`2026-12-07T12:00:00Z`).
pub(crate) fn rfc3339(time: SystemTime) -> String {
    humantime::format_rfc3339_seconds(time).to_string()
}
