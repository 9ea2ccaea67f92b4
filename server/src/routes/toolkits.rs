//! `/toolkits…`: the catalog's toolkits, with their auth schemes and the fields each
//! asks for.

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use toolsmith_spec::{AuthScheme, ConnectionField, Toolkit};

use crate::error::ApiError;
use crate::extract::Caller;
use crate::routes::listing::paged;
use crate::routes::records::auth_scheme_name;
use crate::state::AppState;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/toolkits", get(list)).route("/toolkits/{slug}", get(retrieve))
}

/// `GET /toolkits` query.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// Toolkits whose slug, name or description contains this text.
    #[serde(default)]
    search: Option<String>,
    /// Toolkits of this category (its id, `developer-tools`, or its name).
    #[serde(default)]
    category: Option<String>,
    /// The most items of a page (default 20).
    #[serde(default)]
    limit: Option<usize>,
    /// The `next_cursor` of the previous page.
    #[serde(default)]
    cursor: Option<String>,
    #[serde(flatten)]
    #[param(ignore)]
    _rest: Map<String, Value>,
}

/// `developer-tools` → `Developer Tools`.
fn category_name(id: &str) -> String {
    id.split(['-', '_'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Composio's toolkit list item.
fn toolkit_item(toolkit: &Toolkit) -> Value {
    let version = toolkit.version.as_str();
    json!({
        "slug": toolkit.slug.as_str(),
        "name": toolkit.name,
        "type": "native",
        "enabled": true,
        "is_local_toolkit": false,
        "no_auth": !toolsmith_auth::needs_account(toolkit),
        "auth_schemes": toolkit.auth.iter().map(|s| auth_scheme_name(s.name())).collect::<Vec<_>>(),
        "composio_managed_auth_schemes": [],
        "auth_guide_url": toolkit.docs_url,
        "meta": {
            "description": toolkit.description,
            "logo": toolkit.logo_url,
            "categories": toolkit.categories.iter().map(|c| json!({"id": c, "slug": c, "name": category_name(c)})).collect::<Vec<_>>(),
            "tools_count": toolkit.tools.len(),
            "triggers_count": toolkit.triggers.len(),
            "version": version,
            "available_versions": [version],
            "app_url": toolkit.docs_url,
            "created_at": null,
            "updated_at": null,
        },
        "deprecated": {"toolkitId": toolkit.slug.as_str(), "rawProxyInfoByAuthSchemes": []},
    })
}

/// Whether a toolkit matches a search text (slug, name or description) and a category.
fn matches(toolkit: &Toolkit, search: Option<&str>, category: Option<&str>) -> bool {
    let text = search.map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty());
    let found = text.is_none_or(|s| {
        toolkit.slug.as_str().contains(&s)
            || toolkit.name.to_lowercase().contains(&s)
            || toolkit.description.to_lowercase().contains(&s)
    });
    let category = category.map(str::trim).filter(|c| !c.is_empty());
    let in_category = category.is_none_or(|c| {
        toolkit.categories.iter().any(|id| id.eq_ignore_ascii_case(c) || category_name(id).eq_ignore_ascii_case(c))
    });
    found && in_category
}

#[utoipa::path(
    get,
    path = "/api/v3.1/toolkits",
    operation_id = "toolkits_list",
    tag = "toolkits",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of Composio toolkit objects: `slug`, `name`, `type`, `enabled`, `no_auth`, `auth_schemes`, `auth_guide_url`, `meta` (`description`, `logo`, `categories`, `tools_count`, `triggers_count`, `version`, …).", body = crate::routes::shapes::Page),
        (status = 400, description = "The cursor is not a cursor of this list", body = crate::error::ErrorEnvelope),
        crate::error::KeyErrors,
    )
)]
async fn list(
    _caller: Caller,
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let items: Vec<Value> = state
        .registry()
        .toolkits()
        .filter(|t| matches(t, q.search.as_deref(), q.category.as_deref()))
        .map(toolkit_item)
        .collect();
    Ok(Json(paged(items, q.limit.unwrap_or(20), q.cursor.as_deref())?))
}

/// A connection field as Composio describes one.
fn field(f: &ConnectionField) -> Value {
    json!({
        "name": f.name,
        "displayName": f.title,
        "type": "string",
        "description": f.description.clone().unwrap_or_default(),
        "required": f.required,
        "default": f.default,
        "is_secret": f.secret,
        "user_visible": true,
    })
}

/// `{required, optional}` of some fields.
fn split(fields: &[ConnectionField]) -> Value {
    let (required, optional): (Vec<_>, Vec<_>) = fields.iter().partition(|f| f.required && f.default.is_none());
    json!({
        "required": required.into_iter().map(field).collect::<Vec<_>>(),
        "optional": optional.into_iter().map(field).collect::<Vec<_>>(),
    })
}

/// What an auth config of `scheme` needs when created (an OAuth 2.0 client), and what a
/// user gives when connecting.
fn auth_config_details(toolkit: &Toolkit, scheme: &AuthScheme) -> Value {
    let creation: Vec<ConnectionField> = match scheme {
        AuthScheme::Oauth2(_) => ["client_id", "client_secret"]
            .into_iter()
            .map(|name| ConnectionField {
                name: name.to_owned(),
                title: if name == "client_id" { "Client ID" } else { "Client secret" }.to_owned(),
                description: Some(format!("The {} of your OAuth app at {}", name.replace('_', " "), toolkit.name)),
                secret: name == "client_secret",
                pattern: None,
                required: true,
                default: None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let mut details = json!({
        "mode": auth_scheme_name(scheme.name()),
        "name": format!("{} {}", toolkit.name, auth_scheme_name(scheme.name())),
        "fields": {
            "auth_config_creation": split(&creation),
            "connected_account_initiation": split(&scheme.connection_fields()),
        },
        "proxy": {"base_url": scheme.base_url(&toolkit.base_url)},
    });
    if let AuthScheme::Oauth2(oauth) = scheme {
        details["required_scopes"] = json!(oauth.scopes.default);
        details["available_scopes"] = json!(oauth.scopes.available);
    }
    details
}

#[utoipa::path(
    get,
    path = "/api/v3.1/toolkits/{slug}",
    operation_id = "toolkits_retrieve",
    tag = "toolkits",
    params(("slug" = String, Path, description = "The toolkit's slug (`github`)")),
    responses(
        (status = 200, description = "The toolkit object of the list, with `base_url` and `auth_config_details`: per auth scheme its `mode`, `name`, `fields` (`auth_config_creation` and `connected_account_initiation`, each `{required, optional}`), `proxy.base_url`, and OAuth 2.0 scopes.", body = Object),
        (status = 404, description = "The catalog has no such toolkit", body = crate::error::ErrorEnvelope),
        crate::error::KeyErrors,
    )
)]
async fn retrieve(
    _caller: Caller,
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let Some(toolkit) = state.registry().toolkit(&slug.to_ascii_lowercase()) else {
        return Err(ApiError::not_found(
            "Toolkit_NotFound",
            format!("toolkit `{slug}` is not in this server's catalog"),
        )
        .fix("list toolkits with GET /api/v3.1/toolkits"));
    };
    let mut item = toolkit_item(toolkit);
    item["base_url"] = json!(toolkit.base_url);
    item["get_current_user_endpoint"] = Value::Null;
    item["composio_managed_auth"] = json!([]);
    item["auth_config_details"] = toolkit.auth.iter().map(|s| auth_config_details(toolkit, s)).collect();
    Ok(Json(item))
}
