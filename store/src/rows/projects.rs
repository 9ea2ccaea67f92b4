//! Rows of projects and API keys.

use toolsmith_core::{ApiKeyId, ProjectId};

use super::{from_ms, RowCx};
use crate::{ApiKey, Project, StoreError};

/// The columns of `projects`, in [`ProjectRow`]'s order.
pub(crate) const PROJECT_COLUMNS: &str = "id, name, created_at";
/// The columns of `api_keys`, in [`KeyRow`]'s order.
pub(crate) const KEY_COLUMNS: &str = "id, project, name, key_hash, prefix, created_at, revoked_at";

/// A row of `projects`.
pub(crate) struct ProjectRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) created_at: i64,
}

impl ProjectRow {
    pub(crate) fn decode(self, cx: &impl RowCx) -> Result<Project, StoreError> {
        Ok(Project {
            id: ProjectId::parse(&self.id)
                .ok_or_else(|| cx.corrupt("projects", &self.id, "id", "is not a `prj_` id"))?,
            name: self.name,
            created_at: from_ms(self.created_at),
        })
    }
}

/// A row of `api_keys`.
pub(crate) struct KeyRow {
    pub(crate) id: String,
    pub(crate) project: String,
    pub(crate) name: Option<String>,
    pub(crate) key_hash: String,
    pub(crate) prefix: String,
    pub(crate) created_at: i64,
    pub(crate) revoked_at: Option<i64>,
}

impl KeyRow {
    pub(crate) fn decode(self, cx: &impl RowCx) -> Result<ApiKey, StoreError> {
        let corrupt = |column, problem| cx.corrupt("api_keys", &self.id, column, problem);
        Ok(ApiKey {
            id: ApiKeyId::parse(&self.id).ok_or_else(|| corrupt("id", "is not an `ak_` id"))?,
            project: ProjectId::parse(&self.project).ok_or_else(|| corrupt("project", "is not a `prj_` id"))?,
            name: self.name,
            key_hash: self.key_hash,
            prefix: self.prefix,
            created_at: from_ms(self.created_at),
            revoked_at: self.revoked_at.map(from_ms),
        })
    }
}
