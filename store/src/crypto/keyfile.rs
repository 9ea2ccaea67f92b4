//! The key file `<home>/secret.keys`: one base64 key a line, the first current; empty lines
//! and lines starting with `#` are ignored. It is created with mode 0600 (never widened
//! afterwards by a chmod) and refused when other users can access it.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use secrecy::zeroize::Zeroizing;

use super::{random_key, Key, KeyError, KeyRing, KeySource};

const HEADER: &str = "\
# toolsmith secret keys: base64 of 32 random bytes each, one a line. The first key seals
# new secrets; the others open secrets sealed before a rotation (`toolsmith keys rotate`).
# Keep this file private (mode 600) and backed up: secrets sealed with a lost key are lost.
";

/// The ring of an existing key file, or of a new one with one generated key.
pub(super) fn load_or_create(path: &Path) -> Result<KeyRing, KeyError> {
    match read(path)? {
        Some(text) => parse(&text, path),
        None => create(path),
    }
}

/// The ring of an existing key file.
pub(super) fn load_existing(path: &Path) -> Result<KeyRing, KeyError> {
    match read(path)? {
        Some(text) => parse(&text, path),
        None => Err(io_error(path, "read it", io::ErrorKind::NotFound.into())),
    }
}

/// Puts a new generated key first in the key file (created when missing) and returns the
/// new ring.
pub(super) fn rotate(path: &Path) -> Result<KeyRing, KeyError> {
    let new = KeyRing { keys: std::sync::Arc::from(vec![Key::from_bytes(random_key()?)]), source: KeySource::Memory };
    let mut lines = new.encoded_keys();
    match read(path)? {
        Some(text) => lines.extend(parse(&text, path)?.encoded_keys()),
        None => ensure_folder(path)?,
    }
    let text = render(&lines);
    let temp = write_temp(path, &text)?;
    if let Err(e) = fs::rename(&temp, path) {
        let _ = fs::remove_file(&temp);
        return Err(io_error(path, "replace it", e));
    }
    sync_folder(path);
    parse(&text, path)
}

/// A new key file with one generated key. Written beside the path and hard-linked into
/// place, so that a process starting at the same moment either sees a complete file or
/// creates its own and then reads the winner's.
fn create(path: &Path) -> Result<KeyRing, KeyError> {
    ensure_folder(path)?;
    let text = render(&KeyRing::generate()?.encoded_keys());
    let temp = write_temp(path, &text)?;
    let linked = fs::hard_link(&temp, path);
    let _ = fs::remove_file(&temp);
    match linked {
        Ok(()) => {
            sync_folder(path);
            parse(&text, path)
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => load_existing(path),
        // A file system without hard links: create the file directly.
        Err(_) => match new_private_file(path) {
            Ok(mut file) => {
                file.write_all(text.as_bytes())
                    .and_then(|()| file.sync_all())
                    .map_err(|e| io_error(path, "write it", e))?;
                parse(&text, path)
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => load_existing(path),
            Err(e) => Err(io_error(path, "create it", e)),
        },
    }
}

/// The ring a key file's text lists.
fn parse(text: &str, path: &Path) -> Result<KeyRing, KeyError> {
    let mut keys = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if !line.is_empty() && !line.starts_with('#') {
            keys.push(Key::decode(line, || format!("key file {}, line {}", path.display(), n + 1))?);
        }
    }
    KeyRing::from_keys(keys, &format!("key file {}", path.display()), KeySource::File(path.to_owned()))
}

/// The key file's text; `None` when there is no file. Refused when other users can
/// access it.
fn read(path: &Path) -> Result<Option<Zeroizing<String>>, KeyError> {
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

fn render(lines: &[Zeroizing<String>]) -> Zeroizing<String> {
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
