//! The disk quota of a session's files (`/mnt/files` and `/home/user`, both on the host's
//! disk): [`usage`] measures them, a [`Watchdog`] measures them while a cell runs and
//! kills the cell's sandbox once they pass the limit.
//!
//! Loop-mounted images or project quotas would be enforced by the kernel, but need root
//! with `CAP_SYS_ADMIN` on the host (or a filesystem mounted with `prjquota`); the
//! sandbox runs wherever bubblewrap does. So the host measures: before each cell, while
//! it runs (more often as the usage nears the limit and as it grows faster), after it,
//! and before each write of the host into the folder. A cell can overshoot by what it
//! writes between two measurements: near the limit, [`MIN_EVERY`] plus one walk of the
//! folder and the kill, at its write rate; the kill stops it there.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Each file, folder or link counts at least this much: an empty file still takes an
/// inode, and a flood of them must reach the quota too.
pub(crate) const MIN_ENTRY: u64 = 4096;

/// Longest pause between two measurements while a cell runs.
pub(crate) const MAX_EVERY: Duration = Duration::from_millis(200);

/// Shortest pause between two measurements, when the usage is close to the limit.
pub(crate) const MIN_EVERY: Duration = Duration::from_millis(2);

/// The write rate assumed before one is measured (bytes per second): what a cell could
/// write into the page cache (several GB/s for 1 MiB writes from Python here).
const ASSUMED_RATE: f64 = 16.0 * 1024.0 * 1024.0 * 1024.0;

/// The bytes the folders `roots` take on disk: allocated blocks (sparse files count what
/// they use), each entry at least [`MIN_ENTRY`]. Symlinks are not followed; a folder that
/// cannot be listed counts what was seen before it.
pub(crate) fn usage(roots: &[PathBuf]) -> u64 {
    use std::os::unix::fs::MetadataExt;
    let mut total = 0u64;
    for root in roots {
        let mut add = |meta: &std::fs::Metadata| total = total.saturating_add((meta.blocks() * 512).max(MIN_ENTRY));
        if let Ok(meta) = std::fs::symlink_metadata(root) {
            add(&meta);
        }
        let walked = crate::files::walk_tree(root, |_, entry, _| {
            if let Ok(meta) = entry.metadata() {
                add(&meta);
            }
        });
        if let Err(e) = walked {
            tracing::debug!(error = %e, "workbench: part of a session's files could not be measured");
        }
    }
    total
}

/// [`usage`] on a blocking thread.
pub(crate) async fn usage_async(roots: Vec<PathBuf>) -> u64 {
    tokio::task::spawn_blocking(move || usage(&roots)).await.unwrap_or(0)
}

/// A thread that measures a session's files while a cell runs and kills the sandbox
/// (SIGKILL to bubblewrap: the sandbox's pid namespace dies with it) once they pass the
/// limit. A thread of its own, not a task: it wakes, measures and kills without waiting
/// for the async runtime's threads.
pub(crate) struct Watchdog {
    /// `None` once disarmed; the thread kills only while it holds this lock and finds it armed.
    armed: Arc<Mutex<Option<Arm>>>,
    fired: tokio::sync::oneshot::Receiver<u64>,
}

struct Arm {
    fired: tokio::sync::oneshot::Sender<u64>,
}

impl Watchdog {
    /// Starts watching `roots` (whose usage was `start` just now) for process `pid`.
    ///
    /// The pause between measurements is the time the remaining room would take to fill
    /// at the fastest rate seen (at least [`ASSUMED_RATE`]), between [`MIN_EVERY`] and
    /// [`MAX_EVERY`], and at least twice the last measurement's time (so that a large
    /// folder costs the host at most a third of a core).
    pub(crate) fn start(roots: Vec<PathBuf>, limit: u64, start: u64, pid: Option<u32>) -> Watchdog {
        let (send, fired) = tokio::sync::oneshot::channel();
        let armed = Arc::new(Mutex::new(Some(Arm { fired: send })));
        let watching = Arc::downgrade(&armed);
        let spawned = std::thread::Builder::new().name("workbench-quota".into()).spawn(move || {
            let (mut at, mut used, mut rate, mut walk) = (Instant::now(), start, ASSUMED_RATE, Duration::ZERO);
            loop {
                std::thread::sleep(pause(limit.saturating_sub(used) as f64, rate).max(walk * 2));
                if watching.strong_count() == 0 {
                    return;
                }
                let began = Instant::now();
                let now_used = usage(&roots);
                walk = began.elapsed();
                if now_used > limit {
                    let Some(armed) = watching.upgrade() else { return };
                    let mut armed = armed.lock().unwrap_or_else(|e| e.into_inner());
                    if let Some(arm) = armed.take() {
                        // Said before the kill: the cell's end (EOF) is then never seen first.
                        let _ = arm.fired.send(now_used);
                        kill(pid);
                    }
                    return;
                }
                let grown = now_used.saturating_sub(used) as f64 / at.elapsed().as_secs_f64().max(1e-3);
                rate = grown.max(ASSUMED_RATE);
                (at, used) = (Instant::now(), now_used);
            }
        });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "workbench: cannot start the disk quota's watchdog; this cell runs unwatched");
        }
        Watchdog { armed, fired }
    }

    /// The usage that made the watchdog kill the sandbox, once it did.
    pub(crate) async fn fired(&mut self) -> u64 {
        match (&mut self.fired).await {
            Ok(used) => used,
            Err(_) => std::future::pending().await,
        }
    }

    /// Stops watching: no kill after this returns. The usage when it killed before that.
    pub(crate) fn disarm(mut self) -> Option<u64> {
        self.armed.lock().unwrap_or_else(|e| e.into_inner()).take();
        self.fired.try_recv().ok()
    }
}

fn kill(pid: Option<u32>) {
    let pid = pid.and_then(|pid| i32::try_from(pid).ok()).and_then(rustix::process::Pid::from_raw);
    if let Some(pid) = pid {
        if let Err(e) = rustix::process::kill_process(pid, rustix::process::Signal::KILL) {
            tracing::warn!(error = %e, "workbench: cannot kill a sandbox over its disk quota");
        }
    }
}

/// How long `room` bytes take to fill at `rate` bytes per second, within the bounds.
fn pause(room: f64, rate: f64) -> Duration {
    Duration::from_secs_f64(room / rate).clamp(MIN_EVERY, MAX_EVERY)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn usage_counts_blocks_entries_and_names_that_are_not_utf8() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        let empty = usage(std::slice::from_ref(&root));
        assert!(empty >= MIN_ENTRY, "{empty}");
        let hidden = root.join(std::ffi::OsStr::from_bytes(b"\xff"));
        std::fs::create_dir(&hidden).unwrap();
        std::fs::write(hidden.join("data"), vec![1u8; 1 << 20]).unwrap();
        for n in 0..10 {
            std::fs::write(root.join(format!("empty{n}")), b"").unwrap();
        }
        // A symlink to a big folder counts as a link, not as its target.
        std::os::unix::fs::symlink("/usr", root.join("usr")).unwrap();
        let used = usage(std::slice::from_ref(&root));
        assert!(used >= empty + (1 << 20) + 12 * MIN_ENTRY, "{used}");
        assert!(used < empty + (1 << 20) + 16 * MIN_ENTRY + 64 * 1024, "{used}");
        assert_eq!(usage(&[root.join("missing")]), 0);
    }

    #[test]
    fn pauses_shrink_near_the_limit() {
        assert_eq!(pause(1e12, ASSUMED_RATE), MAX_EVERY);
        assert_eq!(pause(0.0, ASSUMED_RATE), MIN_EVERY);
        assert!(pause(16.0 * 1024.0 * 1024.0, ASSUMED_RATE) < Duration::from_millis(5));
    }
}
