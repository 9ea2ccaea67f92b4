//! The sandbox profile: the command that starts one session's sandbox, and the
//! read-only files it binds (the kernel, the seccomp filter, a minimal `/etc/passwd`).
//!
//! The chain, all as the sandbox's unprivileged host uid (`Command::uid/gid` when the
//! server is root, which also clears supplementary groups):
//! `sh` (opens the seccomp filter as fd 3, joins the cgroups) → `prlimit` (rlimits) →
//! `bwrap` (all namespaces, no network, read-only `/usr`, private `/tmp`, the session's
//! folders, seccomp) → `/usr/bin/python3 /sbx/kernel.py`.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use tokio::process::Command;

use crate::limits::Cgroups;
use crate::{seccomp, Error, SandboxConfig};

/// The kernel, embedded in the server binary and written to `<root>/image/kernel.py`.
pub(crate) const KERNEL_PY: &str = include_str!("kernel.py");

/// Opens the seccomp filter as fd 3 (bwrap reads it from there), writes its own pid to
/// each `cgroup.procs` given (best effort), then runs the rest of its arguments.
const WRAPPER: &str = r#"exec 3<"$1" || exit 125; shift
while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do echo "$$" 2>/dev/null >"$1" || true; shift; done
shift; exec "$@""#;

/// The read-only files every sandbox binds, under `<root>/image`.
#[derive(Debug)]
pub(crate) struct Image {
    kernel: PathBuf,
    seccomp: PathBuf,
    passwd: PathBuf,
    group: PathBuf,
}

impl Image {
    /// Writes the image files (owned by the server, mode 0644, the folder 0755).
    pub(crate) fn write(root: &Path) -> Result<Image, Error> {
        let dir = root.join("image");
        std::fs::create_dir_all(&dir).map_err(Error::io(&dir, "create the folder"))?;
        set_mode(&dir, 0o755)?;
        let image = Image {
            kernel: dir.join("kernel.py"),
            seccomp: dir.join("seccomp.bpf"),
            passwd: dir.join("passwd"),
            group: dir.join("group"),
        };
        let files: [(&Path, Vec<u8>); 4] = [
            (&image.kernel, KERNEL_PY.as_bytes().to_vec()),
            (&image.seccomp, seccomp::filter_bytes()?),
            (&image.passwd, b"user:x:1000:1000:user:/home/user:/bin/bash\n".to_vec()),
            (&image.group, b"user:x:1000:\n".to_vec()),
        ];
        for (path, bytes) in files {
            std::fs::write(path, bytes).map_err(Error::io(path, "write"))?;
            set_mode(path, 0o644)?;
        }
        Ok(image)
    }
}

/// A session's folders on the host.
#[derive(Clone, Debug)]
pub(crate) struct SessionDirs {
    /// `/mnt/files` inside.
    pub(crate) files: PathBuf,
    /// `/home/user` inside.
    pub(crate) home: PathBuf,
    /// `/run/toolsmith` inside (read-only): the tool socket.
    pub(crate) run: PathBuf,
}

impl SessionDirs {
    /// The folders of session `id` under `root`.
    pub(crate) fn new(root: &Path, id: &str) -> SessionDirs {
        let base = root.join("sessions").join(id);
        SessionDirs { files: base.join("files"), home: base.join("home"), run: base.join("run") }
    }

    /// The folders the disk quota covers: `files` and `home`.
    pub(crate) fn quota_roots(&self) -> Vec<PathBuf> {
        vec![self.files.clone(), self.home.clone()]
    }

    /// Creates them: `files` and `home` owned by the sandbox uid (mode 0700; contents
    /// handed over when the uid changed), `run` by the server (0755).
    pub(crate) fn prepare(&self, uid: Option<u32>) -> Result<(), Error> {
        for dir in [&self.files, &self.home, &self.run] {
            std::fs::create_dir_all(dir).map_err(Error::io(dir, "create the folder"))?;
        }
        set_mode(&self.run, 0o755)?;
        for dir in [&self.files, &self.home] {
            if let Some(uid) = uid {
                chown_tree(dir, uid)?;
            }
            set_mode(dir, 0o700)?;
        }
        Ok(())
    }
}

/// Hands `dir` and, when it belonged to another uid, everything under it to `uid`.
fn chown_tree(dir: &Path, uid: u32) -> Result<(), Error> {
    use std::os::unix::fs::MetadataExt;
    let owner = std::fs::symlink_metadata(dir).map_err(Error::io(dir, "read"))?.uid();
    if owner == uid {
        return Ok(());
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        std::os::unix::fs::lchown(&path, Some(uid), Some(uid)).map_err(Error::io(&path, "change the owner of"))?;
        if std::fs::symlink_metadata(&path).map_err(Error::io(&path, "read"))?.is_dir() {
            for entry in std::fs::read_dir(&path).map_err(Error::io(&path, "list"))? {
                stack.push(entry.map_err(Error::io(&path, "list"))?.path());
            }
        }
    }
    Ok(())
}

fn set_mode(path: &Path, mode: u32) -> Result<(), Error> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(Error::io(path, "change the mode of"))
}

/// The command that starts a session's sandbox with its kernel; stdin and stdout are
/// the kernel's protocol, stderr bubblewrap's and the kernel's own complaints.
pub(crate) fn command(
    config: &SandboxConfig,
    image: &Image,
    dirs: &SessionDirs,
    uid: Option<u32>,
    cgroups: &Cgroups,
) -> Command {
    let mut c = Command::new("/bin/sh");
    c.arg("-c").arg(WRAPPER).arg("workbench-sandbox").arg(&image.seccomp);
    c.args(&cgroups.procs).arg("--");
    c.arg("prlimit").args(config.limits.prlimit_args()).arg("--");
    c.arg(&config.bwrap).args(bwrap_args(config, image, dirs));
    if let Some(uid) = uid {
        c.uid(uid).gid(uid);
    }
    c.env_clear().env("PATH", "/usr/bin:/bin").current_dir("/");
    c.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true);
    c
}

fn bwrap_args(config: &SandboxConfig, image: &Image, dirs: &SessionDirs) -> Vec<OsString> {
    let mut a: Vec<OsString> = Vec::new();
    let mut push = |items: &[&dyn AsRef<std::ffi::OsStr>]| a.extend(items.iter().map(|i| i.as_ref().to_owned()));
    push(&[&"--ro-bind", &"/usr", &"/usr"]);
    push(&[&"--ro-bind-try", &"/etc/alternatives", &"/etc/alternatives"]);
    push(&[&"--ro-bind-try", &"/etc/ld.so.cache", &"/etc/ld.so.cache"]);
    push(&[&"--ro-bind", &image.passwd, &"/etc/passwd", &"--ro-bind", &image.group, &"/etc/group"]);
    for (link, target) in [("usr/bin", "/bin"), ("usr/lib", "/lib"), ("usr/lib64", "/lib64"), ("usr/sbin", "/sbin")] {
        push(&[&"--symlink", &link, &target]);
    }
    push(&[&"--proc", &"/proc", &"--dev", &"/dev"]);
    let tmp_size = config.limits.tmp_bytes.to_string();
    push(&[&"--size", &tmp_size, &"--tmpfs", &"/tmp", &"--size", &tmp_size, &"--tmpfs", &"/dev/shm"]);
    // The kernel captures each cell's output here, so that a full /tmp does not lose it.
    push(&[&"--size", &tmp_size, &"--tmpfs", &"/run/kernel"]);
    push(&[&"--tmpfs", &"/mnt", &"--bind", &dirs.files, &"/mnt/files"]);
    push(&[&"--bind", &dirs.home, &"/home/user", &"--ro-bind", &dirs.run, &"/run/toolsmith"]);
    push(&[&"--ro-bind", &image.kernel, &"/sbx/kernel.py"]);
    // The sandbox's root, /mnt and /dev are tmpfs bwrap made: read-only once the mounts
    // are in place, so that only /tmp and /dev/shm (capped), /mnt/files and /home/user
    // are writable.
    let mut python_path = Vec::new();
    for (n, dir) in config.python_path.iter().enumerate() {
        let inside = format!("/opt/python/{n}");
        push(&[&"--ro-bind", dir, &inside]);
        python_path.push(inside);
    }
    push(&[&"--remount-ro", &"/mnt", &"--remount-ro", &"/dev", &"--remount-ro", &"/"]);
    push(&[&"--chdir", &"/home/user", &"--unshare-all", &"--unshare-user", &"--disable-userns"]);
    push(&[&"--uid", &"1000", &"--gid", &"1000", &"--hostname", &"sandbox"]);
    push(&[&"--die-with-parent", &"--new-session", &"--clearenv"]);
    let limit = config.output_limit.to_string();
    let python_path = python_path.join(":");
    let mut env = vec![
        ("HOME", "/home/user"),
        ("USER", "user"),
        ("PATH", "/usr/local/bin:/usr/bin:/bin"),
        ("LANG", "C.UTF-8"),
        ("PYTHONUNBUFFERED", "1"),
        ("PYTHONDONTWRITEBYTECODE", "1"),
        ("WORKBENCH_OUTPUT_LIMIT", &limit),
    ];
    if !python_path.is_empty() {
        env.push(("PYTHONPATH", &python_path));
    }
    for (key, value) in env {
        push(&[&"--setenv", &key, &value]);
    }
    push(&[&"--seccomp", &"3", &config.python, &"-u", &"/sbx/kernel.py"]);
    a
}
