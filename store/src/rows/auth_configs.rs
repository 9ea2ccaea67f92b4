//! Rows of auth configs: the client secret sealed, bound to the config's id.

use secrecy::{ExposeSecret, SecretString};
use toolsmith_core::AuthConfigId;
use toolsmith_spec::ToolkitSlug;

use super::{auth_config_context, from_ms, json_text, to_ms, RowCx};
use crate::{AuthConfig, StoreError};

/// The columns of `auth_configs`, in [`AuthConfigRow`]'s order.
pub(crate) const AUTH_CONFIG_COLUMNS: &str =
    "id, toolkit, name, scheme, client_id, client_secret, scopes, disabled, created_at";

/// What an upsert of an auth config sets when the id exists (`excluded` is the new row).
pub(crate) const AUTH_CONFIG_UPDATE: &str = "toolkit = excluded.toolkit, name = excluded.name, \
     scheme = excluded.scheme, client_id = excluded.client_id, client_secret = excluded.client_secret, \
     scopes = excluded.scopes, disabled = excluded.disabled, created_at = excluded.created_at";

/// A row of `auth_configs`.
pub(crate) struct AuthConfigRow {
    pub(crate) id: String,
    pub(crate) toolkit: String,
    pub(crate) name: String,
    pub(crate) scheme: String,
    pub(crate) client_id: Option<String>,
    /// Sealed.
    pub(crate) client_secret: Option<String>,
    /// JSON array of strings.
    pub(crate) scopes: String,
    pub(crate) disabled: bool,
    pub(crate) created_at: i64,
}

impl AuthConfigRow {
    /// The row of `config`, its client secret sealed.
    pub(crate) fn encode(config: &AuthConfig, cx: &impl RowCx) -> Result<AuthConfigRow, StoreError> {
        let id = config.id.as_str();
        let client_secret = match &config.client_secret {
            Some(secret) => Some(cx.keys().seal(secret.expose_secret().as_bytes(), &auth_config_context(id))?),
            None => None,
        };
        Ok(AuthConfigRow {
            id: id.to_owned(),
            toolkit: config.toolkit.as_str().to_owned(),
            name: config.name.clone(),
            scheme: config.scheme.clone(),
            client_id: config.client_id.clone(),
            client_secret,
            scopes: json_text(cx, &config.scopes)?,
            disabled: config.disabled,
            created_at: to_ms(config.created_at),
        })
    }

    /// The auth config of the row, its client secret opened.
    pub(crate) fn decode(self, cx: &impl RowCx) -> Result<AuthConfig, StoreError> {
        let corrupt = |column, problem| cx.corrupt("auth_configs", &self.id, column, problem);
        let id = AuthConfigId::parse(&self.id).ok_or_else(|| corrupt("id", "is not an `ac_` id"))?;
        let client_secret = match &self.client_secret {
            Some(sealed) => {
                let opened = cx.keys().open(sealed, &auth_config_context(&self.id))?;
                let text = std::str::from_utf8(opened.expose_secret())
                    .map_err(|_| corrupt("client_secret", "is not UTF-8"))?;
                Some(SecretString::from(text))
            }
            None => None,
        };
        Ok(AuthConfig {
            toolkit: ToolkitSlug::new(self.toolkit),
            name: self.name,
            scheme: self.scheme,
            client_id: self.client_id,
            client_secret,
            scopes: serde_json::from_str(&self.scopes)
                .map_err(|_| corrupt("scopes", "is not a JSON array of strings"))?,
            disabled: self.disabled,
            created_at: from_ms(self.created_at),
            id,
        })
    }
}

/// The error of deleting auth config `id` while `count` connected accounts use it.
pub(crate) fn config_in_use(id: &AuthConfigId, count: i64) -> StoreError {
    StoreError::InUse { what: format!("auth config {id}"), count: usize::try_from(count).unwrap_or(0) }
}
