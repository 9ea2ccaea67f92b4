//! Rows of sessions and of what each remembers.

use toolsmith_core::{SessionId, UserId};

use super::{from_ms, RowCx};
use crate::{Fact, SessionRecord, StoreError};

/// The columns of `sessions`, in [`SessionRow`]'s order.
pub(crate) const SESSION_COLUMNS: &str = "id, user_id, config, created_at";

/// A row of `sessions`.
pub(crate) struct SessionRow {
    pub(crate) id: String,
    pub(crate) user_id: String,
    pub(crate) config: String,
    pub(crate) created_at: i64,
}

impl SessionRow {
    pub(crate) fn decode(self, cx: &impl RowCx) -> Result<SessionRecord, StoreError> {
        let corrupt = |column, problem| cx.corrupt("sessions", &self.id, column, problem);
        Ok(SessionRecord {
            id: SessionId::parse(&self.id).ok_or_else(|| corrupt("id", "is not a `trs_` id"))?,
            user_id: UserId::new(self.user_id),
            config: serde_json::from_str(&self.config).map_err(|_| corrupt("config", "is not JSON"))?,
            created_at: from_ms(self.created_at),
        })
    }
}

/// The columns of `session_memory` a fact is read from, in [`FactRow`]'s order.
pub(crate) const FACT_COLUMNS: &str = "key, value, source, updated_at";

/// A row of `session_memory`.
pub(crate) struct FactRow {
    pub(crate) key: String,
    pub(crate) value: String,
    pub(crate) source: String,
    pub(crate) updated_at: i64,
}

impl FactRow {
    pub(crate) fn decode(self) -> Fact {
        Fact { key: self.key, value: self.value, source: self.source, updated_at: from_ms(self.updated_at) }
    }
}
