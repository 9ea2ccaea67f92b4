//! Auth configs (`ac_…`): how one toolkit authenticates in this deployment.

use std::fmt;
use std::time::SystemTime;

use secrecy::SecretString;
use toolsmith_core::AuthConfigId;
use toolsmith_spec::ToolkitSlug;

use crate::StoreError;

/// How one toolkit authenticates in this deployment (`ac_…`): which of the toolkit's
/// auth schemes, and for OAuth 2.0 the client and scopes.
#[derive(Clone, Debug)]
pub struct AuthConfig {
    /// Its id.
    pub id: AuthConfigId,
    /// The toolkit.
    pub toolkit: ToolkitSlug,
    /// A name for people (`GitHub (org app)`).
    pub name: String,
    /// The scheme's name in the toolkit spec: `oauth2`, `api_key`, `bearer`, `basic`, `none`.
    pub scheme: String,
    /// OAuth 2.0 client id.
    pub client_id: Option<String>,
    /// OAuth 2.0 client secret; encrypted at rest.
    pub client_secret: Option<SecretString>,
    /// OAuth 2.0 scopes requested; the spec's defaults when empty.
    pub scopes: Vec<String>,
    /// Disabled configs connect no new accounts.
    pub disabled: bool,
    /// When it was created.
    pub created_at: SystemTime,
}

/// The auth configs of a deployment. Client secrets are sealed at rest; callers see them
/// decrypted, in `secrecy` types.
///
/// ```
/// use toolsmith_store::{AuthConfigs, KeyRing, SqliteStore};
///
/// /// Code that only lists auth configs asks for no more than that.
/// async fn count(configs: &(impl AuthConfigs + ?Sized)) -> Result<usize, toolsmith_store::StoreError> {
///     Ok(configs.auth_configs(None).await?.len())
/// }
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let store = SqliteStore::in_memory(KeyRing::generate()?)?;
/// assert_eq!(count(&store).await?, 0);
/// # Ok::<(), Box<dyn std::error::Error>>(()) }).unwrap();
/// ```
#[async_trait::async_trait]
pub trait AuthConfigs: Send + Sync + fmt::Debug {
    /// Inserts or replaces an auth config.
    async fn put_auth_config(&self, config: &AuthConfig) -> Result<(), StoreError>;
    /// An auth config by id.
    async fn auth_config(&self, id: &AuthConfigId) -> Result<Option<AuthConfig>, StoreError>;
    /// Every auth config, or a toolkit's, oldest first.
    async fn auth_configs(&self, toolkit: Option<&ToolkitSlug>) -> Result<Vec<AuthConfig>, StoreError>;
    /// Deletes an auth config; [`StoreError::InUse`] while accounts use it. `false` when
    /// there was none.
    async fn delete_auth_config(&self, id: &AuthConfigId) -> Result<bool, StoreError>;
}
