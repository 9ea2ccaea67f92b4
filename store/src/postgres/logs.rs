//! [`ExecutionLogs`] in PostgreSQL: the execution logs of this handle's project.

use sqlx::postgres::PgRow;
use sqlx::Row;
use toolsmith_core::{LogId, UserId};
use toolsmith_spec::ToolSlug;

use super::context::sql;
use super::handle::PgStore;
use crate::rows::logs::{LogRow, LOG_COLUMNS};
use crate::{ExecutionLog, ExecutionLogs, LogFilter, StoreError};

fn log_row(row: &PgRow) -> LogRow {
    LogRow {
        id: row.get(0),
        tool: row.get(1),
        user_id: row.get(2),
        account: row.get(3),
        status: row.get::<Option<i32>, _>(4).map(i64::from),
        successful: row.get(5),
        error: row.get(6),
        attempts: i64::from(row.get::<i32, _>(7)),
        duration_ms: row.get(8),
        started_at: row.get(9),
    }
}

/// The columns of a batch of log rows, one array per column, for one `INSERT … SELECT
/// FROM unnest(…)`.
#[derive(Default)]
struct Batch {
    id: Vec<String>,
    tool: Vec<String>,
    user_id: Vec<String>,
    account: Vec<Option<String>>,
    status: Vec<Option<i32>>,
    successful: Vec<bool>,
    error: Vec<Option<String>>,
    attempts: Vec<i32>,
    duration_ms: Vec<i64>,
    started_at: Vec<i64>,
}

impl Batch {
    fn push(&mut self, row: LogRow) {
        self.id.push(row.id);
        self.tool.push(row.tool);
        self.user_id.push(row.user_id);
        self.account.push(row.account);
        // An HTTP status is below 1000; attempts past 2³¹ are counted as 2³¹ − 1.
        self.status.push(row.status.map(|s| i32::try_from(s).unwrap_or(i32::MAX)));
        self.successful.push(row.successful);
        self.error.push(row.error);
        self.attempts.push(i32::try_from(row.attempts).unwrap_or(i32::MAX));
        self.duration_ms.push(row.duration_ms);
        self.started_at.push(row.started_at);
    }
}

#[async_trait::async_trait]
impl ExecutionLogs for PgStore {
    async fn put_log(&self, entry: &ExecutionLog) -> Result<(), StoreError> {
        self.put_logs(std::slice::from_ref(entry)).await
    }

    /// One statement for the whole batch: all are written or none.
    async fn put_logs(&self, entries: &[ExecutionLog]) -> Result<(), StoreError> {
        let what = match entries {
            [] => return Ok(()),
            [entry] => format!("append execution log {}", entry.id),
            [first, ..] => format!("append {} execution logs (the first {})", entries.len(), first.id),
        };
        let mut batch = Batch::default();
        for entry in entries {
            batch.push(LogRow::encode(entry));
        }
        let query = format!(
            "INSERT INTO execution_logs (project, {LOG_COLUMNS})
             SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::integer[],
                 $7::boolean[], $8::text[], $9::integer[], $10::bigint[], $11::bigint[])"
        );
        sqlx::query(sql(query))
            .bind(&*self.project)
            .bind(batch.id)
            .bind(batch.tool)
            .bind(batch.user_id)
            .bind(batch.account)
            .bind(batch.status)
            .bind(batch.successful)
            .bind(batch.error)
            .bind(batch.attempts)
            .bind(batch.duration_ms)
            .bind(batch.started_at)
            .execute(self.pool())
            .await
            .map_err(|e| self.cx().db(what, e))?;
        Ok(())
    }

    async fn log(&self, id: &LogId) -> Result<Option<ExecutionLog>, StoreError> {
        let query = format!("SELECT {LOG_COLUMNS} FROM execution_logs WHERE id = $1 AND project = $2");
        let row = sqlx::query(sql(query))
            .bind(id.as_str())
            .bind(&*self.project)
            .fetch_optional(self.pool())
            .await
            .map_err(|e| self.cx().db(format!("read execution log {id}"), e))?;
        row.map(|row| log_row(&row).decode(&self.cx())).transpose()
    }

    async fn logs(&self, filter: &LogFilter) -> Result<Vec<ExecutionLog>, StoreError> {
        let query = format!(
            "SELECT {LOG_COLUMNS} FROM execution_logs
             WHERE project = $1 AND ($2::text IS NULL OR user_id = $2) AND ($3::text IS NULL OR tool = $3)
             ORDER BY started_at DESC, seq DESC LIMIT $4"
        );
        let rows = sqlx::query(sql(query))
            .bind(&*self.project)
            .bind(filter.user_id.as_ref().map(UserId::as_str))
            .bind(filter.tool.as_ref().map(ToolSlug::as_str))
            .bind(i64::try_from(filter.limit).unwrap_or(i64::MAX))
            .fetch_all(self.pool())
            .await
            .map_err(|e| self.cx().db("list execution logs", e))?;
        rows.iter().map(|row| log_row(row).decode(&self.cx())).collect()
    }
}
