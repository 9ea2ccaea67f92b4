//! [`KeyRotation`] in PostgreSQL: the sealed values of every project of the database (one
//! key ring seals them all), whichever project's handle is asked.

use std::collections::BTreeMap;

use sqlx::Row;

use super::context::sql;
use super::handle::PgStore;
use crate::rows::{count_keys, reseal, sealed_values_query, SEALED_COLUMNS};
use crate::{KeyId, KeyRing, KeyRotation, StoreError};

#[async_trait::async_trait]
impl KeyRotation for PgStore {
    fn keys(&self) -> Result<KeyRing, StoreError> {
        Ok(PgStore::keys(self).ring())
    }

    /// One transaction, which locks the rows it reads: a value written meanwhile by another
    /// server waits for it, and a rotation either re-seals every value or none.
    async fn reencrypt(&self) -> Result<usize, StoreError> {
        let cx = self.cx();
        let what = "re-encrypt the stored secrets";
        let ring = PgStore::keys(self).fresh()?;
        let mut tx = self.pool().begin().await.map_err(|e| cx.db(what, e))?;
        let mut count = 0;
        for (table, column, context) in SEALED_COLUMNS {
            let select = format!("SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL ORDER BY id FOR UPDATE");
            let rows = sqlx::query(sql(select)).fetch_all(&mut *tx).await.map_err(|e| cx.db(what, e))?;
            let update = format!("UPDATE {table} SET {column} = $1 WHERE id = $2");
            for row in rows {
                let (id, sealed): (String, String) = (row.get(0), row.get(1));
                if let Some(resealed) = reseal(&cx, &ring, &sealed, &context(&id))? {
                    sqlx::query(sql(update.clone()))
                        .bind(resealed)
                        .bind(id)
                        .execute(&mut *tx)
                        .await
                        .map_err(|e| cx.db(what, e))?;
                    count += 1;
                }
            }
        }
        tx.commit().await.map_err(|e| cx.db(what, e))?;
        Ok(count)
    }

    async fn sealed_keys(&self) -> Result<BTreeMap<KeyId, usize>, StoreError> {
        let sealed: Vec<String> = sqlx::query_scalar(sql(sealed_values_query()))
            .fetch_all(self.pool())
            .await
            .map_err(|e| self.cx().db("read the sealed secrets' keys", e))?;
        count_keys(sealed)
    }
}
