//! [`Projects`] in PostgreSQL: projects and their API keys, shared by every project's
//! handle. Messages name a key by its id, never by its hash.

use std::time::SystemTime;

use sqlx::postgres::PgRow;
use sqlx::Row;
use toolsmith_core::{ApiKeyId, ProjectId};

use super::context::sql;
use super::handle::PgStore;
use crate::rows::projects::{KeyRow, ProjectRow, KEY_COLUMNS, PROJECT_COLUMNS};
use crate::rows::to_ms;
use crate::{ApiKey, Project, Projects, StoreError};

fn project_row(row: &PgRow) -> ProjectRow {
    ProjectRow { id: row.get(0), name: row.get(1), created_at: row.get(2) }
}

fn key_row(row: &PgRow) -> KeyRow {
    KeyRow {
        id: row.get(0),
        project: row.get(1),
        name: row.get(2),
        key_hash: row.get(3),
        prefix: row.get(4),
        created_at: row.get(5),
        revoked_at: row.get(6),
    }
}

impl PgStore {
    /// The project named `name`, created (with a new id, now) when there is none. Of
    /// concurrent callers, on any server, one creates it and the others read it.
    ///
    /// ```no_run
    /// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
    /// # let store = toolsmith_store::PgStore::connect("postgres://127.0.0.1/t", toolsmith_store::KeyRing::generate()?).await?;
    /// let acme = store.ensure_project("acme").await?;
    /// assert_eq!(store.ensure_project("acme").await?, acme);
    /// # Ok::<(), Box<dyn std::error::Error>>(()) }).unwrap();
    /// ```
    pub async fn ensure_project(&self, name: &str) -> Result<Project, StoreError> {
        let new = Project { id: ProjectId::generate(), name: name.to_owned(), created_at: SystemTime::now() };
        let what = || format!("create the project `{name}`");
        sqlx::query(sql(format!(
            "INSERT INTO projects ({PROJECT_COLUMNS}) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING"
        )))
        .bind(new.id.as_str())
        .bind(name)
        .bind(to_ms(new.created_at))
        .execute(self.pool())
        .await
        .map_err(|e| self.cx().db(what(), e))?;
        self.project_named(name).await?.ok_or_else(|| StoreError::Database {
            path: self.cx().name.to_owned(),
            message: format!("could not {}: it was deleted while being created; try again", what()),
            source: None,
        })
    }

    /// The one project whose `column` is `value`.
    async fn one_project(&self, column: &str, value: &str, what: String) -> Result<Option<Project>, StoreError> {
        let query = format!("SELECT {PROJECT_COLUMNS} FROM projects WHERE {column} = $1");
        let row =
            sqlx::query(sql(query)).bind(value).fetch_optional(self.pool()).await.map_err(|e| self.cx().db(what, e))?;
        row.map(|row| project_row(&row).decode(&self.cx())).transpose()
    }
}

#[async_trait::async_trait]
impl Projects for PgStore {
    async fn put_project(&self, project: &Project) -> Result<(), StoreError> {
        let (id, name) = (project.id.as_str(), project.name.as_str());
        let written = sqlx::query(sql(format!("INSERT INTO projects ({PROJECT_COLUMNS}) VALUES ($1, $2, $3)")))
            .bind(id)
            .bind(name)
            .bind(to_ms(project.created_at))
            .execute(self.pool())
            .await;
        match written.map_err(|e| self.cx().db(format!("save project {id} (`{name}`)"), e)) {
            Ok(_) => Ok(()),
            Err(StoreError::Conflict { path, source, .. }) => {
                let message = match self.project_named(name).await? {
                    Some(other) => format!(
                        "could not save project {id}: the name `{name}` is taken by project {}; \
                         choose another name, or use that project",
                        other.id
                    ),
                    None => format!("could not save project {id}: a project with this id exists; generate a new id"),
                };
                Err(StoreError::Conflict { path, message, source })
            }
            Err(e) => Err(e),
        }
    }

    async fn project(&self, id: &ProjectId) -> Result<Option<Project>, StoreError> {
        self.one_project("id", id.as_str(), format!("read project {id}")).await
    }

    async fn project_named(&self, name: &str) -> Result<Option<Project>, StoreError> {
        self.one_project("name", name, format!("read the project named `{name}`")).await
    }

    async fn projects(&self) -> Result<Vec<Project>, StoreError> {
        let query = format!("SELECT {PROJECT_COLUMNS} FROM projects ORDER BY created_at, seq");
        let rows =
            sqlx::query(sql(query)).fetch_all(self.pool()).await.map_err(|e| self.cx().db("list the projects", e))?;
        rows.iter().map(|row| project_row(row).decode(&self.cx())).collect()
    }

    async fn put_api_key(&self, key: &ApiKey) -> Result<(), StoreError> {
        let what = || format!("save API key {} of project {}", key.id, key.project);
        if self.project(&key.project).await?.is_none() {
            return Err(missing_project(key));
        }
        let written =
            sqlx::query(sql(format!("INSERT INTO api_keys ({KEY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)")))
                .bind(key.id.as_str())
                .bind(key.project.as_str())
                .bind(&key.name)
                .bind(&key.key_hash)
                .bind(&key.prefix)
                .bind(to_ms(key.created_at))
                .bind(key.revoked_at.map(to_ms))
                .execute(self.pool())
                .await;
        let Err(e) = written else { return Ok(()) };
        if e.as_database_error().is_some_and(|d| d.is_foreign_key_violation()) {
            // The project was there a moment ago and is gone.
            return Err(missing_project(key));
        }
        match self.cx().db(what(), e) {
            // The driver's message may quote the hash: it is not passed on.
            StoreError::Conflict { path, .. } => Err(StoreError::Conflict {
                path,
                message: format!(
                    "could not {}: a key with this id or the same key hash exists; generate a new key \
                     (`ApiKeySecret::generate`) and id for each API key",
                    what()
                ),
                source: None,
            }),
            other => Err(other),
        }
    }

    async fn api_key_by_hash(&self, key_hash: &str) -> Result<Option<ApiKey>, StoreError> {
        let query = format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE key_hash = $1");
        let row = sqlx::query(sql(query))
            .bind(key_hash)
            .fetch_optional(self.pool())
            .await
            .map_err(|e| self.cx().db("look up an API key", e))?;
        row.map(|row| key_row(&row).decode(&self.cx())).transpose()
    }

    async fn api_keys(&self, project: Option<&ProjectId>) -> Result<Vec<ApiKey>, StoreError> {
        let query = format!(
            "SELECT {KEY_COLUMNS} FROM api_keys WHERE $1::text IS NULL OR project = $1 ORDER BY created_at, seq"
        );
        let what = match project {
            Some(project) => format!("list the API keys of project {project}"),
            None => "list the API keys".to_owned(),
        };
        let rows = sqlx::query(sql(query))
            .bind(project.map(ProjectId::as_str))
            .fetch_all(self.pool())
            .await
            .map_err(|e| self.cx().db(what, e))?;
        rows.iter().map(|row| key_row(row).decode(&self.cx())).collect()
    }

    /// One statement: of two revokers, the second finds `revoked_at` set.
    async fn revoke_api_key(&self, id: &ApiKeyId, at: SystemTime) -> Result<bool, StoreError> {
        let revoked = sqlx::query("UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
            .bind(id.as_str())
            .bind(to_ms(at))
            .execute(self.pool())
            .await
            .map_err(|e| self.cx().db(format!("revoke API key {id}"), e))?;
        Ok(revoked.rows_affected() > 0)
    }
}

fn missing_project(key: &ApiKey) -> StoreError {
    StoreError::Missing(format!("project {} (of API key {}; create the project first)", key.project, key.id))
}
