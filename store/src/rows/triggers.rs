//! Rows of trigger instances. The secret configuration is sealed as one value (the
//! credentials' JSON encoding), bound to the instance's id.

use secrecy::ExposeSecret;
use serde_json::Value;
use toolsmith_core::{AuthConfigId, ConnectedAccountId, TriggerInstanceId, UserId};
use toolsmith_spec::{ToolkitSlug, TriggerSlug};

use super::{decode_credentials, encode_credentials, from_ms, trigger_context, RowCx};
use crate::{Credentials, StoreError, TriggerFilter, TriggerInstance};

/// The columns of `trigger_instances` (but `identity` and the poll claim), in
/// [`InstanceRow`]'s order.
pub(crate) const INSTANCE_COLUMNS: &str =
    "id, trigger, toolkit, user_id, account, auth_config, config, secrets, enabled, state, created_at, updated_at";

/// The sealed secrets of `instance` stored under the id `id` (an upsert keeps the
/// existing instance's id); `None` without secrets.
pub(crate) fn seal_secrets(
    cx: &impl RowCx,
    id: &str,
    instance: &TriggerInstance,
) -> Result<Option<String>, StoreError> {
    if instance.secrets.is_empty() {
        return Ok(None);
    }
    let credentials = Credentials { secrets: instance.secrets.clone(), oauth2: None };
    let json = encode_credentials(&credentials).map_err(|_| StoreError::Database {
        path: cx.database().to_owned(),
        message: format!("could not encode the secrets of trigger instance {id}"),
        // serde's message could quote a secret: it is not passed on.
        source: None,
    })?;
    Ok(Some(cx.keys().seal(&json, &trigger_context(id))?))
}

/// The JSON text of a configuration or state (a `Value` always encodes).
pub(crate) fn json(value: &Value) -> String {
    value.to_string()
}

/// The conditions of `filter` on columns of `trigger_instances`: each non-empty list is
/// one (any of its values).
pub(crate) fn filter_conditions(filter: &TriggerFilter) -> [(&'static str, Vec<&str>); 5] {
    [
        ("id", filter.ids.iter().map(TriggerInstanceId::as_str).collect()),
        ("account", filter.accounts.iter().map(ConnectedAccountId::as_str).collect()),
        ("auth_config", filter.auth_configs.iter().map(AuthConfigId::as_str).collect()),
        ("trigger", filter.triggers.iter().map(TriggerSlug::as_str).collect()),
        ("user_id", filter.users.iter().map(UserId::as_str).collect()),
    ]
}

/// What an instance needs and lacks: its account.
pub(crate) fn missing_account(instance: &TriggerInstance, account: &ConnectedAccountId) -> StoreError {
    StoreError::Missing(format!(
        "connected account {account} (of a trigger instance of {}; connect the account first)",
        instance.trigger
    ))
}

/// A row of `trigger_instances`.
pub(crate) struct InstanceRow {
    pub(crate) id: String,
    pub(crate) trigger: String,
    pub(crate) toolkit: String,
    pub(crate) user_id: String,
    pub(crate) account: Option<String>,
    pub(crate) auth_config: Option<String>,
    pub(crate) config: String,
    pub(crate) secrets: Option<String>,
    pub(crate) enabled: bool,
    pub(crate) state: String,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
}

impl InstanceRow {
    pub(crate) fn decode(self, cx: &impl RowCx) -> Result<TriggerInstance, StoreError> {
        let corrupt = |column, problem| cx.corrupt("trigger_instances", &self.id, column, problem);
        let secrets = match &self.secrets {
            None => Default::default(),
            Some(sealed) => {
                let opened = cx.keys().open(sealed, &trigger_context(&self.id))?;
                // serde's message could quote a secret: it is not passed on.
                decode_credentials(opened.expose_secret())
                    .map_err(|_| corrupt("secrets", "does not decrypt to the secrets' JSON"))?
                    .secrets
            }
        };
        Ok(TriggerInstance {
            id: TriggerInstanceId::parse(&self.id).ok_or_else(|| corrupt("id", "is not a `ti_` id"))?,
            trigger: TriggerSlug::new(self.trigger),
            toolkit: ToolkitSlug::new(self.toolkit),
            user_id: UserId::new(self.user_id),
            account: match self.account {
                Some(a) => Some(ConnectedAccountId::parse(&a).ok_or_else(|| corrupt("account", "is not a `ca_` id"))?),
                None => None,
            },
            auth_config: match self.auth_config {
                Some(a) => Some(AuthConfigId::parse(&a).ok_or_else(|| corrupt("auth_config", "is not an `ac_` id"))?),
                None => None,
            },
            config: serde_json::from_str(&self.config).map_err(|_| corrupt("config", "is not a JSON object"))?,
            secrets,
            enabled: self.enabled,
            state: serde_json::from_str(&self.state).map_err(|_| corrupt("state", "is not JSON"))?,
            created_at: from_ms(self.created_at),
            updated_at: from_ms(self.updated_at),
        })
    }
}
