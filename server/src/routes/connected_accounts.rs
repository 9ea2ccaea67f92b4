//! `/connected_accounts…`: users' accounts of the project — Connect Links, the legacy
//! initiate (a static credential connects at once), listing, credentials updates,
//! enabling and disabling. No answer carries a secret.

use std::collections::{BTreeMap, HashMap};
use std::time::SystemTime;

use axum::extract::{Path, Query, State};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use secrecy::SecretString;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use toolsmith_auth::{ConnectError, LinkError, LinkRequest, StaticCredential};
use toolsmith_core::{AuthConfigId, ConnectedAccountId, UserId};
use toolsmith_spec::{AuthScheme, Toolkit};
use toolsmith_store::{AccountFilter, AccountStatus, AuthConfig, ConnectedAccount};

use crate::error::ApiError;
use crate::extract::{Body, Caller};
use crate::routes::auth_configs::{self, toolkit_of};
use crate::routes::listing::{list_of, paged};
use crate::routes::records::auth_scheme_name;
use crate::routes::records::{account_object, iso, scheme_from_name};
use crate::state::AppState;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/connected_accounts", post(initiate).get(list))
        .route("/connected_accounts/link", post(link))
        .route("/connected_accounts/{id}", get(retrieve).patch(update).delete(remove))
        .route("/connected_accounts/{id}/status", patch(set_status))
        .route("/connected_accounts/{id}/refresh", post(refresh))
}

/// The connected account `id` of the caller's project; 404 for any other id.
async fn find(caller: &Caller, id: &str) -> Result<ConnectedAccount, ApiError> {
    let not_found = || {
        ApiError::not_found("ConnectedAccount_NotFound", format!("connected account `{id}` does not exist"))
            .fix("list the project's accounts with GET /api/v3.1/connected_accounts")
    };
    let parsed = ConnectedAccountId::parse(id).ok_or_else(not_found)?;
    caller.0.store.account(&parsed).await?.ok_or_else(not_found)
}

/// An account as Composio shows it.
async fn object(caller: &Caller, account: &ConnectedAccount) -> Result<Value, ApiError> {
    let config = caller.0.store.auth_config(&account.auth_config).await?;
    Ok(account_object(account, config.as_ref()))
}

/// A user id from a body field; 400 naming the field when it is empty or too long.
fn user_id(id: &str, field: &str) -> Result<UserId, ApiError> {
    UserId::parse(id).map_err(|e| ApiError::bad_request("ConnectedAccount_InvalidUser", format!("`{field}`: {e}")))
}

/// The toolkit of an auth config of the project, refusing a disabled config.
fn usable<'a>(state: &'a AppState, config: &AuthConfig, field: &str) -> Result<&'a Toolkit, ApiError> {
    if config.disabled {
        return Err(ApiError::bad_request(
            "AuthConfig_Disabled",
            format!("`{field}`: auth config {} is disabled and connects no new accounts", config.id),
        )
        .fix(format!("enable it with PATCH /api/v3.1/auth_configs/{}/ENABLED", config.id)));
    }
    toolkit_of(state, config.toolkit.as_str(), field)
}

/// Starts a Connect Link (a new account, or the account `request.account` reconnects):
/// the INITIATED account, the token and the page's URL, and when it expires.
async fn start_link(
    caller: &Caller,
    state: &AppState,
    toolkit: &Toolkit,
    request: LinkRequest,
) -> Result<(ConnectedAccount, String, String, SystemTime), ApiError> {
    let started = toolsmith_auth::initiate(&*caller.0.store, toolkit, request).await.map_err(link_error)?;
    let url = toolsmith_session::link_url(&state.options().public_url, &started.token);
    Ok((started.account, started.token.expose().to_owned(), url, started.expires_at))
}

/// A link error as the API shows it: an account that cannot be reconnected says so.
fn link_error(e: LinkError) -> ApiError {
    match &e {
        LinkError::NotReconnectable { .. } => {
            ApiError::new(e.kind(), "ConnectedAccount_NotReconnectable", e.to_string())
                .fix("list the project's accounts with GET /api/v3.1/connected_accounts?statuses=EXPIRED")
        }
        _ => e.into(),
    }
}

/// A link for `user` through `config`, named `alias`.
fn new_link(user: UserId, config: &AuthConfig, callback_url: Option<String>, alias: Option<String>) -> LinkRequest {
    LinkRequest { auth_config: Some(config.id.clone()), callback_url, alias, ..LinkRequest::new(user) }
}

/// A Connect Link to start.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = ConnectedAccountLinkBody)]
struct LinkBody {
    /// The auth config the account connects through (`ac_…`).
    auth_config_id: String,
    /// The user the account is for.
    user_id: String,
    /// Where the link sends the user when done.
    #[serde(default)]
    callback_url: Option<String>,
    /// A name for the account.
    #[serde(default)]
    alias: Option<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    _rest: Map<String, Value>,
}

#[utoipa::path(
    post,
    path = "/api/v3.1/connected_accounts/link",
    operation_id = "connected_accounts_link",
    tag = "connected_accounts",
    request_body = LinkBody,
    responses(
        (status = 200, description = "The Connect Link: `connected_account_id` (INITIATED until the user connects), `link_token`, `redirect_url`, `expires_at`.", body = Object),
        (status = 400, description = "The body does not fit, the user id is invalid, or the auth config is disabled", body = crate::error::ErrorEnvelope),
        (status = 404, description = "The project has no such auth config", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
async fn link(
    caller: Caller,
    State(state): State<AppState>,
    Body(body): Body<LinkBody>,
) -> Result<Json<Value>, ApiError> {
    let config = auth_configs::find(&caller, &body.auth_config_id).await?;
    let toolkit = usable(&state, &config, "auth_config_id")?;
    let user = user_id(&body.user_id, "user_id")?;
    let request = new_link(user, &config, body.callback_url, body.alias);
    let (account, token, url, expires_at) = start_link(&caller, &state, toolkit, request).await?;
    Ok(Json(json!({
        "connected_account_id": account.id.as_str(),
        "link_token": token,
        "redirect_url": url,
        "expires_at": iso(expires_at),
    })))
}

/// A connected account to create: with credentials it connects at once, without them
/// it starts a Connect Link.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = ConnectedAccountInitiateBody)]
struct InitiateBody {
    /// The auth config it connects through.
    auth_config: ConfigRef,
    /// The user, and the credentials.
    connection: Connection,
    #[serde(flatten)]
    #[schema(ignore)]
    _rest: Map<String, Value>,
}

/// An auth config by id.
#[derive(Deserialize, utoipa::ToSchema)]
struct ConfigRef {
    /// The auth config's id (`ac_…`).
    id: String,
}

/// The connection part of an initiate body.
#[derive(Deserialize, utoipa::ToSchema)]
struct Connection {
    /// The user the account is for (`entity_id` is read too).
    #[serde(alias = "entity_id")]
    user_id: String,
    /// Where a Connect Link sends the user when done.
    #[serde(default)]
    callback_url: Option<String>,
    /// A name for the account.
    #[serde(default)]
    alias: Option<String>,
    /// The credentials; none starts a Connect Link.
    #[serde(default)]
    state: Option<ConnectionState>,
    #[serde(flatten)]
    #[schema(ignore)]
    _rest: Map<String, Value>,
}

/// Composio's `{authScheme, val{…}}`.
#[derive(Deserialize, utoipa::ToSchema)]
struct ConnectionState {
    /// Composio's scheme name (`API_KEY`, `BEARER_TOKEN`, `BASIC`, …); `auth_scheme` is
    /// read too. It must be the auth config's.
    #[serde(default, rename = "authScheme", alias = "auth_scheme")]
    auth_scheme: Option<String>,
    /// The connection field values (`api_key` or `generic_api_key`, `token` or
    /// `bearer_token`, `username`, `password`, …), as strings.
    #[serde(default)]
    #[schema(value_type = Object)]
    val: Map<String, Value>,
}

/// Keys of `state.val` that describe the connection rather than hold a credential.
const NOT_CREDENTIALS: [&str; 3] = ["status", "redirectUrl", "redirect_url"];

/// The connection field values in a `state.val`, under our field names (`generic_api_key`
/// → `api_key`, `bearer_token` → `token`); 400 naming the key for a value that is not
/// text.
fn credential_values(
    scheme: &AuthScheme,
    val: &Map<String, Value>,
    at: &str,
) -> Result<BTreeMap<String, SecretString>, ApiError> {
    let declared: Vec<String> = scheme.connection_fields().into_iter().map(|f| f.name).collect();
    let mut values = BTreeMap::new();
    for (key, value) in val {
        if NOT_CREDENTIALS.contains(&key.as_str()) || value.is_null() {
            continue;
        }
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => {
                return Err(ApiError::bad_request(
                    "ConnectedAccount_InvalidCredential",
                    format!("`{at}.{key}`: give the value as a string"),
                ))
            }
        };
        let name = match (scheme, key.as_str()) {
            _ if declared.iter().any(|d| d == key) => key.clone(),
            (AuthScheme::ApiKey(_), "generic_api_key" | "apiKey") => "api_key".to_owned(),
            (AuthScheme::Bearer(_), "bearer_token" | "access_token") => "token".to_owned(),
            _ => key.clone(),
        };
        values.insert(name, SecretString::from(text));
    }
    Ok(values)
}

/// A connect error with the body path of the values it is about.
fn connect_error(e: ConnectError, at: &str) -> ApiError {
    let message = match &e {
        ConnectError::MissingField { field, title, about, .. } => {
            format!("`{at}.{field}` ({title}{about}) is required")
        }
        _ => format!("`{at}`: {e}"),
    };
    ApiError::new(e.kind(), "ConnectedAccount_InvalidCredential", message)
}

/// The toolkit's scheme of a config, checked against the `authScheme` a body names.
fn config_scheme<'t>(
    toolkit: &'t Toolkit,
    config: &AuthConfig,
    named: Option<&str>,
    at: &str,
) -> Result<&'t AuthScheme, ApiError> {
    let scheme = toolsmith_auth::scheme_of(toolkit, config)
        .map_err(|m| ApiError::new(toolsmith_core::ErrorKind::Conflict, "AuthConfig_SchemeGone", m))?;
    if let Some(named) = named {
        if scheme_from_name(named) != Some(scheme.name()) {
            return Err(ApiError::bad_request(
                "ConnectedAccount_SchemeMismatch",
                format!(
                    "`{at}`: `{named}` is not the scheme of auth config {} ({})",
                    config.id,
                    auth_scheme_name(&config.scheme)
                ),
            ));
        }
    }
    Ok(scheme)
}

#[utoipa::path(
    post,
    path = "/api/v3.1/connected_accounts",
    operation_id = "connected_accounts_initiate",
    tag = "connected_accounts",
    request_body = InitiateBody,
    responses(
        (status = 200, description = "`{id, status, redirect_url, connectionData}`: ACTIVE with `redirect_url` null when credentials were given, else INITIATED with the Connect Link's URL.", body = Object),
        (status = 400, description = "The body does not fit: a credential is missing or not text, the scheme is not the auth config's, or the auth config is disabled", body = crate::error::ErrorEnvelope),
        (status = 404, description = "The project has no such auth config", body = crate::error::ErrorEnvelope),
        (status = 409, description = "The auth config's scheme is no longer the toolkit's", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
async fn initiate(
    caller: Caller,
    State(state): State<AppState>,
    Body(body): Body<InitiateBody>,
) -> Result<Json<Value>, ApiError> {
    let config = auth_configs::find(&caller, &body.auth_config.id).await?;
    let toolkit = usable(&state, &config, "auth_config.id")?;
    let user = user_id(&body.connection.user_id, "connection.user_id")?;
    let connection = body.connection;
    let named = connection.state.as_ref().and_then(|s| s.auth_scheme.as_deref());
    let scheme = config_scheme(toolkit, &config, named, "connection.state.authScheme")?;
    let val = connection.state.map(|s| s.val).unwrap_or_default();
    let values = credential_values(scheme, &val, "connection.state.val")?;
    let scheme_name = auth_scheme_name(scheme.name());
    if values.is_empty() && !matches!(scheme, AuthScheme::None(_)) {
        let request = new_link(user, &config, connection.callback_url, connection.alias);
        let (account, _, url, _) = start_link(&caller, &state, toolkit, request).await?;
        return Ok(Json(json!({
            "id": account.id.as_str(),
            "status": account.status.as_str(),
            "redirect_url": url,
            "connectionData": {"authScheme": scheme_name, "val": {"status": account.status.as_str(), "redirectUrl": url}},
        })));
    }
    let credential = StaticCredential {
        scheme: Some(scheme.name().to_owned()),
        values,
        alias: connection.alias,
        auth_config: Some(config.id.clone()),
        ..StaticCredential::new(user.as_str())
    };
    let account = toolsmith_auth::connect(&*caller.0.store, toolkit, credential)
        .await
        .map_err(|e| connect_error(e, "connection.state.val"))?;
    let shown = account_object(&account, Some(&config));
    Ok(Json(json!({
        "id": account.id.as_str(),
        "status": account.status.as_str(),
        "redirect_url": null,
        "connectionData": shown["state"],
    })))
}

/// `GET /connected_accounts` query (comma-joined lists).
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ListQuery {
    /// Accounts of these users, comma-joined.
    #[serde(default)]
    user_ids: Option<String>,
    /// Accounts of these toolkits, comma-joined slugs.
    #[serde(default)]
    toolkit_slugs: Option<String>,
    /// Accounts through these auth configs, comma-joined ids.
    #[serde(default)]
    auth_config_ids: Option<String>,
    /// These accounts, comma-joined ids.
    #[serde(default)]
    connected_account_ids: Option<String>,
    /// Accounts in these statuses, comma-joined (INITIATED, ACTIVE, EXPIRED, FAILED,
    /// REVOKED, INACTIVE).
    #[serde(default)]
    statuses: Option<String>,
    /// `asc`: oldest first; newest first otherwise.
    #[serde(default)]
    order_direction: Option<String>,
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
    path = "/api/v3.1/connected_accounts",
    operation_id = "connected_accounts_list",
    tag = "connected_accounts",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of the project's connected accounts, each a connected account object: `id`, `user_id`, `status`, `status_reason`, `alias`, `toolkit`, `auth_config`, `state` (`{authScheme, val}`, secrets redacted), `data`, `is_disabled`, `created_at`, `updated_at`, ….", body = crate::routes::shapes::Page),
        (status = 400, description = "A filter or the cursor is invalid", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
async fn list(caller: Caller, Query(q): Query<ListQuery>) -> Result<Json<Value>, ApiError> {
    let statuses = list_of(q.statuses.as_deref())
        .iter()
        .map(|s| {
            AccountStatus::parse(s).ok_or_else(|| {
                ApiError::bad_request(
                    "ConnectedAccount_InvalidStatus",
                    format!("`statuses`: `{s}` is not an account status"),
                )
                .fix("use INITIATED, ACTIVE, EXPIRED, FAILED, REVOKED or INACTIVE")
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let users = list_of(q.user_ids.as_deref());
    let toolkits: Vec<String> = list_of(q.toolkit_slugs.as_deref()).iter().map(|t| t.to_ascii_lowercase()).collect();
    let configs = list_of(q.auth_config_ids.as_deref());
    let ids = list_of(q.connected_account_ids.as_deref());
    let filter = AccountFilter {
        user_id: (users.len() == 1).then(|| UserId::new(users[0].as_str())),
        statuses,
        ..AccountFilter::default()
    };
    let mut accounts: Vec<ConnectedAccount> = caller
        .0
        .store
        .accounts(&filter)
        .await?
        .into_iter()
        .filter(|a| users.is_empty() || users.iter().any(|u| u == a.user_id.as_str()))
        .filter(|a| toolkits.is_empty() || toolkits.iter().any(|t| t == a.toolkit.as_str()))
        .filter(|a| configs.is_empty() || configs.iter().any(|c| c == a.auth_config.as_str()))
        .filter(|a| ids.is_empty() || ids.iter().any(|i| i == a.id.as_str()))
        .collect();
    if !q.order_direction.as_deref().is_some_and(|d| d.eq_ignore_ascii_case("asc")) {
        accounts.reverse();
    }
    let mut configs: HashMap<AuthConfigId, Option<AuthConfig>> = HashMap::new();
    let mut items = Vec::with_capacity(accounts.len());
    for account in &accounts {
        if !configs.contains_key(&account.auth_config) {
            let config = caller.0.store.auth_config(&account.auth_config).await?;
            configs.insert(account.auth_config.clone(), config);
        }
        items.push(account_object(account, configs.get(&account.auth_config).and_then(Option::as_ref)));
    }
    Ok(Json(paged(items, q.limit.unwrap_or(20), q.cursor.as_deref())?))
}

#[utoipa::path(
    get,
    path = "/api/v3.1/connected_accounts/{id}",
    operation_id = "connected_accounts_retrieve",
    tag = "connected_accounts",
    params(("id" = String, Path, description = "The connected account's id (`ca_…`)")),
    responses(
        (status = 200, description = "The connected account: a connected account object: `id`, `user_id`, `status`, `status_reason`, `alias`, `toolkit`, `auth_config`, `state` (`{authScheme, val}`, secrets redacted), `data`, `is_disabled`, `created_at`, `updated_at`, ….", body = Object),
        (status = 404, description = "The project has no such connected account", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
async fn retrieve(caller: Caller, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let account = find(&caller, &id).await?;
    Ok(Json(object(&caller, &account).await?))
}

/// Changes to a connected account: a new alias, new credentials, or both.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = ConnectedAccountUpdateBody)]
struct UpdateBody {
    /// A new name for the account.
    #[serde(default)]
    alias: Option<String>,
    /// New credentials.
    #[serde(default)]
    connection: Option<UpdateConnection>,
    #[serde(flatten)]
    #[schema(ignore)]
    _rest: Map<String, Value>,
}

/// The connection part of an update body.
#[derive(Deserialize, utoipa::ToSchema)]
struct UpdateConnection {
    /// The new credentials.
    #[serde(default)]
    state: Option<ConnectionState>,
    #[serde(flatten)]
    #[schema(ignore)]
    _rest: Map<String, Value>,
}

#[utoipa::path(
    patch,
    path = "/api/v3.1/connected_accounts/{id}",
    operation_id = "connected_accounts_update",
    tag = "connected_accounts",
    params(("id" = String, Path, description = "The connected account's id (`ca_…`)")),
    request_body = UpdateBody,
    responses(
        (status = 200, description = "The updated connected account: a connected account object: `id`, `user_id`, `status`, `status_reason`, `alias`, `toolkit`, `auth_config`, `state` (`{authScheme, val}`, secrets redacted), `data`, `is_disabled`, `created_at`, `updated_at`, ….", body = Object),
        (status = 400, description = "The body does not fit: a credential is missing or not text, or the toolkit has no such scheme", body = crate::error::ErrorEnvelope),
        (status = 404, description = "The project has no such connected account", body = crate::error::ErrorEnvelope),
        (status = 409, description = "The auth config's scheme is no longer the toolkit's", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
async fn update(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Body(body): Body<UpdateBody>,
) -> Result<Json<Value>, ApiError> {
    let account = find(&caller, &id).await?;
    let Some(new_state) = body.connection.and_then(|c| c.state) else {
        let renamed =
            ConnectedAccount { alias: body.alias.or(account.alias.clone()), updated_at: SystemTime::now(), ..account };
        caller.0.store.put_account(&renamed).await?;
        return Ok(Json(object(&caller, &renamed).await?));
    };
    let toolkit = toolkit_of(&state, account.toolkit.as_str(), "connection")?;
    let scheme = match new_state.auth_scheme.as_deref() {
        Some(named) => {
            let ours = scheme_from_name(named);
            toolkit.auth.iter().find(|s| Some(s.name()) == ours).ok_or_else(|| {
                ApiError::bad_request(
                    "ConnectedAccount_SchemeMismatch",
                    format!("`connection.state.authScheme`: toolkit `{}` has no `{named}` scheme", toolkit.slug),
                )
            })?
        }
        None => {
            let config = caller.0.store.auth_config(&account.auth_config).await?;
            match config {
                Some(c) => config_scheme(toolkit, &c, None, "connection.state.authScheme")?,
                None => toolkit.auth.first().ok_or_else(|| {
                    ApiError::bad_request("ConnectedAccount_SchemeMismatch", "the toolkit has no auth scheme")
                })?,
            }
        }
    };
    let values = credential_values(scheme, &new_state.val, "connection.state.val")?;
    let credential = StaticCredential {
        scheme: Some(scheme.name().to_owned()),
        values,
        alias: body.alias,
        ..StaticCredential::new(account.user_id.as_str())
    };
    let updated = toolsmith_auth::updated_account(&*caller.0.store, toolkit, &account, credential)
        .await
        .map_err(|e| connect_error(e, "connection.state.val"))?;
    caller.0.store.put_account(&updated).await?;
    Ok(Json(object(&caller, &updated).await?))
}

/// What a refresh may carry.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = ConnectedAccountRefreshBody)]
struct RefreshBody {
    /// Where the link sends the user when done (the app's callback).
    #[serde(default)]
    redirect_url: Option<String>,
    #[serde(flatten)]
    #[schema(ignore)]
    _rest: Map<String, Value>,
}

/// `POST /connected_accounts/{id}/refresh` query.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct RefreshQuery {
    /// Where the link sends the user when done; the body's `redirect_url` wins.
    #[serde(default)]
    redirect_url: Option<String>,
    #[serde(flatten)]
    #[param(ignore)]
    _rest: Map<String, Value>,
}

#[utoipa::path(
    post,
    path = "/api/v3.1/connected_accounts/{id}/refresh",
    operation_id = "connected_accounts_refresh",
    tag = "connected_accounts",
    params(("id" = String, Path, description = "The connected account's id (`ca_…`)"), RefreshQuery),
    request_body = RefreshBody,
    responses(
        (status = 200, description = "`{id, status, redirect_url}`: the account, INITIATED under the same id, and the Connect Link that reconnects it; its old credentials are replaced when the user completes the link.", body = Object),
        (status = 400, description = "The body does not fit, or the account's auth config is disabled", body = crate::error::ErrorEnvelope),
        (status = 404, description = "The project has no such connected account", body = crate::error::ErrorEnvelope),
        (status = 409, description = "The account cannot be reconnected: it is ACTIVE, REVOKED or INACTIVE (only EXPIRED, FAILED and INITIATED accounts are)", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
async fn refresh(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<RefreshQuery>,
    Body(body): Body<RefreshBody>,
) -> Result<Json<Value>, ApiError> {
    let account = find(&caller, &id).await?;
    let config = caller.0.store.auth_config(&account.auth_config).await?.ok_or_else(|| {
        ApiError::new(
            toolsmith_core::ErrorKind::Conflict,
            "AuthConfig_NotFound",
            format!("the auth config {} of connected account {id} was deleted", account.auth_config),
        )
        .fix("connect a new account with POST /api/v3.1/connected_accounts/link")
    })?;
    let toolkit = usable(&state, &config, "id")?;
    let request = LinkRequest {
        account: Some(account.id.clone()),
        callback_url: body.redirect_url.or(query.redirect_url),
        ..LinkRequest::new(account.user_id.clone())
    };
    let (account, _, url, _) = start_link(&caller, &state, toolkit, request).await?;
    Ok(Json(json!({"id": account.id.as_str(), "status": account.status.as_str(), "redirect_url": url})))
}

/// Enables or disables a connected account.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = ConnectedAccountStatusBody)]
struct StatusBody {
    /// `false` disables it (INACTIVE); `true` enables a disabled one.
    enabled: bool,
    #[serde(flatten)]
    #[schema(ignore)]
    _rest: Map<String, Value>,
}

#[utoipa::path(
    patch,
    path = "/api/v3.1/connected_accounts/{id}/status",
    operation_id = "connected_accounts_set_status",
    tag = "connected_accounts",
    params(("id" = String, Path, description = "The connected account's id (`ca_…`)")),
    request_body = StatusBody,
    responses(
        (status = 200, description = "`{success: true, status}`.", body = Object),
        (status = 400, description = "The body does not fit", body = crate::error::ErrorEnvelope),
        (status = 404, description = "The project has no such connected account", body = crate::error::ErrorEnvelope),
        (status = 409, description = "The account is not connected: only a disabled (INACTIVE) account can be enabled", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
async fn set_status(
    caller: Caller,
    Path(id): Path<String>,
    Body(body): Body<StatusBody>,
) -> Result<Json<Value>, ApiError> {
    let mut account = find(&caller, &id).await?;
    let status = match (body.enabled, account.status) {
        (false, _) => AccountStatus::Inactive,
        (true, AccountStatus::Inactive | AccountStatus::Active) => AccountStatus::Active,
        (true, other) => {
            return Err(ApiError::new(
                toolsmith_core::ErrorKind::Conflict,
                "ConnectedAccount_NotConnected",
                format!("connected account {id} is {other}: only a disabled (INACTIVE) account can be enabled"),
            )
            .fix("connect it again with POST /api/v3.1/connected_accounts/link"))
        }
    };
    if status != account.status {
        account.status = status;
        account.status_reason = (!body.enabled).then(|| "disabled through the API".to_owned());
        account.updated_at = SystemTime::now();
        caller.0.store.put_account(&account).await?;
    }
    Ok(Json(json!({"success": true, "status": account.status.as_str()})))
}

#[utoipa::path(
    delete,
    path = "/api/v3.1/connected_accounts/{id}",
    operation_id = "connected_accounts_delete",
    tag = "connected_accounts",
    params(("id" = String, Path, description = "The connected account's id (`ca_…`)")),
    responses(
        (status = 200, description = "`{success: true, revoke_job_id: null}`.", body = Object),
        (status = 404, description = "The project has no such connected account", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
async fn remove(caller: Caller, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let account = find(&caller, &id).await?;
    caller.0.store.delete_account(&account.id).await?;
    Ok(Json(json!({"success": true, "revoke_job_id": null})))
}
