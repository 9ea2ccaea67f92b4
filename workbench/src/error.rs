//! What can go wrong when starting or driving a sandbox (not what a cell does: a cell's
//! failure, timeout or a killed kernel is reported in its [`CellOutput`](crate::CellOutput)).

use std::path::PathBuf;

/// Why the workbench could not run a cell.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// bubblewrap is not installed.
    #[error(
        "bubblewrap (`{}`) was not found: install it (`apt-get install --no-install-recommends bubblewrap`) or set SandboxConfig::bwrap to its path",
        program.display()
    )]
    BwrapMissing {
        /// The program looked for.
        program: PathBuf,
    },
    /// The server runs as root and no unprivileged uid range is configured.
    #[error("refusing to start a sandbox as root without dropping to an unprivileged uid (as root, the sandbox could read root-only files such as /etc/shadow): set SandboxConfig::uids, e.g. 200000..201000")]
    RootWithoutDrop,
    /// Every uid of the configured range is taken by a running sandbox (of this server or
    /// another one on the host).
    #[error("no free sandbox uid in {start}..{end}: each is leased by a running sandbox of this or another server on the host; widen SandboxConfig::uids or stop idle sessions")]
    NoFreeUid {
        /// First uid of the range.
        start: u32,
        /// End of the range (exclusive).
        end: u32,
    },
    /// A session id that cannot name a folder.
    #[error("invalid session id `{id}`: use 1 to 128 ASCII letters, digits, `_` or `-`")]
    InvalidSession {
        /// The id given.
        id: String,
    },
    /// A write of the host into a session's files would pass their disk quota.
    #[error(
        "session `{session}`: writing {} to `{path}` would pass its files' disk quota of {} ({} used in /mnt/files and /home/user): delete files first (the files API's delete, or os.remove / rm in the workbench)",
        crate::size::show(*wanted), crate::size::show(*quota), crate::size::show(*used)
    )]
    DiskQuota {
        /// The session.
        session: String,
        /// The file written, relative to `/mnt/files`.
        path: String,
        /// Its size.
        wanted: u64,
        /// What the session's files take now.
        used: u64,
        /// Their quota ([`Limits::disk_bytes`](crate::Limits::disk_bytes)).
        quota: u64,
    },
    /// A file or folder of the workbench could not be prepared.
    #[error("{}: cannot {action}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What was being done (`create the folder`, `write`, `change the owner of`).
        action: &'static str,
        /// The underlying failure.
        #[source]
        source: std::io::Error,
    },
    /// A path in a session's files that is refused: absolute outside `/mnt/files`, with
    /// `..`, or through a symlink.
    #[error("file path `{path}`: {reason}; give a path relative to /mnt/files, without `..` or symlinks")]
    Path {
        /// The path given.
        path: String,
        /// Why it is refused.
        reason: String,
    },
    /// The sandbox or its kernel did not come up.
    #[error("the sandbox of session `{session}` did not start: {message}")]
    Start {
        /// The session.
        session: String,
        /// What happened, with bubblewrap's last words when it said something.
        message: String,
    },
    /// A cell of [`bench`](crate::bench()) failed.
    #[error("the workbench bench: a cell in session `{session}` failed: {message}")]
    Bench {
        /// The bench's session.
        session: String,
        /// The cell's error.
        message: String,
    },
    /// The seccomp filter could not be built for this machine.
    #[error("cannot build the sandbox's seccomp filter for {arch}: {message}")]
    Seccomp {
        /// The CPU architecture.
        arch: &'static str,
        /// What failed.
        message: String,
    },
}

impl Error {
    /// An [`Error::Io`] for `path`.
    pub(crate) fn io(path: impl Into<PathBuf>, action: &'static str) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.into();
        move |source| Error::Io { path, action, source }
    }
}
