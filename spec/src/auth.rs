//! Auth schemes: how a toolkit's requests are authenticated.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One way to authenticate against a toolkit's API.
///
/// ```
/// use toolsmith_spec::AuthScheme;
/// let scheme: AuthScheme = serde_yaml::from_str("{ scheme: api_key, in: header, name: X-Api-Key }").unwrap();
/// assert_eq!(scheme.name(), "api_key");
/// assert_eq!(scheme.connection_fields()[0].name, "api_key");
/// ```
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "scheme", rename_all = "snake_case")]
pub enum AuthScheme {
    /// OAuth 2.0: authorization code (with or without PKCE) or client credentials.
    Oauth2(Box<OAuth2>),
    /// A static key sent in a header or the query string.
    ApiKey(ApiKey),
    /// A static token sent as `Authorization: Bearer <token>`.
    Bearer(Bearer),
    /// HTTP basic auth.
    Basic(Basic),
    /// No authentication.
    None(NoAuth),
}

impl AuthScheme {
    /// The scheme's name as written in YAML (`oauth2`, `api_key`, …).
    pub fn name(&self) -> &'static str {
        match self {
            AuthScheme::Oauth2(_) => "oauth2",
            AuthScheme::ApiKey(_) => "api_key",
            AuthScheme::Bearer(_) => "bearer",
            AuthScheme::Basic(_) => "basic",
            AuthScheme::None(_) => "none",
        }
    }

    /// The fields a user supplies when connecting, with the scheme's implied ones
    /// (`api_key`, `token`, `username`/`password`) when none are declared.
    pub fn connection_fields(&self) -> Vec<ConnectionField> {
        let implied: &[(&str, &str, bool)] = match self {
            AuthScheme::Oauth2(_) | AuthScheme::None(_) => &[],
            AuthScheme::ApiKey(_) => &[("api_key", "API key", true)],
            AuthScheme::Bearer(_) => &[("token", "Token", true)],
            AuthScheme::Basic(_) => &[("username", "Username", false), ("password", "Password", true)],
        };
        let mut fields = self.declared_fields().clone();
        for (name, title, secret) in implied {
            if !fields.iter().any(|f| f.name == *name) {
                fields.push(ConnectionField::implied(name, title, *secret));
            }
        }
        fields
    }

    /// The base URL requests use with this scheme: its own override, else `toolkit_base`.
    ///
    /// ```
    /// use toolsmith_spec::AuthScheme;
    /// let scheme: AuthScheme = serde_yaml::from_str("{ scheme: bearer }").unwrap();
    /// assert_eq!(scheme.base_url("https://api.example.com"), "https://api.example.com");
    /// ```
    pub fn base_url<'a>(&'a self, toolkit_base: &'a str) -> &'a str {
        match self {
            AuthScheme::Oauth2(a) => a.base_url.as_deref().unwrap_or(toolkit_base),
            _ => toolkit_base,
        }
    }

    /// The connection fields the spec declares (without the implied ones).
    pub fn declared_fields(&self) -> &Vec<ConnectionField> {
        match self {
            AuthScheme::Oauth2(a) => &a.fields,
            AuthScheme::ApiKey(a) => &a.fields,
            AuthScheme::Bearer(a) => &a.fields,
            AuthScheme::Basic(a) => &a.fields,
            AuthScheme::None(a) => &a.fields,
        }
    }

    /// The declared connection fields, to change them.
    pub fn declared_fields_mut(&mut self) -> &mut Vec<ConnectionField> {
        match self {
            AuthScheme::Oauth2(a) => &mut a.fields,
            AuthScheme::ApiKey(a) => &mut a.fields,
            AuthScheme::Bearer(a) => &mut a.fields,
            AuthScheme::Basic(a) => &mut a.fields,
            AuthScheme::None(a) => &mut a.fields,
        }
    }

    /// The request that tests a credential, if the spec gives one.
    pub fn verify(&self) -> Option<&Verification> {
        match self {
            AuthScheme::Oauth2(a) => a.verify.as_ref(),
            AuthScheme::ApiKey(a) => a.verify.as_ref(),
            AuthScheme::Bearer(a) => a.verify.as_ref(),
            AuthScheme::Basic(a) => a.verify.as_ref(),
            AuthScheme::None(_) => None,
        }
    }
}

/// OAuth 2.0 settings.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OAuth2 {
    /// The grant used to obtain tokens.
    #[serde(default)]
    pub grant: OAuth2Grant,
    /// Where the user is sent to authorize (required for `authorization_code`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authorization_url: Option<String>,
    /// Where codes, client credentials and refresh tokens are exchanged for tokens.
    pub token_url: String,
    /// Where refresh tokens are exchanged, when it is not `token_url`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_url: Option<String>,
    /// Whether to send a PKCE challenge (RFC 7636).
    #[serde(default = "yes")]
    pub pkce: bool,
    /// Scopes requested by default and those available.
    #[serde(default)]
    pub scopes: Scopes,
    /// Extra query parameters of the authorization URL (`access_type: offline`).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub authorize_params: IndexMap<String, String>,
    /// Extra parameters of the token request.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub token_params: IndexMap<String, String>,
    /// Encoding of the token request body.
    #[serde(default)]
    pub token_body: TokenBodyFormat,
    /// How the client authenticates to the token endpoint.
    #[serde(default)]
    pub client_auth: ClientAuthMethod,
    /// JSON path of the access token when it is not at the top of the token response
    /// (Slack user tokens: `$.authed_user`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_path: Option<String>,
    /// Base URL used instead of the toolkit's when a user connects with this scheme,
    /// for APIs whose OAuth tokens go to another host (Atlassian 3LO:
    /// `https://api.atlassian.com/ex/jira/{cloud_id}`). May use this scheme's fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// Extra connection fields (e.g. `subdomain` for templated URLs).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<ConnectionField>,
    /// A request that tests the credential.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<Verification>,
}

fn yes() -> bool {
    true
}

/// OAuth 2.0 grant type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OAuth2Grant {
    /// The user is redirected to authorize; a code is exchanged for tokens.
    #[default]
    AuthorizationCode,
    /// Machine-to-machine: the client's own credentials are exchanged for a token.
    ClientCredentials,
}

/// OAuth scopes.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scopes {
    /// Requested when an auth config names none.
    #[serde(default)]
    pub default: Vec<String>,
    /// Every scope the API knows, for auth-config authors.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub available: Vec<String>,
    /// Joins scopes in the authorization URL (a space by default; Slack uses `,`).
    #[serde(default = "space")]
    pub separator: String,
}

impl Default for Scopes {
    fn default() -> Self {
        Scopes { default: Vec::new(), available: Vec::new(), separator: space() }
    }
}

fn space() -> String {
    " ".to_owned()
}

/// Encoding of the token request body.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TokenBodyFormat {
    /// `application/x-www-form-urlencoded`, as RFC 6749 says.
    #[default]
    Form,
    /// `application/json` (Notion, some others).
    Json,
}

/// How the OAuth client authenticates to the token endpoint.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClientAuthMethod {
    /// HTTP basic with client id and secret.
    #[default]
    Basic,
    /// `client_id` and `client_secret` in the request body.
    Body,
}

/// An API key in a header or the query string; with `also`, several keys sent together.
///
/// ```
/// use toolsmith_spec::AuthScheme;
/// let trello: AuthScheme = serde_yaml::from_str(
///     "{ scheme: api_key, in: query, name: key, also: [{ in: query, name: token, value: '{token}' }],
///        fields: [{ name: api_key, title: Key, secret: true }, { name: token, title: Token, secret: true }] }",
/// ).unwrap();
/// let AuthScheme::ApiKey(key) = &trello else { unreachable!() };
/// assert_eq!(key.also[0].name, "token");
/// ```
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiKey {
    /// Where the key goes.
    #[serde(rename = "in")]
    pub location: KeyLocation,
    /// Header or query parameter name.
    pub name: String,
    /// Value template over connection fields; `{api_key}` by default (`Bearer {api_key}`).
    #[serde(default = "api_key_template")]
    pub value: String,
    /// Further keys sent with this one on every request, for APIs that need several at
    /// once (Trello: `key` and `token` query parameters). Each names its own field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub also: Vec<ExtraKey>,
    /// Connection fields; one secret `api_key` when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<ConnectionField>,
    /// A request that tests the credential.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<Verification>,
}

fn api_key_template() -> String {
    "{api_key}".to_owned()
}

/// A further key of an [`ApiKey`] scheme, sent with the first one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtraKey {
    /// Where the key goes.
    #[serde(rename = "in")]
    pub location: KeyLocation,
    /// Header or query parameter name.
    pub name: String,
    /// Value template over connection fields (`{token}`).
    pub value: String,
}

impl ApiKey {
    /// Every key the scheme sends, the first one first: where, under which name, and
    /// the value template.
    pub fn keys(&self) -> impl Iterator<Item = (KeyLocation, &str, &str)> {
        std::iter::once((self.location, self.name.as_str(), self.value.as_str()))
            .chain(self.also.iter().map(|k| (k.location, k.name.as_str(), k.value.as_str())))
    }
}

/// Where an API key goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum KeyLocation {
    /// A request header.
    Header,
    /// A query-string parameter.
    Query,
}

/// A bearer token (a personal access token, a bot token…).
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Bearer {
    /// Connection fields; one secret `token` when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<ConnectionField>,
    /// A request that tests the credential.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<Verification>,
}

/// HTTP basic auth.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Basic {
    /// Template of the user name over connection fields; `{username}` by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Template of the password; `{password}` by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// Connection fields; `username` and a secret `password` when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<ConnectionField>,
    /// A request that tests the credential.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verify: Option<Verification>,
}

/// No authentication; fields may still be needed for templated URLs.
#[derive(Clone, Debug, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoAuth {
    /// Connection fields (e.g. a subdomain).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<ConnectionField>,
}

/// A value the user supplies when connecting an account.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectionField {
    /// Name used in templates (`{subdomain}`).
    pub name: String,
    /// Label shown on the Connect Link form.
    pub title: String,
    /// Where to find the value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Whether the value is a secret: encrypted at rest, never printed.
    #[serde(default)]
    pub secret: bool,
    /// Regular expression the value must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// Whether the user must supply it.
    #[serde(default = "yes")]
    pub required: bool,
    /// Value used when the user gives none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

impl ConnectionField {
    fn implied(name: &str, title: &str, secret: bool) -> Self {
        ConnectionField {
            name: name.to_owned(),
            title: title.to_owned(),
            description: None,
            secret,
            pattern: None,
            required: true,
            default: None,
        }
    }
}

/// A cheap request that succeeds only with a valid credential.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Verification {
    /// HTTP method.
    #[serde(default)]
    pub method: super::Method,
    /// Path relative to the base URL.
    pub path: String,
    /// Status that means the credential works (200 when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect_status: Option<u16>,
}
