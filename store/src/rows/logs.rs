//! Rows of execution logs.

use toolsmith_core::{ConnectedAccountId, LogId, UserId};
use toolsmith_spec::ToolSlug;

use super::{from_ms, to_ms, RowCx};
use crate::{ExecutionLog, StoreError};

/// The columns of `execution_logs`, in [`LogRow`]'s order.
pub(crate) const LOG_COLUMNS: &str =
    "id, tool, user_id, account, status, successful, error, attempts, duration_ms, started_at";

/// A row of `execution_logs`.
pub(crate) struct LogRow {
    pub(crate) id: String,
    pub(crate) tool: String,
    pub(crate) user_id: String,
    pub(crate) account: Option<String>,
    pub(crate) status: Option<i64>,
    pub(crate) successful: bool,
    pub(crate) error: Option<String>,
    pub(crate) attempts: i64,
    pub(crate) duration_ms: i64,
    pub(crate) started_at: i64,
}

impl LogRow {
    /// The row of `entry`.
    pub(crate) fn encode(entry: &ExecutionLog) -> LogRow {
        LogRow {
            id: entry.id.as_str().to_owned(),
            tool: entry.tool.as_str().to_owned(),
            user_id: entry.user_id.as_str().to_owned(),
            account: entry.account.as_ref().map(|a| a.as_str().to_owned()),
            status: entry.status.map(i64::from),
            successful: entry.successful,
            error: entry.error.clone(),
            attempts: i64::from(entry.attempts),
            duration_ms: i64::try_from(entry.duration_ms).unwrap_or(i64::MAX),
            started_at: to_ms(entry.started_at),
        }
    }

    /// The log entry of the row.
    pub(crate) fn decode(self, cx: &impl RowCx) -> Result<ExecutionLog, StoreError> {
        let corrupt = |column, problem| cx.corrupt("execution_logs", &self.id, column, problem);
        let account = match &self.account {
            Some(account) => {
                Some(ConnectedAccountId::parse(account).ok_or_else(|| corrupt("account", "is not a `ca_` id"))?)
            }
            None => None,
        };
        let status = match self.status {
            Some(status) => Some(u16::try_from(status).map_err(|_| corrupt("status", "is not an HTTP status"))?),
            None => None,
        };
        Ok(ExecutionLog {
            id: LogId::parse(&self.id).ok_or_else(|| corrupt("id", "is not a `log_` id"))?,
            tool: ToolSlug::new(self.tool),
            user_id: UserId::new(self.user_id),
            account,
            status,
            successful: self.successful,
            error: self.error,
            attempts: u32::try_from(self.attempts).map_err(|_| corrupt("attempts", "is out of range"))?,
            duration_ms: u64::try_from(self.duration_ms).map_err(|_| corrupt("duration_ms", "is negative"))?,
            started_at: from_ms(self.started_at),
        })
    }
}
