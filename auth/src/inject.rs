//! How an account's credentials go into a request: API key in a header or the query,
//! bearer token, basic auth, OAuth 2.0 access token, and connection fields filling
//! `{field}` placeholders (in the base URL and headers).

use std::borrow::Cow;

use base64::Engine as _;
use reqwest::header::{HeaderName, HeaderValue, AUTHORIZATION};
use secrecy::ExposeSecret;
use toolsmith_core::{Error, Remedy};
use toolsmith_spec::{placeholders, AuthScheme, KeyLocation, Toolkit};
use toolsmith_store::ConnectedAccount;

use crate::select::describe;

/// What is written in place of a secret in dry runs and logs.
pub const REDACTED: &str = "[REDACTED]";

/// Fills `{field}` placeholders from the account's connection fields (plain ones and
/// secrets), or the scheme's field defaults. Unknown fields are reported by name.
pub fn fill<'a>(
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

/// A connection field the call needs is missing from the account ([`fill`]'s error).
pub fn field_error(slug: &str, toolkit: &Toolkit, message: String) -> Error {
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

/// Adds the account's credentials to `request` as `scheme` says. Header values are
/// marked sensitive (hidden from `Debug`); returns the names of query parameters that
/// carry a secret, for redaction.
pub fn inject(
    request: &mut reqwest::Request,
    scheme: &AuthScheme,
    account: &ConnectedAccount,
) -> Result<Vec<String>, String> {
    let mut secret_query = Vec::new();
    match scheme {
        AuthScheme::None(_) => {}
        AuthScheme::ApiKey(key) => {
            // Every key first, then the request: a missing field leaves it untouched.
            let mut keys = Vec::new();
            for (location, name, template) in key.keys() {
                keys.push((location, name, fill(template, Some(scheme), account)?));
            }
            for (location, name, value) in keys {
                match location {
                    KeyLocation::Header => {
                        let header = HeaderName::from_bytes(name.as_bytes())
                            .map_err(|_| format!("the API key header name `{name}` is not a valid header name"))?;
                        request.headers_mut().insert(header, sensitive(&value)?);
                    }
                    KeyLocation::Query => {
                        request.url_mut().query_pairs_mut().append_pair(name, &value);
                        secret_query.push(name.to_owned());
                    }
                }
            }
        }
        AuthScheme::Bearer(_) => {
            let token = fill("{token}", Some(scheme), account)?;
            request.headers_mut().insert(AUTHORIZATION, sensitive(&format!("Bearer {token}"))?);
        }
        AuthScheme::Basic(_) => {
            let encoded = basic_credentials(scheme, account)?;
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

/// The base64 of `user:password` that basic auth sends, filled from the account; empty
/// for other schemes.
pub(crate) fn basic_credentials(scheme: &AuthScheme, account: &ConnectedAccount) -> Result<String, String> {
    let AuthScheme::Basic(basic) = scheme else { return Ok(String::new()) };
    let user = fill(basic.username.as_deref().unwrap_or("{username}"), Some(scheme), account)?;
    let password = fill(basic.password.as_deref().unwrap_or("{password}"), Some(scheme), account)?;
    Ok(base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")))
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
    use toolsmith_core::{AuthConfigId, ConnectedAccountId, UserId};
    use toolsmith_store::{AccountStatus, Credentials};

    fn account(fields: &[(&str, &str)], secrets: &[(&str, &str)]) -> ConnectedAccount {
        ConnectedAccount {
            id: ConnectedAccountId::parse("ca_test").unwrap(),
            user_id: UserId::new("u"),
            toolkit: toolsmith_spec::ToolkitSlug::new("demo"),
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
    fn api_keys_sent_together_each_go_once() {
        let scheme: AuthScheme = serde_yaml::from_str(
            "{ scheme: api_key, in: query, name: key, also: [{ in: query, name: token, value: '{token}' }, \
               { in: header, name: X-Org, value: 'org {org}' }] }",
        )
        .unwrap();
        let both = account(&[("org", "acme")], &[("api_key", "k1"), ("token", "t1")]);
        let mut req = request();
        let hidden = inject(&mut req, &scheme, &both).unwrap();
        assert_eq!(hidden, ["key", "token"]);
        assert_eq!(req.url().query(), Some("a=1&key=k1&token=t1"));
        assert_eq!(req.headers()["x-org"], "org acme");
        let mut req = request();
        let err = inject(&mut req, &scheme, &account(&[("org", "acme")], &[("api_key", "k1")])).unwrap_err();
        assert!(err.contains("`token`"), "{err}");
        assert_eq!(req.url().query(), Some("a=1"), "nothing is added when a key is missing");
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
