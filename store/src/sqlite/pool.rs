//! The connections of a [`SqliteStore`](super::SqliteStore): one writer, and a few read
//! connections opened when first needed. In WAL mode a reader sees the last committed
//! state while a write is under way, so reads never wait for the writer (nor for another
//! process's write lock).
//!
//! A call first waits for its turn on the async side (the writer's lock, or one of the
//! read slots), without holding a thread; then it runs on a blocking thread.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::{Connection, OpenFlags};
use tokio::sync::{OwnedMutexGuard, OwnedSemaphorePermit, Semaphore};

use super::context::{db_error, BUSY_TIMEOUT};
use crate::StoreError;

/// How many read connections a file-backed store opens at most.
pub(super) const READ_CONNECTIONS: usize = 4;

/// The writer connection and, for a file, the read connections.
pub(super) struct Pool {
    writer: Arc<tokio::sync::Mutex<Connection>>,
    /// `None` for an in-memory database, which a second connection would not see: reads
    /// take the writer's turn there.
    readers: Option<Arc<Readers>>,
}

pub(super) struct Readers {
    file: PathBuf,
    /// One permit per read connection, open or not yet opened.
    slots: Arc<Semaphore>,
    idle: Mutex<Vec<Connection>>,
}

/// A turn on a connection: waited for on the async side, used on a blocking thread.
pub(super) enum Turn {
    /// The writer connection, locked.
    Writer(OwnedMutexGuard<Connection>),
    /// A read slot: an idle read connection, or one opened on first use.
    Reader(Arc<Readers>, OwnedSemaphorePermit),
}

impl Pool {
    /// A pool around the (set up and migrated) writer connection; `file` is the database
    /// file the read connections open, `None` for an in-memory database.
    pub(super) fn new(writer: Connection, file: Option<PathBuf>) -> Pool {
        let readers = file.map(|file| {
            Arc::new(Readers {
                file,
                slots: Arc::new(Semaphore::new(READ_CONNECTIONS)),
                idle: Mutex::new(Vec::with_capacity(READ_CONNECTIONS)),
            })
        });
        Pool { writer: Arc::new(tokio::sync::Mutex::new(writer)), readers }
    }

    /// Waits for the writer connection.
    pub(super) async fn write_turn(&self) -> Turn {
        Turn::Writer(Arc::clone(&self.writer).lock_owned().await)
    }

    /// Waits for a read slot (the writer's turn for an in-memory database).
    pub(super) async fn read_turn(&self) -> Turn {
        if let Some(readers) = &self.readers {
            // The semaphore is never closed, so this only fails in theory; the writer
            // serves then.
            if let Ok(permit) = Arc::clone(&readers.slots).acquire_owned().await {
                return Turn::Reader(Arc::clone(readers), permit);
            }
        }
        self.write_turn().await
    }
}

impl Turn {
    /// Runs `f` on the turn's connection, on this thread (a blocking one); `name` names
    /// the database in errors.
    pub(super) fn run<T>(
        self,
        name: &str,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        match self {
            Turn::Writer(mut conn) => f(&mut conn),
            Turn::Reader(readers, _permit) => {
                let idle = readers.idle.lock().unwrap_or_else(PoisonError::into_inner).pop();
                let mut conn = match idle {
                    Some(conn) => conn,
                    None => open_reader(&readers, name)?,
                };
                let result = f(&mut conn);
                readers.idle.lock().unwrap_or_else(PoisonError::into_inner).push(conn);
                result
            }
        }
    }
}

/// A read-only connection to the file.
fn open_reader(readers: &Readers, name: &str) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(&readers.file, flags)
        .map_err(|e| db_error(name, "open a read connection to the database", e))?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| db_error(name, "set the busy timeout", e))?;
    Ok(conn)
}
