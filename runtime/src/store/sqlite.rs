//! The embedded SQLite store (skeleton: the store helper replaces this file).

/// A [`super::Store`] in a SQLite file.
#[derive(Debug)]
pub struct SqliteStore {
    _private: (),
}
