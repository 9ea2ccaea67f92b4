//! The execution log: one entry per tool execution, never with a secret.

use std::fmt;
use std::time::SystemTime;

use toolsmith_core::{ConnectedAccountId, LogId, UserId};
use toolsmith_spec::ToolSlug;

use crate::StoreError;

/// One execution, as logged (never with a secret or the arguments' values).
#[derive(Clone, Debug, PartialEq)]
pub struct ExecutionLog {
    /// Its id, returned with the result (`log_id`).
    pub id: LogId,
    /// The tool.
    pub tool: ToolSlug,
    /// The user.
    pub user_id: UserId,
    /// The connected account used, if any.
    pub account: Option<ConnectedAccountId>,
    /// The last HTTP status received, if a response came.
    pub status: Option<u16>,
    /// Whether the call succeeded.
    pub successful: bool,
    /// The error message when it did not.
    pub error: Option<String>,
    /// Requests sent (retries included).
    pub attempts: u32,
    /// Wall time of the whole execution, in milliseconds.
    pub duration_ms: u64,
    /// When it started.
    pub started_at: SystemTime,
}

/// Which log entries [`ExecutionLogs::logs`] returns: newest first.
#[derive(Clone, Debug)]
pub struct LogFilter {
    /// Only this user's.
    pub user_id: Option<UserId>,
    /// Only this tool's.
    pub tool: Option<ToolSlug>,
    /// At most this many (20 by default).
    pub limit: usize,
}

impl Default for LogFilter {
    fn default() -> Self {
        LogFilter { user_id: None, tool: None, limit: 20 }
    }
}

/// The execution log: appended to by the executor, read by people and tools.
#[async_trait::async_trait]
pub trait ExecutionLogs: Send + Sync + fmt::Debug {
    /// Appends an execution log entry; [`StoreError::Conflict`] when its id was written
    /// before.
    async fn put_log(&self, entry: &ExecutionLog) -> Result<(), StoreError>;
    /// Appends several entries; backends write them in one transaction.
    async fn put_logs(&self, entries: &[ExecutionLog]) -> Result<(), StoreError> {
        for entry in entries {
            self.put_log(entry).await?;
        }
        Ok(())
    }
    /// A log entry by id.
    async fn log(&self, id: &LogId) -> Result<Option<ExecutionLog>, StoreError>;
    /// Log entries matching `filter`, newest first.
    async fn logs(&self, filter: &LogFilter) -> Result<Vec<ExecutionLog>, StoreError>;
}
