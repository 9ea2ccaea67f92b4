//! What every query of the PostgreSQL store shares: how a driver error becomes a
//! [`StoreError`], and the database's name for messages (its URL without a password).

use std::fmt;

use crate::crypto::LiveKeys;
use crate::rows::{corrupt_row, RowCx};
use crate::StoreError;

/// The database's name in messages: its URL with any password (and query string, which
/// may hold one) left out. A URL that does not parse is named by its scheme alone.
///
/// ```ignore
/// assert_eq!(redacted("postgres://ts:hunter2@db:5432/toolsmith?sslmode=require"), "postgres://ts@db:5432/toolsmith");
/// ```
pub(super) fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            let _ = parsed.set_password(None);
            parsed.set_query(None);
            parsed.set_fragment(None);
            parsed.to_string()
        }
        Err(_) => "postgres://(a URL that does not parse)".to_owned(),
    }
}

/// SQL put together from this crate's constants (column lists, table names) and never
/// from input: values are always bound parameters.
pub(super) fn sql(text: String) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(text)
}

/// The error of a failed query; `what` says what was being done (`save auth config ac_…`):
/// [`StoreError::Busy`] when the database could not be reached in time or the transaction
/// lost a race it may win when tried again (serialization failure, deadlock),
/// [`StoreError::Conflict`] on a unique or other integrity violation, else
/// [`StoreError::Database`]. `name` is already [`redacted`].
pub(super) fn db_error(name: &str, what: &str, e: sqlx::Error) -> StoreError {
    let path = name.to_owned();
    let code = e.as_database_error().and_then(|d| d.code()).map(|c| c.into_owned());
    match (&e, code.as_deref()) {
        // serialization_failure, deadlock_detected, lock_not_available, too_many_connections,
        // admin_shutdown, crash_shutdown, cannot_connect_now
        (_, Some("40001" | "40P01" | "55P03" | "53300" | "57P01" | "57P02" | "57P03"))
        | (sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed, _) => StoreError::Busy {
            message: format!("could not {what}: {e}; the database was busy or unreachable, try again"),
            path,
            source: Some(Box::new(e)),
        },
        // integrity_constraint_violation and its kinds (unique, foreign key, check, not null)
        (_, Some(code)) if code.starts_with("23") => {
            StoreError::Conflict { message: format!("could not {what}: {e}"), path, source: Some(Box::new(e)) }
        }
        _ => StoreError::Database { message: format!("could not {what}: {e}"), path, source: Some(Box::new(e)) },
    }
}

/// What the queries need besides the pool: the database's name for messages and the key
/// ring.
#[derive(Clone, Copy)]
pub(super) struct Cx<'a> {
    pub(super) name: &'a str,
    pub(super) keys: &'a LiveKeys,
}

impl Cx<'_> {
    /// [`db_error`] for this database.
    pub(super) fn db(&self, what: impl fmt::Display, e: sqlx::Error) -> StoreError {
        db_error(self.name, &what.to_string(), e)
    }
}

impl RowCx for Cx<'_> {
    fn database(&self) -> &str {
        self.name
    }

    fn keys(&self) -> &LiveKeys {
        self.keys
    }

    fn corrupt(&self, table: &str, id: &str, column: &str, problem: &str) -> StoreError {
        corrupt_row(self.name, table, id, column, problem)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_hold_no_password() {
        assert_eq!(
            redacted("postgres://ts:hunter2@db.internal:5432/toolsmith?sslmode=require&password=x"),
            "postgres://ts@db.internal:5432/toolsmith"
        );
        assert_eq!(redacted("postgres://db/toolsmith"), "postgres://db/toolsmith");
        assert!(!redacted("postgres://ts:hun ter2@").contains("hun"));
    }
}
