//! Checks of a toolkit's own fields and its auth schemes.

use std::collections::HashSet;

use super::context::{check_description, is_http_url};
use super::providers::gemini_name;
use crate::{
    check_toolkit_slug, placeholders, suggest_toolkit_slug, AuthScheme, Code, Diagnostic, NodeRef, OAuth2Grant, Toolkit,
};

pub(crate) fn check(toolkit: &Toolkit, at: &NodeRef, out: &mut Vec<Diagnostic>) {
    let slug = toolkit.slug.as_str();
    if let Err(problem) = check_toolkit_slug(slug) {
        let help = match suggest_toolkit_slug(slug) {
            Some(suggestion) => format!("use something like `{suggestion}`; it becomes the prefix of every tool slug"),
            None => "use lower snake case, e.g. `my_service`; it becomes the prefix of every tool slug".to_owned(),
        };
        out.push(at.child("slug").diag(Code::ToolkitSlug, format!("toolkit slug `{slug}` {problem}")).help(help));
    }
    if !toolkit.version.is_well_formed() {
        out.push(
            at.child("version")
                .diag(
                    Code::VersionFormat,
                    format!("version `{}` is not `YYYYMMDD_NN` with a real date", toolkit.version),
                )
                .help("write the date of this revision and a counter, e.g. `20261122_00`"),
        );
    }
    check_description(&toolkit.description, &format!("toolkit `{slug}`"), at.child("description"), out);

    for (key, url) in [
        ("base_url", Some(&toolkit.base_url)),
        ("logo_url", toolkit.logo_url.as_ref()),
        ("docs_url", toolkit.docs_url.as_ref()),
    ] {
        if let Some(url) = url {
            check_url(url, at.child(key), out);
        }
    }

    if toolkit.auth.is_empty() {
        out.push(
            at.child("auth")
                .diag(Code::AuthIncomplete, "no auth scheme")
                .help("list how users authenticate; write `auth: [{ scheme: none }]` for a public API"),
        );
    }
    // A base URL placeholder must be a connection field of every scheme that uses that
    // base URL: any scheme may be the one a user connects with.
    for (i, scheme) in toolkit.auth.iter().enumerate() {
        let own = scheme.base_url(&toolkit.base_url) != toolkit.base_url;
        let (template, node) = if own {
            (scheme.base_url(&toolkit.base_url), at.child("auth").child(i).child("base_url"))
        } else {
            (toolkit.base_url.as_str(), at.child("base_url"))
        };
        if own {
            check_url(template, node.clone(), out);
        }
        let fields = scheme.connection_fields();
        for name in placeholders(template) {
            if !fields.iter().any(|f| f.name == name) {
                out.push(
                    node.diag(
                        Code::TemplateField,
                        format!(
                            "`{{{name}}}` in base_url is not a connection field of auth scheme {} (`{}`)",
                            i + 1,
                            scheme.name()
                        ),
                    )
                    .label(format!("`{name}` comes from nowhere"))
                    .help(format!(
                        "declare it under that scheme: `fields: [{{ name: {name}, title: ..., description: ... }}]`"
                    )),
                );
            }
        }
    }
    for (i, scheme) in toolkit.auth.iter().enumerate() {
        check_scheme(scheme, &at.child("auth").child(i), out);
    }
}

fn check_url(url: &str, node: NodeRef, out: &mut Vec<Diagnostic>) {
    if !is_http_url(url) {
        out.push(
            node.diag(Code::InvalidUrl, format!("`{url}` is not an absolute http(s) URL"))
                .help("write it in full, e.g. `https://api.example.com/v1`"),
        );
    }
}

fn check_scheme(scheme: &AuthScheme, at: &NodeRef, out: &mut Vec<Diagnostic>) {
    let fields = scheme.connection_fields();
    let names: HashSet<&str> = fields.iter().map(|f| f.name.as_str()).collect();
    let mut seen = HashSet::new();
    let declared = scheme.declared_fields();
    for (i, field) in declared.iter().enumerate() {
        let node = at.child("fields").child(i);
        if !seen.insert(field.name.as_str()) {
            out.push(
                node.child("name")
                    .diag(Code::DuplicateSlug, format!("connection field `{}` is declared twice", field.name))
                    .help("remove one"),
            );
        }
        if !gemini_name(&field.name) {
            out.push(
                node.child("name")
                    .diag(
                        Code::InvalidValue,
                        format!("connection field name `{}` is not a valid template name", field.name),
                    )
                    .help("use letters, digits and `_`, starting with a letter"),
            );
        }
        if let Some(pattern) = &field.pattern {
            if let Err(e) = regex::Regex::new(pattern) {
                let first = e.to_string().lines().last().unwrap_or_default().trim().to_owned();
                out.push(
                    node.child("pattern")
                        .diag(Code::InvalidPattern, format!("pattern does not compile: {first}"))
                        .help("write a Rust/ECMA-style regular expression; escape `\\` as `\\\\` inside double quotes"),
                );
            }
        }
    }
    let template = |text: &str, node: NodeRef, out: &mut Vec<Diagnostic>| {
        for name in placeholders(text) {
            if !names.contains(name) {
                let known: Vec<&str> = names.iter().copied().collect();
                out.push(
                    node.diag(
                        Code::TemplateField,
                        format!("`{{{name}}}` is not a connection field of this `{}` scheme", scheme.name()),
                    )
                    .help(format!(
                        "declare it in `fields`, or use one of: {}",
                        if known.is_empty() { "(none)".to_owned() } else { known.join(", ") }
                    )),
                );
            }
        }
    };
    match scheme {
        AuthScheme::ApiKey(a) => {
            let first = std::iter::once((at.clone(), a.value.as_str(), a.name.as_str()));
            let also =
                a.also.iter().enumerate().map(|(i, k)| (at.child("also").child(i), k.value.as_str(), k.name.as_str()));
            for (node, value, name) in first.chain(also) {
                template(value, node.child("value"), out);
                if name.trim().is_empty() {
                    out.push(
                        node.child("name")
                            .diag(Code::AuthIncomplete, "api_key needs the header or query parameter `name`")
                            .help("e.g. `name: X-Api-Key`"),
                    );
                }
            }
        }
        AuthScheme::Basic(b) => {
            if let Some(u) = &b.username {
                template(u, at.child("username"), out);
            }
            if let Some(p) = &b.password {
                template(p, at.child("password"), out);
            }
        }
        AuthScheme::Oauth2(o) => {
            for (key, url) in [
                ("token_url", Some(&o.token_url)),
                ("authorization_url", o.authorization_url.as_ref()),
                ("refresh_url", o.refresh_url.as_ref()),
            ] {
                if let Some(url) = url {
                    check_url(url, at.child(key), out);
                    template(url, at.child(key), out);
                }
            }
            if o.grant == OAuth2Grant::AuthorizationCode && o.authorization_url.is_none() {
                out.push(
                    at.diag(Code::AuthIncomplete, "oauth2 authorization_code needs `authorization_url`")
                        .label("no authorization_url")
                        .help("add the provider's authorize endpoint, or set `grant: client_credentials` for machine-to-machine auth"),
                );
            }
            if o.scopes.separator.is_empty() {
                out.push(
                    at.child("scopes")
                        .child("separator")
                        .diag(Code::AuthIncomplete, "empty scope separator")
                        .help("use \" \" (the standard) or \",\""),
                );
            }
            let available: HashSet<&str> = o.scopes.available.iter().map(String::as_str).collect();
            if !available.is_empty() {
                for (i, scope) in o.scopes.default.iter().enumerate() {
                    if !available.contains(scope.as_str()) {
                        out.push(
                            at.child("scopes")
                                .child("default")
                                .child(i)
                                .diag(Code::AuthIncomplete, format!("default scope `{scope}` is not in `available`"))
                                .help("add it to `scopes.available`, or fix the typo"),
                        );
                    }
                }
            }
        }
        AuthScheme::Bearer(_) | AuthScheme::None(_) => {}
    }
    if let Some(verify) = scheme.verify() {
        if !verify.path.starts_with('/') {
            out.push(
                at.child("verify")
                    .child("path")
                    .diag(Code::InvalidUrl, "verification path must start with `/`")
                    .help("it is joined to the base URL"),
            );
        }
    }
}
