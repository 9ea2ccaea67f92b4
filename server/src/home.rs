//! Projects of a home: keys and projects in the main store, each project's records in
//! its own store (the `default` project's in the main store itself).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use toolsmith_core::ProjectId;
use toolsmith_store::{ApiKeySecret, KeyRing, Project, Projects, SqliteStore, Store, StoreError, DEFAULT_PROJECT};

use crate::state::ProjectStores;

/// The projects of a `TOOLSMITH_HOME`.
pub struct HomeProjects {
    home: PathBuf,
    keys: KeyRing,
    main: Arc<SqliteStore>,
    opened: Mutex<HashMap<ProjectId, Arc<SqliteStore>>>,
}

impl HomeProjects {
    /// The projects of `home`, whose main store is `main` (opened with `keys`).
    pub fn new(home: PathBuf, keys: KeyRing, main: Arc<SqliteStore>) -> Self {
        HomeProjects { home, keys, main, opened: Mutex::default() }
    }
}

#[async_trait::async_trait]
impl ProjectStores for HomeProjects {
    async fn project_of(&self, key: &ApiKeySecret) -> Result<Option<Project>, StoreError> {
        let Some(record) = self.main.api_key_by_hash(&key.hash()).await? else { return Ok(None) };
        if record.revoked_at.is_some() {
            return Ok(None);
        }
        self.main.project(&record.project).await
    }

    async fn projects(&self) -> Result<Vec<Project>, StoreError> {
        self.main.projects().await
    }

    async fn store_of(&self, project: &Project) -> Result<Arc<dyn Store>, StoreError> {
        if project.name == DEFAULT_PROJECT {
            return Ok(self.main.clone());
        }
        if let Some(store) = self.opened.lock().ok().and_then(|o| o.get(&project.id).cloned()) {
            return Ok(store);
        }
        let store = Arc::new(SqliteStore::open_project(&self.home, project, self.keys.clone())?);
        if let Ok(mut opened) = self.opened.lock() {
            return Ok(opened.entry(project.id.clone()).or_insert(store).clone());
        }
        Ok(store)
    }
}
