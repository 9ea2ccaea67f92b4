//! `GET /link/{token}` shows the Connect Link page: a form with the connection fields of
//! the link's auth config; `POST /link/{token}` checks the CSRF token, the values, and
//! the toolkit's `verify` request, then connects the account (or marks it FAILED).

use std::collections::BTreeMap;
use std::time::SystemTime;

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::Response;
use axum::Form;
use minijinja::{context, Environment};
use secrecy::SecretString;
use serde::Serialize;
use toolsmith_auth::{ConnectError, LinkError};
use toolsmith_spec::Toolkit;
use toolsmith_store::{AccountStatus, AuthConfig, ConnectLink, ConnectedAccount, Credentials, LinkToken};

use super::csrf;
use super::html::{html, html_with_form_to, TEMPLATE};
use crate::state::{AppState, ProjectCx};

/// The hidden form field carrying the CSRF token.
const CSRF_FIELD: &str = "csrf_token";

/// One input of the form.
#[derive(Serialize)]
struct FieldView {
    name: String,
    title: String,
    description: Option<String>,
    pattern: Option<String>,
    secret: bool,
    required: bool,
    value: Option<String>,
    error: Option<String>,
}

/// Renders the template; a page saying so when rendering fails (never a panic).
fn render(status: StatusCode, ctx: minijinja::Value) -> Response {
    render_form_to(status, ctx, None)
}

/// The same for a page with a form whose answer may redirect to `callback`.
fn render_form_to(status: StatusCode, ctx: minijinja::Value, callback: Option<&url::Url>) -> Response {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    let page = env.add_template("link.html", TEMPLATE).and_then(|()| env.get_template("link.html")?.render(ctx));
    match page {
        Ok(body) => html_with_form_to(status, body, callback),
        Err(e) => {
            tracing::error!(error = %e, "the Connect Link page did not render");
            html(
                StatusCode::INTERNAL_SERVER_ERROR,
                "<!doctype html><title>Error</title><p>This page could not be shown; try again.</p>".into(),
            )
        }
    }
}

/// A page with a title and a message, no form.
pub(super) fn message(status: StatusCode, title: &str, text: &str) -> Response {
    notice(status, title, text, None)
}

/// The same under the toolkit's name and logo, when the page is about one.
pub(super) fn notice(status: StatusCode, title: &str, text: &str, toolkit: Option<&Toolkit>) -> Response {
    render(
        status,
        context! {
            form => false,
            title,
            message => sentence(text),
            toolkit => toolkit.map(|t| t.name.clone()),
            logo_url => toolkit.and_then(|t| t.logo_url.clone()),
        },
    )
}

/// `text` with its first letter upper-cased: error messages start in lower case, a
/// page's sentence does not.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The page of a link that cannot be used.
pub(super) fn refused(error: &LinkError) -> Response {
    match error {
        LinkError::Unknown | LinkError::AccountGone(_) => {
            message(StatusCode::NOT_FOUND, "Link not found", &error.to_string())
        }
        LinkError::Used | LinkError::Expired => message(StatusCode::GONE, "Link no longer works", &error.to_string()),
        _ => {
            tracing::error!(error = %error, "a Connect Link failed");
            message(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "The link could not be opened; try again, or ask for a new link.",
            )
        }
    }
}

/// A link that is still usable: its project, the link and its toolkit.
pub(super) struct Open {
    pub(super) cx: std::sync::Arc<ProjectCx>,
    pub(super) link: ConnectLink,
    pub(super) toolkit: Toolkit,
}

/// Finds the link of `hash` in any project, refusing an unknown, used or expired one.
pub(super) async fn open(state: &AppState, hash: &str) -> Result<Open, Response> {
    let found = state.link_project(hash).await.map_err(|e| refused(&LinkError::Store(e)))?;
    let (cx, link) = found.ok_or_else(|| refused(&LinkError::Unknown))?;
    if link.used_at.is_some() {
        return Err(refused(&LinkError::Used));
    }
    if link.expires_at <= SystemTime::now() {
        return Err(refused(&LinkError::Expired));
    }
    let Some(toolkit) = state.registry().toolkit(link.toolkit.as_str()).cloned() else {
        return Err(message(
            StatusCode::NOT_FOUND,
            "Toolkit not available",
            &format!("toolkit `{}` is no longer in this server's catalog; ask for a new link", link.toolkit),
        ));
    };
    Ok(Open { cx, link, toolkit })
}

/// The auth config of the link, or the page saying it is gone.
pub(super) async fn auth_config(open: &Open) -> Result<AuthConfig, Response> {
    match open.cx.store.auth_config(&open.link.auth_config).await {
        Ok(Some(config)) => Ok(config),
        Ok(None) => Err(refused(&LinkError::Connect(ConnectError::AuthConfig(
            "the link's auth config was deleted; ask for a new link".into(),
        )))),
        Err(e) => Err(refused(&LinkError::Store(e))),
    }
}

/// The page of a link whose auth config's scheme the toolkit no longer has (`reason`
/// from [`toolsmith_auth::scheme_of`]).
pub(super) fn scheme_gone(reason: &str) -> Response {
    message(StatusCode::CONFLICT, "Link no longer works", &format!("{reason}; ask for a new link"))
}

/// The form of the link, with the values kept (non-secret only) and an error per field.
async fn form(
    open: &Open,
    hash: &str,
    status: StatusCode,
    kept: &BTreeMap<String, String>,
    errors: &BTreeMap<String, String>,
    general: Option<String>,
) -> Response {
    let config = match auth_config(open).await {
        Ok(config) => config,
        Err(page) => return page,
    };
    let scheme = match toolsmith_auth::scheme_of(&open.toolkit, &config) {
        Ok(scheme) => scheme,
        Err(reason) => return scheme_gone(&reason),
    };
    let fields: Vec<FieldView> = scheme
        .connection_fields()
        .into_iter()
        .map(|f| FieldView {
            value: if f.secret { None } else { kept.get(&f.name).cloned().or(f.default.clone()) },
            error: errors.get(&f.name).cloned(),
            name: f.name,
            title: f.title,
            description: f.description,
            pattern: f.pattern,
            secret: f.secret,
            required: f.required,
        })
        .collect();
    // An error about a field the form does not have (an unknown field) goes on top.
    let stray = errors.iter().find(|(name, _)| !fields.iter().any(|f| &f.name == *name)).map(|(_, m)| m.clone());
    let callback = open.link.callback_url.as_deref().and_then(|u| url::Url::parse(u).ok());
    render_form_to(
        status,
        context! {
            form => true,
            title => format!("Connect {}", open.toolkit.name),
            toolkit => open.toolkit.name.clone(),
            logo_url => open.toolkit.logo_url.clone(),
            project => open.cx.project.name.clone(),
            scheme => scheme.name(),
            csrf => csrf::token(hash).unwrap_or_default(),
            fields,
            error => general.or(stray),
        },
        callback.as_ref(),
    )
}

/// The form of a link just opened (`GET /link/{token}` for a scheme with a form).
pub(super) async fn show(open: &Open, hash: &str) -> Response {
    form(open, hash, StatusCode::OK, &BTreeMap::new(), &BTreeMap::new(), None).await
}

/// The field an error is about, if it is about one.
fn field_of(error: &ConnectError) -> Option<&str> {
    match error {
        ConnectError::MissingField { field, .. }
        | ConnectError::Blank { field, .. }
        | ConnectError::UnknownField { field, .. }
        | ConnectError::Pattern { field, .. } => Some(field),
        _ => None,
    }
}

/// What the page says next to a field: the error, phrased for a form where the CLI's
/// wording (`--field NAME=VALUE`) would not help.
fn field_message(error: &ConnectError) -> String {
    match error {
        ConnectError::MissingField { title, .. } => format!("{title} is required; fill it in."),
        other => other.to_string(),
    }
}

/// `POST /link/{token}` (form-urlencoded).
pub(crate) async fn submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let token = LinkToken::from(token);
    let hash = token.hash();
    let given = pairs.iter().find(|(k, _)| k == CSRF_FIELD).map(|(_, v)| v.as_str());
    if !csrf::check(&hash, given) {
        return message(
            StatusCode::FORBIDDEN,
            "Form expired",
            "This form could not be checked (its security token is missing or wrong); open the link again and resubmit.",
        );
    }
    let open = match open(&state, &hash).await {
        Ok(open) => open,
        Err(page) => return page,
    };
    // An empty input is a field left out (a browser sends every input of the form).
    let values: BTreeMap<String, String> =
        pairs.into_iter().filter(|(k, v)| k != CSRF_FIELD && !v.is_empty()).collect();
    let secrets = values.iter().map(|(k, v)| (k.clone(), SecretString::from(v.clone()))).collect();
    let store = &*open.cx.store;
    let mut account = match toolsmith_auth::prepare(store, &open.toolkit, &token, secrets).await {
        Ok(account) => account,
        Err(LinkError::Connect(e)) => {
            let (errors, general) = match field_of(&e) {
                Some(field) => (BTreeMap::from([(field.to_owned(), field_message(&e))]), None),
                None => (BTreeMap::new(), Some(e.to_string())),
            };
            return form(&open, &hash, StatusCode::BAD_REQUEST, &values, &errors, general).await;
        }
        Err(e) => return refused(&e),
    };
    // The credential is checked before the account turns ACTIVE: a refused one ends FAILED.
    let failure = match open.cx.client.inner().verify(&open.toolkit, &account).await {
        Ok(_) => None,
        Err(e) => Some(e.to_string()),
    };
    if let Some(reason) = &failure {
        account.status = AccountStatus::Failed;
        account.status_reason = Some(reason.clone());
        account.credentials = Credentials::default();
    }
    let account = match toolsmith_auth::finish(store, &token, account).await {
        Ok(account) => account,
        Err(e) => return refused(&e),
    };
    if let Some(reason) = failure {
        return notice(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Connection failed",
            &format!(
                "{} refused the credential: {reason}. Ask for a new link and try again with a working credential.",
                open.toolkit.name
            ),
            Some(&open.toolkit),
        );
    }
    connected(&open.link, &open.toolkit, &account)
}

/// After a connection: 303 to the link's callback URL with `status=success` and the
/// account, or a page saying it is connected.
pub(super) fn connected(link: &ConnectLink, toolkit: &Toolkit, account: &ConnectedAccount) -> Response {
    let pairs = [("status", "success"), ("connected_account_id", account.id.as_str())];
    back_to_app(link, &pairs).unwrap_or_else(|| {
        notice(
            StatusCode::OK,
            "Connected",
            &format!("Your {} account is connected. You can close this page.", toolkit.name),
            Some(toolkit),
        )
    })
}

/// A 303 to the link's callback URL with `pairs` added to its query; `None` without one.
pub(super) fn back_to_app(link: &ConnectLink, pairs: &[(&str, &str)]) -> Option<Response> {
    let mut url = link.callback_url.as_deref().and_then(|u| url::Url::parse(u).ok())?;
    url.query_pairs_mut().extend_pairs(pairs);
    Some(see_other(&url))
}

/// A 303 to `url`, with the pages' headers.
pub(super) fn see_other(url: &url::Url) -> Response {
    let mut response = html(StatusCode::SEE_OTHER, String::new());
    if let Ok(location) = header::HeaderValue::from_str(url.as_str()) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}
