//! Resource limits of a sandbox: rlimits (always; applied by util-linux `prlimit` between
//! the uid drop and bubblewrap, so they hold for every process of the sandbox), the
//! size of its private `/tmp`, the disk quota of its files (`quota.rs`), and cgroup memory and process limits where the host has
//! cgroups the server may write (best effort: skipped silently where absent).

use std::path::{Path, PathBuf};

/// Limits of one sandbox.
///
/// ```
/// let limits = toolsmith_workbench::Limits { processes: 64, ..Default::default() };
/// assert_eq!((limits.memory_bytes, limits.disk_bytes), (2 << 30, 1 << 30));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Address space of each process (`RLIMIT_AS`), and the cgroup memory limit of the
    /// whole sandbox where cgroups apply. numpy and pandas reserve much address space:
    /// 2 GiB is a sane floor.
    pub memory_bytes: u64,
    /// Processes and threads (`RLIMIT_NPROC`, counted per host uid: each session gets
    /// its own uid from [`SandboxConfig::uids`](crate::SandboxConfig::uids)); also the cgroup
    /// `pids.max`.
    pub processes: u64,
    /// Largest file a process may write (`RLIMIT_FSIZE`).
    pub file_size_bytes: u64,
    /// Open files per process (`RLIMIT_NOFILE`).
    pub open_files: u64,
    /// Size of the sandbox's private `/tmp`, of its `/dev/shm` and of `/run/kernel`
    /// (each a tmpfs; the last holds each cell's captured output while it runs).
    pub tmp_bytes: u64,
    /// Disk quota of a session's files: `/mnt/files` and `/home/user` together (both on
    /// the host's disk), in allocated bytes, each file or folder counting at least 4 KiB.
    /// The host measures them before, during (every 5–200 ms, more often near the quota)
    /// and after each cell: a cell that passes the quota is stopped like one past the
    /// hard timeout (the sandbox is killed, files are kept) and told to delete files; a
    /// cell that starts over the quota may delete but not grow. Writes of the host (the
    /// files API, offloaded results) past the quota are refused
    /// ([`Error::DiskQuota`](crate::Error::DiskQuota)). 1 GiB by default.
    pub disk_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory_bytes: 2 << 30,
            processes: 512,
            file_size_bytes: 1 << 30,
            open_files: 1024,
            tmp_bytes: 256 << 20,
            disk_bytes: 1 << 30,
        }
    }
}

impl Limits {
    /// The `prlimit` arguments that set the rlimits (soft = hard), core dumps off.
    pub(crate) fn prlimit_args(&self) -> Vec<String> {
        vec![
            format!("--as={}", self.memory_bytes),
            format!("--nproc={}", self.processes),
            format!("--fsize={}", self.file_size_bytes),
            format!("--nofile={}", self.open_files),
            "--core=0".to_owned(),
        ]
    }
}

/// The cgroups a sandbox is placed in, and which limits they apply.
#[derive(Debug, Default)]
pub(crate) struct Cgroups {
    /// The `cgroup.procs` files the sandbox's first process writes its pid to.
    pub(crate) procs: Vec<PathBuf>,
    /// The cgroup folders, removed when the sandbox stops.
    pub(crate) dirs: Vec<PathBuf>,
    /// What applied: `/sys/fs/cgroup/memory/toolsmith-workbench/<name>/memory.limit_in_bytes=…`.
    pub(crate) applied: Vec<String>,
}

impl Cgroups {
    /// Creates the cgroups of sandbox `name` under `base` (normally `/sys/fs/cgroup`),
    /// cgroup v1 (`memory/`, `pids/` hierarchies) or v2 (`cgroup.controllers`), and
    /// hands their `cgroup.procs` to `uid` so that the sandbox can join them itself.
    /// Anything that fails is skipped: rlimits and the `/tmp` size are the floor.
    pub(crate) fn create(base: &Path, name: &str, limits: &Limits, uid: Option<u32>) -> Cgroups {
        let mut groups = Cgroups::default();
        let v2 = base.join("cgroup.controllers");
        let plan: Vec<(PathBuf, &str, u64)> = if v2.exists() {
            let dir = base.join("toolsmith-workbench").join(name);
            vec![(dir.clone(), "memory.max", limits.memory_bytes), (dir, "pids.max", limits.processes)]
        } else {
            vec![
                (base.join("memory/toolsmith-workbench").join(name), "memory.limit_in_bytes", limits.memory_bytes),
                (base.join("pids/toolsmith-workbench").join(name), "pids.max", limits.processes),
            ]
        };
        if v2.exists() {
            // Controllers must be enabled for the children of our parent group.
            let _ = std::fs::create_dir_all(base.join("toolsmith-workbench"));
            let _ = std::fs::write(base.join("cgroup.subtree_control"), "+memory +pids");
            let _ = std::fs::write(base.join("toolsmith-workbench/cgroup.subtree_control"), "+memory +pids");
        }
        for (dir, file, value) in plan {
            if !dir.parent().is_some_and(|p| p.parent().is_some_and(Path::exists)) {
                continue;
            }
            if std::fs::create_dir_all(&dir).is_err() || std::fs::write(dir.join(file), value.to_string()).is_err() {
                continue;
            }
            let procs = dir.join("cgroup.procs");
            if let Some(uid) = uid {
                if std::os::unix::fs::chown(&procs, Some(uid), Some(uid)).is_err() {
                    continue;
                }
            }
            groups.applied.push(format!("{}={value}", dir.join(file).display()));
            if !groups.procs.contains(&procs) {
                groups.procs.push(procs);
                groups.dirs.push(dir);
            }
        }
        groups
    }

    /// Removes the (now empty) cgroup folders.
    pub(crate) fn remove(&self) {
        for dir in &self.dirs {
            let _ = std::fs::remove_dir(dir);
        }
    }

    /// Whether every cgroup folder is gone.
    pub(crate) fn removed(&self) -> bool {
        self.dirs.iter().all(|d| !d.exists())
    }

    /// Removes what earlier servers left under `base` (`<pid>-…` folders of processes
    /// that are gone, once empty).
    pub(crate) fn sweep(base: &Path) {
        let parents = ["toolsmith-workbench", "memory/toolsmith-workbench", "pids/toolsmith-workbench"];
        for parent in parents.map(|p| base.join(p)) {
            let Ok(entries) = std::fs::read_dir(&parent) else { continue };
            for entry in entries.flatten() {
                let name = entry.file_name();
                let pid = name.to_str().and_then(|n| n.split('-').next()).and_then(|p| p.parse::<u32>().ok());
                if pid.is_some_and(|pid| !Path::new(&format!("/proc/{pid}")).exists()) {
                    let _ = std::fs::remove_dir(entry.path());
                }
            }
        }
    }
}
