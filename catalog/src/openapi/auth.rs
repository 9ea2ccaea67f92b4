//! Security schemes → auth schemes.
//!
//! `components.securitySchemes` becomes the toolkit's `auth` list, the scheme most
//! operations require first (a Connect Link offers the first scheme by default).
//! API keys required together become one scheme sending each (`keys::combine`).
//! What the runtime cannot do is skipped with a warning: API keys in cookies, HTTP
//! schemes other than basic and bearer, the implicit and password OAuth flows, other
//! schemes required together, and OpenID Connect (its endpoints come from a discovery
//! document we cannot fetch at import time).

use indexmap::IndexMap;
use serde_json::{Map, Value};

use toolsmith_spec::pointer;

use super::document::resolve_internal;
use super::keys;
use super::names::title;
use super::text::clean;
use super::usage::usage;
use super::ImportWarning;
use crate::{
    ApiKey, AuthScheme, Basic, Bearer, ClientAuthMethod, ConnectionField, KeyLocation, OAuth2, OAuth2Grant, Scopes,
    TokenBodyFormat,
};

/// OAuth scopes are all requested by default up to this many; beyond, none are
/// (an auth config then names the scopes it wants).
const MAX_DEFAULT_SCOPES: usize = 10;

/// The auth schemes of an OpenAPI 3.x document (`components.securitySchemes`), most
/// used first; empty when the API declares none.
pub(crate) fn schemes(document: &Value, warnings: &mut Vec<ImportWarning>) -> Vec<AuthScheme> {
    let definitions = match document.pointer("/components/securitySchemes") {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::Object(definitions)) => definitions,
        Some(_) => {
            warnings.push(warning("/components/securitySchemes", "`securitySchemes` is not a map; ignored"));
            return Vec::new();
        }
    };
    let usage = usage(document);
    let server = server_url(document);
    let mut converted: Vec<Candidate<'_>> = Vec::new();
    let mut openid = Vec::new();
    for (index, (name, definition)) in definitions.iter().enumerate() {
        let pointer = format!("/components/securitySchemes/{}", pointer::escape(name));
        let Some(definition) = resolve_internal(document, definition) else {
            warnings.push(warning(&pointer, format!("security scheme `{name}` is a `$ref` that does not resolve")));
            continue;
        };
        let Some(definition) = definition.as_object() else {
            warnings.push(warning(&pointer, format!("security scheme `{name}` is not an object; skipped")));
            continue;
        };
        let context = Context { name, pointer: &pointer, server: server.as_deref() };
        let schemes = match convert(&context, definition, warnings) {
            Converted::Schemes(schemes) => schemes,
            Converted::OpenIdConnect => {
                openid.push((pointer.clone(), name.clone()));
                continue;
            }
        };
        if !schemes.is_empty() {
            let uses = usage.by_scheme.get(name.as_str()).copied().unwrap_or(0);
            converted.push(Candidate { uses, position: index, schemes, names: vec![name] });
        }
    }
    // A requirement naming several schemes needs them all at once. API keys combine
    // into one scheme sending each; other schemes cannot, since a connection uses one.
    // (Google's `Oauth2` + `Oauth2c` pairs are an implicit and a code flow of one
    // provider: one of them is usable, nothing is lost.)
    let mut combined_only: Vec<&str> = Vec::new();
    let mut required_alone: Vec<&str> = Vec::new();
    for requirement in &usage.requirements {
        let members: Vec<&Candidate<'_>> =
            requirement.names.iter().filter_map(|name| converted.iter().find(|c| c.names == [name.as_str()])).collect();
        let keys: Vec<&ApiKey> = members
            .iter()
            .filter_map(|member| match member.schemes.as_slice() {
                [AuthScheme::ApiKey(key)] => Some(key),
                _ => None,
            })
            .collect();
        let names = requirement.names.iter().map(String::as_str);
        if requirement.names.len() > 1 && keys.len() == requirement.names.len() {
            if let Some(key) = keys::combine(&keys) {
                let position = members.iter().map(|m| m.position).min().unwrap_or(0);
                let names: Vec<&str> = names.collect();
                combined_only.extend(&names);
                let schemes = vec![AuthScheme::ApiKey(key)];
                converted.push(Candidate { uses: requirement.operations, position, schemes, names });
            }
            continue;
        }
        required_alone.extend(names);
        if members.len() > 1 {
            warnings.push(warning(
                &requirement.pointer,
                format!(
                    "a security requirement needs {} together; a connection uses one scheme, so only that one is sent",
                    requirement.names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(" and ")
                ),
            ));
        }
    }
    // A key that is only ever required with others is no way to connect on its own.
    converted.retain(
        |c| !matches!(c.names.as_slice(), [name] if combined_only.contains(name) && !required_alone.contains(name)),
    );
    converted.sort_by(|a, b| b.uses.cmp(&a.uses).then(a.position.cmp(&b.position)));
    let mut out: Vec<AuthScheme> = Vec::new();
    let mut seen: Vec<Value> = Vec::new();
    for scheme in converted.into_iter().flat_map(|c| c.schemes) {
        let key = serde_json::to_value(&scheme).unwrap_or(Value::Null);
        if !seen.contains(&key) {
            seen.push(key);
            out.push(scheme);
        }
    }
    if out.is_empty() {
        for (pointer, name) in openid {
            warnings.push(warning(
                &pointer,
                format!(
                    "security scheme `{name}` is OpenID Connect: its endpoints come from a discovery document that \
                     is not fetched at import time; add an `oauth2` scheme with its authorization and token URLs"
                ),
            ));
        }
    }
    out
}

/// Auth schemes made from security schemes, before they are ordered.
struct Candidate<'a> {
    /// How many operations use them.
    uses: usize,
    /// Where the (first) security scheme is defined.
    position: usize,
    /// The schemes (an OAuth 2.0 definition gives one per flow).
    schemes: Vec<AuthScheme>,
    /// The security schemes they stand for: one, or those required together.
    names: Vec<&'a str>,
}

fn warning(pointer: &str, message: impl Into<String>) -> ImportWarning {
    ImportWarning { pointer: pointer.to_owned(), message: message.into() }
}

/// The first server's URL with its variables at their defaults, if that gives an
/// absolute http(s) URL: what relative OAuth URLs resolve against.
fn server_url(document: &Value) -> Option<String> {
    let server = document.get("servers")?.as_array()?.first()?;
    let mut url = server.get("url")?.as_str()?.trim().to_owned();
    if let Some(variables) = server.get("variables").and_then(Value::as_object) {
        for (name, variable) in variables {
            if let Some(default) = variable.get("default").and_then(Value::as_str) {
                url = url.replace(&format!("{{{name}}}"), default);
            }
        }
    }
    (is_absolute(&url) && !url.contains(['{', '}'])).then(|| url.trim_end_matches('/').to_owned())
}

fn is_absolute(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    (lower.starts_with("https://") && url.len() > 8) || (lower.starts_with("http://") && url.len() > 7)
}

struct Context<'a> {
    name: &'a str,
    pointer: &'a str,
    server: Option<&'a str>,
}

impl Context<'_> {
    fn warn(&self, warnings: &mut Vec<ImportWarning>, message: impl Into<String>) {
        warnings.push(warning(self.pointer, message));
    }
}

enum Converted {
    Schemes(Vec<AuthScheme>),
    OpenIdConnect,
}

fn text<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    object.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty())
}

fn convert(context: &Context<'_>, definition: &Map<String, Value>, warnings: &mut Vec<ImportWarning>) -> Converted {
    let name = context.name;
    let description = text(definition, "description").map(|d| clean(d, 300)).filter(|d| !d.is_empty());
    let kind = text(definition, "type").unwrap_or_default().to_ascii_lowercase();
    let schemes = match kind.as_str() {
        "apikey" => api_key(context, definition, description, warnings).into_iter().collect(),
        "http" => {
            let scheme = text(definition, "scheme").unwrap_or_default().to_ascii_lowercase();
            match scheme.as_str() {
                "basic" => vec![AuthScheme::Basic(Basic::default())],
                "bearer" => {
                    let mut bearer = Bearer::default();
                    let format = text(definition, "bearerFormat");
                    if description.is_some() || format.is_some() {
                        let description = match (description, format) {
                            (Some(d), _) => d,
                            (None, Some(format)) => format!("A {format} bearer token."),
                            (None, None) => String::new(),
                        };
                        bearer.fields.push(ConnectionField {
                            name: "token".to_owned(),
                            title: "Token".to_owned(),
                            description: Some(description),
                            secret: true,
                            pattern: None,
                            required: true,
                            default: None,
                        });
                    }
                    vec![AuthScheme::Bearer(bearer)]
                }
                "" => {
                    context.warn(warnings, format!("http security scheme `{name}` has no `scheme`; skipped"));
                    Vec::new()
                }
                other => {
                    context.warn(
                        warnings,
                        format!(
                            "http security scheme `{name}` uses `{other}`; only `basic` and `bearer` are supported"
                        ),
                    );
                    Vec::new()
                }
            }
        }
        "oauth2" => oauth2(context, definition, warnings),
        "openidconnect" => return Converted::OpenIdConnect,
        "mutualtls" => {
            context.warn(warnings, format!("security scheme `{name}` is mutual TLS, which is not supported"));
            Vec::new()
        }
        "" => {
            context.warn(warnings, format!("security scheme `{name}` has no `type`; skipped"));
            Vec::new()
        }
        other => {
            context.warn(warnings, format!("security scheme `{name}` has unknown type `{other}`; skipped"));
            Vec::new()
        }
    };
    Converted::Schemes(schemes)
}

fn api_key(
    context: &Context<'_>,
    definition: &Map<String, Value>,
    description: Option<String>,
    warnings: &mut Vec<ImportWarning>,
) -> Option<AuthScheme> {
    let name = context.name;
    let Some(key_name) = text(definition, "name") else {
        context.warn(warnings, format!("apiKey security scheme `{name}` has no `name`; skipped"));
        return None;
    };
    let location = text(definition, "in").unwrap_or_default().to_ascii_lowercase();
    let (location, place) = match location.as_str() {
        "header" => (KeyLocation::Header, format!("the `{key_name}` header")),
        "query" => (KeyLocation::Query, format!("the `{key_name}` query parameter")),
        "cookie" => {
            context.warn(
                warnings,
                format!("apiKey security scheme `{name}` goes in a cookie, which is not supported; skipped"),
            );
            return None;
        }
        other => {
            context.warn(warnings, format!("apiKey security scheme `{name}` has `in: {other}`; skipped"));
            return None;
        }
    };
    let sent = format!("Sent in {place}.");
    let description = match description {
        Some(d) => format!("{d} {sent}"),
        None => format!("API key. {sent}"),
    };
    Some(AuthScheme::ApiKey(ApiKey {
        location,
        name: key_name.to_owned(),
        value: "{api_key}".to_owned(),
        also: Vec::new(),
        fields: vec![ConnectionField {
            name: "api_key".to_owned(),
            title: title(name),
            description: Some(description),
            secret: true,
            pattern: None,
            required: true,
            default: None,
        }],
        verify: None,
    }))
}

fn oauth2(
    context: &Context<'_>,
    definition: &Map<String, Value>,
    warnings: &mut Vec<ImportWarning>,
) -> Vec<AuthScheme> {
    let name = context.name;
    let Some(flows) = definition.get("flows").and_then(Value::as_object) else {
        context.warn(warnings, format!("oauth2 security scheme `{name}` has no `flows`; skipped"));
        return Vec::new();
    };
    let mut out = Vec::new();
    for (flow_name, flow) in flows {
        let grant = match flow_name.as_str() {
            "authorizationCode" | "accessCode" => OAuth2Grant::AuthorizationCode,
            "clientCredentials" | "application" => OAuth2Grant::ClientCredentials,
            "implicit" | "password" => {
                context.warn(
                    warnings,
                    format!(
                        "the `{flow_name}` flow of `{name}` is not supported (authorization code and client \
                         credentials are); skipped"
                    ),
                );
                continue;
            }
            other if other.starts_with("x-") => continue,
            other => {
                context.warn(warnings, format!("unknown OAuth flow `{other}` of `{name}`; skipped"));
                continue;
            }
        };
        let Some(flow) = flow.as_object() else {
            context.warn(warnings, format!("the `{flow_name}` flow of `{name}` is not an object; skipped"));
            continue;
        };
        if let Some(scheme) = oauth2_flow(context, flow_name, flow, grant, warnings) {
            out.push(AuthScheme::Oauth2(Box::new(scheme)));
        }
    }
    out
}

fn oauth2_flow(
    context: &Context<'_>,
    flow_name: &str,
    flow: &Map<String, Value>,
    grant: OAuth2Grant,
    warnings: &mut Vec<ImportWarning>,
) -> Option<OAuth2> {
    let name = context.name;
    let url = |key: &str, required: bool, warnings: &mut Vec<ImportWarning>| -> Result<Option<String>, ()> {
        let Some(raw) = text(flow, key) else {
            if required {
                context.warn(warnings, format!("the `{flow_name}` flow of `{name}` has no `{key}`; skipped"));
                return Err(());
            }
            return Ok(None);
        };
        match resolve_url(raw, context.server) {
            Ok(url) => Ok(Some(url)),
            Err(why) => {
                let what = if required { "the flow is skipped" } else { "it is dropped" };
                context.warn(warnings, format!("`{key}` `{raw}` of `{name}` {why}; {what}"));
                if required {
                    Err(())
                } else {
                    Ok(None)
                }
            }
        }
    };
    let authorization_url = match grant {
        OAuth2Grant::AuthorizationCode => Some(url("authorizationUrl", true, warnings).ok()??),
        OAuth2Grant::ClientCredentials => None,
    };
    let token_url = url("tokenUrl", true, warnings).ok()??;
    let refresh_url = url("refreshUrl", false, warnings).ok()?.filter(|r| *r != token_url);
    let available: Vec<String> = match flow.get("scopes") {
        Some(Value::Object(scopes)) => scopes.keys().filter(|s| !s.trim().is_empty()).cloned().collect(),
        Some(Value::Array(scopes)) => scopes.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        _ => Vec::new(),
    };
    let default = if available.len() <= MAX_DEFAULT_SCOPES { available.clone() } else { Vec::new() };
    // Templated OAuth URLs (`https://{tenant}.auth.example.com/token`) need fields.
    let mut fields: Vec<ConnectionField> = Vec::new();
    for template in
        [authorization_url.as_deref(), Some(token_url.as_str()), refresh_url.as_deref()].into_iter().flatten()
    {
        for placeholder in crate::placeholders(template) {
            if fields.iter().any(|f| f.name == placeholder) {
                continue;
            }
            if placeholder.is_empty() || super::names::identifier(placeholder, "") != placeholder {
                context.warn(
                    warnings,
                    format!(
                        "the `{flow_name}` flow of `{name}` uses `{{{placeholder}}}`, not a valid field name; skipped"
                    ),
                );
                return None;
            }
            fields.push(ConnectionField {
                name: placeholder.to_owned(),
                title: title(placeholder),
                description: Some(format!("`{{{placeholder}}}` in the OAuth URLs.")),
                secret: false,
                pattern: None,
                required: true,
                default: None,
            });
        }
    }
    Some(OAuth2 {
        grant,
        authorization_url,
        token_url,
        refresh_url,
        pkce: true,
        scopes: Scopes { default, available, separator: " ".to_owned() },
        authorize_params: IndexMap::new(),
        token_params: IndexMap::new(),
        token_body: TokenBodyFormat::default(),
        client_auth: ClientAuthMethod::default(),
        token_path: None,
        base_url: None,
        fields,
        verify: None,
    })
}

/// An absolute http(s) URL for `raw`, resolving a relative one against `server`.
fn resolve_url(raw: &str, server: Option<&str>) -> Result<String, String> {
    if raw.contains(char::is_whitespace) {
        return Err("contains white space".to_owned());
    }
    if is_absolute(raw) {
        return Ok(raw.to_owned());
    }
    if raw.contains("://") {
        return Err("is not an http(s) URL".to_owned());
    }
    if let Some(rest) = raw.strip_prefix("//") {
        return Ok(format!("https://{rest}"));
    }
    let Some(server) = server else {
        return Err("is relative and there is no absolute server URL to resolve it against".to_owned());
    };
    if raw.starts_with('/') {
        let scheme_end = server.find("://").map_or(0, |at| at + 3);
        let origin_end = server[scheme_end..].find('/').map_or(server.len(), |at| scheme_end + at);
        Ok(format!("{}{raw}", &server[..origin_end]))
    } else {
        Ok(format!("{}/{}", server.trim_end_matches('/'), raw.trim_start_matches("./")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(document: Value) -> (Vec<AuthScheme>, Vec<ImportWarning>) {
        let mut warnings = Vec::new();
        let schemes = schemes(&document, &mut warnings);
        (schemes, warnings)
    }

    fn names(schemes: &[AuthScheme]) -> Vec<&'static str> {
        schemes.iter().map(AuthScheme::name).collect()
    }

    #[test]
    fn no_schemes() {
        assert!(run(json!({})).0.is_empty());
        assert!(run(json!({ "components": {} })).0.is_empty());
        let (schemes, warnings) = run(json!({ "components": { "securitySchemes": [] } }));
        assert!(schemes.is_empty());
        assert_eq!(warnings.len(), 1);
    }

    #[test]
    fn api_keys() {
        let (schemes, warnings) = run(json!({ "components": { "securitySchemes": {
            "ApiKeyAuth": { "type": "apiKey", "in": "header", "name": "X-API-Key", "description": "Your <b>key</b>." },
            "query_key": { "type": "apiKey", "in": "query", "name": "key" },
            "cookie": { "type": "apiKey", "in": "cookie", "name": "session" },
            "nameless": { "type": "apiKey", "in": "header" }
        } } }));
        assert_eq!(names(&schemes), ["api_key", "api_key"]);
        let AuthScheme::ApiKey(header) = &schemes[0] else { panic!() };
        assert_eq!(header.location, KeyLocation::Header);
        assert_eq!(header.name, "X-API-Key");
        assert_eq!(header.value, "{api_key}");
        assert_eq!(header.fields[0].name, "api_key");
        assert_eq!(header.fields[0].title, "API key auth");
        assert!(header.fields[0].secret);
        assert_eq!(header.fields[0].description.as_deref(), Some("Your key. Sent in the `X-API-Key` header."));
        let AuthScheme::ApiKey(query) = &schemes[1] else { panic!() };
        assert_eq!(query.location, KeyLocation::Query);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert_eq!(warnings[0].pointer, "/components/securitySchemes/cookie");
    }

    #[test]
    fn http_schemes() {
        let (schemes, warnings) = run(json!({ "components": { "securitySchemes": {
            "basic": { "type": "http", "scheme": "Basic" },
            "bearer": { "type": "http", "scheme": "bearer", "bearerFormat": "JWT" },
            "plain_bearer": { "type": "http", "scheme": "bearer" },
            "digest": { "type": "http", "scheme": "digest" }
        } } }));
        assert_eq!(names(&schemes), ["basic", "bearer", "bearer"]);
        let AuthScheme::Bearer(bearer) = &schemes[1] else { panic!() };
        assert_eq!(bearer.fields[0].description.as_deref(), Some("A JWT bearer token."));
        assert_eq!(warnings.len(), 1);
    }

    #[test]
    fn oauth2_flows() {
        let (schemes, warnings) = run(json!({
            "servers": [{ "url": "https://api.example.com/v1" }],
            "components": { "securitySchemes": { "oauth": { "type": "oauth2", "flows": {
                "authorizationCode": {
                    "authorizationUrl": "https://example.com/oauth/authorize",
                    "tokenUrl": "/oauth/token",
                    "refreshUrl": "refresh",
                    "scopes": { "read": "Read", "write": "Write" }
                },
                "clientCredentials": { "tokenUrl": "https://example.com/oauth/token", "scopes": {} },
                "implicit": { "authorizationUrl": "https://example.com/a", "scopes": {} }
            } } } }
        }));
        assert_eq!(names(&schemes), ["oauth2", "oauth2"]);
        let AuthScheme::Oauth2(code) = &schemes[0] else { panic!() };
        assert_eq!(code.grant, OAuth2Grant::AuthorizationCode);
        assert_eq!(code.authorization_url.as_deref(), Some("https://example.com/oauth/authorize"));
        assert_eq!(code.token_url, "https://api.example.com/oauth/token");
        assert_eq!(code.refresh_url.as_deref(), Some("https://api.example.com/v1/refresh"));
        assert_eq!(code.scopes.available, ["read", "write"]);
        assert_eq!(code.scopes.default, ["read", "write"]);
        assert!(code.pkce);
        let AuthScheme::Oauth2(client) = &schemes[1] else { panic!() };
        assert_eq!(client.grant, OAuth2Grant::ClientCredentials);
        assert!(client.authorization_url.is_none());
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].message.contains("implicit"));
    }

    #[test]
    fn many_scopes_have_no_default() {
        let scopes: Map<String, Value> = (0..11).map(|i| (format!("s{i}"), json!("x"))).collect();
        let (schemes, _) = run(json!({ "components": { "securitySchemes": { "o": { "type": "oauth2", "flows": {
            "clientCredentials": { "tokenUrl": "https://x.example/token", "scopes": scopes }
        } } } } }));
        let AuthScheme::Oauth2(o) = &schemes[0] else { panic!() };
        assert_eq!(o.scopes.available.len(), 11);
        assert!(o.scopes.default.is_empty());
    }

    #[test]
    fn relative_oauth_urls_without_a_server_are_skipped() {
        let (schemes, warnings) = run(json!({
            "servers": [{ "url": "/v1" }],
            "components": { "securitySchemes": { "o": { "type": "oauth2", "flows": {
                "authorizationCode": { "authorizationUrl": "/authorize", "tokenUrl": "/token", "scopes": {} }
            } } } }
        }));
        assert!(schemes.is_empty());
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].message.contains("relative"), "{warnings:?}");
    }

    #[test]
    fn server_variables_resolve_relative_oauth_urls() {
        let (schemes, _) = run(json!({
            "servers": [{ "url": "https://{region}.example.com", "variables": { "region": { "default": "eu" } } }],
            "components": { "securitySchemes": { "o": { "type": "oauth2", "flows": {
                "clientCredentials": { "tokenUrl": "/token", "scopes": {} }
            } } } }
        }));
        let AuthScheme::Oauth2(o) = &schemes[0] else { panic!() };
        assert_eq!(o.token_url, "https://eu.example.com/token");
    }

    #[test]
    fn templated_oauth_urls_get_fields() {
        let (schemes, _) = run(json!({ "components": { "securitySchemes": { "o": { "type": "oauth2", "flows": {
            "authorizationCode": {
                "authorizationUrl": "https://{tenant}.auth.example.com/authorize",
                "tokenUrl": "https://{tenant}.auth.example.com/token",
                "scopes": {}
            }
        } } } } }));
        let AuthScheme::Oauth2(o) = &schemes[0] else { panic!() };
        assert_eq!(o.fields.len(), 1);
        assert_eq!(o.fields[0].name, "tenant");
    }

    #[test]
    fn ordered_by_usage() {
        let (schemes, _) = run(json!({
            "security": [{ "key": [] }],
            "paths": {
                "/a": { "get": { "security": [{ "bearer": [] }] }, "post": { "security": [{ "bearer": [] }, { "basic": [] }] } },
                "/b": { "get": {}, "put": { "security": [{ "bearer": [] }] } }
            },
            "components": { "securitySchemes": {
                "basic": { "type": "http", "scheme": "basic" },
                "key": { "type": "apiKey", "in": "header", "name": "K" },
                "bearer": { "type": "http", "scheme": "bearer" },
                "unused": { "type": "http", "scheme": "basic" }
            } }
        }));
        // bearer: 3 operations; key: the global requirement + 1 operation; basic: 1; unused: 0 (a duplicate of basic).
        assert_eq!(names(&schemes), ["bearer", "api_key", "basic"]);
    }

    #[test]
    fn combined_requirements_warn() {
        let (_, warnings) = run(json!({
            "security": [{ "key": [], "token": [] }],
            "components": { "securitySchemes": {
                "key": { "type": "apiKey", "in": "query", "name": "key" },
                "token": { "type": "http", "scheme": "bearer" }
            } }
        }));
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].pointer, "/security/0");
    }

    #[test]
    fn api_keys_required_together_become_one_scheme() {
        let (schemes, warnings) = run(json!({
            "security": [{ "key": [], "token": [] }],
            "paths": {
                "/a": { "get": {}, "put": {} },
                "/b": { "get": { "security": [{ "header": [] }] }, "post": { "security": [{ "token": [], "key": [] }] } }
            },
            "components": { "securitySchemes": {
                "header": { "type": "apiKey", "in": "header", "name": "X-Key" },
                "key": { "type": "apiKey", "in": "query", "name": "key" },
                "token": { "type": "apiKey", "in": "query", "name": "token" }
            } }
        }));
        assert!(warnings.is_empty(), "{warnings:?}");
        // `key` and `token` alone are no way to connect; the pair (4 uses) before `header` (1).
        assert_eq!(names(&schemes), ["api_key", "api_key"]);
        let AuthScheme::ApiKey(pair) = &schemes[0] else { panic!() };
        assert_eq!((pair.location, pair.name.as_str(), pair.value.as_str()), (KeyLocation::Query, "key", "{api_key}"));
        assert_eq!(pair.also.len(), 1);
        assert_eq!((pair.also[0].location, pair.also[0].name.as_str()), (KeyLocation::Query, "token"));
        assert_eq!(pair.also[0].value, "{token}");
        let fields: Vec<&str> = pair.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(fields, ["api_key", "token"]);
        assert!(pair.fields.iter().all(|f| f.secret && f.required));
        let AuthScheme::ApiKey(header) = &schemes[1] else { panic!() };
        assert!(header.also.is_empty());
    }

    #[test]
    fn keys_also_required_alone_stay_schemes_of_their_own() {
        let (schemes, _) = run(json!({
            "security": [{ "key": [], "token": [] }, { "key": [] }],
            "components": { "securitySchemes": {
                "key": { "type": "apiKey", "in": "query", "name": "key" },
                "token": { "type": "apiKey", "in": "query", "name": "token" }
            } }
        }));
        let mut keys: Vec<usize> =
            schemes.iter().map(|s| if let AuthScheme::ApiKey(k) = s { k.also.len() + 1 } else { 0 }).collect();
        keys.sort_unstable();
        assert_eq!(keys, [1, 2], "`key` alone and the pair; `token` alone is no requirement");
    }

    #[test]
    fn combinations_with_one_usable_scheme_do_not_warn() {
        let (schemes, warnings) = run(json!({
            "security": [{ "Oauth2": ["s"], "Oauth2c": ["s"] }],
            "components": { "securitySchemes": {
                "Oauth2": { "type": "oauth2", "flows": { "implicit": { "authorizationUrl": "https://a.example/auth", "scopes": { "s": "" } } } },
                "Oauth2c": { "type": "oauth2", "flows": { "authorizationCode": {
                    "authorizationUrl": "https://a.example/auth", "tokenUrl": "https://a.example/token", "scopes": { "s": "" } } } }
            } }
        }));
        assert_eq!(names(&schemes), ["oauth2"]);
        assert_eq!(warnings.len(), 1, "only the implicit flow: {warnings:?}");
    }

    #[test]
    fn openid_connect_warns_only_when_nothing_else_works() {
        let oidc = json!({ "type": "openIdConnect", "openIdConnectUrl": "https://x.example/.well-known/openid-configuration" });
        let (schemes, warnings) = run(json!({ "components": { "securitySchemes": { "oidc": oidc } } }));
        assert!(schemes.is_empty());
        assert_eq!(warnings.len(), 1);
        let (schemes, warnings) = run(json!({ "components": { "securitySchemes": {
            "oidc": oidc, "bearer": { "type": "http", "scheme": "bearer" }
        } } }));
        assert_eq!(names(&schemes), ["bearer"]);
        assert!(warnings.is_empty());
    }

    #[test]
    fn refs_to_schemes_resolve() {
        let (schemes, _) = run(json!({ "components": {
            "securitySchemes": { "a": { "$ref": "#/x-bundled/key" }, "b": { "$ref": "#/nowhere" }, "c": { "$ref": "#/components/securitySchemes/c" } }
        }, "x-bundled": { "key": { "type": "apiKey", "in": "header", "name": "K" } } }));
        assert_eq!(names(&schemes), ["api_key"]);
    }

    #[test]
    fn wrong_types_everywhere() {
        let documents = [
            json!(null),
            json!(1),
            json!({ "components": null }),
            json!({ "components": { "securitySchemes": null } }),
            json!({ "components": { "securitySchemes": { "a": null, "b": [], "c": 1, "d": { "type": 5 } } } }),
            json!({ "components": { "securitySchemes": { "a": { "type": "oauth2", "flows": [] } } } }),
            json!({ "components": { "securitySchemes": { "a": { "type": "oauth2", "flows": { "authorizationCode": 1 } } } } }),
            json!({ "components": { "securitySchemes": { "a": { "type": "oauth2", "flows": { "authorizationCode": {
                "authorizationUrl": 1, "tokenUrl": ["x"], "scopes": "read" } } } } } }),
            json!({ "components": { "securitySchemes": { "a": { "type": "oauth2", "flows": { "clientCredentials": {
                "tokenUrl": "ftp://x", "scopes": [1, "a"] } } } } } }),
            json!({ "components": { "securitySchemes": { "a": { "type": "oauth2", "flows": { "clientCredentials": {
                "tokenUrl": "https://{a-b}.x/token" } } } } } }),
            json!({ "components": { "securitySchemes": { "a": { "type": "apiKey", "in": 3, "name": "x" } } } }),
            json!({ "components": { "securitySchemes": { "a": { "type": "http", "scheme": null } } } }),
            json!({ "security": "x", "paths": { "/a": { "get": { "security": { "a": 1 } } }, "/b": 3 },
                    "components": { "securitySchemes": { "a": { "type": "http", "scheme": "basic" } } } }),
            json!({ "security": [1, null, { "a": 1 }], "servers": "x",
                    "components": { "securitySchemes": { "a": { "type": "http", "scheme": "basic" } } } }),
        ];
        for document in documents {
            let _ = run(document);
        }
    }

    #[test]
    fn url_resolution() {
        let server = Some("https://api.example.com/v1");
        assert_eq!(resolve_url("https://a.example/x", server).unwrap(), "https://a.example/x");
        assert_eq!(resolve_url("/token", server).unwrap(), "https://api.example.com/token");
        assert_eq!(resolve_url("token", server).unwrap(), "https://api.example.com/v1/token");
        assert_eq!(resolve_url("./token", server).unwrap(), "https://api.example.com/v1/token");
        assert_eq!(resolve_url("//auth.example.com/t", None).unwrap(), "https://auth.example.com/t");
        assert!(resolve_url("token", None).is_err());
        assert!(resolve_url("ftp://x", server).is_err());
        assert!(resolve_url("https://x y", server).is_err());
        assert_eq!(resolve_url("/t", Some("https://h.example")).unwrap(), "https://h.example/t");
    }
}
