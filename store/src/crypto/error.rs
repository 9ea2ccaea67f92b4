//! [`KeyError`]: why keys could not be loaded or a secret sealed or opened.

use super::key_id::KeyId;

/// Why keys could not be loaded or a secret could not be sealed or opened. Messages name
/// key ids, files and variables, never a key or a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The key that sealed a value is not in the key ring.
    #[error(
        "a secret was sealed with key `{id}`, which is not loaded (loaded: {loaded}); add that key back: \
         list it in TOOLSMITH_SECRET_KEY after the current key, or restore <TOOLSMITH_HOME>/secret.keys \
         from a backup (every server of a deployment on one PostgreSQL database must be given the same keys)"
    )]
    UnknownKey {
        /// The missing key.
        id: KeyId,
        /// The ids of the keys that are loaded, comma-separated.
        loaded: String,
    },
    /// A sealed value is malformed or was altered.
    #[error(
        "a sealed secret is corrupt ({reason}); it cannot be decrypted: set the secret again \
         (reconnect the account or update the auth config)"
    )]
    Corrupt {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A value was sealed in a format this build does not know.
    #[error(
        "a secret was sealed in format `{version}`, which this version of toolsmith does not read; upgrade toolsmith"
    )]
    UnsupportedFormat {
        /// The format tag found.
        version: String,
    },
    /// A configured key is not base64 of 32 bytes.
    #[error("{origin}: {reason}; each key is the base64 of 32 random bytes (make one with `openssl rand -base64 32`)")]
    InvalidKey {
        /// Where the key was read: `TOOLSMITH_SECRET_KEY, key 2` or `<file>, line 4`.
        origin: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The variable or the key file lists no key.
    #[error(
        "{origin} holds no key; set TOOLSMITH_SECRET_KEY to base64 keys, or restore the key file from a backup \
         (delete it to get a new key only if no secret was ever stored with it)"
    )]
    NoKeys {
        /// The variable or file.
        origin: String,
    },
    /// The key file can be read or written by other users.
    #[error("key file {path} is accessible to other users (mode {mode:03o}); run `chmod 600 {path}`")]
    Permissions {
        /// The key file.
        path: String,
        /// Its permission bits.
        mode: u32,
    },
    /// The key file (or its folder) could not be read or written.
    #[error("key file {path}: could not {action}: {source}")]
    Io {
        /// The file or folder.
        path: String,
        /// What was being done (`read it`, `create it`).
        action: &'static str,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The key file is missing while the database holds secrets sealed with a key: a
    /// new key would not open them, so none is created.
    #[error(
        "key file {path} is missing, but the database {database} holds secrets sealed with key `{id}`; a new key \
         would not open them, so none was created: restore the key file from a backup, or set \
         TOOLSMITH_SECRET_KEY to the key with id `{id}`"
    )]
    KeyFileMissing {
        /// Where the key file was expected.
        path: String,
        /// The database that holds sealed secrets.
        database: String,
        /// The key that sealed one of them.
        id: KeyId,
    },
    /// The operating system's random number source failed.
    #[error("the operating system's random source failed ({0}); no key or nonce could be generated")]
    Random(String),
}
