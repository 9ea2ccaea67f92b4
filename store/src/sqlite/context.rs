//! What every connection and query of the SQLite store shares: the busy timeout, how a
//! SQLite error becomes a [`StoreError`], and [`Cx`], what a query gets besides its
//! connection.

use std::fmt;
use std::time::Duration;

use rusqlite::ErrorCode;

use crate::crypto::LiveKeys;
use crate::rows::{corrupt_row, RowCx};
use crate::StoreError;

/// How long a call waits for another process's write lock before failing.
pub(super) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// What the queries need besides the connection: the file's name for messages and the
/// key ring.
pub(super) struct Cx<'a> {
    pub(super) path: &'a str,
    pub(super) keys: &'a LiveKeys,
}

impl Cx<'_> {
    pub(super) fn db(&self, what: impl fmt::Display, e: rusqlite::Error) -> StoreError {
        db_error(self.path, &what.to_string(), e)
    }
}

impl RowCx for Cx<'_> {
    fn database(&self) -> &str {
        self.path
    }

    fn keys(&self) -> &LiveKeys {
        self.keys
    }

    fn corrupt(&self, table: &str, id: &str, column: &str, problem: &str) -> StoreError {
        corrupt_row(self.path, table, id, column, problem)
    }
}

/// The error of a failed SQLite call: [`StoreError::Busy`] when the database stayed
/// locked, [`StoreError::Conflict`] on a constraint violation, else
/// [`StoreError::Database`]; `what` says what was being done (`save auth config ac_…`).
pub(super) fn db_error(path: &str, what: &str, e: rusqlite::Error) -> StoreError {
    let path = path.to_owned();
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreError::Busy {
            message: format!(
                "could not {what}: another connection or process holds the database locked (waited up to {} s); \
                 try again",
                BUSY_TIMEOUT.as_secs()
            ),
            path,
            source: Some(Box::new(e)),
        },
        Some(ErrorCode::ConstraintViolation) => {
            StoreError::Conflict { message: format!("could not {what}: {e}"), path, source: Some(Box::new(e)) }
        }
        _ => StoreError::Database { message: format!("could not {what}: {e}"), path, source: Some(Box::new(e)) },
    }
}
