//! Rows of connected accounts: the credentials (secret fields and OAuth 2.0 tokens)
//! sealed as one JSON value, bound to the account's id.

use std::collections::BTreeMap;

use secrecy::ExposeSecret;
use toolsmith_core::{AuthConfigId, ConnectedAccountId, UserId};
use toolsmith_spec::ToolkitSlug;

use super::{account_context, decode_credentials, encode_credentials, from_ms, json_text, to_ms, RowCx};
use crate::{AccountStatus, ConnectedAccount, StoreError};

/// The columns of `connected_accounts`, in [`AccountRow`]'s order.
pub(crate) const ACCOUNT_COLUMNS: &str =
    "id, user_id, toolkit, auth_config, status, status_reason, alias, fields, credentials, created_at, updated_at";

/// What an upsert of an account sets when the id exists (`excluded` is the new row).
pub(crate) const ACCOUNT_UPDATE: &str = "user_id = excluded.user_id, toolkit = excluded.toolkit, \
     auth_config = excluded.auth_config, status = excluded.status, status_reason = excluded.status_reason, \
     alias = excluded.alias, fields = excluded.fields, credentials = excluded.credentials, \
     created_at = excluded.created_at, updated_at = excluded.updated_at";

/// A row of `connected_accounts`.
pub(crate) struct AccountRow {
    pub(crate) id: String,
    pub(crate) user_id: String,
    pub(crate) toolkit: String,
    pub(crate) auth_config: String,
    pub(crate) status: String,
    pub(crate) status_reason: Option<String>,
    pub(crate) alias: Option<String>,
    /// JSON object of strings.
    pub(crate) fields: String,
    /// Sealed JSON.
    pub(crate) credentials: String,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
}

impl AccountRow {
    /// The row of `account`, its credentials sealed.
    pub(crate) fn encode(account: &ConnectedAccount, cx: &impl RowCx) -> Result<AccountRow, StoreError> {
        let json = encode_credentials(&account.credentials).map_err(|_| StoreError::Database {
            path: cx.database().to_owned(),
            message: format!("could not encode the credentials of connected account {}", account.id),
            // serde's message could quote a secret: it is not passed on.
            source: None,
        })?;
        let credentials = cx.keys().seal(&json, &account_context(account.id.as_str()))?;
        Ok(AccountRow {
            id: account.id.as_str().to_owned(),
            user_id: account.user_id.as_str().to_owned(),
            toolkit: account.toolkit.as_str().to_owned(),
            auth_config: account.auth_config.as_str().to_owned(),
            status: account.status.as_str().to_owned(),
            status_reason: account.status_reason.clone(),
            alias: account.alias.clone(),
            fields: json_text(cx, &account.fields)?,
            credentials,
            created_at: to_ms(account.created_at),
            updated_at: to_ms(account.updated_at),
        })
    }

    /// The account of the row, its credentials opened.
    pub(crate) fn decode(self, cx: &impl RowCx) -> Result<ConnectedAccount, StoreError> {
        let corrupt = |column, problem| cx.corrupt("connected_accounts", &self.id, column, problem);
        let id = ConnectedAccountId::parse(&self.id).ok_or_else(|| corrupt("id", "is not a `ca_` id"))?;
        let auth_config =
            AuthConfigId::parse(&self.auth_config).ok_or_else(|| corrupt("auth_config", "is not an `ac_` id"))?;
        let status = AccountStatus::parse(&self.status).ok_or_else(|| corrupt("status", "is not a known status"))?;
        let fields: BTreeMap<String, String> =
            serde_json::from_str(&self.fields).map_err(|_| corrupt("fields", "is not a JSON object of strings"))?;
        let opened = cx.keys().open(&self.credentials, &account_context(&self.id))?;
        // serde's message could quote a secret: it is not passed on.
        let credentials = decode_credentials(opened.expose_secret())
            .map_err(|_| corrupt("credentials", "does not decrypt to the credentials JSON"))?;
        Ok(ConnectedAccount {
            id,
            user_id: UserId::new(self.user_id),
            toolkit: ToolkitSlug::new(self.toolkit),
            auth_config,
            status,
            status_reason: self.status_reason,
            alias: self.alias,
            fields,
            credentials,
            created_at: from_ms(self.created_at),
            updated_at: from_ms(self.updated_at),
        })
    }
}

/// The error of saving `account` whose auth config is not there.
pub(crate) fn missing_config(account: &ConnectedAccount) -> StoreError {
    StoreError::Missing(format!("auth config {} (of connected account {})", account.auth_config, account.id))
}

/// The error of saving `account` whose alias another account of its user and toolkit has.
pub(crate) fn alias_taken(
    cx: &impl RowCx,
    account: &ConnectedAccount,
    source: Box<dyn std::error::Error + Send + Sync>,
) -> StoreError {
    StoreError::Conflict {
        path: cx.database().to_owned(),
        message: format!(
            "could not save connected account {}: user `{}` already has a {} account with the alias `{}`; \
             choose another alias",
            account.id,
            account.user_id,
            account.toolkit,
            account.alias.as_deref().unwrap_or_default()
        ),
        source: Some(source),
    }
}

/// The error of finishing the refresh of account `id` with the record of another account.
pub(crate) fn wrong_refreshed_account(
    cx: &impl RowCx,
    id: &ConnectedAccountId,
    account: &ConnectedAccount,
) -> StoreError {
    StoreError::Database {
        path: cx.database().to_owned(),
        message: format!(
            "the refresh of connected account {id} tried to write connected account {}; \
             pass the refreshed record of {id}",
            account.id
        ),
        source: None,
    }
}
