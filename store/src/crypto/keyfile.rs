//! The key file `<home>/secret.keys` as a file: read, created and replaced safely. It is
//! created with mode 0600 (never widened afterwards by a chmod) and refused when other
//! users can access it. What its lines mean (one base64 key a line, the first current;
//! empty lines and `#` comments ignored) is read by the key ring in `crypto.rs`.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use secrecy::zeroize::Zeroizing;

use super::error::KeyError;

const HEADER: &str = "\
# toolsmith secret keys: base64 of 32 random bytes each, one a line. The first key seals
# new secrets; the others open secrets sealed before a rotation (`toolsmith keys rotate`).
# Keep this file private (mode 600) and backed up: secrets sealed with a lost key are lost.
";

/// The text of an existing key file.
pub(super) fn read_existing(path: &Path) -> Result<Zeroizing<String>, KeyError> {
    read(path)?.ok_or_else(|| io_error(path, "read it", io::ErrorKind::NotFound.into()))
}

/// Replaces the key file (created when missing) with `text`, atomically: written beside
/// it, then renamed over it.
pub(super) fn replace(path: &Path, text: &str) -> Result<(), KeyError> {
    ensure_folder(path)?;
    let temp = write_temp(path, text)?;
    if let Err(e) = fs::rename(&temp, path) {
        let _ = fs::remove_file(&temp);
        return Err(io_error(path, "replace it", e));
    }
    sync_folder(path);
    Ok(())
}

/// Creates the key file with `text` and returns the text the file ends up with. Written
/// beside the path and hard-linked into place, so that a process starting at the same
/// moment either sees a complete file or creates its own and then reads the winner's.
pub(super) fn create(path: &Path, text: Zeroizing<String>) -> Result<Zeroizing<String>, KeyError> {
    ensure_folder(path)?;
    let temp = write_temp(path, &text)?;
    let linked = fs::hard_link(&temp, path);
    let _ = fs::remove_file(&temp);
    match linked {
        Ok(()) => {
            sync_folder(path);
            Ok(text)
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => read_existing(path),
        // A file system without hard links: create the file directly.
        Err(_) => match new_private_file(path) {
            Ok(mut file) => {
                file.write_all(text.as_bytes())
                    .and_then(|()| file.sync_all())
                    .map_err(|e| io_error(path, "write it", e))?;
                Ok(text)
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => read_existing(path),
            Err(e) => Err(io_error(path, "create it", e)),
        },
    }
}

/// The key file's text; `None` when there is no file. Refused when other users can
/// access it.
pub(super) fn read(path: &Path) -> Result<Option<Zeroizing<String>>, KeyError> {
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error(path, "open it", e)),
    };
    let meta = file.metadata().map_err(|e| io_error(path, "read its metadata", e))?;
    if !meta.is_file() {
        return Err(io_error(path, "read it", io::Error::other("it is not a regular file")));
    }
    check_private(path, &meta)?;
    // Room for the whole file up front: a growing buffer would leave copies of the keys
    // in freed memory.
    let mut text = Zeroizing::new(String::with_capacity(usize::try_from(meta.len()).unwrap_or(0) + 64));
    file.read_to_string(&mut text).map_err(|e| io_error(path, "read it", e))?;
    Ok(Some(text))
}

#[cfg(unix)]
fn check_private(path: &Path, meta: &fs::Metadata) -> Result<(), KeyError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(KeyError::Permissions { path: path.display().to_string(), mode });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path, _meta: &fs::Metadata) -> Result<(), KeyError> {
    Ok(())
}

/// The key file's text for `lines` (base64 keys, the current first).
pub(super) fn render(lines: &[Zeroizing<String>]) -> Zeroizing<String> {
    let mut text = Zeroizing::new(String::with_capacity(HEADER.len() + lines.len() * 46));
    text.push_str(HEADER);
    for line in lines {
        text.push_str(line);
        text.push('\n');
    }
    text
}

/// Writes `text` to a new private file beside `path` and returns its path.
fn write_temp(path: &Path, text: &str) -> Result<PathBuf, KeyError> {
    let mut suffix = [0u8; 4];
    getrandom::fill(&mut suffix).map_err(|e| KeyError::Random(e.to_string()))?;
    let name = path.file_name().map_or_else(|| "secret.keys".into(), |n| n.to_string_lossy().into_owned());
    let suffix: String = suffix.iter().map(|b| format!("{b:02x}")).collect();
    let temp = path.with_file_name(format!(".{name}.{}-{suffix}.tmp", std::process::id()));
    let mut file = new_private_file(&temp).map_err(|e| io_error(&temp, "create it", e))?;
    if let Err(e) = file.write_all(text.as_bytes()).and_then(|()| file.sync_all()) {
        let _ = fs::remove_file(&temp);
        return Err(io_error(&temp, "write it", e));
    }
    Ok(temp)
}

/// Creates a file that did not exist, readable and writable by its owner only.
fn new_private_file(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Creates the key file's folder (mode 0700) when missing.
fn ensure_folder(path: &Path) -> Result<(), KeyError> {
    let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) else {
        return Ok(());
    };
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(folder).map_err(|e| io_error(folder, "create the folder", e))
}

/// Makes a rename or link in the key file's folder durable (best effort: not every
/// platform can sync a folder).
fn sync_folder(path: &Path) {
    #[cfg(unix)]
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        if let Ok(dir) = File::open(folder) {
            let _ = dir.sync_all();
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

fn io_error(path: &Path, action: &'static str, source: io::Error) -> KeyError {
    KeyError::Io { path: path.display().to_string(), action, source }
}
