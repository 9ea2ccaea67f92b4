//! [`Workbench`]: the sandboxes of all sessions — started on a session's first cell, one
//! cell at a time per session, restarted after a hard timeout, stopped when idle.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use tokio::task::JoinHandle;

use crate::callback::{SharedAccess, ToolServer};
use crate::kernel::{Kernel, CGROUP_ROOT};
use crate::limits::Cgroups;
use crate::profile::{Image, SessionDirs};
use crate::protocol::{CellKind, CellOutput};
use crate::quota;
use crate::uids::{UidLease, Uids};
use crate::{Error, SandboxConfig, ToolAccess};

/// One cell to run.
///
/// ```
/// let cell = toolsmith_workbench::Cell::python("x = 21\nx * 2").with_timeout(std::time::Duration::from_secs(5));
/// assert_eq!(cell.kind, toolsmith_workbench::CellKind::Python);
/// ```
#[derive(Clone, Debug)]
pub struct Cell {
    /// Python or bash.
    pub kind: CellKind,
    /// The code.
    pub code: String,
    /// The hard timeout of this cell; [`SandboxConfig::cell_timeout`] when `None`. The
    /// soft one comes [`SandboxConfig::interrupt_before`] earlier.
    pub timeout: Option<Duration>,
}

impl Cell {
    /// A Python cell.
    pub fn python(code: impl Into<String>) -> Cell {
        Cell { kind: CellKind::Python, code: code.into(), timeout: None }
    }

    /// A bash cell (cwd `/home/user`).
    pub fn bash(command: impl Into<String>) -> Cell {
        Cell { kind: CellKind::Bash, code: command.into(), timeout: None }
    }

    /// The same cell with its own (hard) timeout.
    pub fn with_timeout(self, timeout: Duration) -> Cell {
        Cell { timeout: Some(timeout), ..self }
    }
}

/// The sandboxes of all sessions.
#[derive(Debug)]
pub struct Workbench {
    config: SandboxConfig,
    image: Image,
    /// The uids of `config.uids`, when the server runs as root (and so must drop to one).
    uids: Option<Uids>,
    sessions: Mutex<HashMap<String, Arc<Slot>>>,
}

/// A session's place: its folders and sandbox (when running).
#[derive(Debug)]
struct Slot {
    dirs: SessionDirs,
    access: SharedAccess,
    state: tokio::sync::Mutex<State>,
    last_used: Mutex<Instant>,
}

#[derive(Debug, Default)]
struct State {
    kernel: Option<Kernel>,
    server: Option<ToolServer>,
    /// The uid the sandbox runs as, while it runs.
    lease: Option<UidLease>,
}

impl Workbench {
    /// Checks that bubblewrap is installed and that the sandbox will not run as root,
    /// and writes the image (kernel, seccomp filter) under the root folder.
    pub fn new(config: SandboxConfig) -> Result<Workbench, Error> {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        if find_program(&config.bwrap).is_none() {
            return Err(Error::BwrapMissing { program: config.bwrap.clone() });
        }
        let root = std::fs::metadata("/proc/self").map_err(Error::io("/proc/self", "read"))?.uid() == 0;
        if root && config.uids.as_ref().is_none_or(|uids| uids.is_empty() || uids.start == 0) {
            return Err(Error::RootWithoutDrop);
        }
        let sessions = config.root.join("sessions");
        std::fs::create_dir_all(&sessions).map_err(Error::io(&sessions, "create the folder"))?;
        for dir in [&config.root, &sessions] {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o711))
                .map_err(Error::io(dir, "change the mode of"))?;
        }
        let image = Image::write(&config.root)?;
        Cgroups::sweep(Path::new(CGROUP_ROOT));
        let uids = match (&config.uids, root) {
            (Some(range), true) => Some(Uids::new(range.clone(), &config.uid_locks)?),
            _ => None,
        };
        Ok(Workbench { config, image, uids, sessions: Mutex::new(HashMap::new()) })
    }

    /// The configuration.
    pub fn config(&self) -> &SandboxConfig {
        &self.config
    }

    /// The host folder that is session `session`'s `/mnt/files`.
    pub fn files_dir(&self, session: &str) -> Result<PathBuf, Error> {
        check_id(session)?;
        Ok(SessionDirs::new(&self.config.root, session).files)
    }

    /// Writes `bytes` to `path` (relative to the session's `/mnt/files`, or under it),
    /// making folders; the file is handed to the owner of the folder (the session's last
    /// sandbox uid) when sandboxes run as uids of their own.
    /// [`Error::DiskQuota`] when the session's files would pass [`Limits::disk_bytes`](crate::Limits::disk_bytes).
    /// Returns the path inside the sandbox (`/mnt/files/…`).
    pub fn write_file(&self, session: &str, path: &str, bytes: &[u8]) -> Result<String, Error> {
        let root = self.files_dir(session)?;
        let relative = crate::files::mount_relative(path)?;
        let (wanted, quota) = (bytes.len() as u64, self.config.limits.disk_bytes);
        let used = quota::usage(&SessionDirs::new(&self.config.root, session).quota_roots());
        let replaced = crate::files::size(&root, path).unwrap_or(0);
        if used.saturating_sub(replaced).saturating_add(wanted) > quota {
            return Err(Error::DiskQuota { session: session.to_owned(), path: relative, wanted, used, quota });
        }
        crate::files::write(&root, path, bytes, self.owner_of(&root))?;
        Ok(format!("{}/{relative}", crate::files::MOUNT_PREFIX))
    }

    /// Reads the file `path` of session `session` (symlinks refused).
    pub fn read_file(&self, session: &str, path: &str) -> Result<Vec<u8>, Error> {
        crate::files::read(&self.files_dir(session)?, path)
    }

    /// The size of the file `path` of session `session` (symlinks refused).
    pub fn file_size(&self, session: &str, path: &str) -> Result<u64, Error> {
        crate::files::size(&self.files_dir(session)?, path)
    }

    /// The files of session `session` whose path (relative to `/mnt/files`) starts with
    /// `prefix`, sorted by path.
    pub fn list_files(&self, session: &str, prefix: &str) -> Result<Vec<crate::FileEntry>, Error> {
        crate::files::list(&self.files_dir(session)?, prefix)
    }

    /// Deletes the file `path` of session `session`; `false` when there was none.
    pub fn delete_file(&self, session: &str, path: &str) -> Result<bool, Error> {
        crate::files::delete(&self.files_dir(session)?, path)
    }

    /// Runs `cell` in session `session`'s sandbox, starting it when it is not running.
    /// Tool calls from the cell go through `access` (the latest caller's access is the
    /// session's). Cells of one session run one at a time, in order.
    pub async fn run(&self, session: &str, access: Arc<ToolAccess>, cell: Cell) -> Result<CellOutput, Error> {
        let slot = self.slot(session, &access)?;
        *slot.access.lock().unwrap_or_else(|e| e.into_inner()) = access;
        let mut state = slot.state.lock().await;
        let started = state.kernel.is_none();
        if started {
            // The session's last uid, when free: its files need no new owner.
            let lease = match &self.uids {
                Some(uids) => Some(uids.lease(self.owner_of(&slot.dirs.files))?),
                None => None,
            };
            let uid = lease.as_ref().map(UidLease::uid);
            slot.dirs.prepare(uid)?;
            // The tool socket belongs to the sandbox's uid: a new one with each sandbox.
            state.server = None;
            let socket = slot.dirs.run.join("tool.sock");
            state.server = Some(ToolServer::start(&socket, uid, slot.access.clone())?);
            state.kernel = Some(Kernel::start(&self.config, &self.image, &slot.dirs, uid, session).await?);
            state.lease = lease;
        }
        let hard = cell.timeout.unwrap_or(self.config.cell_timeout);
        let soft = hard - self.config.interrupt_before.min(hard / 2);
        let (roots, quota) = (slot.dirs.quota_roots(), self.config.limits.disk_bytes);
        let before = quota::usage_async(roots.clone()).await;
        // A cell that starts over the quota may delete files, not add any.
        let limit = quota.max(before);
        let Some(kernel) = state.kernel.as_mut() else {
            return Err(Error::Start { session: session.to_owned(), message: "no kernel".into() });
        };
        let mut watchdog = quota::Watchdog::start(roots.clone(), limit, before, kernel.pid());
        let answer = tokio::select! {
            biased;
            used = watchdog.fired() => Err(quota_stopped(used, quota)),
            answer = kernel.run(cell.kind, &cell.code, soft, hard - soft) => answer,
        };
        let answer = match (watchdog.disarm(), answer) {
            // Killed just as the cell ended: the sandbox is gone all the same.
            (Some(used), Ok(_)) => Err(quota_stopped(used, quota)),
            (_, answer) => answer,
        };
        let mut output = match answer {
            Ok(output) => output,
            Err(output) => {
                stop_slot(&mut state).await;
                output
            }
        };
        let after = quota::usage_async(roots).await;
        if after > quota && !output.killed {
            output.stderr.push_str(&format!(
                "\n[workbench] this session's files (/mnt/files and /home/user) use {}, past their quota of {}: \
                 delete files (os.remove, rm); until then a cell that writes more is stopped.\n",
                crate::size::show(after),
                crate::size::show(quota)
            ));
        }
        output.started = started;
        *slot.last_used.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
        Ok(output)
    }

    /// Whether session `session`'s sandbox is running.
    pub fn is_running(&self, session: &str) -> bool {
        let slot = self.sessions.lock().unwrap_or_else(|e| e.into_inner()).get(session).cloned();
        slot.is_some_and(|slot| slot.state.try_lock().map_or(true, |state| state.kernel.is_some()))
    }

    /// The limits that apply to session `session`'s running sandbox (rlimits as
    /// `prlimit` options, the `/tmp` size, the cgroup limits that could be set: cgroups
    /// are skipped where the host has none the server may write); `None` when it is not
    /// running.
    pub async fn limits_applied(&self, session: &str) -> Option<Vec<String>> {
        let slot = self.sessions.lock().unwrap_or_else(|e| e.into_inner()).get(session).cloned()?;
        let state = slot.state.lock().await;
        state.kernel.as_ref().map(|kernel| kernel.limits_applied(&self.config))
    }

    /// Stops session `session`'s sandbox (its files stay); the next cell starts a new one.
    pub async fn stop(&self, session: &str) {
        let slot = self.sessions.lock().unwrap_or_else(|e| e.into_inner()).get(session).cloned();
        if let Some(slot) = slot {
            stop_slot(&mut *slot.state.lock().await).await;
        }
    }

    /// Stops the sandboxes that ran no cell for [`SandboxConfig::idle_timeout`] and are
    /// not running one now; returns how many.
    pub async fn stop_idle(&self) -> usize {
        let slots: Vec<Arc<Slot>> = self.sessions.lock().unwrap_or_else(|e| e.into_inner()).values().cloned().collect();
        let mut stopped = 0;
        for slot in slots {
            let idle = slot.last_used.lock().unwrap_or_else(|e| e.into_inner()).elapsed() >= self.config.idle_timeout;
            if !idle {
                continue;
            }
            if let Ok(mut state) = slot.state.try_lock() {
                if state.kernel.is_some() {
                    stop_slot(&mut state).await;
                    stopped += 1;
                }
            }
        }
        stopped
    }

    /// Calls [`stop_idle`](Self::stop_idle) every quarter of the idle timeout (at most a
    /// minute apart) until the workbench is dropped.
    pub fn spawn_idle_reaper(self: &Arc<Self>) -> JoinHandle<()> {
        let workbench: Weak<Workbench> = Arc::downgrade(self);
        let every = (self.config.idle_timeout / 4).clamp(Duration::from_millis(100), Duration::from_secs(60));
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                let Some(workbench) = workbench.upgrade() else { return };
                let stopped = workbench.stop_idle().await;
                if stopped > 0 {
                    tracing::debug!(stopped, "workbench: idle sandboxes stopped");
                }
            }
        })
    }

    /// The slot of `session`, made on first use.
    fn slot(&self, session: &str, access: &Arc<ToolAccess>) -> Result<Arc<Slot>, Error> {
        check_id(session)?;
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(slot) = sessions.get(session) {
            return Ok(slot.clone());
        }
        let slot = Arc::new(Slot {
            dirs: SessionDirs::new(&self.config.root, session),
            access: Arc::new(Mutex::new(access.clone())),
            state: tokio::sync::Mutex::new(State::default()),
            last_used: Mutex::new(Instant::now()),
        });
        sessions.insert(session.to_owned(), slot.clone());
        Ok(slot)
    }

    /// The uid that owns a session's folder `dir` when sandboxes run as uids of their own
    /// (its running or last sandbox's); `None` otherwise, or when it is root's.
    fn owner_of(&self, dir: &Path) -> Option<u32> {
        use std::os::unix::fs::MetadataExt;
        self.uids.as_ref()?;
        std::fs::symlink_metadata(dir).ok().map(|meta| meta.uid()).filter(|uid| *uid != 0)
    }
}

/// The answer of a cell stopped at `used` bytes, past the session's disk quota.
fn quota_stopped(used: u64, quota: u64) -> CellOutput {
    CellOutput {
        error: Some(format!(
            "DiskQuotaError: this session's files (/mnt/files and /home/user) reached {}, past their quota of {}: \
             the cell was stopped and its sandbox killed; files are kept. Delete files to free space \
             (os.remove or shutil.rmtree in Python, rm in bash), then go on",
            crate::size::show(used),
            crate::size::show(quota)
        )),
        killed: true,
        ..CellOutput::default()
    }
}

/// Stops a sandbox: kills it, closes its tool socket and returns its uid.
async fn stop_slot(state: &mut State) {
    if let Some(mut kernel) = state.kernel.take() {
        kernel.stop().await;
    }
    state.server = None;
    state.lease = None;
}

fn check_id(id: &str) -> Result<(), Error> {
    let ok = (1..=128).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidSession { id: id.to_owned() })
    }
}

/// `program` itself when it has a slash, else its place on `PATH`.
fn find_program(program: &Path) -> Option<PathBuf> {
    if program.components().count() > 1 {
        return program.is_file().then(|| program.to_path_buf());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(program)).find(|p| p.is_file())
}
