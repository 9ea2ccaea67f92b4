//! Sessions (`trs_…`) and what each one remembers.

use std::fmt;
use std::time::SystemTime;

use serde_json::Value;
use toolsmith_core::{SessionId, UserId};

use crate::StoreError;

/// A session as stored: its user and its configuration, fixed at creation.
///
/// The configuration is kept as the JSON its owner (the `toolsmith-session` crate) wrote,
/// so the store does not need to know its fields.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionRecord {
    /// Its id.
    pub id: SessionId,
    /// The user whose accounts it uses.
    pub user_id: UserId,
    /// The configuration (toolkits, pins, features), immutable.
    pub config: Value,
    /// When it was created.
    pub created_at: SystemTime,
}

/// One thing a session learned from a tool's result: `owner/repo` of a repository, a
/// channel id, an email thread id. Keyed by `key` within a session: remembering the same
/// key again replaces the value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fact {
    /// What the value is (`repo`, `channel_id`, `github.repository.full_name`).
    pub key: String,
    /// The value, as text.
    pub value: String,
    /// The tool whose result revealed it (`GITHUB_LIST_REPOS`).
    pub source: String,
    /// When it was last remembered.
    pub updated_at: SystemTime,
}

/// The sessions of a deployment and their memory.
#[async_trait::async_trait]
pub trait Sessions: Send + Sync + fmt::Debug {
    /// Stores a new session; [`StoreError::Conflict`] when its id exists (sessions are
    /// immutable: a new configuration is a new session).
    async fn put_session(&self, session: &SessionRecord) -> Result<(), StoreError>;
    /// A session by id.
    async fn session(&self, id: &SessionId) -> Result<Option<SessionRecord>, StoreError>;
    /// Deletes a session and its memory; `false` when there was none.
    async fn delete_session(&self, id: &SessionId) -> Result<bool, StoreError>;
    /// Remembers facts for a session, replacing the values of keys it already knew;
    /// [`StoreError::Missing`] when the session does not exist.
    async fn remember(&self, id: &SessionId, facts: &[Fact]) -> Result<(), StoreError>;
    /// What a session remembers, most recently remembered first (facts remembered in the
    /// same millisecond: the later first). An unknown (or deleted) session remembers
    /// nothing: an empty list, not [`StoreError::Missing`].
    async fn memory(&self, id: &SessionId) -> Result<Vec<Fact>, StoreError>;
}
