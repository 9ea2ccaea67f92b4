//! Errors of file operations as the CLI prints them: the action, the path, the
//! operating system's reason, and what to do about it — never a bare `File exists (os
//! error 17)`.

use std::io;
use std::path::Path;

use miette::miette;

/// `cannot {action} `{path}`: {reason}`, with a hint for the usual causes.
///
/// `action` is a verb phrase: `write`, `create the folder`, `read`.
pub(crate) fn error(action: &str, path: &Path, e: &io::Error) -> miette::Report {
    let shown = path.display();
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let help = match e.kind() {
        io::ErrorKind::NotFound => {
            format!("a folder on the way does not exist; create it first (`mkdir -p {}`)", parent.display())
        }
        io::ErrorKind::NotADirectory | io::ErrorKind::AlreadyExists => {
            "a file is in the way where a folder is needed; give another path or move the file".to_owned()
        }
        io::ErrorKind::IsADirectory => "it is a folder; give the path of a file in it".to_owned(),
        io::ErrorKind::PermissionDenied => {
            "you may not do this there; choose another path or change its permissions".to_owned()
        }
        _ => "check the path and try again".to_owned(),
    };
    miette!(help = help, "cannot {action} `{shown}`: {e}")
}

/// Reads standard input to the end, as text.
pub(crate) fn read_stdin(what: &str) -> miette::Result<String> {
    use std::io::Read;
    let mut text = String::new();
    io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| miette!("{what}: cannot read standard input: {e}; pipe UTF-8 text in"))?;
    Ok(text)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    #[test]
    fn errors_name_the_action_the_path_and_the_fix() {
        let e = std::io::Error::from(std::io::ErrorKind::AlreadyExists);
        let report = super::error("create the folder", Path::new("out/schema"), &e);
        assert!(report.to_string().starts_with("cannot create the folder `out/schema`: "), "{report}");
        let help = report.help().map(|h| h.to_string()).unwrap_or_default();
        assert!(help.contains("a file is in the way"), "{help}");
    }
}
