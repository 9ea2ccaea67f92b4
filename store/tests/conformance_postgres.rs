//! The conformance suite (`toolsmith_store::conformance`) against `PgStore`: every check
//! on a new database of the test process's own PostgreSQL server ([`PgCluster`]), each
//! handle a connection pool of its own, as another server's would be.

use tokio::sync::OnceCell;
use toolsmith_store::conformance::fixtures::PgCluster;
use toolsmith_store::conformance::Backend;
use toolsmith_store::{KeyRing, PgStore, StoreError};

/// A database made at the first `open`.
struct Postgres(OnceCell<String>);

#[async_trait::async_trait]
impl Backend for Postgres {
    type Store = PgStore;

    async fn open(&self, keys: KeyRing) -> Result<PgStore, StoreError> {
        let url = self.0.get_or_init(|| PgCluster::shared().database()).await;
        PgStore::connect(url, keys).await
    }
}

toolsmith_store::conformance_tests!(Postgres(OnceCell::new()));
