//! Trigger instances: [`upsert`] one for an account or a user, and [`ActiveTrigger`],
//! an instance as Composio lists it.

use std::time::SystemTime;

use serde::Serialize;
use serde_json::{Map, Value};
use toolsmith_core::{ConnectedAccountId, TriggerInstanceId, UserId};
use toolsmith_store::{AccountFilter, AccountStatus, ConnectedAccounts, TriggerInstance, TriggerInstances};

use crate::config::check_config;
use crate::types::TriggerTypes;
use crate::TriggerError;

/// What a secret configuration value shows as.
pub const REDACTED: &str = "[REDACTED]";

/// Whose events a trigger instance watches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Owner {
    /// This connected account's.
    Account(ConnectedAccountId),
    /// This user's: their first (oldest) active account of the trigger's toolkit, as
    /// Composio resolves it.
    User(UserId),
}

/// `POST /trigger_instances/{slug}/upsert`, parsed.
#[derive(Clone, Debug)]
pub struct UpsertRequest {
    /// The trigger type's slug, in any case.
    pub trigger: String,
    /// Whose events.
    pub owner: Owner,
    /// The configuration (`trigger_config`), a JSON object.
    pub config: Value,
}

/// Creates or updates a trigger instance, as Composio's
/// `POST /trigger_instances/{slug}/upsert` does.
///
/// The account must be in the store (the project's) and of the trigger's toolkit; a user
/// stands for their first (oldest) `ACTIVE` account of that toolkit, as in Composio. The configuration must fit the
/// type's config schema (every violation is reported, at its JSON path).
///
/// Upsert semantics: an instance is identified by its trigger, its account and its
/// non-secret configuration ([`TriggerInstance::identity`]). Upserting the same again
/// returns the same `ti_…` id, re-enables the instance and takes the new secrets (a
/// rotated webhook secret); a different configuration (another repository) is another
/// instance, so one account can watch several. The project is the store's: an instance
/// never crosses projects.
pub async fn upsert<S>(
    types: &TriggerTypes,
    store: &S,
    request: UpsertRequest,
    now: SystemTime,
) -> Result<TriggerInstance, TriggerError>
where
    S: ConnectedAccounts + TriggerInstances + ?Sized,
{
    let entry = types.entry(&request.trigger).ok_or_else(|| TriggerError::UnknownType {
        slug: request.trigger.clone(),
        suggestions: types.suggest(&request.trigger),
    })?;
    let toolkit = entry.kind.toolkit.slug.as_str();
    let trigger = entry.kind.slug.as_str();
    let account = match &request.owner {
        Owner::Account(id) => store.account(id).await?.ok_or_else(|| TriggerError::UnknownAccount(id.clone()))?,
        Owner::User(user) => {
            let filter = AccountFilter {
                user_id: Some(user.clone()),
                toolkit: Some(toolkit.into()),
                statuses: vec![AccountStatus::Active],
                ..Default::default()
            };
            // Composio's rule: the user's first active account of the toolkit (the store
            // lists the oldest first).
            let first = store.accounts(&filter).await?.into_iter().next();
            first.ok_or_else(|| TriggerError::NoAccount {
                user: user.clone(),
                toolkit: toolkit.to_owned(),
                trigger: trigger.to_owned(),
            })?
        }
    };
    if !account.toolkit.as_str().eq_ignore_ascii_case(toolkit) {
        return Err(TriggerError::WrongToolkit {
            account: account.id,
            account_toolkit: account.toolkit.as_str().to_owned(),
            trigger: trigger.to_owned(),
            toolkit: toolkit.to_owned(),
        });
    }
    let checked = check_config(&entry.spec, &request.config)
        .map_err(|problems| TriggerError::InvalidConfig { trigger: trigger.to_owned(), problems })?;
    let instance = TriggerInstance {
        id: TriggerInstanceId::generate(),
        trigger: entry.spec.slug.clone(),
        toolkit: account.toolkit.clone(),
        user_id: account.user_id.clone(),
        account: Some(account.id.clone()),
        auth_config: Some(account.auth_config.clone()),
        config: checked.config,
        secrets: checked.secrets,
        enabled: true,
        state: Value::Object(Map::new()),
        created_at: now,
        updated_at: now,
    };
    Ok(store.upsert_trigger_instance(&instance).await?)
}

/// A trigger instance as `GET /api/v3.1/trigger_instances/active` lists it (Composio's
/// camelCase names); secret configuration values show as [`REDACTED`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ActiveTrigger {
    /// `ti_…`.
    pub id: String,
    /// The trigger type's slug.
    #[serde(rename = "triggerName")]
    pub trigger_name: String,
    /// The configuration, secrets redacted.
    #[serde(rename = "triggerConfig")]
    pub trigger_config: Map<String, Value>,
    /// The connected account (`ca_…`), or null.
    #[serde(rename = "connectedAccountId")]
    pub connected_account_id: Option<String>,
    /// The same (Composio also sends its UUID here).
    pub connected_account_uuid: Option<String>,
    /// The user.
    pub user_id: String,
    /// What the trigger keeps between events.
    pub state: Value,
    /// When it last changed (ISO 8601).
    #[serde(rename = "updatedAt")]
    pub updated_at: String,
    /// When it was disabled (ISO 8601), or null while enabled.
    #[serde(rename = "disabledAt")]
    pub disabled_at: Option<String>,
    /// The toolkit's version the trigger type comes from.
    pub version: String,
    /// The instance's id again (Composio's UUID field).
    pub uuid: String,
    /// Where events go instead of the project's webhook (not supported yet: null).
    pub egress_url: Option<String>,
    /// `{createdAt}` (ISO 8601), as Composio still sends it.
    pub deprecated: Value,
    /// Where the provider sends a webhook trigger's deliveries
    /// ([`webhook_url`](crate::ingress::webhook_url)); absent for polled triggers and
    /// where the server's URL is unknown (toolsmith's own field, not Composio's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<String>,
}

impl ActiveTrigger {
    /// An instance as listed; `types` gives its version (empty for a type no longer in
    /// the catalog).
    pub fn of(instance: &TriggerInstance, types: &TriggerTypes) -> Self {
        let mut config = instance.config.clone();
        for name in instance.secrets.keys() {
            config.insert(name.clone(), Value::String(REDACTED.to_owned()));
        }
        let updated_at = humantime::format_rfc3339_millis(instance.updated_at).to_string();
        let account = instance.account.as_ref().map(|a| a.as_str().to_owned());
        ActiveTrigger {
            id: instance.id.as_str().to_owned(),
            trigger_name: instance.trigger.as_str().to_owned(),
            trigger_config: config,
            connected_account_id: account.clone(),
            connected_account_uuid: account,
            user_id: instance.user_id.as_str().to_owned(),
            state: instance.state.clone(),
            disabled_at: (!instance.enabled).then(|| updated_at.clone()),
            updated_at,
            version: types.get(instance.trigger.as_str()).map(|t| t.version.clone()).unwrap_or_default(),
            uuid: instance.id.as_str().to_owned(),
            egress_url: None,
            deprecated: serde_json::json!({"createdAt": humantime::format_rfc3339_millis(instance.created_at).to_string()}),
            webhook_url: None,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::time::Duration;

    use serde_json::json;
    use toolsmith_core::AuthConfigId;
    use toolsmith_store::{AuthConfig, AuthConfigs, ConnectedAccount, KeyRing, SqliteStore, TriggerFilter};

    use super::*;
    use crate::fixtures::demo;

    async fn store_with(accounts: &[(&str, &str)]) -> (SqliteStore, Vec<ConnectedAccount>) {
        let store = SqliteStore::in_memory(KeyRing::generate().unwrap()).unwrap();
        let mut made = Vec::new();
        for (user, toolkit) in accounts {
            let config = AuthConfig {
                id: AuthConfigId::generate(),
                toolkit: (*toolkit).into(),
                name: "c".into(),
                scheme: "none".into(),
                client_id: None,
                client_secret: None,
                scopes: vec![],
                disabled: false,
                created_at: SystemTime::UNIX_EPOCH,
            };
            store.put_auth_config(&config).await.unwrap();
            let account = ConnectedAccount {
                id: ConnectedAccountId::generate(),
                user_id: UserId::new(*user),
                toolkit: (*toolkit).into(),
                auth_config: config.id.clone(),
                status: AccountStatus::Active,
                status_reason: None,
                alias: None,
                fields: Default::default(),
                credentials: Default::default(),
                created_at: SystemTime::UNIX_EPOCH,
                updated_at: SystemTime::UNIX_EPOCH,
            };
            store.put_account(&account).await.unwrap();
            made.push(account);
        }
        (store, made)
    }

    fn request(owner: Owner, config: Value) -> UpsertRequest {
        UpsertRequest { trigger: "demo_thing_created".into(), owner, config }
    }

    #[tokio::test]
    async fn upsert_checks_the_owner_and_the_config_and_keeps_one_instance_per_identity() {
        let toolkit = demo();
        let types = TriggerTypes::new([&toolkit]);
        let (store, accounts) =
            store_with(&[("ada", "demo"), ("ada", "other"), ("bob", "demo"), ("bob", "demo")]).await;
        let good = json!({"project": "abc", "signing_secret": "s1"});
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);

        let first =
            upsert(&types, &store, request(Owner::Account(accounts[0].id.clone()), good.clone()), t0).await.unwrap();
        assert_eq!(first.trigger.as_str(), "DEMO_THING_CREATED");
        assert!(first.id.as_str().starts_with("ti_"));
        // By user: ada's one demo account; the same identity, so the same instance.
        let again = upsert(&types, &store, request(Owner::User(UserId::new("ada")), good.clone()), t0).await.unwrap();
        assert_eq!(again.id, first.id);
        let listed = ActiveTrigger::of(&again, &types);
        assert_eq!(
            listed.trigger_config,
            serde_json::from_value::<Map<String, Value>>(json!({"project": "abc", "signing_secret": REDACTED}))
                .unwrap()
        );
        assert_eq!(listed.version, "20261122_00");

        let err = |r: Result<TriggerInstance, TriggerError>| r.unwrap_err();
        let wrong =
            err(upsert(&types, &store, request(Owner::Account(accounts[1].id.clone()), good.clone()), t0).await);
        assert!(matches!(wrong, TriggerError::WrongToolkit { .. }), "{wrong}");
        let unknown =
            err(upsert(&types, &store, request(Owner::Account("ca_gone".parse().unwrap()), good.clone()), t0).await);
        assert_eq!(unknown.kind(), toolsmith_core::ErrorKind::NotFound);
        let bobs = upsert(&types, &store, request(Owner::User(UserId::new("bob")), good.clone()), t0).await.unwrap();
        assert_eq!(bobs.account.as_ref(), Some(&accounts[2].id), "a user's first active account");
        let none = err(upsert(&types, &store, request(Owner::User(UserId::new("cy")), good.clone()), t0).await);
        assert!(none.to_string().contains("no active demo account"), "{none}");
        let bad =
            err(upsert(&types, &store, request(Owner::Account(accounts[0].id.clone()), json!({"project": 5})), t0)
                .await);
        assert!(bad.to_string().contains("trigger_config/project"), "{bad}");
        assert!(bad.to_string().contains("trigger_config/signing_secret: is required"), "{bad}");
        let mut typo = request(Owner::Account(accounts[0].id.clone()), good);
        typo.trigger = "DEMO_THING".into();
        let typo = err(upsert(&types, &store, typo, t0).await);
        assert!(typo.fix().contains("DEMO_THING_CREATED"), "{}", typo.fix());

        let all =
            store.trigger_instances(&TriggerFilter { include_disabled: true, ..Default::default() }).await.unwrap();
        assert_eq!(all.len(), 2, "failed upserts store nothing");
    }
}
