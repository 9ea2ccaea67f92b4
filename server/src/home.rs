//! Projects of a home: keys and projects in the main store, each project's records in
//! its own store (the `default` project's in the main store itself).

use std::path::PathBuf;
use std::sync::Arc;

use toolsmith_store::{KeyRing, Project, SqliteStore, Store, StoreError, DEFAULT_PROJECT};

use crate::state::{OpenedStores, ProjectStores};

/// The projects of a `TOOLSMITH_HOME`.
pub struct HomeProjects {
    home: PathBuf,
    keys: KeyRing,
    main: Arc<SqliteStore>,
    opened: OpenedStores<SqliteStore>,
}

impl HomeProjects {
    /// The projects of `home`, whose main store is `main` (opened with `keys`).
    pub fn new(home: PathBuf, keys: KeyRing, main: Arc<SqliteStore>) -> Self {
        HomeProjects { home, keys, main, opened: OpenedStores::default() }
    }
}

#[async_trait::async_trait]
impl ProjectStores for HomeProjects {
    fn shared(&self) -> Result<Arc<dyn Store>, StoreError> {
        Ok(self.main.clone())
    }

    async fn store_of(&self, project: &Project) -> Result<Arc<dyn Store>, StoreError> {
        if project.name == DEFAULT_PROJECT {
            return Ok(self.main.clone());
        }
        Ok(self.opened.get_or_open(project, || SqliteStore::open_project(&self.home, project, self.keys.clone()))?)
    }
}
