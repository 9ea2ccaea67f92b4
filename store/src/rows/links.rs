//! Rows of Connect Links. A row is named in messages by its account, never by its token
//! hash.

use toolsmith_core::{AuthConfigId, ConnectedAccountId, SessionId, UserId};
use toolsmith_spec::ToolkitSlug;

use super::{from_ms, RowCx};
use crate::{ConnectLink, StoreError};

/// The columns of `connect_links`, in [`LinkRow`]'s order.
pub(crate) const LINK_COLUMNS: &str =
    "token_hash, account, user_id, toolkit, auth_config, session, callback_url, created_at, expires_at, used_at";

/// A row of `connect_links`.
pub(crate) struct LinkRow {
    pub(crate) token_hash: String,
    pub(crate) account: String,
    pub(crate) user_id: String,
    pub(crate) toolkit: String,
    pub(crate) auth_config: String,
    pub(crate) session: Option<String>,
    pub(crate) callback_url: Option<String>,
    pub(crate) created_at: i64,
    pub(crate) expires_at: i64,
    pub(crate) used_at: Option<i64>,
}

impl LinkRow {
    pub(crate) fn decode(self, cx: &impl RowCx) -> Result<ConnectLink, StoreError> {
        // The row is named by its account: the token hash stays out of messages.
        let corrupt =
            |column, problem| cx.corrupt("connect_links", &format!("link of {}", self.account), column, problem);
        let session = match &self.session {
            Some(session) => Some(SessionId::parse(session).ok_or_else(|| corrupt("session", "is not a `trs_` id"))?),
            None => None,
        };
        Ok(ConnectLink {
            account: ConnectedAccountId::parse(&self.account).ok_or_else(|| corrupt("account", "is not a `ca_` id"))?,
            auth_config: AuthConfigId::parse(&self.auth_config)
                .ok_or_else(|| corrupt("auth_config", "is not an `ac_` id"))?,
            token_hash: self.token_hash,
            user_id: UserId::new(self.user_id),
            toolkit: ToolkitSlug::new(self.toolkit),
            session,
            callback_url: self.callback_url,
            created_at: from_ms(self.created_at),
            expires_at: from_ms(self.expires_at),
            used_at: self.used_at.map(from_ms),
        })
    }
}

/// The message of a second link with the same token hash (which it does not quote).
pub(crate) fn duplicate_link(link: &ConnectLink) -> String {
    format!(
        "could not save a Connect Link for connected account {}: a link with the same token hash exists; \
         generate a new token (`LinkToken::generate`) for each link",
        link.account
    )
}

/// What a link needs and lacks: its account.
pub(crate) fn missing_account(link: &ConnectLink) -> StoreError {
    StoreError::Missing(format!(
        "connected account {} (of a Connect Link; create the account, INITIATED, first)",
        link.account
    ))
}
