//! The conformance suite (`toolsmith_store::conformance`) against `SqliteStore`: every
//! check on a fresh database file in a temp folder, handles opened on the same file.

use toolsmith_store::conformance::fixtures::TempDir;
use toolsmith_store::conformance::Backend;
use toolsmith_store::{KeyRing, SqliteStore, StoreError};

/// A SQLite file in its own temp folder; each handle is another connection to it, as
/// another process's would be.
struct Sqlite(TempDir);

#[async_trait::async_trait]
impl Backend for Sqlite {
    type Store = SqliteStore;

    async fn open(&self, keys: KeyRing) -> Result<SqliteStore, StoreError> {
        SqliteStore::open(self.0.path().join("toolsmith.db"), keys)
    }
}

toolsmith_store::conformance_tests!(Sqlite(TempDir::new("conformance")));
