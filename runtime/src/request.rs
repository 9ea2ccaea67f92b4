//! Building an HTTP request from a tool's binding and its (already validated) JSON
//! arguments, and reading the response.
//!
//! - path parameters are percent-encoded segments (`/` kept only with `allow_reserved`);
//! - query parameters follow their OpenAPI `style` / `explode`;
//! - headers: the toolkit's defaults, then header parameters (which win);
//! - one body: JSON (`in: body`), urlencoded with brackets (`in: form`), multipart
//!   (`in: multipart`), or the single body parameter as is when the tool declares
//!   `http.content_type`;
//! - the URL must stay on the base URL's scheme, host and port, under its path.

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};
use reqwest::Url;
use serde_json::{json, Map, Value};
use std::borrow::Cow;

use toolsmith_catalog::{placeholders, AuthScheme, Param, ParamLocation, Tool, Toolkit};

use crate::store::ConnectedAccount;
use crate::Error;
use crate::{auth, encode};
use toolsmith_core::ProxyRequest;

/// One argument bound for the body.
struct BodyValue<'a> {
    name: &'a str,
    wire: &'a str,
    param: Option<&'a Param>,
    value: &'a Value,
    location: ParamLocation,
}

/// The connected account a request is made with, and the scheme it uses.
#[derive(Clone, Copy)]
pub(crate) struct Connection<'a> {
    pub(crate) scheme: &'a AuthScheme,
    pub(crate) account: &'a ConnectedAccount,
}

/// Builds the request for `tool` with `arguments` (an object the input schema accepts).
/// Connection fields fill the base URL and the toolkit's headers; credentials are added
/// afterwards ([`crate::auth`]).
pub(crate) fn build(
    http: &reqwest::Client,
    base_override: Option<&str>,
    toolkit: &Toolkit,
    tool: &Tool,
    arguments: &Map<String, Value>,
    connection: Option<Connection<'_>>,
) -> Result<reqwest::Request, Error> {
    let slug = tool.slug.as_str();
    let spec = |message: String| Error::Spec { slug: slug.to_owned(), message };
    let mut problems: Vec<(String, String)> = Vec::new();

    let path = fill_path(tool, arguments, &mut problems)?;

    let mut query: Vec<String> = Vec::new();
    let mut headers = toolkit_headers(toolkit, slug, connection)?;

    // Arguments the schema allows without declaring them (`additionalProperties: true`)
    // go where the tool's other parameters go.
    let fallback = tool
        .input
        .properties
        .values()
        .filter_map(|p| p.location)
        .find(|l| l.is_body())
        .unwrap_or(if tool.http.method.allows_body() { ParamLocation::Body } else { ParamLocation::Query });
    let declared = tool.input.properties.iter().map(|(name, param)| (name.as_str(), Some(param)));
    let extra = arguments.keys().filter(|k| !tool.input.properties.contains_key(*k)).map(|k| (k.as_str(), None));
    let mut body_values: Vec<BodyValue<'_>> = Vec::new();
    for (name, param) in declared.chain(extra) {
        let Some(value) = arguments.get(name) else { continue };
        let location = param.and_then(|p| p.location).unwrap_or(fallback);
        let wire = param.map_or(name, |p| p.wire_name(name));
        let (style, explode, allow_reserved) =
            param.map_or((None, None, false), |p| (p.style, p.explode, p.allow_reserved));
        match location {
            ParamLocation::Path => {}
            ParamLocation::Query => encode::query_pairs(wire, value, style, explode, allow_reserved, &mut query),
            ParamLocation::Header => {
                let Some(text) = encode::header_value(value, explode) else { continue };
                let header = HeaderName::from_bytes(wire.as_bytes())
                    .map_err(|_| spec(format!("header parameter `{name}`: `{wire}` is not a valid header name")))?;
                match HeaderValue::from_str(&text) {
                    Ok(value) => {
                        headers.insert(header, value);
                    }
                    Err(_) => problems.push((
                        pointer(name),
                        "cannot be sent in a header (it contains a line break or another control character)".into(),
                    )),
                }
            }
            location => body_values.push(BodyValue { name, wire, param, value, location }),
        }
    }

    let body = body(tool, arguments, body_values, &mut problems)?;
    if !problems.is_empty() {
        return Err(Error::InvalidArguments { slug: slug.to_owned(), problems });
    }
    let base = base_url(base_override, toolkit, slug, connection)?;
    let url = url(&base, toolkit, (slug, &tool.http.path), &path, &query)?;
    let method = reqwest::Method::from_bytes(tool.http.method.as_str().as_bytes())
        .map_err(|_| spec(format!("`{}` is not an HTTP method", tool.http.method.as_str())))?;

    let mut builder = http.request(method, url);
    match body {
        Body::None => {}
        Body::Bytes { content_type, bytes } => {
            headers.insert(CONTENT_TYPE, content_type);
            builder = builder.body(bytes);
        }
        Body::Multipart(form) => {
            headers.remove(CONTENT_TYPE);
            builder = builder.multipart(form);
        }
    }
    builder.headers(headers).build().map_err(|e| transport(slug, e, None))
}

/// The body of a request, ready to send.
enum Body {
    None,
    Bytes { content_type: HeaderValue, bytes: Vec<u8> },
    Multipart(reqwest::multipart::Form),
}

/// Encodes the body parameters in the tool's body kind.
fn body(
    tool: &Tool,
    arguments: &Map<String, Value>,
    values: Vec<BodyValue<'_>>,
    problems: &mut Vec<(String, String)>,
) -> Result<Body, Error> {
    let slug = tool.slug.as_str();
    let spec = |message: String| Error::Spec { slug: slug.to_owned(), message };
    let may_have_body = tool.http.method.allows_body();
    let declares = |kind: ParamLocation| tool.input.properties.values().any(|p| p.location == Some(kind));

    if let Some(content_type) = &tool.http.content_type {
        let header = HeaderValue::from_str(content_type)
            .map_err(|_| spec(format!("http.content_type `{content_type}` is not a valid header value")))?;
        let given: Vec<&BodyValue<'_>> = values.iter().filter(|v| !v.value.is_null()).collect();
        return match given.as_slice() {
            [] => Ok(Body::None),
            [one] => {
                let bytes = match one.value {
                    Value::String(s) if one.param.is_some_and(|p| encode::is_base64_file(&p.schema)) => {
                        match encode::decode_base64(s) {
                            Ok(bytes) => bytes,
                            Err(message) => {
                                problems.push((pointer(one.name), message));
                                Vec::new()
                            }
                        }
                    }
                    Value::String(s) => s.clone().into_bytes(),
                    other => other.to_string().into_bytes(),
                };
                Ok(Body::Bytes { content_type: header, bytes })
            }
            many => Err(spec(format!(
                "the tool sends a raw `{content_type}` body, which holds one parameter, but {} were given: {}",
                many.len(),
                many.iter().map(|v| format!("`{}`", v.wire)).collect::<Vec<_>>().join(", ")
            ))),
        };
    }

    let kind = match values.first() {
        Some(first) => {
            if let Some(other) = values.iter().find(|v| v.location != first.location) {
                return Err(spec(format!(
                    "body parameters of different kinds (`{}` is {}, `{}` is {}); a request has one body",
                    first.wire,
                    first.location.as_str(),
                    other.wire,
                    other.location.as_str()
                )));
            }
            first.location
        }
        None if may_have_body && declares(ParamLocation::Body) => ParamLocation::Body,
        None if may_have_body && declares(ParamLocation::Form) => ParamLocation::Form,
        None => return Ok(Body::None),
    };
    match kind {
        ParamLocation::Form => {
            let mut pairs = Vec::new();
            for v in &values {
                encode::brackets(v.wire.to_owned(), v.value, &mut pairs);
            }
            Ok(Body::Bytes {
                content_type: HeaderValue::from_static("application/x-www-form-urlencoded"),
                bytes: encode::form_body(&pairs).into_bytes(),
            })
        }
        ParamLocation::Multipart => multipart(tool, arguments, &values, problems).map(Body::Multipart),
        _ => {
            let object: Map<String, Value> = values.iter().map(|v| (v.wire.to_owned(), v.value.clone())).collect();
            let bytes = serde_json::to_vec(&object).map_err(|e| Error::Request {
                slug: slug.to_owned(),
                message: format!("cannot encode the body: {e}"),
                source: Some(Box::new(e)),
            })?;
            Ok(Body::Bytes { content_type: HeaderValue::from_static("application/json"), bytes })
        }
    }
}

/// A `multipart/form-data` body: one part per parameter. Base64 strings
/// (`contentEncoding: base64` or `format: binary`) are file parts, named by the
/// `filename` argument when there is one; objects and arrays are JSON parts.
fn multipart(
    tool: &Tool,
    arguments: &Map<String, Value>,
    values: &[BodyValue<'_>],
    problems: &mut Vec<(String, String)>,
) -> Result<reqwest::multipart::Form, Error> {
    use reqwest::multipart::{Form, Part};
    let spec = |message: String| Error::Spec { slug: tool.slug.as_str().to_owned(), message };
    let mut form = Form::new();
    for v in values {
        let schema = v.param.map(|p| &p.schema);
        let part = match v.value {
            Value::Null => continue,
            Value::String(s) if schema.is_some_and(encode::is_base64_file) => {
                let bytes = match encode::decode_base64(s) {
                    Ok(bytes) => bytes,
                    Err(message) => {
                        problems.push((pointer(v.name), message));
                        continue;
                    }
                };
                let filename = arguments.get("filename").and_then(Value::as_str).unwrap_or(v.wire).to_owned();
                let mime = schema
                    .and_then(|s| s.get("contentMediaType"))
                    .and_then(Value::as_str)
                    .unwrap_or("application/octet-stream");
                Part::bytes(bytes)
                    .file_name(filename)
                    .mime_str(mime)
                    .map_err(|_| spec(format!("`{}`: contentMediaType `{mime}` is not a media type", v.wire)))?
            }
            Value::String(s) => Part::text(s.clone()),
            Value::Array(_) | Value::Object(_) => Part::text(v.value.to_string())
                .mime_str("application/json")
                .map_err(|_| spec("application/json is not a media type".into()))?,
            scalar => Part::text(scalar.to_string()),
        };
        form = form.part(v.wire.to_owned(), part);
    }
    Ok(form)
}

/// Fills the path template; a missing or empty value is a problem with the arguments.
fn fill_path(
    tool: &Tool,
    arguments: &Map<String, Value>,
    problems: &mut Vec<(String, String)>,
) -> Result<String, Error> {
    let slug = tool.slug.as_str();
    let template = tool.http.path.as_str();
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else { break };
        out.push_str(&rest[..start]);
        let name = &rest[start + 1..start + len];
        rest = &rest[start + len + 1..];
        let Some(param) = tool.input.properties.get(name) else {
            return Err(Error::Spec {
                slug: slug.to_owned(),
                message: format!("`{{{name}}}` in the path `{template}` is not a parameter"),
            });
        };
        let encoded = arguments
            .get(name)
            .and_then(|value| encode::path_value(name, value, param.style, param.explode, param.allow_reserved));
        match encoded {
            Some(segment) if !segment.is_empty() => out.push_str(&segment),
            Some(_) => problems.push((pointer(name), "must not be empty: it is part of the URL path".into())),
            None => problems.push((pointer(name), "is required: it is part of the URL path".into())),
        }
    }
    out.push_str(rest);
    if !out.starts_with('/') {
        out.insert(0, '/');
    }
    if out.split('/').any(|segment| segment == "." || segment == "..") {
        return Err(Error::Refused {
            slug: slug.to_owned(),
            reason: format!(
                "a path parameter is `.` or `..`, which would move the request away from `{template}`; \
                 pass the real id or name"
            ),
        });
    }
    Ok(out)
}

/// Builds a proxied request: `endpoint` relative to the toolkit's base URL (or an
/// absolute URL under it), the toolkit's headers, the given query, headers and JSON body.
pub(crate) fn build_proxy(
    http: &reqwest::Client,
    base_override: Option<&str>,
    toolkit: &Toolkit,
    slug: &str,
    proxy: &ProxyRequest,
    connection: Option<Connection<'_>>,
) -> Result<reqwest::Request, Error> {
    let refused = |reason: String| Error::Refused { slug: slug.to_owned(), reason };
    let base = base_url(base_override, toolkit, slug, connection)?;
    let endpoint = proxy.endpoint.trim();
    let (path, mut query) = if endpoint.contains("://") {
        let absolute = Url::parse(endpoint).map_err(|e| refused(format!("`{endpoint}` is not a URL ({e})")))?;
        let base_url = Url::parse(&base).map_err(|e| refused(format!("the base URL `{base}` is not a URL ({e})")))?;
        if absolute.origin() != base_url.origin() {
            return Err(refused(format!(
                "the endpoint goes to {} but toolkit `{}` only talks to {}; give a path relative to its base URL",
                absolute.origin().ascii_serialization(),
                toolkit.slug,
                base_url.origin().ascii_serialization()
            )));
        }
        let base_path = base_url.path().trim_end_matches('/');
        let Some(rest) = absolute.path().strip_prefix(base_path) else {
            return Err(refused(format!("the endpoint `{endpoint}` is not under the base URL `{base}`")));
        };
        (rest.to_owned(), absolute.query().map(|q| vec![q.to_owned()]).unwrap_or_default())
    } else {
        let (path, query) = endpoint.split_once('?').unwrap_or((endpoint, ""));
        let path = if path.starts_with('/') { path.to_owned() } else { format!("/{path}") };
        (path, if query.is_empty() { Vec::new() } else { vec![query.to_owned()] })
    };
    if path.split('/').any(|segment| segment == "." || segment == "..") {
        return Err(refused(format!("the endpoint `{endpoint}` has a `.` or `..` segment")));
    }
    for (name, value) in &proxy.query {
        query.push(url::form_urlencoded::Serializer::new(String::new()).append_pair(name, value).finish());
    }
    let url = url(&base, toolkit, (slug, &path), &path, &query)?;
    let mut headers = toolkit_headers(toolkit, slug, connection)?;
    for (name, value) in &proxy.headers {
        let bad = |what: &str| Error::InvalidArguments {
            slug: slug.to_owned(),
            problems: vec![(format!("/headers/{name}"), format!("is not a valid header {what}"))],
        };
        headers.insert(
            HeaderName::from_bytes(name.as_bytes()).map_err(|_| bad("name"))?,
            HeaderValue::from_str(value).map_err(|_| bad("value"))?,
        );
    }
    let method = reqwest::Method::from_bytes(proxy.method.as_str().as_bytes())
        .map_err(|_| refused(format!("`{}` is not an HTTP method", proxy.method.as_str())))?;
    let mut builder = http.request(method, url);
    if let Some(body) = &proxy.body {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        builder = builder.body(body.to_string());
    }
    builder.headers(headers).build().map_err(|e| transport(slug, e, None))
}

/// The toolkit's default headers, `{field}`s filled from the connection.
fn toolkit_headers(toolkit: &Toolkit, slug: &str, connection: Option<Connection<'_>>) -> Result<HeaderMap, Error> {
    let spec = |message: String| Error::Spec { slug: slug.to_owned(), message };
    let mut headers = HeaderMap::new();
    for (name, value) in &toolkit.headers {
        let header = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| spec(format!("toolkit header name `{name}` is not a valid header name")))?;
        let value = match connection {
            Some(c) if placeholders(value).next().is_some() => auth::fill(value, Some(c.scheme), c.account)
                .map_err(|message| auth::field_error(slug, toolkit, message))?,
            _ => Cow::Borrowed(value.as_str()),
        };
        let mut value = HeaderValue::from_str(&value)
            .map_err(|_| spec(format!("toolkit header `{name}` has a value that cannot be sent in a header")))?;
        // Hidden from `Debug` (and shown redacted in dry runs) when it carries a secret
        // connection field; plain fields (a workspace id) are shown as they are.
        let secret = connection.is_some_and(|c| {
            placeholders(&toolkit.headers[name.as_str()]).any(|field| c.account.credentials.secret(field).is_some())
        });
        value.set_sensitive(secret);
        headers.insert(header, value);
    }
    Ok(headers)
}

/// The base URL of the request: `base_override` (the client's for the toolkit), else the
/// toolkit's (or its auth scheme's) with `{field}`s filled from the connection. A
/// field may only fill in host labels or path segments: a value that would change the
/// URL's structure (`evil.example/`, `user@host`, `:8080`, `..`) or point a whole
/// templated host at a loopback or private address is refused.
pub(crate) fn base_url<'a>(
    base_override: Option<&'a str>,
    toolkit: &'a Toolkit,
    slug: &str,
    connection: Option<Connection<'a>>,
) -> Result<Cow<'a, str>, Error> {
    let refused = |reason: String| Error::Refused { slug: slug.to_owned(), reason };
    if let Some(url) = base_override {
        return Ok(Cow::Borrowed(url));
    }
    let template = match connection {
        Some(c) => c.scheme.base_url(&toolkit.base_url),
        None => toolkit.base_url.as_str(),
    };
    let names: Vec<&str> = placeholders(template).collect();
    if names.is_empty() {
        return Ok(Cow::Borrowed(template));
    }
    let Some(c) = connection else {
        let fields = names.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ");
        return Err(Error::Auth {
            slug: slug.to_owned(),
            message: format!(
                "the base URL `{template}` needs the connection field(s) {fields}, which come from a connected \
                 account: connect one with `toolsmith accounts connect --toolkit {} --field NAME=VALUE ...`",
                toolkit.slug
            ),
            remedy: Some(Box::new(toolsmith_core::Remedy::SetConnectionFields {
                toolkit: toolkit.slug.as_str().to_owned(),
                fields: names.iter().map(|f| (*f).to_owned()).collect(),
            })),
            source: None,
        });
    };
    for name in &names {
        let placeholder = format!("{{{name}}}");
        let value = auth::fill(&placeholder, Some(c.scheme), c.account)
            .map_err(|message| auth::field_error(slug, toolkit, message))?;
        let safe = !value.is_empty()
            && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
            && !value.contains("..")
            && !value.starts_with('.');
        if !safe {
            return Err(refused(format!(
                "connection field `{name}` fills the base URL `{template}` but is not a plain name (letters, digits, \
                 `-`, `.`, `_`); fix the account's field"
            )));
        }
    }
    let filled = auth::fill(template, Some(c.scheme), c.account)
        .map_err(|message| auth::field_error(slug, toolkit, message))?
        .into_owned();
    let host_template = template.split_once("://").map_or(template, |(_, rest)| rest);
    let host_template = host_template.split(['/', '?']).next().unwrap_or_default();
    if host_template.starts_with('{') && host_template.ends_with('}') {
        // The whole host comes from the user (a self-hosted install): no internal address.
        if let Some(host) = Url::parse(&filled).ok().and_then(|u| u.host().map(|h| h.to_owned())) {
            if internal_host(&host) {
                return Err(refused(format!(
                    "connection field `{}` makes the base URL point at {host}, an internal address",
                    &host_template[1..host_template.len() - 1]
                )));
            }
        }
    }
    Ok(Cow::Owned(filled))
}

/// Loopback, private, link-local and unspecified addresses, and `localhost`.
fn internal_host(host: &url::Host<String>) -> bool {
    match host {
        url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost") || d.ends_with(".localhost"),
        url::Host::Ipv4(ip) => ip.is_loopback() || ip.is_private() || ip.is_link_local() || ip.is_unspecified(),
        url::Host::Ipv6(ip) => {
            ip.is_loopback()
                || ip.is_unspecified()
                || (ip.segments()[0] & 0xfe00) == 0xfc00
                || (ip.segments()[0] & 0xffc0) == 0xfe80
        }
    }
}

/// The request URL: base URL + path + query, checked to stay on the base URL's origin
/// and under its path.
fn url(base: &str, toolkit: &Toolkit, (slug, shown): (&str, &str), path: &str, query: &[String]) -> Result<Url, Error> {
    let refused = |reason: String| Error::Refused { slug: slug.to_owned(), reason };
    let base_url = Url::parse(base).map_err(|e| Error::Spec {
        slug: slug.to_owned(),
        message: format!("the base URL of toolkit `{}` is not a URL ({e})", toolkit.slug),
    })?;
    if !matches!(base_url.scheme(), "http" | "https") || base_url.host().is_none() {
        return Err(Error::Spec {
            slug: slug.to_owned(),
            message: format!("the base URL of toolkit `{}` is not an http(s) URL with a host", toolkit.slug),
        });
    }
    let mut prefix = base_url.clone();
    prefix.set_query(None);
    prefix.set_fragment(None);
    let base_path = base_url.path().trim_end_matches('/');
    let mut raw = format!("{}{path}", prefix.as_str().trim_end_matches('/'));
    let mut pairs: Vec<&str> = base_url.query().filter(|q| !q.is_empty()).into_iter().collect();
    pairs.extend(query.iter().map(String::as_str));
    if !pairs.is_empty() {
        raw.push('?');
        raw.push_str(&pairs.join("&"));
    }
    let url = Url::parse(&raw).map_err(|e| refused(format!("the request URL does not parse ({e})")))?;
    let origin = base_url.origin().ascii_serialization();
    if url.scheme() != base_url.scheme()
        || url.host() != base_url.host()
        || url.port_or_known_default() != base_url.port_or_known_default()
    {
        return Err(refused(format!(
            "the request would go to {} instead of the toolkit's {origin}",
            url.origin().ascii_serialization()
        )));
    }
    if url.path() != format!("{base_path}{path}") || url.fragment().is_some() {
        return Err(refused(format!(
            "the path `{}` would be changed by URL normalization (a `.` or `..` segment, or a `?` or `#` \
             written in the spec's path); refused",
            shown
        )));
    }
    Ok(url)
}

/// What a successful response holds.
pub(crate) enum Read {
    /// JSON as is, other text as a string, nothing as `null`.
    Data(Value),
    /// Binary content, for the caller to save or inline.
    Binary,
    /// A body labelled JSON that does not parse: what is wrong with it.
    BadJson(String),
}

/// Reads a successful response body: JSON as is, other text as a string, nothing as
/// `null`; binary content is left to the caller.
pub(crate) fn read_body(content_type: &str, bytes: &[u8]) -> Read {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Read::Data(Value::Null);
    }
    let essence = content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    let json_type = essence.ends_with("/json") || essence.ends_with("+json");
    match std::str::from_utf8(bytes) {
        Ok(text) if is_textual(&essence) => {
            let start = text.trim_start();
            if json_type || start.starts_with('{') || start.starts_with('[') {
                match serde_json::from_str(text) {
                    Ok(value) => return Read::Data(value),
                    Err(e) if json_type => {
                        let begins: String = start.chars().take(80).collect();
                        return Read::BadJson(format!(
                            "the response is labelled `{essence}` but its body is not JSON ({e}); it begins `{begins}`"
                        ));
                    }
                    Err(_) => {}
                }
            }
            Read::Data(Value::String(text.to_owned()))
        }
        _ => Read::Binary,
    }
}

/// Binary content inline: `{content_type, size, base64}`.
pub(crate) fn inline_binary(content_type: &str, bytes: &[u8]) -> Value {
    json!({
        "content_type": if content_type.is_empty() { "application/octet-stream" } else { content_type },
        "size": bytes.len(),
        "base64": encode::encode_base64(bytes),
    })
}

/// Whether a media type (lower case, without parameters) is text; no type counts as text.
fn is_textual(essence: &str) -> bool {
    essence.is_empty()
        || essence.starts_with("text/")
        || ["json", "xml", "javascript", "ecmascript", "yaml", "x-www-form-urlencoded", "csv", "graphql"]
            .iter()
            .any(|t| essence.contains(t))
}

/// A transport failure, described without the URL's path and query or any header
/// (either may hold a credential).
pub(crate) fn transport(slug: &str, error: reqwest::Error, origin: Option<&str>) -> Error {
    let what = if error.is_timeout() {
        "timed out".to_owned()
    } else if error.is_connect() {
        format!("could not connect to {}", origin.unwrap_or("the server"))
    } else if error.is_redirect() {
        "too many redirects".to_owned()
    } else if error.is_body() || error.is_decode() {
        "could not read the response".to_owned()
    } else if error.is_builder() {
        "could not build the request".to_owned()
    } else {
        "could not send the request".to_owned()
    };
    let mut message = what;
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.ends_with(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    // Kept as the source without its URL: a query may carry a credential.
    let timeout = error.is_timeout();
    let source: Option<toolsmith_core::BoxError> = Some(Box::new(error.without_url()));
    if timeout {
        Error::Timeout { slug: slug.to_owned(), message, source }
    } else {
        Error::Request { slug: slug.to_owned(), message, source }
    }
}

/// The JSON pointer of a top-level argument.
fn pointer(name: &str) -> String {
    toolsmith_spec::pointer::child("", name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_another_origin() {
        let toolkit: Toolkit = serde_yaml::from_str(
            r#"
slug: demo
name: Demo
description: A demonstration toolkit.
version: 20261122_00
base_url: http://127.0.0.1:1/api
auth: [{ scheme: none }]
tools:
  - slug: DEMO_PING
    name: Ping
    description: Checks that the service answers.
    http: { method: GET, path: /ping }
    input: { type: object }
"#,
        )
        .unwrap();
        let tool = &toolkit.tools[0];
        let url = |path: &str| {
            super::url(&toolkit.base_url, &toolkit, (tool.slug.as_str(), &tool.http.path), path, &["a=1".to_owned()])
        };
        assert_eq!(url("/ping").unwrap().as_str(), "http://127.0.0.1:1/api/ping?a=1");
        let Err(Error::Refused { reason, .. }) = url("/a/%2e%2E/b") else { panic!() };
        assert_eq!(
            reason,
            "the path `/ping` would be changed by URL normalization (a `.` or `..` segment, or a `?` or `#` \
             written in the spec's path); refused"
        );
        let mut toolkit = toolkit.clone();
        toolkit.base_url = "http://127.0.0.1".into();
        let url =
            |path: &str| super::url(&toolkit.base_url, &toolkit, (tool.slug.as_str(), &tool.http.path), path, &[]);
        assert_eq!(url("//evil.example/x").unwrap().as_str(), "http://127.0.0.1//evil.example/x");
        // Paths always start with `/` when built; were one not to, the host check stops it.
        let Err(Error::Refused { reason, .. }) = url(":2/x") else { panic!() };
        assert_eq!(reason, "the request would go to http://127.0.0.1:2 instead of the toolkit's http://127.0.0.1");
        let Err(Error::Refused { reason, .. }) = url("@evil.example/x") else { panic!() };
        assert_eq!(reason, "the request would go to http://evil.example instead of the toolkit's http://127.0.0.1");
    }

    #[test]
    fn response_kinds() {
        let data = |ct: &str, bytes: &[u8]| match read_body(ct, bytes) {
            Read::Data(value) => value,
            Read::Binary => inline_binary(ct, bytes),
            Read::BadJson(message) => json!({ "bad json": message }),
        };
        assert_eq!(data("application/json", b"{\"a\":1}"), json!({"a": 1}));
        assert_eq!(data("application/vnd.github+json; charset=utf-8", b"\"x\""), json!("x"));
        assert_eq!(data("text/plain", b"42"), json!("42"));
        assert_eq!(data("text/plain", b"[1]"), json!([1]));
        assert_eq!(data("", b" \n"), Value::Null);
        // Labelled JSON but not JSON (a truncated body): an error, never data.
        let bad = data("application/json", b"{\"a\": [1, 2");
        assert!(
            bad["bad json"].as_str().is_some_and(|m| m.contains("not JSON") && m.contains("begins `{\"a\": [1, 2`")),
            "{bad}"
        );
        assert_eq!(data("text/plain", b"{not json"), json!("{not json"));
        assert_eq!(
            data("image/png", b"\x89PNG"),
            json!({"content_type": "image/png", "size": 4, "base64": "iVBORw=="})
        );
        assert_eq!(
            data("", &[0xff, 0xfe]),
            json!({"content_type": "application/octet-stream", "size": 2, "base64": "//4="})
        );
    }
}
