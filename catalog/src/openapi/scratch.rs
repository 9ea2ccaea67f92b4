//! A folder for tests that read documents from files.

use std::path::PathBuf;

/// A fresh folder under the system temp dir (canonical), removed on drop.
pub(crate) struct Scratch(pub(crate) PathBuf);

impl Scratch {
    /// `toolsmith-openapi-NAME-PID`, empty.
    pub(crate) fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("toolsmith-openapi-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir.canonicalize().unwrap())
    }

    /// Writes `text` to `path` in the folder, creating folders on the way.
    pub(crate) fn write(&self, path: &str, text: &str) -> PathBuf {
        let path = self.0.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
