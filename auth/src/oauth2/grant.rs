//! One token request, sent with the `oauth2` crate: the refresh-token and
//! client-credentials grants, as a toolkit's `oauth2` scheme describes them.
//!
//! The crate builds the request (grant parameters, client authentication basic or in the
//! body) and reads the answer (status, content type, RFC 6749 error responses). Its HTTP
//! client is a function of ours around `reqwest`, which
//! - re-encodes the form body as a JSON object for `token_body: json` providers (the
//!   crate only writes form bodies),
//! - refuses redirects (a redirected token request would carry the client secret and
//!   refresh token to another URL),
//! - notes the response status, which the crate's errors do not keep, to tell a 503 from
//!   a 400, and caps the response at 1 MiB.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::{Duration, SystemTime};

use ::oauth2::basic::{
    BasicErrorResponse, BasicErrorResponseType, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use ::oauth2::{
    AccessToken, AuthType, AuthorizationCode, ClientId, ClientSecret, HttpRequest, HttpResponse, PkceCodeVerifier,
    RedirectUrl, RefreshToken, RequestTokenError, Scope, StandardRevocableToken, TokenUrl,
};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use toolsmith_spec::{ClientAuthMethod, OAuth2, TokenBodyFormat};

use toolsmith_store::{AccountStatus, AuthConfig, ConnectedAccount, OAuth2Tokens};

/// The largest token response read.
const MAX_RESPONSE: usize = 1 << 20;
/// Token parameters the grant itself sets: a spec's `token_params` cannot override them.
const RESERVED_PARAMS: [&str; 8] =
    ["grant_type", "refresh_token", "client_id", "client_secret", "scope", "code", "redirect_uri", "code_verifier"];

/// Which grant to send.
#[derive(Clone, Copy)]
pub(super) enum Grant<'a> {
    /// `grant_type=refresh_token` with this refresh token.
    Refresh(&'a SecretString),
    /// `grant_type=client_credentials` asking for these scopes.
    ClientCredentials(&'a [String]),
    /// `grant_type=authorization_code`: the code the provider sent to `redirect_uri`,
    /// with the PKCE verifier when a challenge was sent.
    AuthorizationCode { code: &'a SecretString, redirect_uri: &'a str, verifier: Option<&'a SecretString> },
}

/// Everything one token request needs.
pub(super) struct TokenRequest<'a> {
    pub scheme: &'a OAuth2,
    pub config: &'a AuthConfig,
    /// The token endpoint, templated already.
    pub url: &'a str,
    pub grant: Grant<'a>,
    /// Secrets to blank out of text the server sends back (the current access token).
    pub also_secret: Option<&'a SecretString>,
}

/// The tokens a successful answer carried (`Debug` shows no secret).
#[derive(Debug)]
pub(super) struct Granted {
    pub access_token: SecretString,
    pub refresh_token: Option<SecretString>,
    pub token_type: Option<String>,
    pub expires_in: Option<Duration>,
    pub scopes: Option<Vec<String>>,
}

/// Why a token request failed, by what the caller must do about it.
#[derive(Debug)]
pub(super) enum Failure {
    /// The grant is dead (`invalid_grant`, `invalid_client`, `unauthorized_client`): the
    /// user must reconnect.
    Permanent(String),
    /// May pass by itself (5xx, 429, timeout, connection refused, malformed answer).
    Transient(String),
    /// Refused for a reason reconnecting does not fix (`invalid_scope`, a redirect…).
    Refused(String),
    /// No request could be built.
    Config(String),
}

/// Sends one token request; `timeout` bounds the whole exchange.
pub(super) async fn request(
    http: &reqwest::Client,
    req: TokenRequest<'_>,
    timeout: Duration,
) -> Result<Granted, Failure> {
    let client_id = req.config.client_id.as_deref().filter(|id| !id.is_empty()).ok_or_else(|| {
        Failure::Config(format!(
            "auth config {} has no OAuth client id; set the client id and secret of the auth config",
            req.config.id
        ))
    })?;
    let token_url = TokenUrl::new(req.url.to_owned())
        .map_err(|e| Failure::Config(format!("the token URL `{}` is not a valid URL ({e})", req.url)))?;
    let auth_type = match req.scheme.client_auth {
        ClientAuthMethod::Basic => AuthType::BasicAuth,
        ClientAuthMethod::Body => AuthType::RequestBody,
    };
    let mut client = Client::new(ClientId::new(client_id.to_owned())).set_token_uri(token_url).set_auth_type(auth_type);
    if let Some(secret) = &req.config.client_secret {
        client = client.set_client_secret(ClientSecret::new(secret.expose_secret().to_owned()));
    }
    let extra: Vec<(&str, &str)> = req
        .scheme
        .token_params
        .iter()
        .filter(|(name, _)| !RESERVED_PARAMS.contains(&name.as_str()))
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();

    let send = Sender { http, json: req.scheme.token_body == TokenBodyFormat::Json, status: AtomicU16::new(0) };
    let answer = match req.grant {
        Grant::Refresh(token) => {
            let token = RefreshToken::new(token.expose_secret().to_owned());
            let mut exchange = client.exchange_refresh_token(&token);
            for (name, value) in &extra {
                exchange = exchange.add_extra_param(*name, *value);
            }
            tokio::time::timeout(timeout, exchange.request_async(&send)).await
        }
        Grant::ClientCredentials(scopes) => {
            let mut exchange = client.exchange_client_credentials();
            let joined = scopes.join(&req.scheme.scopes.separator);
            if !joined.is_empty() {
                exchange = exchange.add_extra_param("scope", joined);
            }
            for (name, value) in &extra {
                exchange = exchange.add_extra_param(*name, *value);
            }
            tokio::time::timeout(timeout, exchange.request_async(&send)).await
        }
        Grant::AuthorizationCode { code, redirect_uri, verifier } => {
            let redirect = RedirectUrl::new(redirect_uri.to_owned())
                .map_err(|e| Failure::Config(format!("the redirect URI `{redirect_uri}` is not a valid URL ({e})")))?;
            let client = client.set_redirect_uri(redirect);
            let mut exchange = client.exchange_code(AuthorizationCode::new(code.expose_secret().to_owned()));
            if let Some(verifier) = verifier {
                exchange = exchange.set_pkce_verifier(PkceCodeVerifier::new(verifier.expose_secret().to_owned()));
            }
            for (name, value) in &extra {
                exchange = exchange.add_extra_param(*name, *value);
            }
            tokio::time::timeout(timeout, exchange.request_async(&send)).await
        }
    };
    let status = send.status.load(Ordering::SeqCst);
    let secrets = request_secrets(&req, client_id);
    match answer {
        Err(_) => {
            Err(Failure::Transient(format!("the token endpoint did not answer within {} s", timeout.as_secs_f32())))
        }
        Ok(Ok(raw)) => raw.extract(req.scheme).map_err(Failure::Transient),
        Ok(Err(err)) => Err(classify(err, status, &secrets)),
    }
}

/// The `oauth2` client: the crate's basic types with a lenient token response.
type Client = ::oauth2::Client<
    BasicErrorResponse,
    RawTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
>;

/// Why our HTTP function failed.
#[derive(Debug, thiserror::Error)]
enum HttpFailure {
    #[error("{0}")]
    Transport(String),
    #[error("the token endpoint redirected ({status}) to `{location}`; set the scheme's token URL to the final URL")]
    Redirect { status: u16, location: String },
    #[error("the token endpoint's answer is larger than {} bytes", MAX_RESPONSE)]
    TooLarge,
}

/// The HTTP client the crate sends through: see the module doc.
struct Sender<'a> {
    http: &'a reqwest::Client,
    /// Whether the body goes as JSON.
    json: bool,
    /// The status of the last response (0 before one came).
    status: AtomicU16,
}

impl<'c> ::oauth2::AsyncHttpClient<'c> for Sender<'_> {
    type Error = HttpFailure;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, HttpFailure>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.send(request))
    }
}

impl Sender<'_> {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, HttpFailure> {
        let request = if self.json { form_to_json(request) } else { request };
        let request = reqwest::Request::try_from(request)
            .map_err(|e| HttpFailure::Transport(format!("cannot build the token request: {}", chain(&e))))?;
        let mut response =
            self.http.execute(request).await.map_err(|e| HttpFailure::Transport(transport_message(&e)))?;
        self.status.store(response.status().as_u16(), Ordering::SeqCst);
        if response.status().is_redirection() {
            let location = response
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .map(|l| l.split(['?', '#']).next().unwrap_or_default().to_owned())
                .unwrap_or_default();
            return Err(HttpFailure::Redirect { status: response.status().as_u16(), location });
        }
        let mut builder = ::oauth2::http::Response::builder().status(response.status());
        for (name, value) in response.headers() {
            builder = builder.header(name, value);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| HttpFailure::Transport(transport_message(&e)))? {
            if body.len() + chunk.len() > MAX_RESPONSE {
                return Err(HttpFailure::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        builder.body(body).map_err(|e| HttpFailure::Transport(format!("cannot read the token endpoint's answer: {e}")))
    }
}

/// The crate's form body as a JSON object of strings, for `token_body: json`.
fn form_to_json(request: HttpRequest) -> HttpRequest {
    let (mut parts, body) = request.into_parts();
    let object: Map<String, Value> = ::oauth2::url::form_urlencoded::parse(&body)
        .map(|(name, value)| (name.into_owned(), Value::String(value.into_owned())))
        .collect();
    parts
        .headers
        .insert(::oauth2::http::header::CONTENT_TYPE, ::oauth2::http::HeaderValue::from_static("application/json"));
    let body = serde_json::to_vec(&object).unwrap_or_default();
    ::oauth2::http::Request::from_parts(parts, body)
}

/// A transport error as text: what failed, without the request's body or headers.
fn transport_message(err: &reqwest::Error) -> String {
    let what = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "could not connect"
    } else {
        "failed"
    };
    format!("the token request {what}: {}", chain(err))
}

/// An error and its sources, joined by `: `.
fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// The secrets a request carries, as they may come back in an answer: plain, form
/// encoded, and the HTTP basic credential the crate builds from the client id and secret.
fn request_secrets(req: &TokenRequest<'_>, client_id: &str) -> Vec<String> {
    use base64::Engine as _;
    let encode = |s: &str| ::oauth2::url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let mut plain: Vec<&str> = Vec::new();
    if let Some(secret) = &req.config.client_secret {
        let secret = secret.expose_secret();
        plain.push(secret);
    }
    match req.grant {
        Grant::Refresh(token) => plain.push(token.expose_secret()),
        Grant::AuthorizationCode { code, verifier, .. } => {
            plain.push(code.expose_secret());
            plain.extend(verifier.map(|v| v.expose_secret()));
        }
        Grant::ClientCredentials(_) => {}
    }
    if let Some(token) = req.also_secret {
        plain.push(token.expose_secret());
    }
    let mut secrets: Vec<String> = Vec::new();
    for secret in plain {
        secrets.push(secret.to_owned());
        secrets.push(encode(secret));
    }
    if let Some(secret) = &req.config.client_secret {
        let credential = format!("{}:{}", encode(client_id), encode(secret.expose_secret()));
        secrets.push(base64::engine::general_purpose::STANDARD.encode(credential));
    }
    secrets
}

/// Sorts a failed exchange into [`Failure`] by OAuth error code and HTTP status.
fn classify(err: RequestTokenError<HttpFailure, BasicErrorResponse>, status: u16, secrets: &[String]) -> Failure {
    let by_status = |what: &str| {
        if status >= 500 || status == 429 || status == 408 {
            Failure::Transient(format!("the token endpoint answered HTTP {status}{what}"))
        } else if status == 200 {
            Failure::Transient(format!("the token endpoint's answer is not a token response{what}"))
        } else {
            Failure::Refused(format!("the token endpoint answered HTTP {status}{what}"))
        }
    };
    match err {
        RequestTokenError::ServerResponse(answer) => {
            let code = answer.error().as_ref().to_owned();
            let description =
                answer.error_description().map(|d| format!(": {}", scrub(d, secrets))).unwrap_or_default();
            let reason = format!("{}{description}", scrub(&code, secrets));
            if status >= 500 || status == 429 {
                return Failure::Transient(format!("the token endpoint answered HTTP {status} ({reason})"));
            }
            match answer.error() {
                BasicErrorResponseType::InvalidGrant
                | BasicErrorResponseType::InvalidClient
                | BasicErrorResponseType::UnauthorizedClient => Failure::Permanent(reason),
                BasicErrorResponseType::Extension(code)
                    if code == "temporarily_unavailable" || code == "server_error" =>
                {
                    Failure::Transient(format!("the token endpoint answered {reason}"))
                }
                _ => Failure::Refused(reason),
            }
        }
        RequestTokenError::Request(HttpFailure::Redirect { status, location }) => {
            Failure::Refused(HttpFailure::Redirect { status, location: scrub(&location, secrets) }.to_string())
        }
        RequestTokenError::Request(failure) => Failure::Transient(scrub(&failure.to_string(), secrets)),
        // Parse errors carry the body, which may hold tokens: only where it broke is kept.
        RequestTokenError::Parse(err, _) => {
            let json = err.inner();
            by_status(&format!(" (not JSON of the expected shape at line {} column {})", json.line(), json.column()))
        }
        RequestTokenError::Other(message) => by_status(&format!(" ({})", scrub(&message, secrets))),
    }
}

/// Server text made safe for errors and status reasons: at most 200 characters, no
/// control characters, every secret of the request blanked out.
fn scrub(text: &str, secrets: &[String]) -> String {
    let mut text: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    for secret in secrets.iter().filter(|s| s.len() >= 4) {
        text = text.replace(secret, "[redacted]");
    }
    if text.chars().count() > 200 {
        text = text.chars().take(200).collect::<String>() + "…";
    }
    text
}

/// A token endpoint's JSON answer, read leniently: `token_type` may be missing,
/// `expires_in` may be a string, the tokens may sit under the scheme's `token_path`.
/// The [`::oauth2::TokenResponse`] view is of the top level; [`RawTokenResponse::extract`]
/// reads what the scheme says.
#[derive(Clone, Deserialize, Serialize)]
#[serde(from = "Value", into = "Value")]
pub(super) struct RawTokenResponse {
    body: Value,
    access_token: AccessToken,
    refresh_token: Option<RefreshToken>,
    expires_in: Option<Duration>,
    scopes: Option<Vec<Scope>>,
    token_type: BasicTokenType,
}

impl std::fmt::Debug for RawTokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RawTokenResponse { .. }")
    }
}

impl From<Value> for RawTokenResponse {
    fn from(body: Value) -> Self {
        let top = Fields::read(body.as_object());
        RawTokenResponse {
            access_token: AccessToken::new(top.access_token.clone().unwrap_or_default()),
            refresh_token: top.refresh_token.clone().map(RefreshToken::new),
            expires_in: top.expires_in,
            scopes: top.scope(" ").map(|s| s.into_iter().map(Scope::new).collect()),
            token_type: match top.token_type.as_deref() {
                Some(t) if !t.eq_ignore_ascii_case("bearer") => BasicTokenType::Extension(t.to_owned()),
                _ => BasicTokenType::Bearer,
            },
            body,
        }
    }
}

impl From<RawTokenResponse> for Value {
    fn from(raw: RawTokenResponse) -> Self {
        raw.body
    }
}

impl ::oauth2::TokenResponse for RawTokenResponse {
    type TokenType = BasicTokenType;

    fn access_token(&self) -> &AccessToken {
        &self.access_token
    }
    fn token_type(&self) -> &BasicTokenType {
        &self.token_type
    }
    fn expires_in(&self) -> Option<Duration> {
        self.expires_in
    }
    fn refresh_token(&self) -> Option<&RefreshToken> {
        self.refresh_token.as_ref()
    }
    fn scopes(&self) -> Option<&Vec<Scope>> {
        self.scopes.as_ref()
    }
}

impl RawTokenResponse {
    /// The tokens where the scheme's `token_path` (`$.authed_user`) says, else at the top.
    fn extract(&self, scheme: &OAuth2) -> Result<Granted, String> {
        let mut object = self.body.as_object();
        if let Some(path) = scheme.token_path.as_deref() {
            let steps = path.trim_start_matches('$').split('.').filter(|s| !s.is_empty());
            for step in steps {
                object = object.and_then(|o| o.get(step)).and_then(Value::as_object);
            }
            if object.is_none() {
                return Err(format!("the token endpoint's answer has no object at `{path}` (the scheme's token_path)"));
            }
        }
        if object.is_none() {
            return Err("the token endpoint's answer is not a JSON object".to_owned());
        }
        let fields = Fields::read(object);
        let scopes = fields.scope(&scheme.scopes.separator);
        let access_token = fields
            .access_token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| "the token endpoint's answer has no access_token".to_owned())?;
        Ok(Granted {
            access_token: SecretString::from(access_token),
            refresh_token: fields.refresh_token.filter(|t| !t.is_empty()).map(SecretString::from),
            token_type: fields.token_type,
            expires_in: fields.expires_in,
            scopes,
        })
    }
}

/// The RFC 6749 §5.1 fields of one JSON object.
#[derive(Default)]
struct Fields {
    access_token: Option<String>,
    refresh_token: Option<String>,
    token_type: Option<String>,
    expires_in: Option<Duration>,
    scope: Option<String>,
}

impl Fields {
    fn read(object: Option<&Map<String, Value>>) -> Fields {
        let Some(object) = object else { return Fields::default() };
        let text = |name: &str| object.get(name).and_then(Value::as_str).map(str::to_owned);
        // Ten years: longer lifetimes are nonsense and would overflow time arithmetic.
        let expires_in = match object.get("expires_in") {
            Some(Value::Number(n)) => n.as_f64(),
            Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
            _ => None,
        }
        .filter(|secs| secs.is_finite() && *secs > 0.0)
        .map(|secs| Duration::from_secs_f64(secs.min(10.0 * 365.0 * 86_400.0)));
        Fields {
            access_token: text("access_token"),
            refresh_token: text("refresh_token"),
            token_type: text("token_type"),
            expires_in,
            scope: text("scope"),
        }
    }

    /// The granted scopes, split on white space and the scheme's separator.
    fn scope(&self, separator: &str) -> Option<Vec<String>> {
        let scope = self.scope.as_deref()?;
        let mut scopes = Vec::new();
        for part in scope.split_whitespace() {
            let pieces: Box<dyn Iterator<Item = &str>> = if separator.trim().is_empty() {
                Box::new(std::iter::once(part))
            } else {
                Box::new(part.split(separator))
            };
            scopes.extend(pieces.filter(|p| !p.is_empty()).map(str::to_owned));
        }
        Some(scopes)
    }
}

/// The account with the granted tokens: the old refresh token and scopes are kept when
/// the answer has none.
pub(super) fn renew(mut account: ConnectedAccount, granted: Granted) -> ConnectedAccount {
    let now = SystemTime::now();
    let old = account.credentials.oauth2.take();
    let token_type = match granted.token_type {
        Some(t) if t.eq_ignore_ascii_case("bearer") => "Bearer".to_owned(),
        Some(t) if !t.is_empty() => t,
        _ => old.as_ref().map_or_else(|| "Bearer".to_owned(), |o| o.token_type.clone()),
    };
    let (old_refresh, old_scopes) = old.map_or((None, Vec::new()), |o| (o.refresh_token, o.scopes));
    account.credentials.oauth2 = Some(OAuth2Tokens {
        access_token: granted.access_token,
        refresh_token: granted.refresh_token.or(old_refresh),
        token_type,
        expires_at: granted.expires_in.and_then(|d| now.checked_add(d)),
        scopes: granted.scopes.unwrap_or(old_scopes),
    });
    account.status = AccountStatus::Active;
    account.status_reason = None;
    account.updated_at = now;
    account
}

/// Fills `{field}` placeholders of a token URL from the account's connection fields.
/// Values must be URL-safe (letters, digits, `-`, `.`, `_`, `~`) so a field cannot move
/// the request to another host or path.
pub(super) fn template(url: &str, fields: &BTreeMap<String, String>) -> Result<String, String> {
    let mut out = String::with_capacity(url.len());
    let mut rest = url;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or_else(|| format!("the token URL `{url}` has an unclosed `{{`"))?;
        let name = &after[..close];
        let value = fields.get(name).ok_or_else(|| {
            format!("the token URL `{url}` needs the connection field `{name}`, which the account does not have; reconnect the account with that field")
        })?;
        if value.is_empty() || !value.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b)) {
            return Err(format!(
                "the connection field `{name}` has characters a token URL cannot take (letters, digits, `-`, `.`, `_`, `~` only)"
            ));
        }
        out.push_str(value);
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_fill_fields_and_refuse_unsafe_values() {
        let fields =
            BTreeMap::from([("subdomain".to_owned(), "acme".to_owned()), ("bad".to_owned(), "x/y".to_owned())]);
        assert_eq!(
            template("https://{subdomain}.example.com/oauth/token", &fields).unwrap(),
            "https://acme.example.com/oauth/token"
        );
        assert_eq!(template("https://example.com/token", &fields).unwrap(), "https://example.com/token");
        assert!(template("https://{region}.example.com", &fields).unwrap_err().contains("`region`"));
        assert!(template("https://{bad}.example.com", &fields).unwrap_err().contains("`bad`"));
        assert!(template("https://{subdomain.example.com", &fields).unwrap_err().contains("unclosed"));
    }

    #[test]
    fn scrub_blanks_secrets_and_bounds_length() {
        let text = format!("token abcd1234 is bad\n{}", "x".repeat(300));
        let clean = scrub(&text, &["abcd1234".to_owned(), "ab".to_owned()]);
        assert!(clean.starts_with("token [redacted] is bad x"));
        assert_eq!(clean.chars().count(), 201);
    }

    #[test]
    fn lenient_token_responses() {
        let scheme: OAuth2 = serde_json::from_value(serde_json::json!({
            "token_url": "https://example.com/token",
            "token_path": "$.authed_user",
            "scopes": { "separator": "," }
        }))
        .unwrap();
        let raw = RawTokenResponse::from(serde_json::json!({
            "access_token": "bot",
            "authed_user": { "access_token": "user", "expires_in": "3600", "scope": "a,b c" }
        }));
        let granted = raw.extract(&scheme).unwrap();
        assert_eq!(granted.access_token.expose_secret(), "user");
        assert_eq!(granted.expires_in, Some(Duration::from_secs(3600)));
        assert_eq!(granted.scopes.unwrap(), ["a", "b", "c"]);
        assert!(granted.refresh_token.is_none() && granted.token_type.is_none());

        let top: OAuth2 =
            serde_json::from_value(serde_json::json!({ "token_url": "https://example.com/token" })).unwrap();
        assert!(RawTokenResponse::from(serde_json::json!({ "token_type": "bearer" })).extract(&top).is_err());
        assert!(RawTokenResponse::from(serde_json::json!([1])).extract(&top).is_err());
        assert!(RawTokenResponse::from(serde_json::json!({ "x": 1 }))
            .extract(&scheme)
            .unwrap_err()
            .contains("token_path"));
        let negative = RawTokenResponse::from(serde_json::json!({ "access_token": "t", "expires_in": -5 }));
        assert_eq!(negative.extract(&top).unwrap().expires_in, None);
        assert_eq!(format!("{negative:?}"), "RawTokenResponse { .. }");
    }

    #[test]
    fn json_bodies_carry_the_form_fields() {
        let request = ::oauth2::http::Request::builder()
            .uri("https://example.com/token")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(b"grant_type=refresh_token&refresh_token=a%2Bb".to_vec())
            .unwrap();
        let request = form_to_json(request);
        assert_eq!(request.headers()["content-type"], "application/json");
        let body: Value = serde_json::from_slice(request.body()).unwrap();
        assert_eq!(body, serde_json::json!({ "grant_type": "refresh_token", "refresh_token": "a+b" }));
    }
}
