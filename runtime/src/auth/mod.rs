//! Authentication of requests: which connected account a call uses, and how its
//! credentials go into the request (API key in a header or the query, bearer token,
//! basic auth, OAuth 2.0 access token, connection fields in the base URL and headers).
//! OAuth 2.0 token refresh is in [`oauth2`]; [`connect`] stores an account with a static
//! credential.

pub(crate) mod cache;
mod connect;
pub mod oauth2;

pub use connect::{connect, ConnectError, StaticCredential};

use std::borrow::Cow;

use base64::Engine as _;
use reqwest::header::{HeaderName, HeaderValue, AUTHORIZATION};
use secrecy::ExposeSecret;
use toolsmith_catalog::{placeholders, AuthScheme, KeyLocation, Toolkit};

use toolsmith_core::Remedy;

use crate::store::{AccountFilter, AccountStatus, AuthConfig, ConnectedAccount, Store, StoreError};
use crate::{ConnectedAccountId, Error, UserId};

/// What is written in place of a secret in dry runs and logs.
pub const REDACTED: &str = "[REDACTED]";

/// Whether calls of `toolkit` need a connected account: every scheme but `none`, and
/// `none` schemes that declare connection fields (a subdomain in the base URL).
pub(crate) fn needs_account(toolkit: &Toolkit) -> bool {
    !toolkit.auth.iter().any(|s| matches!(s, AuthScheme::None(n) if n.fields.is_empty()))
}

/// The account a call of `toolkit` for `user` uses: the one asked for (which must belong
/// to the user and the toolkit and be ACTIVE), else the user's only ACTIVE account of the
/// toolkit. Several active accounts without a choice is an error that lists them.
pub(crate) async fn select_account(
    store: &dyn Store,
    slug: &str,
    toolkit: &Toolkit,
    user: &UserId,
    wanted: Option<&ConnectedAccountId>,
) -> Result<ConnectedAccount, Error> {
    let auth = |message: String, remedy: Option<Remedy>| Error::Auth {
        slug: slug.to_owned(),
        message,
        remedy: remedy.map(Box::new),
        source: None,
    };
    let store_error = |e: StoreError| Error::Store {
        slug: slug.to_owned(),
        message: format!("could not read the connected accounts: {e}"),
        source: Some(Box::new(e)),
    };
    let connect = format!("toolsmith accounts connect --user {user} --toolkit {}", toolkit.slug);
    let connect_remedy = || Remedy::ConnectAccount { user: user.clone(), toolkit: toolkit.slug.as_str().to_owned() };
    if let Some(id) = wanted {
        let account = store.account(id).await.map_err(store_error)?;
        let Some(account) = account else {
            return Err(auth(
                format!("connected account {id} does not exist; list them with `toolsmith accounts list`"),
                Some(connect_remedy()),
            ));
        };
        if account.user_id != *user || account.toolkit != toolkit.slug {
            return Err(auth(
                format!(
                    "connected account {id} belongs to user `{}` and toolkit `{}`, not to user `{user}` and toolkit `{}`",
                    account.user_id, account.toolkit, toolkit.slug
                ),
                Some(connect_remedy()),
            ));
        }
        return usable(account, &connect, slug);
    }
    let filter =
        AccountFilter { user_id: Some(user.clone()), toolkit: Some(toolkit.slug.clone()), ..Default::default() };
    let accounts = store.accounts(&filter).await.map_err(store_error)?;
    let (mut active, other): (Vec<_>, Vec<_>) = accounts.into_iter().partition(|a| a.status == AccountStatus::Active);
    match active.len() {
        1 => Ok(active.remove(0)),
        0 => match other.into_iter().last() {
            Some(account) => usable(account, &connect, slug),
            None => Err(auth(
                format!(
                    "user `{user}` has no connected account for `{}`; connect one with `{connect} ...`",
                    toolkit.slug
                ),
                Some(connect_remedy()),
            )),
        },
        n => Err(auth(
            format!(
                "user `{user}` has {n} active accounts for `{}` ({}); choose one with `--account` (`account` in the API)",
                toolkit.slug,
                active.iter().map(describe).collect::<Vec<_>>().join(", ")
            ),
            Some(Remedy::ChooseAccount { accounts: active.iter().map(|a| a.id.clone()).collect() }),
        )),
    }
}

/// An account with its alias, for messages: `ca_x (work)`.
fn describe(account: &ConnectedAccount) -> String {
    match &account.alias {
        Some(alias) => format!("{} ({alias})", account.id),
        None => account.id.to_string(),
    }
}

/// The account if it can be used; else why not and how to fix it.
fn usable(account: ConnectedAccount, connect: &str, slug: &str) -> Result<ConnectedAccount, Error> {
    if account.status == AccountStatus::Active {
        return Ok(account);
    }
    let reason = account.status_reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default();
    Err(Error::Auth {
        slug: slug.to_owned(),
        message: format!(
            "connected account {} is {}{reason}; reconnect it with `{connect} ...`",
            describe(&account),
            account.status
        ),
        remedy: Some(Box::new(Remedy::ReconnectAccount {
            user: account.user_id.clone(),
            toolkit: account.toolkit.as_str().to_owned(),
            account: account.id.clone(),
        })),
        source: None,
    })
}

/// A connection field the call needs is missing from the account ([`fill`]'s error).
pub(crate) fn field_error(slug: &str, toolkit: &Toolkit, message: String) -> Error {
    Error::Auth {
        slug: slug.to_owned(),
        message,
        remedy: Some(Box::new(Remedy::SetConnectionFields {
            toolkit: toolkit.slug.as_str().to_owned(),
            fields: Vec::new(),
        })),
        source: None,
    }
}

/// The toolkit's auth scheme an auth config uses.
pub(crate) fn scheme_of<'a>(toolkit: &'a Toolkit, config: &AuthConfig) -> Result<&'a AuthScheme, String> {
    toolkit.auth.iter().find(|s| s.name() == config.scheme).ok_or_else(|| {
        let offered = toolkit.auth.iter().map(AuthScheme::name).collect::<Vec<_>>().join(", ");
        format!(
            "auth config {} uses the `{}` scheme, which toolkit `{}` does not offer (it offers: {offered})",
            config.id, config.scheme, toolkit.slug
        )
    })
}

/// Fills `{field}` placeholders from the account's connection fields (plain ones and
/// secrets), or the scheme's field defaults. Unknown fields are reported by name.
pub(crate) fn fill<'a>(
    template: &'a str,
    scheme: Option<&AuthScheme>,
    account: &ConnectedAccount,
) -> Result<Cow<'a, str>, String> {
    if placeholders(template).next().is_none() {
        return Ok(Cow::Borrowed(template));
    }
    let mut out = template.to_owned();
    let mut missing = Vec::new();
    for name in placeholders(template) {
        let value =
            account.fields.get(name).map(String::as_str).or_else(|| account.credentials.secret(name)).or_else(|| {
                let declared = scheme?.declared_fields().iter().find(|f| f.name == name)?;
                declared.default.as_deref()
            });
        match value {
            Some(value) => out = out.replace(&format!("{{{name}}}"), value),
            None => missing.push(format!("`{name}`")),
        }
    }
    if missing.is_empty() {
        Ok(Cow::Owned(out))
    } else {
        Err(format!(
            "connected account {} has no connection field {}; set it with `toolsmith accounts connect ... --field NAME=VALUE`",
            account.id,
            missing.join(", ")
        ))
    }
}

/// Adds the account's credentials to `request` as `scheme` says. Header values are
/// marked sensitive (hidden from `Debug`); returns the names of query parameters that
/// carry a secret, for redaction.
pub(crate) fn inject(
    request: &mut reqwest::Request,
    scheme: &AuthScheme,
    account: &ConnectedAccount,
) -> Result<Vec<String>, String> {
    let mut secret_query = Vec::new();
    match scheme {
        AuthScheme::None(_) => {}
        AuthScheme::ApiKey(key) => {
            let value = fill(&key.value, Some(scheme), account)?;
            match key.location {
                KeyLocation::Header => {
                    let name = HeaderName::from_bytes(key.name.as_bytes())
                        .map_err(|_| format!("the API key header name `{}` is not a valid header name", key.name))?;
                    request.headers_mut().insert(name, sensitive(&value)?);
                }
                KeyLocation::Query => {
                    request.url_mut().query_pairs_mut().append_pair(&key.name, &value);
                    secret_query.push(key.name.clone());
                }
            }
        }
        AuthScheme::Bearer(_) => {
            let token = fill("{token}", Some(scheme), account)?;
            request.headers_mut().insert(AUTHORIZATION, sensitive(&format!("Bearer {token}"))?);
        }
        AuthScheme::Basic(basic) => {
            let user = fill(basic.username.as_deref().unwrap_or("{username}"), Some(scheme), account)?;
            let password = fill(basic.password.as_deref().unwrap_or("{password}"), Some(scheme), account)?;
            let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
            request.headers_mut().insert(AUTHORIZATION, sensitive(&format!("Basic {encoded}"))?);
        }
        AuthScheme::Oauth2(_) => {
            let Some(tokens) = &account.credentials.oauth2 else {
                return Err(format!("connected account {} has no OAuth 2.0 tokens; reconnect it", describe(account)));
            };
            let kind = if tokens.token_type.eq_ignore_ascii_case("bearer") || tokens.token_type.is_empty() {
                "Bearer"
            } else {
                tokens.token_type.as_str()
            };
            let value = format!("{kind} {}", tokens.access_token.expose_secret());
            request.headers_mut().insert(AUTHORIZATION, sensitive(&value)?);
        }
    }
    Ok(secret_query)
}

/// A header value hidden from `Debug` output.
fn sensitive(value: &str) -> Result<HeaderValue, String> {
    let mut value = HeaderValue::from_str(value)
        .map_err(|_| "a credential contains a line break or another character headers cannot carry".to_owned())?;
    value.set_sensitive(true);
    Ok(value)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::time::SystemTime;

    use secrecy::SecretString;

    use super::*;
    use crate::store::Credentials;
    use crate::AuthConfigId;

    fn account(fields: &[(&str, &str)], secrets: &[(&str, &str)]) -> ConnectedAccount {
        ConnectedAccount {
            id: ConnectedAccountId::parse("ca_test").unwrap(),
            user_id: UserId::new("u"),
            toolkit: toolsmith_catalog::ToolkitSlug::new("demo"),
            auth_config: AuthConfigId::parse("ac_test").unwrap(),
            status: AccountStatus::Active,
            status_reason: None,
            alias: None,
            fields: fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            credentials: Credentials {
                secrets: secrets
                    .iter()
                    .map(|(k, v)| (k.to_string(), SecretString::from(*v)))
                    .collect::<BTreeMap<_, _>>(),
                oauth2: None,
            },
            created_at: SystemTime::now(),
            updated_at: SystemTime::now(),
        }
    }

    fn request() -> reqwest::Request {
        reqwest::Client::new().get("https://api.example.com/x?a=1").build().unwrap()
    }

    #[test]
    fn api_key_in_a_header_with_a_template() {
        let scheme: AuthScheme =
            serde_yaml::from_str("{ scheme: api_key, in: header, name: Authorization, value: 'Token {api_key}' }")
                .unwrap();
        let mut req = request();
        let hidden = inject(&mut req, &scheme, &account(&[], &[("api_key", "k-123")])).unwrap();
        assert!(hidden.is_empty());
        let value = &req.headers()["authorization"];
        assert_eq!(value.to_str().unwrap(), "Token k-123");
        assert!(value.is_sensitive());
        assert!(!format!("{req:?}").contains("k-123"));
    }

    #[test]
    fn api_key_in_the_query_is_reported_for_redaction() {
        let scheme: AuthScheme = serde_yaml::from_str("{ scheme: api_key, in: query, name: key }").unwrap();
        let mut req = request();
        let hidden = inject(&mut req, &scheme, &account(&[], &[("api_key", "k 1")])).unwrap();
        assert_eq!(hidden, ["key"]);
        assert_eq!(req.url().query(), Some("a=1&key=k+1"));
    }

    #[test]
    fn basic_and_bearer() {
        let basic: AuthScheme = serde_yaml::from_str("{ scheme: basic, username: '{email}/token' }").unwrap();
        let mut req = request();
        inject(&mut req, &basic, &account(&[("email", "a@b.c")], &[("password", "pw")])).unwrap();
        assert_eq!(req.headers()["authorization"], "Basic YUBiLmMvdG9rZW46cHc=");
        let bearer: AuthScheme = serde_yaml::from_str("{ scheme: bearer }").unwrap();
        let mut req = request();
        inject(&mut req, &bearer, &account(&[], &[("token", "t0")])).unwrap();
        assert_eq!(req.headers()["authorization"], "Bearer t0");
    }

    #[test]
    fn missing_fields_are_named() {
        let bearer: AuthScheme = serde_yaml::from_str("{ scheme: bearer }").unwrap();
        let err = inject(&mut request(), &bearer, &account(&[], &[])).unwrap_err();
        assert_eq!(
            err,
            "connected account ca_test has no connection field `token`; set it with \
             `toolsmith accounts connect ... --field NAME=VALUE`"
        );
        let filled = fill("https://{subdomain}.example.com", None, &account(&[("subdomain", "acme")], &[])).unwrap();
        assert_eq!(filled, "https://acme.example.com");
    }
}
