//! Projects of a PostgreSQL deployment (feature `postgres`): one database holds the
//! projects, their keys and every project's records, and any number of servers share it.

use std::sync::Arc;

use toolsmith_store::{KeyRing, PgStore, Project, Store, StoreError, DEFAULT_PROJECT};

use crate::state::{OpenedStores, ProjectStores};

/// The projects of a PostgreSQL database: the main handle ([`PgStore::connect`]) holds
/// the projects and keys and the `default` project's records; every other project's
/// records are a [`PgStore::for_project`] handle over the same pool.
///
/// ```no_run
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let keys = toolsmith_store::KeyRing::from_base64(&std::env::var("TOOLSMITH_SECRET_KEY")?)?;
/// let projects = toolsmith_server::PgProjects::connect("postgres://toolsmith@db/toolsmith", keys).await?;
/// println!("{}", projects.main().name());
/// # Ok::<(), Box<dyn std::error::Error>>(()) }).unwrap();
/// ```
pub struct PgProjects {
    main: Arc<PgStore>,
    opened: OpenedStores<PgStore>,
}

impl PgProjects {
    /// Connects to the database at `url` with `keys` (every server of the deployment must
    /// be given the same keys), migrates it (servers starting together migrate it once)
    /// and makes sure the `default` project exists.
    pub async fn connect(url: &str, keys: KeyRing) -> Result<PgProjects, StoreError> {
        let main = PgStore::connect(url, keys).await?;
        main.ensure_project(DEFAULT_PROJECT).await?;
        Ok(PgProjects::new(main))
    }

    /// The projects of the database `main` is the main handle of.
    pub fn new(main: PgStore) -> PgProjects {
        PgProjects { main: Arc::new(main), opened: OpenedStores::default() }
    }

    /// The main handle: projects, keys, and the `default` project's records.
    pub fn main(&self) -> &Arc<PgStore> {
        &self.main
    }
}

#[async_trait::async_trait]
impl ProjectStores for PgProjects {
    fn shared(&self) -> Result<Arc<dyn Store>, StoreError> {
        Ok(self.main.clone())
    }

    async fn store_of(&self, project: &Project) -> Result<Arc<dyn Store>, StoreError> {
        if project.name == DEFAULT_PROJECT {
            return Ok(self.main.clone());
        }
        Ok(self.opened.get_or_open(project, || Ok(self.main.for_project(project)))?)
    }
}
