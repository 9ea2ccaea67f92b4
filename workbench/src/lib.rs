//! The workbench: a persistent, sandboxed Python (and bash) per session, for code an
//! LLM writes to work on large tool results and to call tools in bulk.
//!
//! - [`Workbench`] (`manager.rs`): the sandboxes of all sessions, started on a
//!   session's first [`Cell`], stopped when idle, restarted after a hard timeout.
//! - The sandbox (`profile.rs`): bubblewrap as an unprivileged host uid, every namespace
//!   unshared (no network but `lo`), read-only `/usr`, a minimal `/etc`, a private
//!   size-capped `/tmp`, the session's folder at `/mnt/files` (kept across restarts) and
//!   `/home/user`; [`Limits`] (`limits.rs`: rlimits, cgroups best effort); a seccomp
//!   filter (`seccomp.rs`: only `AF_UNIX` sockets; no `ptrace`, new namespaces, mounts,
//!   kexec, BPF, keyrings, file handles or x32 calls; `clone3` answers `ENOSYS`).
//! - The kernel (`kernel.py`, embedded; `kernel.rs` drives it over `protocol.rs`):
//!   variables survive between cells; each cell's stdout, stderr and last expression's
//!   `repr` come back in a [`CellOutput`], capped; a soft timeout interrupts the cell and
//!   keeps the variables, a hard one kills the sandbox.
//! - The tool callback (`callback.rs`): `run_composio_tool(slug, arguments) -> (data,
//!   error)` (alias `run_tool`) and `proxy_execute(...)` inside the sandbox reach the
//!   session's [`ToolAccess`] over a per-session Unix socket: the caller's
//!   [`Execute`](toolsmith_core::Execute), with the session's policies.
//!
//! - A session's files from the host (`files.rs`): [`Workbench::write_file`],
//!   [`read_file`](Workbench::read_file), [`list_files`](Workbench::list_files),
//!   [`delete_file`](Workbench::delete_file) by a path relative to `/mnt/files`, walked
//!   with `openat` and `O_NOFOLLOW` (symlinks planted by the sandbox are refused).
//!
//! - [`bench()`] (`bench.rs`): cold start, warm cell and tool round trips, beside plain
//!   `python3 -c` start-up.
//!
//! Everything that comes out of a sandbox is untrusted: lines are bounded, JSON is
//! parsed defensively, and nothing in it is acted on beyond returning it to its session.
//!
//! Needs `bwrap` (Debian: `apt-get install --no-install-recommends bubblewrap`), util-linux
//! `prlimit` and `/usr/bin/python3` (stdlib only).

mod bench;
mod callback;
mod config;
mod error;
mod files;
mod kernel;
mod limits;
mod manager;
mod profile;
mod protocol;
mod quota;
mod seccomp;
mod size;
mod uids;

pub use bench::{bench, BenchReport, Timing};
pub use callback::{Resolve, ToolAccess};
pub use config::SandboxConfig;
pub use error::Error;
pub use files::{mount_relative, FileEntry, MAX_READ, MOUNT_PREFIX};
pub use limits::Limits;
pub use manager::{Cell, Workbench};
pub use protocol::{CellKind, CellOutput};
