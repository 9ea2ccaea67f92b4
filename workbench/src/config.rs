//! [`SandboxConfig`]: where sessions live, who the sandbox runs as, its limits and
//! timeouts, and the Python packages bound into it.

use std::ops::Range;
use std::path::PathBuf;
use std::time::Duration;

use crate::Limits;

/// How the workbench runs sandboxes. Build it with `..SandboxConfig::new(root)`.
///
/// ```
/// use std::time::Duration;
/// let config = toolsmith_workbench::SandboxConfig {
///     cell_timeout: Duration::from_secs(60),
///     ..toolsmith_workbench::SandboxConfig::new("/var/lib/toolsmith/workbench")
/// };
/// assert_eq!(config.uids, Some(200_000..201_000));
/// let defaults = toolsmith_workbench::SandboxConfig::new("/srv/wb");
/// assert_eq!((defaults.cell_timeout, defaults.interrupt_before), (Duration::from_secs(180), Duration::from_secs(5)));
/// ```
///
/// # Adding Python packages
///
/// The sandbox sees the host's `/usr` read-only, so Debian packages (`apt-get install
/// python3-pandas`) are available inside at once. For packages from PyPI, install them
/// into a folder on the host, readable by the sandbox uids (`pip install --target /opt/workbench-python pandas`, with
/// the same Python version as `/usr/bin/python3`) and list it in
/// [`python_path`](Self::python_path): each folder is bound read-only at
/// `/opt/python/<n>` and put on `PYTHONPATH`.
#[derive(Clone, Debug)]
pub struct SandboxConfig {
    /// The workbench's folder: `<root>/sessions/<id>/files` is a session's `/mnt/files`
    /// (kept across sandbox restarts), `…/home` its `/home/user`, `…/run` holds its tool
    /// socket; `<root>/image` the kernel and seccomp filter. Its ancestors must be
    /// traversable (`x`) by the sandbox uids.
    pub root: PathBuf,
    /// The bubblewrap program.
    pub bwrap: PathBuf,
    /// The Python inside the sandbox (Debian's, under the read-only `/usr`).
    pub python: PathBuf,
    /// Host uids for sandboxes, one per running session (`RLIMIT_NPROC` counts per uid),
    /// used when the server runs as root; they need no passwd entry. `None` when running
    /// as root is an error: bubblewrap as root would map the sandbox to host root.
    /// Ignored when the server is not root (the sandbox runs as the server's uid). The
    /// workbenches of a host may share a range: a uid is leased through
    /// [`uid_locks`](Self::uid_locks) while its sandbox runs and returned when it stops.
    pub uids: Option<Range<u32>>,
    /// The host-wide folder of the uids' lock files (`uid-<n>.lock`, each held with an
    /// exclusive `flock` while a sandbox runs as that uid). Every workbench of a host must
    /// use the same folder. Default: `/run/toolsmith-workbench/uids`.
    pub uid_locks: PathBuf,
    /// Resource limits.
    pub limits: Limits,
    /// Hard per-cell timeout (Composio's is 180 s): a cell still running then has its
    /// sandbox killed; the next cell starts a new one (variables lost, `/mnt/files` kept).
    /// [`Cell::with_timeout`](crate::Cell::with_timeout) sets it per cell.
    pub cell_timeout: Duration,
    /// The soft timeout, as a margin: the kernel interrupts a cell this long before its
    /// hard timeout (at the latest half-way), kills the processes the cell started and
    /// keeps its variables. A cell that ignores the interrupt meets the hard timeout.
    pub interrupt_before: Duration,
    /// How long a sandbox may take to start.
    pub start_timeout: Duration,
    /// A sandbox without a cell for this long is stopped by
    /// [`Workbench::stop_idle`](crate::Workbench::stop_idle); the next cell starts it again.
    pub idle_timeout: Duration,
    /// Largest stdout, stderr or result returned per cell, in bytes; the rest is cut with
    /// a marker and the full stream written to `/mnt/files/.composio/output/`.
    pub output_limit: usize,
    /// Folders of extra Python packages, bound read-only and put on `PYTHONPATH`.
    pub python_path: Vec<PathBuf>,
}

/// How long a killed sandbox is given to exit (see `Kernel::stop`).
pub(crate) const STOP_WAIT: Duration = Duration::from_secs(5);

impl SandboxConfig {
    /// The longest [`Workbench::run`](crate::Workbench::run) of one cell with the default
    /// timeout may take: starting the sandbox, the hard timeout, and killing it. Servers
    /// wait at least this long on requests that can run a cell.
    ///
    /// ```
    /// let config = toolsmith_workbench::SandboxConfig::new("/srv/wb");
    /// assert_eq!(config.longest_cell(), std::time::Duration::from_secs(20 + 180 + 5));
    /// ```
    pub fn longest_cell(&self) -> Duration {
        self.start_timeout + self.cell_timeout + STOP_WAIT
    }

    /// The defaults, with sessions under `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        SandboxConfig {
            root: root.into(),
            bwrap: PathBuf::from("bwrap"),
            python: PathBuf::from("/usr/bin/python3"),
            uids: Some(200_000..201_000),
            uid_locks: PathBuf::from("/run/toolsmith-workbench/uids"),
            limits: Limits::default(),
            cell_timeout: Duration::from_secs(180),
            interrupt_before: Duration::from_secs(5),
            start_timeout: Duration::from_secs(20),
            idle_timeout: Duration::from_secs(15 * 60),
            output_limit: 64 * 1024,
            python_path: Vec::new(),
        }
    }
}
