//! The folder `toolsmith import openapi` writes: the toolkit's YAML files, each marked
//! as the importer's by a comment line, so that a re-import (`--force`) replaces and
//! removes exactly the files an import wrote, and never a hand-written one.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use miette::miette;
use toolsmith_catalog::{Tool, Toolkit, ToolkitPart};

use crate::files::error;

/// How the line that marks a file as written by the importer starts (the second
/// line of each file it writes).
const MARK_START: &str = "# Written by toolsmith import openapi";

/// Tools per file before a toolkit is split by the first segment of the path.
const SPLIT_ABOVE: usize = 80;

/// What [`write()`] did.
pub(crate) struct Written {
    /// Files written.
    pub(crate) files: usize,
    /// Files of an earlier import removed because this one no longer writes them.
    pub(crate) removed: Vec<PathBuf>,
}

/// Writes `toolkit.yaml`, and more files by path segment when the toolkit is large,
/// into `dir`. A folder that is not empty is refused unless `force`; with it, only
/// files an earlier import wrote are replaced, and those this import does not write
/// again are removed. Nothing is written when anything is refused.
pub(crate) fn write(toolkit: &Toolkit, dir: &Path, force: bool) -> miette::Result<Written> {
    let files = render(toolkit)?;
    let existing = entries(dir)?;
    if !existing.is_empty() && !force {
        let names: Vec<String> = existing.iter().take(3).map(|p| name(p)).collect();
        return Err(miette!(
            help = format!(
                "to import again over an earlier import, pass --force: it replaces only the files an import wrote \
                 (their second line starts `{MARK_START}`); or choose an empty or new --out folder"
            ),
            "`{}` is not empty ({}{}); an import writes into a new or empty folder",
            dir.display(),
            names.join(", "),
            if existing.len() > 3 { format!(" and {} more", existing.len() - 3) } else { String::new() }
        ));
    }
    let mut owned = Vec::new();
    for path in existing {
        if is_owned(&path)? {
            owned.push(path);
        } else if files.contains_key(&name(&path)) {
            return Err(miette!(
                help = "move it away (or merge it by hand after importing into another folder), then import again",
                "refusing to overwrite `{}`: it was not written by an import (no line `{MARK_START}…`)",
                path.display()
            ));
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| error("create the folder", dir, &e))?;
    let mut removed = Vec::new();
    for path in owned.into_iter().filter(|p| !files.contains_key(&name(p))) {
        std::fs::remove_file(&path).map_err(|e| error("remove the stale file", &path, &e))?;
        removed.push(path);
    }
    for (file, text) in &files {
        let path = dir.join(file);
        std::fs::write(&path, text).map_err(|e| error("write", &path, &e))?;
    }
    Ok(Written { files: files.len(), removed })
}

/// The files of the toolkit, by name, with their text.
fn render(toolkit: &Toolkit) -> miette::Result<BTreeMap<String, String>> {
    let mut header = toolkit.clone();
    let mut groups: BTreeMap<String, Vec<Tool>> = BTreeMap::new();
    if toolkit.tools.len() > SPLIT_ABOVE {
        for tool in std::mem::take(&mut header.tools) {
            let segment = tool.http.path.split('/').find(|s| !s.is_empty() && !s.starts_with('{')).unwrap_or("root");
            let file: String =
                segment.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
            let file = if file == "toolkit" { "toolkit_".to_owned() } else { file };
            groups.entry(format!("{file}.yaml")).or_default().push(tool);
        }
    }
    let text = |schema: &str, yaml: String| {
        format!(
            "# yaml-language-server: $schema=../../schema/{schema}.schema.json\n\
             {MARK_START}; a re-import with --force replaces or removes this file.\n{yaml}"
        )
    };
    let mut files = BTreeMap::from([("toolkit.yaml".to_owned(), text("toolkit", to_yaml(&header)?))]);
    for (file, tools) in groups {
        let part = ToolkitPart { tools, triggers: Vec::new() };
        files.insert(file, text("toolkit-part", to_yaml(&part)?));
    }
    Ok(files)
}

/// The entries of `dir`, sorted; none when it does not exist.
fn entries(dir: &Path) -> miette::Result<Vec<PathBuf>> {
    match std::fs::metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Ok(metadata) if !metadata.is_dir() => {
            return Err(miette!("--out `{}` is not a folder; give the toolkit folder to write", dir.display()))
        }
        _ => {}
    }
    let read = std::fs::read_dir(dir).map_err(|e| error("read the folder", dir, &e))?;
    let mut paths: Vec<PathBuf> =
        read.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>().map_err(|e| error("read the folder", dir, &e))?;
    paths.sort();
    Ok(paths)
}

/// Whether `path` is a regular file an import wrote: a line starting [`MARK_START`]
/// among its first lines.
fn is_owned(path: &Path) -> miette::Result<bool> {
    // `symlink_metadata`: a link is not the importer's, whatever it points to.
    if !std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file()) {
        return Ok(false);
    }
    let mut head = Vec::new();
    let file = std::fs::File::open(path).map_err(|e| error("read", path, &e))?;
    file.take(1024).read_to_end(&mut head).map_err(|e| error("read", path, &e))?;
    Ok(String::from_utf8_lossy(&head).lines().take(3).any(|line| line.starts_with(MARK_START)))
}

fn name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

fn to_yaml<T: serde::Serialize>(value: &T) -> miette::Result<String> {
    serde_yaml::to_string(value).map_err(|e| miette!("cannot write YAML: {e}"))
}
