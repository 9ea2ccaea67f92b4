//! Servers → the toolkit's base URL.
//!
//! The base URL is the first server's URL. Its variables stay `{name}` placeholders
//! and become connection fields, so a user connecting to a regional or self-hosted
//! deployment fills them in (`https://{region}.api.example.com`). What a connection
//! cannot vary (the scheme, the port) is fixed to the variable's default. A relative
//! or missing server URL becomes `https://{host}` + its path with a required `host`
//! field: the document does not say where the API lives.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::names::{identifier, title};
use super::text::clean;
use super::ImportWarning;
use crate::ConnectionField;

/// The base URL (templated where the server has variables) and the connection
/// fields its template uses.
pub(crate) fn base_url(document: &Value, warnings: &mut Vec<ImportWarning>) -> (String, Vec<ConnectionField>) {
    let Some((index, url, variables)) = first_server(document, warnings) else {
        warnings.push(warning(
            "/servers",
            "the document names no server; the base URL is `https://{host}` and users give the host when they connect",
        ));
        return ("https://{host}".to_owned(), vec![host_field()]);
    };
    let mut builder = Builder {
        pointer: format!("/servers/{index}"),
        variables,
        names: HashMap::new(),
        taken: HashSet::new(),
        fields: Vec::new(),
        warnings,
    };
    let url = builder.build(&url);
    (url, builder.fields)
}

fn warning(pointer: &str, message: impl Into<String>) -> ImportWarning {
    ImportWarning { pointer: pointer.to_owned(), message: message.into() }
}

/// The first server with a URL: its index, URL and variables.
fn first_server(document: &Value, warnings: &mut Vec<ImportWarning>) -> Option<(usize, String, Map<String, Value>)> {
    let servers = match document.get("servers")? {
        Value::Array(servers) => servers,
        _ => {
            warnings.push(warning("/servers", "`servers` is not a list; ignored"));
            return None;
        }
    };
    let (index, server, url) = servers.iter().enumerate().find_map(|(i, server)| {
        let url = server.get("url")?.as_str()?.trim();
        (!url.is_empty()).then(|| (i, server, url.to_owned()))
    })?;
    if index > 0 {
        warnings.push(warning("/servers", format!("servers 0 to {} have no `url`; server {index} is used", index - 1)));
    }
    // `http://x` listed first beside `https://x`: use the https one.
    let without_scheme = |u: &str| u.split_once("://").map_or(u, |(_, rest)| rest).trim_end_matches('/').to_owned();
    let twin = |u: &str| without_scheme(u) == without_scheme(&url);
    let (index, server, url) = if url.get(..7).is_some_and(|s| s.eq_ignore_ascii_case("http://")) {
        servers
            .iter()
            .enumerate()
            .skip(index + 1)
            .find_map(|(i, s)| {
                let u = s.get("url")?.as_str()?.trim();
                (u.get(..8).is_some_and(|p| p.eq_ignore_ascii_case("https://")) && twin(u))
                    .then(|| (i, s, u.to_owned()))
            })
            .unwrap_or((index, server, url.clone()))
    } else {
        (index, server, url.clone())
    };
    let others: Vec<&str> = servers
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != index)
        .filter_map(|(_, s)| s.get("url").and_then(Value::as_str))
        .filter(|u| !u.trim().is_empty() && !twin(u))
        .collect();
    if !others.is_empty() {
        let listed: Vec<String> = others.iter().take(4).map(|u| format!("`{u}`")).collect();
        warnings.push(warning(
            "/servers",
            format!(
                "only the server `{url}` is used; also listed: {}{}",
                listed.join(", "),
                if others.len() > listed.len() { ", …" } else { "" }
            ),
        ));
    }
    let variables = match server.get("variables") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(variables)) => variables.clone(),
        Some(_) => {
            warnings.push(warning(&format!("/servers/{index}/variables"), "`variables` is not a map; ignored"));
            Map::new()
        }
    };
    Some((index, url, variables))
}

/// The required field of a base URL whose host the document does not give.
fn host_field() -> ConnectionField {
    ConnectionField {
        name: "host".to_owned(),
        title: "API host".to_owned(),
        description: Some(
            "Host name (and port) of the API server, e.g. `api.example.com`; the OpenAPI document gives no absolute server URL."
                .to_owned(),
        ),
        secret: false,
        pattern: Some(r"^[A-Za-z0-9.\-]+(:[0-9]+)?$".to_owned()),
        required: true,
        default: None,
    }
}

/// A scalar as the string a URL would hold.
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

struct Builder<'a> {
    pointer: String,
    variables: Map<String, Value>,
    /// Variable name in the document → field name.
    names: HashMap<String, String>,
    taken: HashSet<String>,
    fields: Vec<ConnectionField>,
    warnings: &'a mut Vec<ImportWarning>,
}

impl Builder<'_> {
    fn warn(&mut self, message: impl Into<String>) {
        self.warnings.push(warning(&format!("{}/url", self.pointer), message));
    }

    fn default_of(&self, name: &str) -> Option<String> {
        let variable = self.variables.get(name)?;
        variable.get("default").and_then(scalar).or_else(|| {
            variable.get("enum").and_then(Value::as_array).and_then(|values| values.first()).and_then(scalar)
        })
    }

    fn enum_of(&self, name: &str) -> Vec<String> {
        self.variables
            .get(name)
            .and_then(|v| v.get("enum"))
            .and_then(Value::as_array)
            .map(|values| values.iter().filter_map(scalar).collect())
            .unwrap_or_default()
    }

    fn build(&mut self, raw: &str) -> String {
        let mut url: String = raw.to_owned();
        if url.contains(char::is_whitespace) {
            self.warn(format!("server URL `{raw}` contains white space; removed"));
            url.retain(|c| !c.is_whitespace());
        }
        // `{server}` whose default is a whole URL.
        for _ in 0..4 {
            let Some(name) =
                url.strip_prefix('{').and_then(|rest| rest.split_once('}')).map(|(name, _)| name.to_owned())
            else {
                break;
            };
            match self.default_of(&name) {
                Some(default) if default.contains("://") || default.starts_with("//") => {
                    self.warn(format!(
                        "server variable `{name}` holds the whole URL; its default `{default}` is used{}",
                        alternatives(&self.enum_of(&name), &default)
                    ));
                    url = format!("{default}{}", &url[name.len() + 2..]);
                }
                _ => break,
            }
        }

        let (scheme, rest, relative) = self.split_scheme(&url);
        let (authority, mut path) = match rest.find(['/', '?', '#']) {
            Some(at) => (rest[..at].to_owned(), rest[at..].to_owned()),
            None => (rest.clone(), String::new()),
        };
        if let Some(at) = path.find(['?', '#']) {
            self.warn(format!("the query or fragment `{}` of the server URL is dropped", &path[at..]));
            path.truncate(at);
        }
        let (host, port) = if relative { (String::new(), String::new()) } else { self.split_authority(&authority) };
        let host = if host.is_empty() {
            // The document does not say: users give the host when they connect.
            self.taken.insert("host".to_owned());
            self.fields.push(host_field());
            "{host}".to_owned()
        } else {
            self.placeholders(&host)
        };
        let path = self.placeholders(&path);
        let mut out = format!("{scheme}://{host}{port}{path}");
        while out.ends_with('/') && !out.ends_with("://") {
            out.pop();
        }
        out
    }

    /// The scheme (`http` or `https`), the rest of the URL, and whether the URL is
    /// relative (the rest is then a path).
    fn split_scheme(&mut self, url: &str) -> (String, String, bool) {
        if let Some(at) = url.find("://") {
            let scheme = &url[..at];
            let rest = url[at + 3..].to_owned();
            if scheme.contains('{') {
                let name = scheme.trim_matches(['{', '}']).to_owned();
                let choices = self.enum_of(&name);
                let default = self.default_of(&name).map(|d| d.to_ascii_lowercase());
                let chosen = match default.as_deref() {
                    Some(d @ ("http" | "https")) => d.to_owned(),
                    _ if choices.iter().any(|c| c.eq_ignore_ascii_case("http"))
                        && !choices.iter().any(|c| c.eq_ignore_ascii_case("https")) =>
                    {
                        "http".to_owned()
                    }
                    _ => "https".to_owned(),
                };
                self.warn(format!(
                    "server variable `{name}` sets the URL scheme, which a connection cannot change; `{chosen}` is used"
                ));
                return (chosen, rest, false);
            }
            let lower = scheme.to_ascii_lowercase();
            if lower == "http" || lower == "https" {
                return (lower, rest, false);
            }
            self.warn(format!("server URL scheme `{scheme}` is not http(s); `https` is used"));
            return ("https".to_owned(), rest, false);
        }
        if let Some(rest) = url.strip_prefix("//") {
            return ("https".to_owned(), rest.to_owned(), false);
        }
        let first = url.split(['/', '?', '#']).next().unwrap_or_default();
        let looks_like_host =
            first.contains('.') || first.contains(':') || first.starts_with('{') || first == "localhost";
        if looks_like_host && !url.starts_with('/') {
            self.warn(format!("server URL `{url}` has no scheme; `https` is assumed"));
            return ("https".to_owned(), url.to_owned(), false);
        }
        self.warn(format!(
            "server URL `{url}` is relative: the base URL is `https://{{host}}` + its path and users give the host when they connect"
        ));
        let path = if url.is_empty() || url.starts_with(['/', '?', '#']) { url.to_owned() } else { format!("/{url}") };
        ("https".to_owned(), path, true)
    }

    /// Host (empty when there is none) and `:port` of an authority: user info
    /// dropped, a port variable fixed to its default (a connection field cannot fill a port: the URL would not
    /// be valid before it is filled in).
    fn split_authority(&mut self, authority: &str) -> (String, String) {
        let mut authority = authority.to_owned();
        if let Some(at) = authority.rfind('@') {
            self.warn("user info in the server URL is dropped; give credentials through an auth scheme");
            authority = authority[at + 1..].to_owned();
        }
        let colon = last_outside_braces(&authority, ':').filter(|_| !authority.starts_with('['));
        let (host, port) = match colon {
            Some(at) => (authority[..at].to_owned(), authority[at + 1..].to_owned()),
            None => (authority, String::new()),
        };
        let port = if port.is_empty() {
            String::new()
        } else if port.bytes().all(|b| b.is_ascii_digit()) {
            format!(":{port}")
        } else if let Some(name) = port.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            match self.default_of(name).filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())) {
                Some(default) => {
                    self.warn(format!("server variable `{name}` sets the port; its default `{default}` is used"));
                    format!(":{default}")
                }
                None => {
                    self.warn(format!("server variable `{name}` sets the port and has no numeric default; dropped"));
                    String::new()
                }
            }
        } else {
            self.warn(format!("port `{port}` of the server URL is not a number; dropped"));
            String::new()
        };
        if host.is_empty() {
            self.warn("the server URL has no host: users give it when they connect");
        }
        (host, port)
    }

    /// Rewrites the `{variable}` placeholders of `text` to field names, adding a
    /// field for each; stray braces are dropped.
    fn placeholders(&mut self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        let mut stray = false;
        while let Some(at) = rest.find(['{', '}']) {
            out.push_str(&rest[..at]);
            let tail = &rest[at..];
            // Both braces are one byte: `inner` is what follows this one.
            let inner = &tail[1..];
            if tail.starts_with('}') {
                stray = true;
                rest = inner;
                continue;
            }
            match inner.find(['{', '}']) {
                Some(end) if inner.as_bytes()[end] == b'}' && end > 0 => {
                    let field = self.field_for(&inner[..end]);
                    out.push('{');
                    out.push_str(&field);
                    out.push('}');
                    rest = &inner[end + 1..];
                }
                _ => {
                    stray = true;
                    rest = inner;
                }
            }
        }
        out.push_str(rest);
        if stray {
            self.warn("unbalanced `{` or `}` in the server URL; dropped");
        }
        out
    }

    /// The field name of a server variable, declaring the field on first use.
    fn field_for(&mut self, variable: &str) -> String {
        if let Some(name) = self.names.get(variable) {
            return name.clone();
        }
        let base = identifier(variable, "variable");
        let mut name = base.clone();
        let mut n = 2;
        while !self.taken.insert(name.clone()) {
            name = format!("{}_{n}", &base[..base.len().min(60)]);
            n += 1;
        }
        self.names.insert(variable.to_owned(), name.clone());
        let declared = self.variables.get(variable).cloned();
        if declared.is_none() {
            self.warnings.push(warning(
                &format!("{}/variables", self.pointer),
                format!("server variable `{variable}` is used in the URL but not declared; users must give it"),
            ));
        }
        let default = self.default_of(variable);
        let choices = self.enum_of(variable);
        let mut description = Vec::new();
        match declared.as_ref().and_then(|v| v.get("description")).and_then(Value::as_str).map(|d| clean(d, 300)) {
            Some(d) if !d.is_empty() => {
                let end = if d.ends_with(['.', '!', '?', '…']) { "" } else { "." };
                description.push(format!("{d}{end}"));
            }
            _ => description.push(format!("`{{{name}}}` in the API base URL.")),
        }
        if let Some(default) = &default {
            description.push(format!("Default: `{default}`."));
        }
        if !choices.is_empty() {
            let listed: Vec<String> = choices.iter().take(20).map(|c| format!("`{c}`")).collect();
            let more = if choices.len() > 20 { format!(" and {} more", choices.len() - 20) } else { String::new() };
            description.push(format!("One of: {}{more}.", listed.join(", ")));
        }
        let pattern = (!choices.is_empty()).then(|| {
            let mut alternatives: Vec<String> = choices.iter().take(200).map(|c| regex::escape(c)).collect();
            if let Some(default) = default.as_ref().filter(|d| !choices.contains(d)) {
                alternatives.push(regex::escape(default));
            }
            format!("^(?:{})$", alternatives.join("|"))
        });
        self.fields.push(ConnectionField {
            name: name.clone(),
            title: title(variable),
            description: Some(description.join(" ")),
            secret: false,
            pattern,
            required: default.is_none(),
            default,
        });
        name
    }
}

fn alternatives(choices: &[String], chosen: &str) -> String {
    let others: Vec<String> = choices.iter().filter(|c| *c != chosen).take(5).map(|c| format!("`{c}`")).collect();
    if others.is_empty() {
        String::new()
    } else {
        format!(" (the document also allows {})", others.join(", "))
    }
}

fn last_outside_braces(text: &str, needle: char) -> Option<usize> {
    let mut depth = 0i32;
    let mut found = None;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            c if c == needle && depth <= 0 => found = Some(i),
            _ => {}
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(document: Value) -> (String, Vec<ConnectionField>, Vec<ImportWarning>) {
        let mut warnings = Vec::new();
        let (url, fields) = base_url(&document, &mut warnings);
        (url, fields, warnings)
    }

    fn is_http_url(url: &str) -> bool {
        let filled = url.replace(['{', '}'], "");
        regex::Regex::new(r"^https?://[A-Za-z0-9._~%\-]+(:[0-9]+)?(/\S*)?$").unwrap().is_match(&filled)
    }

    #[test]
    fn plain_server() {
        let (url, fields, warnings) = run(json!({ "servers": [{ "url": "https://api.example.com/v1/" }] }));
        assert_eq!(url, "https://api.example.com/v1");
        assert!(fields.is_empty());
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn variables_become_fields() {
        let (url, fields, warnings) = run(json!({ "servers": [{
            "url": "https://{region}.api.example.com/{api-version}",
            "variables": {
                "region": { "default": "us", "enum": ["us", "eu"], "description": "Data <b>region</b>" },
                "api-version": { "default": 2 }
            }
        }] }));
        assert_eq!(url, "https://{region}.api.example.com/{api_version}");
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(fields.len(), 2);
        let region = &fields[0];
        assert_eq!(region.name, "region");
        assert_eq!(region.title, "Region");
        assert_eq!(region.default.as_deref(), Some("us"));
        assert!(!region.required);
        assert_eq!(region.description.as_deref(), Some("Data region. Default: `us`. One of: `us`, `eu`."));
        assert_eq!(region.pattern.as_deref(), Some("^(?:us|eu)$"));
        assert_eq!(fields[1].name, "api_version");
        assert_eq!(fields[1].default.as_deref(), Some("2"));
        assert!(is_http_url(&url));
    }

    #[test]
    fn undeclared_variable_is_a_required_field() {
        let (url, fields, warnings) = run(json!({ "servers": [{ "url": "https://{tenant}.example.com" }] }));
        assert_eq!(url, "https://{tenant}.example.com");
        assert!(fields[0].required);
        assert_eq!(warnings.len(), 1);
    }

    #[test]
    fn relative_and_missing_servers_need_a_host() {
        for (document, expected) in [
            (json!({}), "https://{host}"),
            (json!({ "servers": [] }), "https://{host}"),
            (json!({ "servers": [{ "url": "/api/v3" }] }), "https://{host}/api/v3"),
            (json!({ "servers": [{ "url": "/" }] }), "https://{host}"),
            (json!({ "servers": [{ "url": "v2" }] }), "https://{host}/v2"),
        ] {
            let (url, fields, warnings) = run(document.clone());
            assert_eq!(url, expected, "{document}");
            assert_eq!(fields.len(), 1);
            assert_eq!(fields[0].name, "host");
            assert!(fields[0].required);
            assert!(!warnings.is_empty());
            assert!(is_http_url(&url));
        }
    }

    #[test]
    fn relative_url_with_a_host_variable_keeps_both() {
        let (url, fields, _) =
            run(json!({ "servers": [{ "url": "/{host}/x", "variables": { "host": { "default": "a" } } }] }));
        assert_eq!(url, "https://{host}/{host_2}/x");
        assert_eq!(fields.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["host", "host_2"]);
    }

    #[test]
    fn scheme_and_port_variables_are_fixed() {
        let (url, fields, warnings) = run(json!({ "servers": [{
            "url": "{scheme}://{host}:{port}/api",
            "variables": {
                "scheme": { "default": "http", "enum": ["http", "https"] },
                "host": { "default": "localhost" },
                "port": { "default": "8080" }
            }
        }] }));
        assert_eq!(url, "http://{host}:8080/api");
        assert_eq!(fields.len(), 1);
        assert_eq!(fields[0].name, "host");
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(is_http_url(&url));
    }

    #[test]
    fn whole_url_variable_uses_its_default() {
        let (url, fields, warnings) = run(json!({ "servers": [{
            "url": "{baseUrl}/v1",
            "variables": { "baseUrl": { "default": "https://api.example.com", "enum": ["https://api.example.com", "https://sandbox.example.com"] } }
        }] }));
        assert_eq!(url, "https://api.example.com/v1");
        assert!(fields.is_empty());
        assert!(warnings[0].message.contains("sandbox"), "{warnings:?}");
    }

    #[test]
    fn odd_urls() {
        let cases = [
            ("//api.example.com/v1", "https://api.example.com/v1"),
            ("api.example.com/v1", "https://api.example.com/v1"),
            ("HTTP://api.example.com", "http://api.example.com"),
            ("wss://api.example.com", "https://api.example.com"),
            ("https://user:pw@api.example.com", "https://api.example.com"),
            ("https://api.example.com:443/", "https://api.example.com:443"),
            ("https://api.example.com:{p}/", "https://api.example.com"),
            ("https://api.example.com/v1?x=1#y", "https://api.example.com/v1"),
            ("https://api.example.com/{a", "https://api.example.com/a"),
            ("https://api.example.com/}{}", "https://api.example.com"),
            ("https:// api.example.com", "https://api.example.com"),
            ("https://", "https://{host}"),
        ];
        for (raw, expected) in cases {
            let (url, _, _) = run(json!({ "servers": [{ "url": raw }] }));
            assert_eq!(url, expected, "{raw}");
            assert!(is_http_url(&url), "{raw} → {url}");
        }
    }

    #[test]
    fn wrong_types_are_ignored() {
        for document in [
            json!(null),
            json!([]),
            json!({ "servers": "https://x" }),
            json!({ "servers": [1, null, { "url": 5 }, { "url": "" }] }),
            json!({ "servers": [{ "url": "https://{a}.x", "variables": [] }] }),
            json!({ "servers": [{ "url": "https://{a}.x", "variables": { "a": 7 } }] }),
            json!({ "servers": [{ "url": "https://{a}.x", "variables": { "a": { "default": {}, "enum": "x" } } }] }),
            json!({ "servers": [{ "url": "{x}" , "variables": { "x": { "default": "{x}" } } }] }),
            json!({ "servers": [{ "url": "{x}" , "variables": { "x": { "default": "{x}://" } } }] }),
        ] {
            let (url, fields, _) = run(document.clone());
            for field in &fields {
                assert!(
                    crate::openapi::names::identifier(&field.name, "x") == field.name,
                    "{document}: {}",
                    field.name
                );
            }
            assert!(url.starts_with("http"), "{document}: {url}");
        }
    }

    #[test]
    fn https_twin_is_preferred() {
        let (url, _, warnings) = run(json!({ "servers": [
            { "url": "http://api.example.com/v1" }, { "url": "https://api.example.com/v1/" }
        ] }));
        assert_eq!(url, "https://api.example.com/v1");
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn later_servers_are_reported() {
        let (url, _, warnings) =
            run(json!({ "servers": [{ "url": "https://a.example.com" }, { "url": "https://b.example.com" }] }));
        assert_eq!(url, "https://a.example.com");
        assert!(warnings[0].message.contains("b.example.com"));
    }

    proptest::proptest! {
        #[test]
        fn any_url_gives_valid_fields(raw in "\\PC{0,60}", var in "\\PC{0,12}", default in "\\PC{0,12}") {
            let document = json!({ "servers": [{ "url": raw, "variables": { var: { "default": default } } }] });
            let (url, fields, _) = run(document);
            proptest::prop_assert!(url.starts_with("http://") || url.starts_with("https://"));
            let mut names = HashSet::new();
            for field in &fields {
                proptest::prop_assert!(names.insert(field.name.clone()));
                let placeholder = ["{", field.name.as_str(), "}"].concat();
                proptest::prop_assert!(url.contains(&placeholder), "{} lacks {}", url, placeholder);
            }
            for name in crate::placeholders(&url) {
                proptest::prop_assert!(fields.iter().any(|f| f.name == name), "{} has no field {}", url, name);
            }
        }
    }
}
