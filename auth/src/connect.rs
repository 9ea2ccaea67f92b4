//! Connecting an account with a static credential (an API key, a token, a user and
//! password, connection fields): checks the values against the toolkit's auth scheme,
//! finds or creates the toolkit's auth config for the scheme, and stores an ACTIVE
//! connected account. OAuth 2.0 accounts connect through the authorization flow instead.

use std::collections::BTreeMap;
use std::time::SystemTime;

use secrecy::{ExposeSecret, SecretString};
use toolsmith_spec::{AuthScheme, Toolkit};

use toolsmith_core::ErrorKind;
use toolsmith_store::{AccountStatus, AuthConfig, ConnectedAccount, Credentials, Store, StoreError};

use toolsmith_core::{AuthConfigId, ConnectedAccountId, UserId};

/// What to connect: a user's static credential for one toolkit.
///
/// ```
/// use secrecy::SecretString;
/// let request = toolsmith::auth::StaticCredential {
///     scheme: Some("api_key".into()),
///     values: [("api_key".to_owned(), SecretString::from("k-123"))].into(),
///     ..toolsmith::auth::StaticCredential::new("ada")
/// };
/// # let _ = request;
/// ```
#[derive(Debug)]
pub struct StaticCredential {
    /// The user the account belongs to.
    pub user_id: UserId,
    /// The scheme (`api_key`, `bearer`, `basic`, `none`); by default the toolkit's
    /// `none` scheme (connection fields only).
    pub scheme: Option<String>,
    /// Connection field values by name (`api_key`, `token`, `username`, `password`,
    /// `subdomain`…); secret ones are encrypted at rest.
    pub values: BTreeMap<String, SecretString>,
    /// A name for the account, unique for the user and toolkit.
    pub alias: Option<String>,
    /// The auth config to connect with; by default the toolkit's enabled config for
    /// the scheme, created on first use.
    pub auth_config: Option<AuthConfigId>,
}

impl StaticCredential {
    /// A credential of `user` with no values yet.
    pub fn new(user: impl Into<String>) -> Self {
        StaticCredential {
            user_id: UserId::new(user),
            scheme: None,
            values: BTreeMap::new(),
            alias: None,
            auth_config: None,
        }
    }
}

/// Why an account could not be connected. Messages never contain a secret value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectError {
    /// The toolkit has no such scheme.
    #[error("toolkit `{toolkit}` has no `{scheme}` scheme; it offers: {}", .offered.join(", "))]
    NoScheme {
        /// The toolkit.
        toolkit: String,
        /// The scheme asked for.
        scheme: String,
        /// The schemes it has.
        offered: Vec<String>,
    },
    /// No scheme was given and the toolkit needs a credential.
    #[error("toolkit `{toolkit}` needs a credential; give one for a scheme it offers: {}", .offered.join(", "))]
    CredentialNeeded {
        /// The toolkit.
        toolkit: String,
        /// The schemes it has.
        offered: Vec<String>,
    },
    /// The scheme is OAuth 2.0, which connects through the authorization flow.
    #[error("toolkit `{0}` only offers OAuth 2.0, which connects through the authorization flow in a browser, not with a static credential")]
    OAuthOnly(String),
    /// A required connection field has no value.
    #[error(
        "toolkit `{toolkit}` ({scheme} scheme) needs `{field}` ({title}{about}); give it with --field {field}=VALUE"
    )]
    MissingField {
        /// The toolkit.
        toolkit: String,
        /// The scheme.
        scheme: String,
        /// The field.
        field: String,
        /// Its label.
        title: String,
        /// `: where to find it`, or nothing.
        about: String,
    },
    /// A required or secret field given as an empty or blank value, which cannot work.
    #[error(
        "`{field}` ({title}) of toolkit `{toolkit}` is empty; give the real value (a blank {title} would be \
         stored but every call would fail)"
    )]
    Blank {
        /// The toolkit.
        toolkit: String,
        /// The field.
        field: String,
        /// Its label.
        title: String,
    },
    /// A value for a field the scheme does not have.
    #[error("`{field}` is not a connection field of toolkit `{toolkit}` ({scheme} scheme); its fields: {}", if .known.is_empty() { "none".to_owned() } else { .known.join(", ") })]
    UnknownField {
        /// The toolkit.
        toolkit: String,
        /// The scheme.
        scheme: String,
        /// The unknown field.
        field: String,
        /// The scheme's fields.
        known: Vec<String>,
    },
    /// A value that does not match its field's pattern (a secret value is not shown).
    #[error("`{field}`: {shown} does not match `{pattern}`")]
    Pattern {
        /// The field.
        field: String,
        /// The value, or `the value` for a secret.
        shown: String,
        /// The pattern.
        pattern: String,
    },
    /// The auth config named cannot be used for this toolkit and scheme.
    #[error("{0}")]
    AuthConfig(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ConnectError {
    /// What kind of failure it is, for a server to map: bad input is
    /// [`ErrorKind::InvalidArguments`], an auth config that does not fit is a
    /// [`ErrorKind::Conflict`], a store failure is [`ErrorKind::Internal`].
    ///
    /// ```
    /// use toolsmith::{auth::ConnectError, ErrorKind};
    /// assert_eq!(ConnectError::OAuthOnly("github".into()).kind(), ErrorKind::InvalidArguments);
    /// ```
    pub fn kind(&self) -> ErrorKind {
        match self {
            ConnectError::NoScheme { .. }
            | ConnectError::Blank { .. }
            | ConnectError::CredentialNeeded { .. }
            | ConnectError::OAuthOnly(_)
            | ConnectError::MissingField { .. }
            | ConnectError::UnknownField { .. }
            | ConnectError::Pattern { .. } => ErrorKind::InvalidArguments,
            ConnectError::AuthConfig(_) => ErrorKind::Conflict,
            ConnectError::Store(_) => ErrorKind::Internal,
        }
    }
}

/// Connects an account with a static credential; see [`StaticCredential`].
pub async fn connect(
    store: &dyn Store,
    toolkit: &Toolkit,
    credential: StaticCredential,
) -> Result<ConnectedAccount, ConnectError> {
    let scheme = choose_scheme(toolkit, credential.scheme.as_deref())?;
    let (fields, secrets) = split_fields(toolkit, scheme, credential.values)?;
    let auth_config = auth_config(store, toolkit, scheme, credential.auth_config.as_ref()).await?;
    let now = SystemTime::now();
    let account = ConnectedAccount {
        id: ConnectedAccountId::generate(),
        user_id: credential.user_id,
        toolkit: toolkit.slug.clone(),
        auth_config: auth_config.id,
        status: AccountStatus::Active,
        status_reason: None,
        alias: credential.alias,
        fields,
        credentials: Credentials { secrets, oauth2: None },
        created_at: now,
        updated_at: now,
    };
    store.put_account(&account).await?;
    Ok(account)
}

/// `account` with a new static credential, keeping its id, user, toolkit and creation
/// time; NOT stored: verify it if the toolkit can, then store it with
/// [`put_account`](toolsmith_store::ConnectedAccounts::put_account), so that a failed
/// check leaves the working credential in place.
///
/// The scheme is `credential.scheme`, else the one the account is connected with. With
/// the same scheme, the values given replace the stored ones of the same name and the
/// others are kept (a new API key keeps the subdomain); with another scheme, only the
/// values given count. `credential.alias`, when given, renames the account;
/// `credential.user_id` is ignored. The account comes back ACTIVE.
pub async fn updated_account(
    store: &dyn Store,
    toolkit: &Toolkit,
    account: &ConnectedAccount,
    credential: StaticCredential,
) -> Result<ConnectedAccount, ConnectError> {
    let current = store.auth_config(&account.auth_config).await?;
    let current_scheme = current.as_ref().map(|c| c.scheme.clone());
    let scheme_name = credential.scheme.or_else(|| current_scheme.clone());
    let scheme = choose_scheme(toolkit, scheme_name.as_deref())?;
    let same_scheme = current_scheme.as_deref() == Some(scheme.name());
    let mut values: BTreeMap<String, SecretString> = BTreeMap::new();
    if same_scheme {
        values.extend(account.fields.iter().map(|(k, v)| (k.clone(), SecretString::from(v.as_str()))));
        values.extend(account.credentials.secrets.iter().map(|(k, v)| (k.clone(), v.clone())));
    }
    values.extend(credential.values);
    let (fields, secrets) = split_fields(toolkit, scheme, values)?;
    let wanted_config = match (&credential.auth_config, same_scheme) {
        (Some(id), _) => Some(id.clone()),
        (None, true) => Some(account.auth_config.clone()),
        (None, false) => None,
    };
    let auth_config = auth_config(store, toolkit, scheme, wanted_config.as_ref()).await?;
    Ok(ConnectedAccount {
        auth_config: auth_config.id,
        status: AccountStatus::Active,
        status_reason: None,
        alias: credential.alias.or_else(|| account.alias.clone()),
        fields,
        credentials: Credentials { secrets, oauth2: None },
        updated_at: SystemTime::now(),
        ..account.clone()
    })
}

/// The scheme asked for, or the toolkit's `none` scheme.
fn choose_scheme<'t>(toolkit: &'t Toolkit, wanted: Option<&str>) -> Result<&'t AuthScheme, ConnectError> {
    let offered: Vec<String> = toolkit.auth.iter().map(|s| s.name().to_owned()).collect();
    match wanted {
        Some(name) => toolkit.auth.iter().find(|s| s.name() == name).ok_or_else(|| ConnectError::NoScheme {
            toolkit: toolkit.slug.to_string(),
            scheme: name.to_owned(),
            offered,
        }),
        None => toolkit.auth.iter().find(|s| matches!(s, AuthScheme::None(_))).ok_or_else(|| {
            if offered == ["oauth2"] {
                ConnectError::OAuthOnly(toolkit.slug.to_string())
            } else {
                ConnectError::CredentialNeeded { toolkit: toolkit.slug.to_string(), offered }
            }
        }),
    }
}

/// Plain connection field values by name.
type Fields = BTreeMap<String, String>;
/// Secret connection field values by name.
type Secrets = BTreeMap<String, SecretString>;

/// Plain connection fields and secrets: every required field present (or defaulted),
/// none unknown, each matching its pattern.
fn split_fields(
    toolkit: &Toolkit,
    scheme: &AuthScheme,
    mut given: BTreeMap<String, SecretString>,
) -> Result<(Fields, Secrets), ConnectError> {
    if let AuthScheme::Oauth2(_) = scheme {
        return Err(ConnectError::OAuthOnly(toolkit.slug.to_string()));
    }
    let declared = scheme.connection_fields();
    let mut fields = BTreeMap::new();
    let mut secrets = BTreeMap::new();
    for field in &declared {
        let value = match given.remove(&field.name) {
            Some(value) => value,
            None => match &field.default {
                Some(default) => SecretString::from(default.as_str()),
                None if field.required => {
                    return Err(ConnectError::MissingField {
                        toolkit: toolkit.slug.to_string(),
                        scheme: scheme.name().to_owned(),
                        field: field.name.clone(),
                        title: field.title.clone(),
                        about: field.description.as_deref().map(|d| format!(": {}", d.trim())).unwrap_or_default(),
                    })
                }
                None => continue,
            },
        };
        if (field.required || field.secret) && value.expose_secret().trim().is_empty() {
            return Err(ConnectError::Blank {
                toolkit: toolkit.slug.to_string(),
                field: field.name.clone(),
                title: field.title.clone(),
            });
        }
        if let Some(pattern) = &field.pattern {
            // The validator checks patterns compile; one that does not is not enforced.
            if matches_pattern(pattern, value.expose_secret()) == Some(false) {
                let shown = if field.secret { "the value".to_owned() } else { format!("`{}`", value.expose_secret()) };
                return Err(ConnectError::Pattern { field: field.name.clone(), shown, pattern: pattern.clone() });
            }
        }
        if field.secret {
            secrets.insert(field.name.clone(), value);
        } else {
            fields.insert(field.name.clone(), value.expose_secret().to_owned());
        }
    }
    if let Some(name) = given.keys().next() {
        return Err(ConnectError::UnknownField {
            toolkit: toolkit.slug.to_string(),
            scheme: scheme.name().to_owned(),
            field: name.clone(),
            known: declared.iter().map(|f| f.name.clone()).collect(),
        });
    }
    Ok((fields, secrets))
}

/// Whether `text` matches `pattern` (JSON Schema regular expressions, as the input
/// validator understands them); `None` when the pattern does not compile.
fn matches_pattern(pattern: &str, text: &str) -> Option<bool> {
    let schema = serde_json::json!({ "type": "string", "pattern": pattern });
    let validator = jsonschema::draft202012::new(&schema).ok()?;
    Some(validator.is_valid(&serde_json::Value::String(text.to_owned())))
}

/// The auth config named, else the toolkit's enabled config for the scheme, else a new one.
pub(crate) async fn auth_config(
    store: &dyn Store,
    toolkit: &Toolkit,
    scheme: &AuthScheme,
    wanted: Option<&AuthConfigId>,
) -> Result<AuthConfig, ConnectError> {
    if let Some(id) = wanted {
        let config = store
            .auth_config(id)
            .await?
            .ok_or_else(|| ConnectError::AuthConfig(format!("auth config {id} does not exist")))?;
        if config.toolkit != toolkit.slug || config.scheme != scheme.name() {
            return Err(ConnectError::AuthConfig(format!(
                "auth config {id} is for toolkit `{}` with the `{}` scheme, not `{}` with `{}`",
                config.toolkit,
                config.scheme,
                toolkit.slug,
                scheme.name()
            )));
        }
        return Ok(config);
    }
    let configs = store.auth_configs(Some(&toolkit.slug)).await?;
    if let Some(config) = configs.into_iter().find(|c| c.scheme == scheme.name() && !c.disabled) {
        return Ok(config);
    }
    let config = AuthConfig {
        id: AuthConfigId::generate(),
        toolkit: toolkit.slug.clone(),
        name: format!("{} ({})", toolkit.name, scheme.name()),
        scheme: scheme.name().to_owned(),
        client_id: None,
        client_secret: None,
        scopes: Vec::new(),
        disabled: false,
        created_at: SystemTime::now(),
    };
    store.put_auth_config(&config).await?;
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;
    use toolsmith_store::{AuthConfigs, ConnectedAccounts, KeyRing, SqliteStore};

    fn toolkit(auth: &str) -> Toolkit {
        serde_yaml::from_str(&format!(
            "{{ slug: demo, name: Demo, description: A demo toolkit for tests., version: 20261122_00, \
             base_url: 'https://{{subdomain}}.example.com', auth: [{auth}] }}"
        ))
        .unwrap()
    }

    fn credential(scheme: Option<&str>, values: &[(&str, &str)]) -> StaticCredential {
        StaticCredential {
            scheme: scheme.map(str::to_owned),
            values: values.iter().map(|(k, v)| (k.to_string(), SecretString::from(*v))).collect(),
            ..StaticCredential::new("ada")
        }
    }

    /// Issue 12, item 5: empty or blank keys, tokens and passwords (`:` as basic auth)
    /// are refused instead of becoming ACTIVE accounts.
    #[tokio::test]
    async fn blank_credentials_are_refused() {
        let store = SqliteStore::in_memory(KeyRing::generate().unwrap()).unwrap();
        let cases = [
            ("{ scheme: api_key, in: header, name: X-Key }", "api_key", vec![("api_key", "")]),
            ("{ scheme: bearer }", "bearer", vec![("token", "  \t")]),
            ("{ scheme: basic }", "basic", vec![("username", ""), ("password", "")]),
        ];
        for (auth, scheme, values) in cases {
            let err = connect(&store, &toolkit(auth), credential(Some(scheme), &values)).await.unwrap_err();
            assert!(matches!(err, ConnectError::Blank { .. }), "{scheme}: {err}");
            assert!(err.to_string().contains("is empty; give the real value"), "{err}");
            assert_eq!(err.kind(), ErrorKind::InvalidArguments);
        }
        assert!(store.accounts(&Default::default()).await.unwrap().is_empty(), "nothing was stored");
    }

    #[tokio::test]
    async fn fields_are_checked_and_split_into_plain_and_secret() {
        let store = SqliteStore::in_memory(KeyRing::generate().unwrap()).unwrap();
        let toolkit = toolkit(
            "{ scheme: api_key, in: header, name: X-Key, fields: [{ name: api_key, title: Key, secret: true, pattern: '^k-' }, \
             { name: subdomain, title: Subdomain, description: 'The part before .example.com' }] }",
        );
        let missing = connect(&store, &toolkit, credential(Some("api_key"), &[("api_key", "k-1")])).await.unwrap_err();
        assert_eq!(
            missing.to_string(),
            "toolkit `demo` (api_key scheme) needs `subdomain` (Subdomain: The part before .example.com); \
             give it with --field subdomain=VALUE"
        );
        let bad =
            connect(&store, &toolkit, credential(Some("api_key"), &[("api_key", "secret-x"), ("subdomain", "a")]))
                .await
                .unwrap_err();
        assert_eq!(bad.to_string(), "`api_key`: the value does not match `^k-`", "a secret value is never shown");
        let unknown = connect(
            &store,
            &toolkit,
            credential(Some("api_key"), &[("api_key", "k-1"), ("subdomain", "a"), ("x", "1")]),
        )
        .await
        .unwrap_err();
        assert!(unknown.to_string().contains("`x` is not a connection field"), "{unknown}");

        let account =
            connect(&store, &toolkit, credential(Some("api_key"), &[("api_key", "k-1"), ("subdomain", "acme")]))
                .await
                .unwrap();
        assert_eq!(account.fields["subdomain"], "acme");
        assert_eq!(account.credentials.secret("api_key"), Some("k-1"));
        assert_eq!(account.status, AccountStatus::Active);
        // A second account reuses the toolkit's auth config for the scheme.
        let again = connect(&store, &toolkit, credential(Some("api_key"), &[("api_key", "k-2"), ("subdomain", "b")]))
            .await
            .unwrap();
        assert_eq!(again.auth_config, account.auth_config);
        assert_eq!(store.auth_configs(None).await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn schemes() {
        let store = SqliteStore::in_memory(KeyRing::generate().unwrap()).unwrap();
        let oauth = toolkit("{ scheme: oauth2, token_url: 'https://example.com/token' }");
        let err = connect(&store, &oauth, credential(None, &[])).await.unwrap_err();
        assert!(matches!(err, ConnectError::OAuthOnly(_)), "{err}");
        let bearer = toolkit("{ scheme: bearer }");
        let err = connect(&store, &bearer, credential(Some("basic"), &[])).await.unwrap_err();
        assert_eq!(err.to_string(), "toolkit `demo` has no `basic` scheme; it offers: bearer");
        let err = connect(&store, &bearer, credential(None, &[])).await.unwrap_err();
        assert_eq!(err.to_string(), "toolkit `demo` needs a credential; give one for a scheme it offers: bearer");
        let account = connect(&store, &bearer, credential(Some("bearer"), &[("token", "t")])).await.unwrap();
        assert_eq!(account.credentials.secret("token"), Some("t"));
    }

    /// Issue 12, item 17: an update keeps the account's id, replaces the values given,
    /// keeps the others of the same scheme, and is not stored by itself.
    #[tokio::test]
    async fn an_update_keeps_the_id_and_the_values_not_given() {
        let store = SqliteStore::in_memory(KeyRing::generate().unwrap()).unwrap();
        let toolkit = toolkit(
            "{ scheme: api_key, in: header, name: X-Key, fields: [{ name: api_key, title: Key, secret: true }, \
             { name: subdomain, title: Subdomain }] }, { scheme: bearer }",
        );
        let mut first = credential(Some("api_key"), &[("api_key", "k-1"), ("subdomain", "acme")]);
        first.alias = Some("work".into());
        let account = connect(&store, &toolkit, first).await.unwrap();

        let update = credential(None, &[("api_key", "k-2")]);
        let updated = updated_account(&store, &toolkit, &account, update).await.unwrap();
        assert_eq!(
            (&updated.id, &updated.auth_config, updated.alias.as_deref()),
            (&account.id, &account.auth_config, Some("work"))
        );
        assert_eq!(updated.credentials.secret("api_key"), Some("k-2"));
        assert_eq!(updated.fields["subdomain"], "acme", "a value not given is kept");
        let stored = store.account(&account.id).await.unwrap().unwrap();
        assert_eq!(stored.credentials.secret("api_key"), Some("k-1"), "not stored by itself");

        let bearer =
            updated_account(&store, &toolkit, &account, credential(Some("bearer"), &[("token", "t")])).await.unwrap();
        assert_eq!(bearer.id, account.id);
        assert_ne!(bearer.auth_config, account.auth_config, "another scheme, another auth config");
        assert!(bearer.fields.is_empty() && bearer.credentials.secret("api_key").is_none());
        let err = updated_account(&store, &toolkit, &account, credential(None, &[("api_key", " ")])).await.unwrap_err();
        assert!(matches!(err, ConnectError::Blank { .. }), "{err}");
    }
}
