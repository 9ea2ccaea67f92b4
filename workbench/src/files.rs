//! A session's files (its `/mnt/files`) as the host reads and writes them: listing,
//! reading, writing and deleting by a path relative to the mount.
//!
//! The folder is writable by code in the sandbox, which may plant symlinks (`ln -s /etc
//! x`) or swap a folder for one while the host works. So every path is checked (relative,
//! no `..`, no empty or `.` parts), and then walked one part at a time from the folder's
//! open descriptor (`/proc/self/fd/N/part`, as `openat` does) with `O_NOFOLLOW`: a
//! symlink anywhere on the way is refused, and no check can be raced.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::Error;

/// Where a session's files are inside its sandbox.
pub const MOUNT_PREFIX: &str = "/mnt/files";

/// Longest file the host reads back from a session folder, in bytes.
pub const MAX_READ: u64 = 256 << 20;

/// A file under a session's `/mnt/files`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileEntry {
    /// Its path relative to the mount (`.composio/offload/x.json`).
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
    /// When it last changed.
    pub modified: SystemTime,
}

/// The parts of a path relative to the mount, checked: a leading `/mnt/files/` is
/// accepted and removed; absolute paths elsewhere, `..`, `.` and empty parts are refused.
pub(crate) fn parts(path: &str) -> Result<Vec<&str>, Error> {
    let bad = |reason: &str| Error::Path { path: path.to_owned(), reason: reason.to_owned() };
    let relative = match path.strip_prefix(MOUNT_PREFIX) {
        Some("") => "",
        Some(rest) if rest.starts_with('/') => rest.trim_start_matches('/'),
        _ => path,
    };
    if relative.starts_with('/') {
        return Err(bad("absolute paths outside /mnt/files are refused"));
    }
    if relative.is_empty() {
        return Err(bad("the path is empty"));
    }
    let parts: Vec<&str> = relative.split('/').collect();
    if parts.contains(&"..") {
        return Err(bad("`..` is refused"));
    }
    if parts.iter().any(|p| p.is_empty() || *p == ".") {
        return Err(bad("empty and `.` parts are refused"));
    }
    if parts.iter().any(|p| p.contains('\0')) {
        return Err(bad("NUL bytes are refused"));
    }
    Ok(parts)
}

/// `path` (relative to the mount, or under `/mnt/files`) as the workbench reads it:
/// checked and normalised (`/mnt/files/a/b` → `a/b`); [`Error::Path`] when refused.
///
/// ```
/// assert_eq!(toolsmith_workbench::mount_relative("/mnt/files/out/a.json").unwrap(), "out/a.json");
/// assert!(toolsmith_workbench::mount_relative("../etc/passwd").is_err());
/// ```
pub fn mount_relative(path: &str) -> Result<String, Error> {
    Ok(parts(path)?.join("/"))
}

/// `dir/name` through the descriptor of `dir`: the kernel resolves `/proc/self/fd/N` to
/// the folder already open (as `openat` would), whatever its path points to now.
fn at(dir: &File, name: impl AsRef<std::ffi::OsStr>) -> PathBuf {
    PathBuf::from(format!("/proc/self/fd/{}", dir.as_raw_fd())).join(name.as_ref())
}

/// Opens `path` with `O_NOFOLLOW` (and `extra` flags); a symlink in the way is
/// [`Error::Path`].
fn open(path: &Path, options: &mut OpenOptions, extra: libc::c_int, shown: &Path) -> Result<File, Error> {
    options.custom_flags(extra | libc::O_NOFOLLOW | libc::O_CLOEXEC).open(path).map_err(|source| {
        if matches!(source.raw_os_error(), Some(libc::ELOOP) | Some(libc::ENOTDIR)) {
            Error::Path {
                path: shown.display().to_string(),
                reason: "a symlink (or a file) is in the way: symlinks in /mnt/files are not followed".into(),
            }
        } else {
            Error::Io { path: shown.to_path_buf(), action: "open", source }
        }
    })
}

/// Opens the folder `path` (not through a symlink as its last part).
fn open_dir(path: &Path, shown: &Path) -> Result<File, Error> {
    open(path, OpenOptions::new().read(true), libc::O_DIRECTORY, shown)
}

/// The folder holding the last part of `parts`, walked from `root` without following
/// symlinks. With `create`, missing folders are made (mode 0755) and every folder on the
/// way is handed to the owner given, through its descriptor (never by path: the sandbox
/// could swap a folder for a symlink between a check and a `chown`).
fn walk(root: &Path, parts: &[&str], create: Option<Option<u32>>) -> Result<File, Error> {
    let mut dir = open_dir(root, root)?;
    let mut shown = root.to_path_buf();
    for part in &parts[..parts.len().saturating_sub(1)] {
        shown.push(part);
        let next = at(&dir, part);
        if create.is_some() {
            match std::fs::create_dir(&next) {
                Ok(()) => {}
                // What is there is checked by the open below.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(source) => return Err(Error::Io { path: shown, action: "create the folder", source }),
            }
        }
        dir = open_dir(&next, &shown)?;
        if let Some(Some(uid)) = create {
            std::os::unix::fs::fchown(&dir, Some(uid), Some(uid)).map_err(Error::io(&shown, "change the owner of"))?;
        }
    }
    Ok(dir)
}

/// Writes `bytes` to `path` under `root` (replacing a file, never following a symlink);
/// the file and the folders made are handed to `owner` when given.
pub(crate) fn write(root: &Path, path: &str, bytes: &[u8], owner: Option<u32>) -> Result<PathBuf, Error> {
    let parts = parts(path)?;
    std::fs::create_dir_all(root).map_err(Error::io(root, "create the folder"))?;
    let dir = walk(root, &parts, Some(owner))?;
    let target = parts.iter().fold(root.to_path_buf(), |p, part| p.join(part));
    let name = parts.last().copied().unwrap_or_default();
    // O_NONBLOCK: a FIFO in the way fails at once (ENXIO) instead of making the host wait.
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true).mode(0o644);
    let mut file = open(&at(&dir, name), &mut options, libc::O_NONBLOCK, &target)?;
    if !file.metadata().map_err(Error::io(&target, "read"))?.is_file() {
        return Err(Error::Path { path: path.to_owned(), reason: "not a regular file".into() });
    }
    file.set_permissions(std::fs::Permissions::from_mode(0o644)).map_err(Error::io(&target, "change the mode of"))?;
    file.write_all(bytes).map_err(Error::io(&target, "write"))?;
    if let Some(uid) = owner {
        std::os::unix::fs::fchown(&file, Some(uid), Some(uid)).map_err(Error::io(&target, "change the owner of"))?;
    }
    Ok(target)
}

/// The regular file `path` under `root`, opened for reading (`O_NONBLOCK`: a FIFO
/// planted by the sandbox cannot make the host wait), its metadata and host path.
fn open_file(root: &Path, path: &str) -> Result<(File, std::fs::Metadata, PathBuf), Error> {
    let parts = parts(path)?;
    let dir = walk(root, &parts, None)?;
    let target = parts.iter().fold(root.to_path_buf(), |p, part| p.join(part));
    let name = parts.last().copied().unwrap_or_default();
    let file = open(&at(&dir, name), OpenOptions::new().read(true), libc::O_NONBLOCK, &target)?;
    let meta = file.metadata().map_err(Error::io(&target, "read"))?;
    if !meta.is_file() {
        return Err(Error::Path { path: path.to_owned(), reason: "not a regular file".into() });
    }
    Ok((file, meta, target))
}

/// The size of the regular file `path` under `root` (symlinks refused).
pub(crate) fn size(root: &Path, path: &str) -> Result<u64, Error> {
    Ok(open_file(root, path)?.1.len())
}

/// Reads `path` under `root` (at most [`MAX_READ`] bytes; symlinks refused).
pub(crate) fn read(root: &Path, path: &str) -> Result<Vec<u8>, Error> {
    let (file, meta, target) = open_file(root, path)?;
    if meta.len() > MAX_READ {
        return Err(Error::Path { path: path.to_owned(), reason: format!("larger than {MAX_READ} bytes") });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_READ).read_to_end(&mut bytes).map_err(Error::io(&target, "read"))?;
    Ok(bytes)
}

/// Deletes the file `path` under `root` (a symlink itself is deleted, not followed);
/// `false` when there was none.
pub(crate) fn delete(root: &Path, path: &str) -> Result<bool, Error> {
    let parts = parts(path)?;
    let dir = match walk(root, &parts, None) {
        Ok(dir) => dir,
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    };
    // unlink does not follow a symlink in the last part: the link itself goes.
    match std::fs::remove_file(at(&dir, parts.last().copied().unwrap_or_default())) {
        Ok(()) => Ok(true),
        Err(source) if source.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(source) => Err(Error::Io { path: root.join(path), action: "delete", source }),
    }
}

/// Every regular file under `root` whose path starts with `prefix`, sorted by path;
/// symlinks are skipped (not followed).
pub(crate) fn list(root: &Path, prefix: &str) -> Result<Vec<FileEntry>, Error> {
    let mut found = Vec::new();
    walk_tree(root, |path, entry, kind| {
        // Names that are not UTF-8 cannot be named back through this API: not listed.
        let Some(path) = path else { return };
        if kind.is_file() && path.starts_with(prefix) {
            let Ok(meta) = entry.metadata() else { return };
            let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
            found.push(FileEntry { path: path.to_owned(), size: meta.len(), modified });
        }
    })?;
    found.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(found)
}

/// Calls `visit(path relative to root, entry, its type)` for everything under `root`
/// (folders, files, symlinks, FIFOs; not `root` itself), in no particular order; the
/// path is `None` when it has a name that is not UTF-8 (such entries are visited too). Folders
/// are opened through their parent's descriptor with `O_NOFOLLOW`: a folder swapped for
/// a symlink is not followed. A missing `root` has nothing under it; a folder that cannot
/// be listed ends the walk with its error (what was visited before stays visited).
pub(crate) fn walk_tree(
    root: &Path,
    mut visit: impl FnMut(Option<&str>, &std::fs::DirEntry, std::fs::FileType),
) -> Result<(), Error> {
    let top = match open_dir(root, root) {
        Ok(fd) => fd,
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    let mut stack = vec![(top, Some(String::new()))];
    while let Some((dir, relative)) = stack.pop() {
        // Reading the folder through its descriptor: a folder swapped for a symlink after
        // it was opened is not followed.
        let through = PathBuf::from(format!("/proc/self/fd/{}", dir.as_raw_fd()));
        let shown = root.join(relative.as_deref().unwrap_or("…"));
        for entry in std::fs::read_dir(&through).map_err(Error::io(&shown, "list"))? {
            let entry = entry.map_err(Error::io(&shown, "list"))?;
            let name = entry.file_name();
            let path = match (&relative, name.to_str()) {
                (Some(relative), Some(name)) if relative.is_empty() => Some(name.to_owned()),
                (Some(relative), Some(name)) => Some(format!("{relative}/{name}")),
                _ => None,
            };
            let Ok(kind) = entry.file_type() else { continue };
            visit(path.as_deref(), &entry, kind);
            if kind.is_dir() {
                if let Ok(sub) = open_dir(&at(&dir, &name), &shown.join(&name)) {
                    stack.push((sub, path));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_confined() {
        assert_eq!(parts("a/b.json").unwrap(), ["a", "b.json"]);
        assert_eq!(parts("/mnt/files/a/b").unwrap(), ["a", "b"]);
        for bad in ["/mnt/filesystem/x", "../x", "a/../../x", "/etc/passwd", "", "a//b", "./a", "/mnt/files"] {
            assert!(parts(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn symlinks_planted_in_the_folder_are_not_followed() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "s3cret").unwrap();
        let root = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), root.path().join("link")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret"), root.path().join("file")).unwrap();
        assert!(matches!(read(root.path(), "link/secret"), Err(Error::Path { .. })));
        assert!(matches!(read(root.path(), "file"), Err(Error::Path { .. })));
        assert!(matches!(write(root.path(), "link/new", b"x", None), Err(Error::Path { .. })));
        assert!(matches!(write(root.path(), "file", b"x", None), Err(Error::Path { .. })));
        assert!(!outside.path().join("new").exists());
        assert_eq!(std::fs::read_to_string(outside.path().join("secret")).unwrap(), "s3cret");
        assert!(list(root.path(), "").unwrap().is_empty());
        // A FIFO planted in the folder makes neither a read nor a write wait.
        let fifo = root.path().join("fifo");
        assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
        assert!(matches!(read(root.path(), "fifo"), Err(Error::Path { .. })));
        assert!(write(root.path(), "fifo", b"x", None).is_err());
        // Deleting the symlink removes the link, not its target.
        assert!(delete(root.path(), "file").unwrap());
        assert!(outside.path().join("secret").exists());
    }

    #[test]
    fn write_read_list_delete() {
        let root = tempfile::tempdir().unwrap();
        write(root.path(), "/mnt/files/out/a.json", b"{}", None).unwrap();
        write(root.path(), "b.txt", b"hello", None).unwrap();
        assert_eq!(read(root.path(), "out/a.json").unwrap(), b"{}");
        let listed: Vec<(String, u64)> = list(root.path(), "").unwrap().into_iter().map(|e| (e.path, e.size)).collect();
        assert_eq!(listed, [("b.txt".to_owned(), 5), ("out/a.json".to_owned(), 2)]);
        assert_eq!(list(root.path(), "out/").unwrap().len(), 1);
        assert!(delete(root.path(), "b.txt").unwrap());
        assert!(!delete(root.path(), "b.txt").unwrap());
        assert!(!delete(root.path(), "missing/b.txt").unwrap());
    }
}
