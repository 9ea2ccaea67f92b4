//! Where toolsmith keeps its files: the database and the key file.

use std::ffi::OsString;
use std::path::PathBuf;

/// The home folder of toolsmith's files (`toolsmith.db`, `secret.keys`): the environment
/// variable `TOOLSMITH_HOME` when set, else `.toolsmith` in the user's home folder (`HOME`,
/// or `USERPROFILE` on Windows); `None` when none of them is set.
///
/// ```
/// if let Some(home) = toolsmith_store::default_home() {
///     println!("database: {}", toolsmith_store::SqliteStore::default_path(&home).display());
/// }
/// ```
pub fn default_home() -> Option<PathBuf> {
    home_from(std::env::var_os("TOOLSMITH_HOME"), std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE")))
}

fn home_from(toolsmith_home: Option<OsString>, user_home: Option<OsString>) -> Option<PathBuf> {
    match (toolsmith_home, user_home) {
        (Some(home), _) if !home.is_empty() => Some(PathBuf::from(home)),
        (_, Some(user)) if !user.is_empty() => Some(PathBuf::from(user).join(".toolsmith")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toolsmith_home_wins_then_the_user_home() {
        let some = |s: &str| Some(OsString::from(s));
        assert_eq!(home_from(some("/srv/ts"), some("/home/a")), Some(PathBuf::from("/srv/ts")));
        assert_eq!(home_from(some(""), some("/home/a")), Some(PathBuf::from("/home/a/.toolsmith")));
        assert_eq!(home_from(None, some("/home/a")), Some(PathBuf::from("/home/a/.toolsmith")));
        assert_eq!(home_from(None, some("")), None);
        assert_eq!(home_from(None, None), None);
    }
}
