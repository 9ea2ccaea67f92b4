//! `/triggers_types…` and `/trigger_instances…`: the catalog's trigger types and the
//! project's trigger instances, over `toolsmith-triggers` and the store.

use std::time::SystemTime;

use axum::extract::{Path, Query, State};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use toolsmith_core::{AuthConfigId, ConnectedAccountId, TriggerInstanceId, UserId};
use toolsmith_store::TriggerFilter;
use toolsmith_triggers::ingress::webhook_url;
use toolsmith_triggers::{set_enabled, upsert as upsert_instance, ActiveTrigger, Owner, UpsertRequest};

use crate::error::ApiError;
use crate::extract::{Body, Caller};
use crate::routes::listing::{list_of, paged};
use crate::state::AppState;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/triggers_types", get(list_types))
        .route("/triggers_types/list/enum", get(slugs))
        .route("/triggers_types/{slug}", get(retrieve_type))
        .route("/trigger_instances/{slug}/upsert", post(upsert))
        .route("/trigger_instances/active", get(list_active))
        .route("/trigger_instances/manage/{id}", patch(manage).delete(remove))
}

/// `GET /triggers_types` query.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct TypesQuery {
    /// Types of these toolkits, comma-joined (`github,slack`); all when absent.
    #[serde(default)]
    toolkit_slugs: Option<String>,
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
    path = "/api/v3.1/triggers_types",
    operation_id = "triggers_types_list",
    tag = "triggers",
    params(TypesQuery),
    responses(
        (status = 200, description = "A page of trigger types: `slug`, `name`, `description`, `instructions`, `type` (`webhook` or `poll`), `version`, `toolkit` (`slug`, `name`, `logo`), `config` and `payload` (JSON Schemas).", body = crate::routes::shapes::Page),
        (status = 400, description = "The cursor is not a cursor of this list", body = crate::error::ErrorEnvelope),
        crate::error::KeyErrors,
    )
)]
async fn list_types(
    _caller: Caller,
    State(state): State<AppState>,
    Query(q): Query<TypesQuery>,
) -> Result<Json<Value>, ApiError> {
    let toolkits = list_of(q.toolkit_slugs.as_deref());
    let items: Vec<Value> = state.trigger_types().list(&toolkits).into_iter().map(|t| json!(t)).collect();
    Ok(Json(paged(items, q.limit.unwrap_or(20), q.cursor.as_deref())?))
}

#[utoipa::path(
    get,
    path = "/api/v3.1/triggers_types/list/enum",
    operation_id = "triggers_types_enum",
    tag = "triggers",
    responses(
        (status = 200, description = "Every trigger type's slug, in the catalog's order.", body = Vec<String>),
        crate::error::KeyErrors,
    )
)]
async fn slugs(_caller: Caller, State(state): State<AppState>) -> Json<Vec<String>> {
    Json(state.trigger_types().list(&[]).into_iter().map(|t| t.slug.clone()).collect())
}

#[utoipa::path(
    get,
    path = "/api/v3.1/triggers_types/{slug}",
    operation_id = "triggers_types_retrieve",
    tag = "triggers",
    params(("slug" = String, Path, description = "The trigger type's slug (`GITHUB_ISSUES_EVENT`), in any case")),
    responses(
        (status = 200, description = "The trigger type, as in the list.", body = Object),
        (status = 404, description = "The catalog has no such trigger type", body = crate::error::ErrorEnvelope),
        crate::error::KeyErrors,
    )
)]
async fn retrieve_type(
    _caller: Caller,
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Json<Value>, ApiError> {
    match state.trigger_types().get(&slug) {
        Some(found) => Ok(Json(json!(found))),
        None => Err(ApiError::not_found(
            "TriggerType_NotFound",
            format!("trigger type `{slug}` is not in this server's catalog"),
        )
        .fix("list trigger types with GET /api/v3.1/triggers_types")),
    }
}

/// `POST /trigger_instances/{slug}/upsert` body.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = TriggerUpsertBody)]
struct UpsertBody {
    /// The connected account (`ca_…`) whose events to watch.
    #[serde(default)]
    connected_account_id: Option<String>,
    /// Or a user: their one active account of the trigger's toolkit.
    #[serde(default)]
    user_id: Option<String>,
    /// The configuration, checked against the trigger type's `config` schema.
    #[serde(default)]
    #[schema(value_type = Object)]
    trigger_config: Option<Value>,
    #[serde(flatten)]
    #[schema(ignore)]
    _rest: Map<String, Value>,
}

#[utoipa::path(
    post,
    path = "/api/v3.1/trigger_instances/{slug}/upsert",
    operation_id = "trigger_instances_upsert",
    tag = "triggers",
    params(("slug" = String, Path, description = "The trigger type's slug")),
    request_body = UpsertBody,
    responses(
        (status = 200, description = "`{trigger_id}`: the new instance, or the one with the same trigger, account and non-secret config (then re-enabled, its secrets replaced).", body = Object),
        (status = 400, description = "The body does not fit, the config breaks the type's schema (`errors` names each JSON path), the account is of another toolkit, or the user has no single active account", body = crate::error::ErrorEnvelope),
        (status = 404, description = "No such trigger type, or no such connected account in the project", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
async fn upsert(
    caller: Caller,
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Body(body): Body<UpsertBody>,
) -> Result<Json<Value>, ApiError> {
    let owner = match (body.connected_account_id.filter(|a| !a.is_empty()), body.user_id.filter(|u| !u.is_empty())) {
        (Some(account), _) => Owner::Account(account.parse::<ConnectedAccountId>().map_err(|e| {
            ApiError::bad_request("Trigger_InvalidRequest", format!("`connected_account_id`: {e}"))
                .fix("send the id of one of the project's connected accounts (ca_…)")
        })?),
        (None, Some(user)) => Owner::User(
            UserId::parse(&user)
                .map_err(|e| ApiError::bad_request("Trigger_InvalidRequest", format!("`user_id`: {e}")))?,
        ),
        (None, None) => return Err(toolsmith_triggers::TriggerError::NoOwner.into()),
    };
    let request = UpsertRequest {
        trigger: slug,
        owner,
        config: body.trigger_config.unwrap_or_else(|| Value::Object(Map::new())),
    };
    let instance = upsert_instance(state.trigger_types(), &*caller.0.store, request, SystemTime::now()).await?;
    Ok(Json(json!({"trigger_id": instance.id.as_str()})))
}

/// `GET /trigger_instances/active` query. Lists are comma-joined.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct ActiveQuery {
    /// Only these instances (`ti_…`).
    #[serde(default)]
    trigger_ids: Option<String>,
    /// Only those of these connected accounts.
    #[serde(default)]
    connected_account_ids: Option<String>,
    /// Only those whose account was connected through these auth configs.
    #[serde(default)]
    auth_config_ids: Option<String>,
    /// Only these trigger types (slugs, any case).
    #[serde(default)]
    trigger_names: Option<String>,
    /// Only these users'.
    #[serde(default)]
    user_ids: Option<String>,
    /// Disabled instances too (`true`); by default only enabled ones.
    #[serde(default)]
    show_disabled: Option<bool>,
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

/// The ids of a comma-joined query list; 400 naming the parameter for a malformed one.
fn ids<T: std::str::FromStr<Err = toolsmith_core::IdError>>(
    text: Option<&str>,
    parameter: &str,
) -> Result<Vec<T>, ApiError> {
    list_of(text)
        .iter()
        .map(|id| {
            id.parse::<T>().map_err(|e| ApiError::bad_request("Trigger_InvalidFilter", format!("`{parameter}`: {e}")))
        })
        .collect()
}

#[utoipa::path(
    get,
    path = "/api/v3.1/trigger_instances/active",
    operation_id = "trigger_instances_list_active",
    tag = "triggers",
    params(ActiveQuery),
    responses(
        (status = 200, description = "A page of trigger instances, oldest first: `id`, `triggerName`, `triggerConfig` (secrets redacted), `connectedAccountId`, `connected_account_uuid`, `user_id`, `state`, `updatedAt`, `disabledAt`, `version`.", body = crate::routes::shapes::Page),
        (status = 400, description = "A malformed id in a filter, or a cursor not of this list", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
async fn list_active(
    caller: Caller,
    State(state): State<AppState>,
    Query(q): Query<ActiveQuery>,
) -> Result<Json<Value>, ApiError> {
    let filter = TriggerFilter {
        ids: ids::<TriggerInstanceId>(q.trigger_ids.as_deref(), "trigger_ids")?,
        accounts: ids::<ConnectedAccountId>(q.connected_account_ids.as_deref(), "connected_account_ids")?,
        auth_configs: ids::<AuthConfigId>(q.auth_config_ids.as_deref(), "auth_config_ids")?,
        triggers: list_of(q.trigger_names.as_deref()).iter().map(|t| t.to_ascii_uppercase().into()).collect(),
        users: list_of(q.user_ids.as_deref()).into_iter().map(UserId::new).collect(),
        include_disabled: q.show_disabled.unwrap_or(false),
    };
    let types = state.trigger_types();
    let public_url = state.options().public_url.as_str();
    let items: Vec<Value> = caller
        .0
        .store
        .trigger_instances(&filter)
        .await?
        .iter()
        .map(|i| json!(ActiveTrigger { webhook_url: webhook_url(public_url, i, types), ..ActiveTrigger::of(i, types) }))
        .collect();
    Ok(Json(paged(items, q.limit.unwrap_or(20), q.cursor.as_deref())?))
}

/// `{"status": "enable" | "disable"}`.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = TriggerManageBody)]
struct ManageBody {
    /// `enable` or `disable`.
    status: Switch,
    #[serde(flatten)]
    #[schema(ignore)]
    _rest: Map<String, Value>,
}

/// What `PATCH …/manage/{id}` does.
#[derive(Clone, Copy, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
enum Switch {
    /// Deliver events again.
    Enable,
    /// Stop delivering events; the instance stays.
    Disable,
}

/// The instance id of a path, or 404.
fn instance_id(id: &str) -> Result<TriggerInstanceId, ApiError> {
    TriggerInstanceId::parse(id).ok_or_else(|| not_found(id))
}

fn not_found(id: &str) -> ApiError {
    ApiError::not_found("Trigger_NotFound", format!("trigger instance `{id}` does not exist in this project"))
        .fix("list the project's trigger instances with GET /api/v3.1/trigger_instances/active?show_disabled=true")
}

#[utoipa::path(
    patch,
    path = "/api/v3.1/trigger_instances/manage/{id}",
    operation_id = "trigger_instances_manage",
    tag = "triggers",
    params(("id" = String, Path, description = "The trigger instance's id (`ti_…`)")),
    request_body = ManageBody,
    responses(
        (status = 200, description = "`{status: \"success\"}`. Disabling an enabled instance records a `composio.trigger.disabled` event for the webhook subscription.", body = Object),
        (status = 400, description = "The body does not fit (`status` is `enable` or `disable`)", body = crate::error::ErrorEnvelope),
        (status = 404, description = "The project has no such trigger instance", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
async fn manage(
    caller: Caller,
    State(state): State<AppState>,
    Path(id): Path<String>,
    Body(body): Body<ManageBody>,
) -> Result<Json<Value>, ApiError> {
    let parsed = instance_id(&id)?;
    let enabled = matches!(body.status, Switch::Enable);
    let reason = "disabled through the API (PATCH /trigger_instances/manage)";
    let Some(recorded) = set_enabled(&*caller.0.store, &parsed, enabled, reason, SystemTime::now()).await? else {
        return Err(not_found(&id));
    };
    if !recorded.is_empty() {
        state.delivery_wake().poke();
    }
    Ok(Json(json!({"status": "success"})))
}

#[utoipa::path(
    delete,
    path = "/api/v3.1/trigger_instances/manage/{id}",
    operation_id = "trigger_instances_delete",
    tag = "triggers",
    params(("id" = String, Path, description = "The trigger instance's id (`ti_…`)")),
    responses(
        (status = 200, description = "`{trigger_id}` of the deleted instance.", body = Object),
        (status = 404, description = "The project has no such trigger instance", body = crate::error::ErrorEnvelope),
        crate::error::StoreErrors,
    )
)]
async fn remove(caller: Caller, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let parsed = instance_id(&id)?;
    if !caller.0.store.delete_trigger_instance(&parsed).await? {
        return Err(not_found(&id));
    }
    Ok(Json(json!({"trigger_id": parsed.as_str()})))
}
