//! Trigger instances (`ti_…`): one trigger of a toolkit enabled for a connected account
//! (or a user) with its configuration.

use std::collections::BTreeMap;
use std::fmt;
use std::time::SystemTime;

use secrecy::SecretString;
use serde_json::{Map, Value};
use toolsmith_core::{AuthConfigId, ConnectedAccountId, TriggerInstanceId, UserId};
use toolsmith_spec::{ToolkitSlug, TriggerSlug};

use crate::StoreError;

/// A trigger instance as stored.
///
/// The project is the store's own (one database per project), so it is not a field.
/// The configuration is split in two: the values a webhook is verified with (the spec's
/// `secret_field`s) are in [`secrets`](Self::secrets), sealed at rest and never shown;
/// the others are in [`config`](Self::config), in clear.
#[derive(Clone, Debug)]
pub struct TriggerInstance {
    /// Its id.
    pub id: TriggerInstanceId,
    /// The trigger it runs (`GITHUB_ISSUES_EVENT`).
    pub trigger: TriggerSlug,
    /// The trigger's toolkit.
    pub toolkit: ToolkitSlug,
    /// The user whose events these are.
    pub user_id: UserId,
    /// The connected account it watches; `None` for a trigger bound to the user alone.
    pub account: Option<ConnectedAccountId>,
    /// The auth config of that account, for filtering.
    pub auth_config: Option<AuthConfigId>,
    /// The non-secret configuration (checked against the trigger's config schema).
    pub config: Map<String, Value>,
    /// The secret configuration values, by property name.
    pub secrets: BTreeMap<String, SecretString>,
    /// Whether it delivers events.
    pub enabled: bool,
    /// What the trigger keeps between events (a poll cursor, a webhook's registration).
    pub state: Value,
    /// When it was created.
    pub created_at: SystemTime,
    /// When it last changed.
    pub updated_at: SystemTime,
}

impl TriggerInstance {
    /// What makes two instances the same one for an upsert: the trigger, the account (or
    /// the user, without an account) and the non-secret configuration, its object keys
    /// sorted. Secrets are not part of it, so an upsert with a new webhook secret rotates
    /// the secret of the existing instance instead of making a second one.
    ///
    /// ```
    /// # use std::time::SystemTime;
    /// # use toolsmith_store::TriggerInstance;
    /// let mut a = TriggerInstance {
    ///     id: toolsmith_core::TriggerInstanceId::generate(),
    ///     trigger: "GITHUB_ISSUES_EVENT".into(),
    ///     toolkit: "github".into(),
    ///     user_id: toolsmith_core::UserId::new("ada"),
    ///     account: None,
    ///     auth_config: None,
    ///     config: serde_json::from_str(r#"{"owner":"o","repo":"r"}"#).unwrap(),
    ///     secrets: Default::default(),
    ///     enabled: true,
    ///     state: serde_json::Value::Null,
    ///     created_at: SystemTime::UNIX_EPOCH,
    ///     updated_at: SystemTime::UNIX_EPOCH,
    /// };
    /// let key = a.identity();
    /// a.config = serde_json::from_str(r#"{"repo":"r","owner":"o"}"#).unwrap();
    /// assert_eq!(a.identity(), key);
    /// ```
    pub fn identity(&self) -> String {
        let owner = match &self.account {
            Some(account) => account.as_str().to_owned(),
            None => format!("user:{}", self.user_id.as_str()),
        };
        format!("{}\n{owner}\n{}", self.trigger.as_str(), canonical(&Value::Object(self.config.clone())))
    }
}

/// JSON text with every object's keys sorted.
fn canonical(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let sorted: BTreeMap<&String, String> = map.iter().map(|(k, v)| (k, canonical(v))).collect();
            let fields: Vec<String> =
                sorted.into_iter().map(|(k, v)| format!("{}:{v}", Value::String(k.clone()))).collect();
            format!("{{{}}}", fields.join(","))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(canonical).collect::<Vec<_>>().join(",")),
        other => other.to_string(),
    }
}

/// Which trigger instances [`TriggerInstances::trigger_instances`] returns: each
/// non-empty list is one condition (any of its values), all conditions must hold.
#[derive(Clone, Debug, Default)]
pub struct TriggerFilter {
    /// Only these instances.
    pub ids: Vec<TriggerInstanceId>,
    /// Only those of these accounts.
    pub accounts: Vec<ConnectedAccountId>,
    /// Only those whose account was connected with one of these auth configs.
    pub auth_configs: Vec<AuthConfigId>,
    /// Only these triggers.
    pub triggers: Vec<TriggerSlug>,
    /// Only these users'.
    pub users: Vec<UserId>,
    /// Disabled ones too (by default only enabled ones).
    pub include_disabled: bool,
}

/// The trigger instances of a deployment. Secrets are sealed at rest with the store's
/// key ring, bound to the instance's id.
#[async_trait::async_trait]
pub trait TriggerInstances: Send + Sync + fmt::Debug {
    /// Creates the instance, or updates the one with the same
    /// [`identity`](TriggerInstance::identity): that one keeps its id, state and creation
    /// time and takes the new secrets, `enabled` and `updated_at`. Returns the instance as
    /// stored. [`StoreError::Missing`] when its account does not exist.
    async fn upsert_trigger_instance(&self, instance: &TriggerInstance) -> Result<TriggerInstance, StoreError>;
    /// An instance by id.
    async fn trigger_instance(&self, id: &TriggerInstanceId) -> Result<Option<TriggerInstance>, StoreError>;
    /// The instances a filter selects, oldest first.
    async fn trigger_instances(&self, filter: &TriggerFilter) -> Result<Vec<TriggerInstance>, StoreError>;
    /// Enables or disables an instance at `at`; `false` when there is none.
    async fn set_trigger_enabled(
        &self,
        id: &TriggerInstanceId,
        enabled: bool,
        at: SystemTime,
    ) -> Result<bool, StoreError>;
    /// Deletes an instance; `false` when there was none. Deleting its account deletes it
    /// too.
    async fn delete_trigger_instance(&self, id: &TriggerInstanceId) -> Result<bool, StoreError>;
    /// Claims instance `id`'s next poll for `holder` until `until`: `true` when no other
    /// holder's claim is live at `now` (there is none, it ended, or it is `holder`'s
    /// own), `false` otherwise and when there is no such instance.
    ///
    /// Servers sharing a store claim each poll before making it, with `until` the time the
    /// poll after it is due, so that one server makes each poll; a server that dies
    /// mid-poll loses its claim at `until` and another makes the next one.
    async fn claim_poll(
        &self,
        id: &TriggerInstanceId,
        holder: &str,
        now: SystemTime,
        until: SystemTime,
    ) -> Result<bool, StoreError>;
}
