//! A session's view of the user's connected accounts: the pins of its configuration
//! (`connected_accounts`, `auth_configs`) applied to what the store holds.

use toolsmith_core::ConnectedAccountId;
use toolsmith_spec::Toolkit;
use toolsmith_store::{AccountFilter, AccountStatus, ConnectedAccount};

use crate::context::Cx;
use crate::error::SessionError;

/// Where a toolkit stands for the session's user.
#[derive(Debug)]
pub(crate) enum Connection {
    /// The toolkit needs no account.
    NoAuth,
    /// Usable accounts, newest first.
    Active(Vec<ConnectedAccount>),
    /// A connection was started and waits for the user.
    Pending(ConnectedAccount),
    /// The newest account stopped working (expired, failed, revoked, disabled).
    Broken(ConnectedAccount),
    /// Nothing yet.
    Missing,
}

impl Connection {
    /// Composio's upper-case status word.
    pub(crate) fn status(&self) -> &'static str {
        match self {
            Connection::NoAuth | Connection::Active(_) => "ACTIVE",
            Connection::Pending(_) => "INITIATED",
            Connection::Broken(a) => match a.status {
                AccountStatus::Failed => "FAILED",
                other => other.as_str(),
            },
            Connection::Missing => "NOT_FOUND",
        }
    }

    /// Whether tools of the toolkit can run.
    pub(crate) fn is_active(&self) -> bool {
        matches!(self, Connection::NoAuth | Connection::Active(_))
    }

    /// The account the status is about.
    pub(crate) fn account(&self) -> Option<&ConnectedAccount> {
        match self {
            Connection::Active(list) => list.first(),
            Connection::Pending(a) | Connection::Broken(a) => Some(a),
            Connection::NoAuth | Connection::Missing => None,
        }
    }
}

/// The user's accounts of `toolkit` that the session may use, newest first.
pub(crate) async fn accounts(cx: &Cx, toolkit: &Toolkit) -> Result<Vec<ConnectedAccount>, SessionError> {
    let filter = AccountFilter {
        user_id: Some(cx.user().clone()),
        toolkit: Some(toolkit.slug.clone()),
        auth_config: pinned_config(cx, toolkit),
        statuses: Vec::new(),
    };
    let mut accounts = cx.shared.store.accounts(&filter).await?;
    if let Some(pins) = pinned_accounts(cx, toolkit) {
        accounts.retain(|a| pins.contains(&a.id));
    }
    accounts.reverse();
    Ok(accounts)
}

/// Where `toolkit` stands for the session.
pub(crate) async fn connection(cx: &Cx, toolkit: &Toolkit) -> Result<Connection, SessionError> {
    if !toolsmith_auth::needs_account(toolkit) {
        return Ok(Connection::NoAuth);
    }
    let accounts = accounts(cx, toolkit).await?;
    let active: Vec<ConnectedAccount> =
        accounts.iter().filter(|a| a.status == AccountStatus::Active).cloned().collect();
    if !active.is_empty() {
        return Ok(Connection::Active(active));
    }
    Ok(match accounts.into_iter().next() {
        Some(a) if a.status == AccountStatus::Initiated => Connection::Pending(a),
        Some(a) => Connection::Broken(a),
        None => Connection::Missing,
    })
}

/// The account a call of `toolkit` uses when the session pins accounts or auth configs
/// or allows several accounts: the only active one, else the newest unless the session
/// wants an explicit choice among several (then the executor's error lists them).
/// `None` lets the executor decide (and say what is missing).
pub(crate) async fn account_for_call(cx: &Cx, toolkit: &Toolkit) -> Result<Option<ConnectedAccountId>, SessionError> {
    if pinned_config(cx, toolkit).is_none() && pinned_accounts(cx, toolkit).is_none() && !cx.config.multi_account.enable
    {
        // Nothing to apply: the executor chooses (the user's only active account) from
        // its account cache, as for a direct call.
        return Ok(None);
    }
    let Connection::Active(active) = connection(cx, toolkit).await? else { return Ok(None) };
    let multi = &cx.config.multi_account;
    if active.len() > 1 && multi.enable && multi.require_explicit_selection.unwrap_or(true) {
        return Ok(None);
    }
    Ok(active.first().map(|a| a.id.clone()))
}

fn pinned_config(cx: &Cx, toolkit: &Toolkit) -> Option<toolsmith_core::AuthConfigId> {
    cx.config.auth_configs.iter().find(|(k, _)| k.eq_ignore_ascii_case(toolkit.slug.as_str())).map(|(_, v)| v.clone())
}

fn pinned_accounts<'c>(cx: &'c Cx, toolkit: &Toolkit) -> Option<&'c Vec<ConnectedAccountId>> {
    cx.config.connected_accounts.iter().find(|(k, _)| k.eq_ignore_ascii_case(toolkit.slug.as_str())).map(|(_, v)| v)
}
