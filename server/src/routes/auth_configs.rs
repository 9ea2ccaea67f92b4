//! `/auth_configs…`: how each toolkit authenticates in the project. A Composio-managed
//! config means nothing here (there is no Composio app to borrow): it takes the toolkit's
//! first scheme. Client secrets are kept sealed and never returned.

use std::time::SystemTime;

use axum::extract::{Path, Query, State};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use toolsmith_core::AuthConfigId;
use toolsmith_spec::{AuthScheme, Toolkit, ToolkitSlug};
use toolsmith_store::{AccountFilter, AuthConfig, StoreError};

use crate::error::ApiError;
use crate::extract::{Body, Caller};
use crate::routes::listing::paged;
use crate::routes::records::auth_scheme_name;
use crate::routes::records::{auth_config_object, enabled_status, scheme_from_name};
use crate::state::AppState;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth_configs", post(create).get(list))
        .route("/auth_configs/{id}", get(retrieve).patch(update).delete(remove))
        .route("/auth_configs/{id}/{status}", patch(set_status))
}

/// The auth config `id` of the caller's project; 404 for any other id.
pub(crate) async fn find(caller: &Caller, id: &str) -> Result<AuthConfig, ApiError> {
    let not_found = || {
        ApiError::not_found("AuthConfig_NotFound", format!("auth config `{id}` does not exist"))
            .fix("list the project's auth configs with GET /api/v3.1/auth_configs")
    };
    let parsed = AuthConfigId::parse(id).ok_or_else(not_found)?;
    caller.0.store.auth_config(&parsed).await?.ok_or_else(not_found)
}

/// The toolkit of a slug given in a body field; 400 naming the field when the catalog
/// has no such toolkit.
pub(crate) fn toolkit_of<'a>(state: &'a AppState, slug: &str, field: &str) -> Result<&'a Toolkit, ApiError> {
    state.registry().toolkit(&slug.to_ascii_lowercase()).ok_or_else(|| {
        ApiError::bad_request(
            "Toolkit_NotFound",
            format!("`{field}`: toolkit `{slug}` is not in this server's catalog"),
        )
        .fix("list toolkits with GET /api/v3.1/toolkits")
    })
}

/// An auth config as Composio shows it, with its number of connected accounts.
async fn object(caller: &Caller, state: &AppState, config: &AuthConfig) -> Result<Value, ApiError> {
    let filter = AccountFilter { auth_config: Some(config.id.clone()), ..AccountFilter::default() };
    let connections = caller.0.store.accounts(&filter).await?.len();
    Ok(auth_config_object(config, state.registry().toolkit(config.toolkit.as_str()), connections))
}

/// A new auth config.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = AuthConfigCreateBody)]
struct CreateBody {
    /// The toolkit it authenticates.
    toolkit: ToolkitRef,
    /// How; without it, the toolkit's first scheme.
    #[serde(default)]
    auth_config: Option<NewConfig>,
    #[serde(flatten)]
    #[schema(ignore)]
    _rest: Map<String, Value>,
}

/// A toolkit by slug.
#[derive(Deserialize, utoipa::ToSchema)]
struct ToolkitRef {
    /// The toolkit's slug (`github`).
    slug: String,
}

/// Whether the config names its scheme (custom) or takes the toolkit's first (managed).
#[derive(Deserialize, Clone, Copy, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
enum ConfigType {
    UseComposioManagedAuth,
    UseCustomAuth,
}

/// The auth config part of a create body.
#[derive(Deserialize, utoipa::ToSchema)]
struct NewConfig {
    /// Managed (the toolkit's first scheme) or custom (the scheme named).
    #[serde(rename = "type")]
    kind: ConfigType,
    /// Composio's scheme name (`OAUTH2`, `API_KEY`, `BEARER_TOKEN`, `BASIC`, `NO_AUTH`);
    /// `auth_scheme` is read too.
    #[serde(default, rename = "authScheme", alias = "auth_scheme")]
    auth_scheme: Option<String>,
    /// An OAuth 2.0 client.
    #[serde(default)]
    credentials: Option<CredentialsBody>,
    /// Its name; by default the toolkit's name and the scheme.
    #[serde(default)]
    name: Option<String>,
    /// Not supported here: must be empty.
    #[serde(default)]
    restrict_to_following_tools: Vec<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    _rest: Map<String, Value>,
}

/// An OAuth 2.0 client; other credentials are connection fields of accounts.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[schema(as = AuthConfigCredentials)]
struct CredentialsBody {
    /// The OAuth app's client id.
    #[serde(default)]
    client_id: Option<String>,
    /// The OAuth app's client secret; kept sealed, never returned.
    #[serde(default)]
    client_secret: Option<String>,
    /// The scopes to ask for.
    #[serde(default)]
    scopes: Option<Scopes>,
    #[serde(flatten)]
    #[schema(ignore)]
    _rest: Map<String, Value>,
}

/// Scopes as a list or one comma- or space-separated string.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
enum Scopes {
    List(Vec<String>),
    Text(String),
}

impl Scopes {
    fn into_list(self) -> Vec<String> {
        match self {
            Scopes::List(list) => list,
            Scopes::Text(text) => text.split([',', ' ']).filter(|s| !s.is_empty()).map(String::from).collect(),
        }
    }
}

/// Tool restrictions are not enforced by auth configs here: refuse rather than ignore.
fn refuse_restrictions(tools: &[String], field: &str) -> Result<(), ApiError> {
    if tools.is_empty() {
        return Ok(());
    }
    Err(ApiError::bad_request(
        "AuthConfig_RestrictionUnsupported",
        format!("`{field}`: this server does not restrict an auth config's tools"),
    )
    .fix("leave it empty, and limit the tools an agent sees with a session's `tools` filter"))
}

/// The scheme a new config uses: the one asked for (custom), else the toolkit's first.
fn scheme<'t>(toolkit: &'t Toolkit, config: &NewConfig) -> Result<&'t AuthScheme, ApiError> {
    let offered = || toolkit.auth.iter().map(|s| auth_scheme_name(s.name())).collect::<Vec<_>>().join(", ");
    match (config.kind, config.auth_scheme.as_deref()) {
        (ConfigType::UseCustomAuth, None) => Err(ApiError::bad_request(
            "AuthConfig_InvalidBody",
            "`auth_config.authScheme`: a custom auth config names its scheme",
        )
        .fix(format!("give one of toolkit `{}`'s schemes: {}", toolkit.slug, offered()))),
        (_, Some(name)) => {
            let ours = scheme_from_name(name);
            toolkit.auth.iter().find(|s| Some(s.name()) == ours).ok_or_else(|| {
                ApiError::bad_request(
                    "AuthConfig_InvalidBody",
                    format!("`auth_config.authScheme`: toolkit `{}` has no `{name}` scheme", toolkit.slug),
                )
                .fix(format!("give one of: {}", offered()))
            })
        }
        (ConfigType::UseComposioManagedAuth, None) => toolkit.auth.first().ok_or_else(|| {
            ApiError::bad_request(
                "AuthConfig_InvalidBody",
                format!("toolkit `{}` declares no auth scheme", toolkit.slug),
            )
        }),
    }
}

#[utoipa::path(
    post,
    path = "/api/v3.1/auth_configs",
    operation_id = "auth_configs_create",
    tag = "auth_configs",
    request_body = CreateBody,
    responses(
        (status = 200, description = "`{toolkit: {slug}, auth_config: {id, auth_scheme, is_composio_managed, restrict_to_following_tools}}`.", body = Object),
        (status = 400, description = "The body does not fit: the toolkit or scheme is unknown, or tool restrictions were given", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
async fn create(
    caller: Caller,
    State(state): State<AppState>,
    Body(body): Body<CreateBody>,
) -> Result<Json<Value>, ApiError> {
    let toolkit = toolkit_of(&state, &body.toolkit.slug, "toolkit.slug")?;
    let asked = body.auth_config.unwrap_or(NewConfig {
        kind: ConfigType::UseComposioManagedAuth,
        auth_scheme: None,
        credentials: None,
        name: None,
        restrict_to_following_tools: Vec::new(),
        _rest: Map::new(),
    });
    refuse_restrictions(&asked.restrict_to_following_tools, "auth_config.restrict_to_following_tools")?;
    let scheme = scheme(toolkit, &asked)?;
    let credentials = asked.credentials.unwrap_or_default();
    let config = AuthConfig {
        id: AuthConfigId::generate(),
        toolkit: toolkit.slug.clone(),
        name: asked.name.unwrap_or_else(|| format!("{} ({})", toolkit.name, scheme.name())),
        scheme: scheme.name().to_owned(),
        client_id: credentials.client_id,
        client_secret: credentials.client_secret.map(SecretString::from),
        scopes: credentials.scopes.map(Scopes::into_list).unwrap_or_default(),
        disabled: false,
        created_at: SystemTime::now(),
    };
    caller.0.store.put_auth_config(&config).await?;
    Ok(Json(json!({
        "toolkit": {"slug": toolkit.slug.as_str()},
        "auth_config": {
            "id": config.id.as_str(),
            "auth_scheme": auth_scheme_name(&config.scheme),
            "is_composio_managed": false,
            "restrict_to_following_tools": [],
        },
    })))
}

/// `GET /auth_configs` query.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// Configs of this toolkit.
    #[serde(default)]
    toolkit_slug: Option<String>,
    /// `true`: disabled configs too.
    #[serde(default)]
    show_disabled: Option<bool>,
    /// Configs whose name or toolkit contains this text.
    #[serde(default)]
    search: Option<String>,
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

#[utoipa::path(
    get,
    path = "/api/v3.1/auth_configs",
    operation_id = "auth_configs_list",
    tag = "auth_configs",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of the project's auth configs, each an auth config object: `id`, `name`, `type`, `status` (`ENABLED`/`DISABLED`), `auth_scheme`, `credentials` (the client secret redacted), `no_of_connections`, `toolkit`, `created_at`, ….", body = crate::routes::shapes::Page),
        (status = 400, description = "The cursor is not a cursor of this list", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
async fn list(
    caller: Caller,
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let toolkit = q.toolkit_slug.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let toolkit = toolkit.map(|t| ToolkitSlug::new(t.to_ascii_lowercase()));
    let search = q.search.as_deref().map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty());
    let mut items = Vec::new();
    for config in caller.0.store.auth_configs(toolkit.as_ref()).await? {
        if config.disabled && !q.show_disabled.unwrap_or(false) {
            continue;
        }
        if search
            .as_ref()
            .is_some_and(|s| !config.name.to_lowercase().contains(s) && !config.toolkit.as_str().contains(s))
        {
            continue;
        }
        items.push(object(&caller, &state, &config).await?);
    }
    Ok(Json(paged(items, q.limit.unwrap_or(20), q.cursor.as_deref())?))
}

#[utoipa::path(
    get,
    path = "/api/v3.1/auth_configs/{id}",
    operation_id = "auth_configs_retrieve",
    tag = "auth_configs",
    params(("id" = String, Path, description = "The auth config's id (`ac_…`)")),
    responses(
        (status = 200, description = "The auth config: an auth config object: `id`, `name`, `type`, `status` (`ENABLED`/`DISABLED`), `auth_scheme`, `credentials` (the client secret redacted), `no_of_connections`, `toolkit`, `created_at`, ….", body = Object),
        (status = 404, description = "The project has no such auth config", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
async fn retrieve(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let config = find(&caller, &id).await?;
    Ok(Json(object(&caller, &state, &config).await?))
}

/// Changes to an auth config; what is absent stays.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = AuthConfigUpdateBody)]
struct UpdateBody {
    /// A new name.
    #[serde(default)]
    name: Option<String>,
    /// New OAuth 2.0 client values.
    #[serde(default)]
    credentials: Option<CredentialsBody>,
    /// Not supported here: must be empty.
    #[serde(default)]
    restrict_to_following_tools: Vec<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    _rest: Map<String, Value>,
}

#[utoipa::path(
    patch,
    path = "/api/v3.1/auth_configs/{id}",
    operation_id = "auth_configs_update",
    tag = "auth_configs",
    params(("id" = String, Path, description = "The auth config's id (`ac_…`)")),
    request_body = UpdateBody,
    responses(
        (status = 200, description = "The updated auth config: an auth config object: `id`, `name`, `type`, `status` (`ENABLED`/`DISABLED`), `auth_scheme`, `credentials` (the client secret redacted), `no_of_connections`, `toolkit`, `created_at`, ….", body = Object),
        (status = 400, description = "The body does not fit, or tool restrictions were given", body = crate::error::ErrorEnvelope),
        (status = 404, description = "The project has no such auth config", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
async fn update(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Body(body): Body<UpdateBody>,
) -> Result<Json<Value>, ApiError> {
    let mut config = find(&caller, &id).await?;
    refuse_restrictions(&body.restrict_to_following_tools, "restrict_to_following_tools")?;
    if let Some(name) = body.name {
        config.name = name;
    }
    if let Some(credentials) = body.credentials {
        if credentials.client_id.is_some() {
            config.client_id = credentials.client_id;
        }
        if let Some(secret) = credentials.client_secret {
            config.client_secret = Some(SecretString::from(secret));
        }
        if let Some(scopes) = credentials.scopes {
            config.scopes = scopes.into_list();
        }
    }
    caller.0.store.put_auth_config(&config).await?;
    Ok(Json(object(&caller, &state, &config).await?))
}

#[utoipa::path(
    patch,
    path = "/api/v3.1/auth_configs/{id}/{status}",
    operation_id = "auth_configs_set_status",
    tag = "auth_configs",
    params(("id" = String, Path, description = "The auth config's id (`ac_…`)"), ("status" = String, Path, description = "`ENABLED` or `DISABLED`")),
    responses(
        (status = 200, description = "`{success: true, status}`.", body = Object),
        (status = 400, description = "The status is not ENABLED or DISABLED", body = crate::error::ErrorEnvelope),
        (status = 404, description = "The project has no such auth config", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
async fn set_status(caller: Caller, Path((id, status)): Path<(String, String)>) -> Result<Json<Value>, ApiError> {
    let mut config = find(&caller, &id).await?;
    config.disabled = match status.to_ascii_uppercase().as_str() {
        "ENABLED" => false,
        "DISABLED" => true,
        _ => {
            return Err(ApiError::bad_request(
                "AuthConfig_InvalidStatus",
                format!("`status` (the last path segment): `{status}` is not ENABLED or DISABLED"),
            ))
        }
    };
    caller.0.store.put_auth_config(&config).await?;
    Ok(Json(json!({"success": true, "status": enabled_status(config.disabled)})))
}

#[utoipa::path(
    delete,
    path = "/api/v3.1/auth_configs/{id}",
    operation_id = "auth_configs_delete",
    tag = "auth_configs",
    params(("id" = String, Path, description = "The auth config's id (`ac_…`)")),
    responses(
        (status = 200, description = "`{success: true, message}`.", body = Object),
        (status = 404, description = "The project has no such auth config", body = crate::error::ErrorEnvelope),
        (status = 409, description = "Connected accounts still use it: delete them first", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
async fn remove(caller: Caller, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let config = find(&caller, &id).await?;
    match caller.0.store.delete_auth_config(&config.id).await {
        Ok(_) => Ok(Json(json!({"success": true, "message": format!("auth config {id} deleted")}))),
        Err(e @ StoreError::InUse { .. }) => Err(ApiError::from(e).fix(format!(
            "delete its connected accounts first (GET /api/v3.1/connected_accounts?auth_config_ids={id})"
        ))),
        Err(e) => Err(e.into()),
    }
}
