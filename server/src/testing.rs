//! An in-memory project registry for tests of the server (feature `testing`): projects
//! with one key each, each with an in-memory SQLite store.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use toolsmith_core::ProjectId;
use toolsmith_store::{ApiKeySecret, KeyRing, Project, SqliteStore, Store, StoreError};

use crate::state::ProjectStores;

/// Projects in memory.
///
/// ```
/// let projects = toolsmith_server::testing::MemoryProjects::default();
/// let (project, key) = projects.add("acme");
/// assert_eq!(project.name, "acme");
/// assert!(key.expose().starts_with("tsk_"));
/// ```
#[derive(Default)]
pub struct MemoryProjects {
    keys: Mutex<HashMap<String, Project>>,
    stores: Mutex<HashMap<ProjectId, Arc<SqliteStore>>>,
    /// The main store (MCP protocol sessions), made at its first use.
    shared: Mutex<Option<Arc<SqliteStore>>>,
}

impl MemoryProjects {
    /// A new project named `name` and a key that opens it.
    pub fn add(&self, name: &str) -> (Project, ApiKeySecret) {
        let key = ApiKeySecret::generate();
        (self.add_with_key(name, &key), key)
    }

    /// A new project named `name` that `key` opens (a fixed key, for scripts that start a
    /// server and must know its key beforehand).
    pub fn add_with_key(&self, name: &str, key: &ApiKeySecret) -> Project {
        let project = Project { id: ProjectId::generate(), name: name.to_owned(), created_at: SystemTime::now() };
        if let Ok(mut keys) = self.keys.lock() {
            keys.insert(key.hash(), project.clone());
        }
        project
    }

    /// The store of a project (created on first use).
    pub fn store(&self, project: &Project) -> Result<Arc<SqliteStore>, StoreError> {
        let mut stores = self.stores.lock().map_err(|_| StoreError::Missing("the stores' lock".into()))?;
        if let Some(store) = stores.get(&project.id) {
            return Ok(store.clone());
        }
        let store = in_memory()?;
        stores.insert(project.id.clone(), store.clone());
        Ok(store)
    }
}

/// A new store in memory, with a key of its own.
fn in_memory() -> Result<Arc<SqliteStore>, StoreError> {
    let keys = KeyRing::generate().map_err(|e| StoreError::Missing(format!("a key ring: {e}")))?;
    Ok(Arc::new(SqliteStore::in_memory(keys)?))
}

#[async_trait::async_trait]
impl ProjectStores for MemoryProjects {
    fn shared(&self) -> Result<Arc<dyn Store>, StoreError> {
        let mut shared = self.shared.lock().map_err(|_| StoreError::Missing("the main store's lock".into()))?;
        match &*shared {
            Some(store) => Ok(store.clone()),
            None => Ok(shared.insert(in_memory()?).clone()),
        }
    }

    async fn project_of(&self, key: &ApiKeySecret) -> Result<Option<Project>, StoreError> {
        Ok(self.keys.lock().ok().and_then(|k| k.get(&key.hash()).cloned()))
    }

    async fn projects(&self) -> Result<Vec<Project>, StoreError> {
        let keys = self.keys.lock().map_err(|_| StoreError::Missing("the keys' lock".into()))?;
        let mut projects: Vec<Project> = Vec::new();
        for project in keys.values() {
            if !projects.iter().any(|p| p.id == project.id) {
                projects.push(project.clone());
            }
        }
        Ok(projects)
    }

    async fn store_of(&self, project: &Project) -> Result<Arc<dyn Store>, StoreError> {
        Ok(self.store(project)?)
    }
}
