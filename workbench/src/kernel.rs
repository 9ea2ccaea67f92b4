//! A running sandbox with its kernel: started from the `profile`, driven
//! over the `protocol`, killed on a hard timeout.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout};
use tokio::time::{timeout_at, Instant};

use crate::limits::Cgroups;
use crate::profile::{self, Image, SessionDirs};
use crate::protocol::{self, read_line, CellKind, CellOutput, Line};
use crate::{Error, SandboxConfig};

/// Where the host's cgroup hierarchies are mounted.
pub(crate) const CGROUP_ROOT: &str = "/sys/fs/cgroup";

/// Room for the kernel's truncation marker beyond the output limit.
const MARKER: usize = 128;

/// Lines of bubblewrap's and the kernel's own stderr kept for error messages.
const STDERR_LINES: usize = 20;

/// One session's sandbox, running.
#[derive(Debug)]
pub(crate) struct Kernel {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    stderr: Arc<Mutex<VecDeque<String>>>,
    cgroups: Cgroups,
    /// Cells run so far: the number of the next one (names its overflow files).
    cells: u64,
    /// Longest reply line accepted.
    max_line: usize,
    /// Cap of each string of a reply (plus [`MARKER`]).
    output_limit: usize,
}

impl Kernel {
    /// Starts the sandbox of session `session` and waits for its kernel to say it is ready.
    pub(crate) async fn start(
        config: &SandboxConfig,
        image: &Image,
        dirs: &SessionDirs,
        uid: Option<u32>,
        session: &str,
    ) -> Result<Kernel, Error> {
        let fail = |message: String| Error::Start { session: session.to_owned(), message };
        // Unique per process and start: workbenches of one host (or one test run) may share session ids.
        static STARTS: AtomicU64 = AtomicU64::new(0);
        let name = format!("{}-{}-{session}", std::process::id(), STARTS.fetch_add(1, Ordering::Relaxed));
        let cgroups = Cgroups::create(Path::new(CGROUP_ROOT), &name, &config.limits, uid);
        if !cgroups.applied.is_empty() {
            tracing::debug!(session, applied = ?cgroups.applied, "workbench: cgroup limits");
        }
        let mut child = profile::command(config, image, dirs, uid, &cgroups)
            .spawn()
            .map_err(|e| fail(format!("cannot run /bin/sh, prlimit and {}: {e}", config.bwrap.display())))?;
        let (Some(stdin), Some(stdout), Some(stderr)) = (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            return Err(fail("the sandbox's pipes were not opened".into()));
        };
        let tail = Arc::new(Mutex::new(VecDeque::new()));
        let stderr_task = tokio::spawn(keep_tail(stderr, tail.clone()));
        let mut kernel = Kernel {
            child,
            stdin,
            stdout: BufReader::new(stdout),
            stderr: tail,
            cgroups,
            cells: 1,
            max_line: config.output_limit * 20 + 64 * 1024,
            output_limit: config.output_limit,
        };
        let ready = timeout_at(Instant::now() + config.start_timeout, read_line(&mut kernel.stdout, 4096)).await;
        let problem = match ready {
            Ok(Ok(Line::Whole(line))) => match serde_json::from_slice::<Value>(&line) {
                Ok(value) if value.get("ready") == Some(&Value::Bool(true)) => return Ok(kernel),
                _ => "the kernel's first line was not its ready message".to_owned(),
            },
            Ok(Ok(_)) | Ok(Err(_)) => "the sandbox exited before its kernel was ready".to_owned(),
            Err(_) => format!("the kernel was not ready within {:?}", config.start_timeout),
        };
        kernel.stop().await;
        let _ = tokio::time::timeout(Duration::from_millis(500), stderr_task).await;
        let said = kernel.stderr_tail();
        Err(fail(if said.is_empty() { problem } else { format!("{problem}; it said: {said}") }))
    }

    /// Runs one cell. `Err` carries the cell's answer when the sandbox had to be killed
    /// (hard timeout) or died (out of memory, crashed): discard this kernel.
    pub(crate) async fn run(
        &mut self,
        kind: CellKind,
        code: &str,
        soft: Duration,
        grace: Duration,
    ) -> Result<CellOutput, CellOutput> {
        let (id, n) = (protocol::nonce(), self.cells);
        self.cells += 1;
        let deadline = Instant::now() + soft + grace;
        let request = protocol::request(id, n, kind, code, soft.as_secs_f64());
        let dead = |what: String| CellOutput { error: Some(what), killed: true, ..CellOutput::default() };
        // A kernel that does not read its stdin (a cell still running in a thread) must
        // not block the host beyond the deadline either.
        match timeout_at(deadline, self.stdin.write_all(request.as_bytes())).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) => return Err(dead(self.died("the sandbox's kernel is gone"))),
            Err(_) => {
                self.stop().await;
                return Err(dead(
                    "the sandbox's kernel did not read the cell: the sandbox was killed; variables are \
                     lost, /mnt/files is kept; the next cell starts a new kernel"
                        .to_owned(),
                ));
            }
        }
        loop {
            match timeout_at(deadline, read_line(&mut self.stdout, self.max_line)).await {
                Ok(Ok(Line::Whole(line))) => {
                    if let Some(output) = protocol::parse_reply(&line, id, self.output_limit + MARKER) {
                        return Ok(output);
                    }
                }
                Ok(Ok(Line::TooLong)) => {}
                Ok(Ok(Line::Eof)) | Ok(Err(_)) => return Err(dead(self.died("the sandbox's kernel died"))),
                Err(_) => {
                    self.stop().await;
                    return Err(dead(format!(
                        "TimeoutError: cell exceeded {:?} and did not stop when interrupted: the sandbox was killed; \
                         variables are lost, /mnt/files is kept; the next cell starts a new kernel",
                        soft + grace
                    )));
                }
            }
        }
    }

    /// The process id of bubblewrap (the sandbox dies with it), while it runs.
    pub(crate) fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// The limits that apply to this sandbox: the rlimits, the `/tmp` size and the
    /// cgroup limits that could be set.
    pub(crate) fn limits_applied(&self, config: &SandboxConfig) -> Vec<String> {
        let mut applied = config.limits.prlimit_args();
        applied.push(format!("tmpfs /tmp size={}", config.limits.tmp_bytes));
        applied.push(format!("disk quota of /mnt/files and /home/user (watched)={}", config.limits.disk_bytes));
        applied.extend(self.cgroups.applied.iter().map(|a| format!("cgroup {a}")));
        applied
    }

    /// Why the kernel died, for the cell's error.
    fn died(&mut self, what: &str) -> String {
        let status = self.child.try_wait().ok().flatten();
        let how = match status {
            Some(status) => format!(" ({status})"),
            None => String::new(),
        };
        let said = self.stderr_tail();
        let said = if said.is_empty() { String::new() } else { format!("; it said: {said}") };
        format!(
            "{what}{how}, perhaps out of memory{said}. Variables are lost, /mnt/files is kept; the next cell starts a new kernel"
        )
    }

    fn stderr_tail(&self) -> String {
        let tail = self.stderr.lock().unwrap_or_else(|e| e.into_inner());
        tail.iter().cloned().collect::<Vec<_>>().join(" | ")
    }

    /// Kills the sandbox (its pid 1 dies with bwrap, and the pid namespace with it) and
    /// removes its cgroups.
    pub(crate) async fn stop(&mut self) {
        let _ = self.child.start_kill();
        let _ = tokio::time::timeout(crate::config::STOP_WAIT, self.child.wait()).await;
        if !self.cgroups.dirs.is_empty() {
            // The sandbox's pid 1 may outlive bwrap for a moment.
            for _ in 0..20 {
                self.cgroups.remove();
                if self.cgroups.removed() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}

impl Drop for Kernel {
    /// A kernel dropped without [`Kernel::stop`] (the workbench dropped): the sandbox is
    /// killed (`kill_on_drop`); its cgroups are removed once it is gone.
    fn drop(&mut self) {
        let _ = self.child.start_kill();
        let cgroups = std::mem::take(&mut self.cgroups);
        if cgroups.removed() {
            return;
        }
        std::thread::spawn(move || {
            for _ in 0..50 {
                cgroups.remove();
                if cgroups.removed() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        });
    }
}

/// Keeps the last lines of the sandbox's stderr (bounded) and logs them.
async fn keep_tail(stderr: tokio::process::ChildStderr, tail: Arc<Mutex<VecDeque<String>>>) {
    let mut reader = BufReader::new(stderr);
    loop {
        let line = match read_line(&mut reader, 4096).await {
            Ok(Line::Whole(line)) => String::from_utf8_lossy(&line).into_owned(),
            Ok(Line::TooLong) => "[a line too long to keep]".to_owned(),
            Ok(Line::Eof) | Err(_) => return,
        };
        tracing::debug!(line, "workbench sandbox stderr");
        let mut tail = tail.lock().unwrap_or_else(|e| e.into_inner());
        if tail.len() == STDERR_LINES {
            tail.pop_front();
        }
        tail.push_back(line);
    }
}
