//! Reading spec files: discovery, YAML parsing, and typed deserialization that reports
//! every problem with its `file:line:col`.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use toolsmith_spec::{pointer, Origin};

use crate::loaded::Items;
use crate::shape::{self, Shape};
use crate::structural::{self, kind};
use crate::yaml::Document;
use crate::{Code, Diagnostic, Loaded, NodeRef, SourceFile, Tool, Toolkit, ToolkitPart, ToolkitSource, Trigger};

/// The file a toolkit's main part lives in.
pub const TOOLKIT_FILE: &str = "toolkit.yaml";

impl Loaded {
    /// Reads toolkit folders, single spec files, or folders of toolkit folders.
    ///
    /// Files are read and parsed on all cores; everything after that is sequential
    /// and deterministic.
    pub fn read<P: AsRef<Path>>(paths: &[P]) -> Loaded {
        read(paths)
    }

    /// Reads one toolkit given as text (for tests and tools that hold specs in memory).
    pub fn from_str(path: impl Into<PathBuf>, text: &str) -> Loaded {
        from_str(path, text)
    }
}

/// Reads toolkit folders, single spec files, or folders of toolkit folders
/// ([`Loaded::read`]).
pub(crate) fn read<P: AsRef<Path>>(paths: &[P]) -> Loaded {
    let mut loaded = Loaded::default();
    let mut seen = HashSet::new();
    let mut units = Vec::new();
    for path in paths {
        for unit in discover(path.as_ref(), &mut loaded.diagnostics) {
            let key = fs::canonicalize(&unit.main).unwrap_or_else(|_| unit.main.clone());
            if seen.insert(key) {
                units.push(unit);
            }
        }
    }
    let files: Vec<&PathBuf> = units.iter().flat_map(|u| std::iter::once(&u.main).chain(&u.parts)).collect();
    loaded.files = files.iter().map(|p| (*p).clone()).collect();
    let mut parsed = crate::parallel::map(&files, |path| ParsedFile::read(path)).into_iter();
    for unit in &units {
        let main = parsed.next().expect("one result per file");
        let parts: Vec<_> = parsed.by_ref().take(unit.parts.len()).collect();
        let parts = parts.into_iter().filter_map(|p| p.map_err(|d| loaded.diagnostics.push(*d)).ok()).collect();
        match main {
            Ok(main) => loaded.read_files(main, parts),
            Err(d) => loaded.diagnostics.push(*d),
        }
    }
    loaded
}

/// Reads one toolkit given as text ([`Loaded::from_str`]).
pub(crate) fn from_str(path: impl Into<PathBuf>, text: &str) -> Loaded {
    let mut loaded = Loaded::default();
    loaded.read_files(ParsedFile::new(Arc::new(SourceFile::new(path, text))), Vec::new());
    loaded
}

/// The steps of reading, as methods of what they fill in.
impl Loaded {
    fn read_files(&mut self, main: ParsedFile, parts: Vec<ParsedFile>) {
        let mut tools = Vec::new();
        let mut triggers = Vec::new();
        let main_file = main.file.clone();
        let mut imported_definitions = HashSet::new();
        let header = self.parse_root(main, &mut tools, &mut triggers).and_then(|(mut root, node)| {
            if root.contains_key("openapi") {
                let imported = crate::overlay::expand(&mut root, &node.file, &mut self.diagnostics);
                // Imported tools first, then the ones written in YAML.
                tools.splice(0..0, imported.tools);
                imported_definitions.extend(imported.definitions);
            }
            deserialize::<Toolkit>(Shape::Toolkit, &Value::Object(root), &node, &mut self.diagnostics)
        });
        for part in parts {
            if let Some((root, node)) = self.parse_root(part, &mut tools, &mut triggers) {
                deserialize::<ToolkitPart>(Shape::ToolkitPart, &Value::Object(root), &node, &mut self.diagnostics);
            }
        }

        let mut source = ToolkitSource {
            header: NodeRef { file: main_file, pointer: String::new() },
            tools: Vec::new(),
            triggers: Vec::new(),
            imported_definitions,
        };
        let (mut parsed_tools, tool_nodes) = self.deserialize_items::<Tool>(Shape::Tool, tools);
        // An overlay's tools are placed at its `/openapi` node.
        for (tool, node) in parsed_tools.iter_mut().zip(&tool_nodes) {
            if node.pointer == "/openapi" {
                tool.origin = Origin::Imported;
            }
        }
        let (parsed_triggers, trigger_nodes) = self.deserialize_items::<Trigger>(Shape::Trigger, triggers);
        source.tools = tool_nodes;
        source.triggers = trigger_nodes;
        if let Some(mut toolkit) = header {
            toolkit.tools = parsed_tools;
            toolkit.triggers = parsed_triggers;
            self.toolkits.push(toolkit);
            self.sources.push(source);
        }
    }

    /// Deserializes list items, keeping where each parsed one came from and the slugs
    /// of those that did not parse.
    fn deserialize_items<T: DeserializeOwned>(&mut self, shape: Shape, items: Items) -> (Vec<T>, Vec<NodeRef>) {
        let mut parsed = (Vec::new(), Vec::new());
        for (value, node) in items {
            match deserialize::<T>(shape, &value, &node, &mut self.diagnostics) {
                Some(item) => {
                    parsed.0.push(item);
                    parsed.1.push(node);
                }
                None => self.unparsed_slugs.extend(slug_of(&value)),
            }
        }
        parsed
    }

    /// Parses a file's YAML into its root mapping, moving its `tools` and `triggers`
    /// items out into the given lists.
    fn parse_root(
        &mut self,
        parsed: ParsedFile,
        tools: &mut Items,
        triggers: &mut Items,
    ) -> Option<(Map<String, Value>, NodeRef)> {
        let file = &parsed.file;
        let root = match parsed.yaml {
            Ok(Document { value: Value::Object(root), repeated_keys }) => {
                self.diagnostics.extend(repeated_keys.iter().flat_map(|at| repeated_key(file, at)));
                root
            }
            Ok(Document { value: other, .. }) => {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        format!("expected a mapping at the top of the file, found {}", kind(&other)),
                    )
                    .at(file, file.location(0, 0))
                    .help("a spec file is a YAML mapping: `slug: ...`, `name: ...`, `tools: [...]`"),
                );
                return None;
            }
            Err(e) => {
                self.diagnostics.push(syntax_error(file, e.as_ref()));
                return None;
            }
        };
        let mut root = root;
        tools.extend(take_items(file, &mut root, "tools", &mut self.diagnostics));
        triggers.extend(take_items(file, &mut root, "triggers", &mut self.diagnostics));
        Some((root, NodeRef { file: file.clone(), pointer: String::new() }))
    }
}

/// A toolkit's files: its main file and the other YAML files of its folder.
struct Unit {
    main: PathBuf,
    parts: Vec<PathBuf>,
}

fn is_yaml(path: &Path) -> bool {
    path.is_file() && matches!(path.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> =
        fs::read_dir(dir).into_iter().flatten().flatten().map(|e| e.path()).filter(|p| is_yaml(p)).collect();
    files.sort();
    files
}

fn folder_unit(dir: &Path) -> Unit {
    let main = dir.join(TOOLKIT_FILE);
    let parts = yaml_files(dir).into_iter().filter(|p| *p != main).collect();
    Unit { main, parts }
}

fn discover(path: &Path, diagnostics: &mut Vec<Diagnostic>) -> Vec<Unit> {
    if path.is_file() {
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        return if parent.join(TOOLKIT_FILE).is_file() {
            vec![folder_unit(parent)]
        } else {
            vec![Unit { main: path.to_path_buf(), parts: Vec::new() }]
        };
    }
    if !path.is_dir() {
        diagnostics.push(
            Diagnostic::new(Code::NoToolkit, "no such file or folder")
                .in_path(path)
                .help("pass a toolkit folder, a spec file, or a folder of toolkit folders"),
        );
        return Vec::new();
    }
    if path.join(TOOLKIT_FILE).is_file() {
        return vec![folder_unit(path)];
    }
    let mut units = Vec::new();
    let mut dirs: Vec<PathBuf> =
        fs::read_dir(path).into_iter().flatten().flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
    dirs.sort();
    for dir in std::iter::once(path.to_path_buf()).chain(dirs) {
        if dir.join(TOOLKIT_FILE).is_file() {
            units.push(folder_unit(&dir));
        } else if !yaml_files(&dir).is_empty() {
            diagnostics.push(
                Diagnostic::new(Code::NoToolkit, format!("has YAML files but no {TOOLKIT_FILE}")).in_path(&dir)
                    .help(format!(
                        "a toolkit folder needs a {TOOLKIT_FILE} (slug, name, base_url, auth); pass a single spec file by its path"
                    )),
            );
        }
    }
    if units.is_empty() && !diagnostics.iter().any(|d| d.code == Code::NoToolkit) {
        diagnostics.push(
            Diagnostic::new(Code::NoToolkit, "no toolkit found")
                .in_path(path)
                .help(format!("a toolkit is a folder with a {TOOLKIT_FILE}, or a single spec file")),
        );
    }
    units
}

/// A file read from disk, indexed, and parsed as YAML.
struct ParsedFile {
    file: Arc<SourceFile>,
    yaml: Result<Document, Box<serde_yaml::Error>>,
}

impl ParsedFile {
    fn new(file: Arc<SourceFile>) -> Self {
        let yaml = crate::yaml::parse(file.text()).map_err(Box::new);
        ParsedFile { file, yaml }
    }

    fn read(path: &Path) -> Result<ParsedFile, Box<Diagnostic>> {
        let bytes = fs::read(path).map_err(|e| {
            Diagnostic::new(Code::FileRead, format!("cannot read: {e}"))
                .in_path(path)
                .help("check that the file exists and is readable")
        })?;
        match String::from_utf8(bytes) {
            Ok(text) => Ok(ParsedFile::new(Arc::new(SourceFile::new(path, text)))),
            Err(e) => {
                let offset = e.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                let file = Arc::new(SourceFile::new(path, text));
                let location = file.location(offset, 1);
                Err(Box::new(
                    Diagnostic::new(Code::FileRead, format!("invalid UTF-8 at byte {offset}"))
                        .at(&file, location)
                        .help("save the file as UTF-8"),
                ))
            }
        }
    }
}

fn syntax_error(file: &Arc<SourceFile>, e: &serde_yaml::Error) -> Diagnostic {
    let location = e.location().map_or_else(
        || file.location(0, 0),
        |l| {
            let line_start: usize =
                file.text().split_inclusive('\n').take(l.line().saturating_sub(1)).map(str::len).sum();
            let line = &file.text()[line_start..];
            let col = line.char_indices().nth(l.column().saturating_sub(1)).map_or(line.len(), |(i, _)| i);
            file.location(line_start + col, 1)
        },
    );
    let message = e.to_string();
    let message = message.split(" at line ").next().unwrap_or(&message).to_owned();
    Diagnostic::new(Code::YamlSyntax, format!("invalid YAML: {message}"))
        .at(file, location)
        .help("check indentation, quoting (values containing `: ` or starting with `{`, `[`, `*`, `&` need quotes) and unclosed brackets")
}

/// One diagnostic per repetition of the key at `at`, naming where it was first written.
fn repeated_key(file: &Arc<SourceFile>, at: &str) -> Vec<Diagnostic> {
    let key = pointer::last(at).unwrap_or_default();
    let mut locations = file.repeated_key_locations(at).into_iter();
    let Some(first) = locations.next() else {
        return vec![NodeRef { file: file.clone(), pointer: at.to_owned() }
            .diag_key(Code::DuplicateKey, format!("duplicate key `{key}`"))
            .help("a mapping takes each key once: remove one of them, or merge them")];
    };
    let first_at = format!("{}:{}:{}", file.path().display(), first.line, first.column);
    locations
        .map(|again| {
            Diagnostic::new(Code::DuplicateKey, format!("duplicate key `{key}`: first written at {first_at}"))
                .at(file, again)
                .label("written again here")
                .help(format!(
                    "a mapping takes each key once, and this value would silently replace the one at line {}: remove one of them, or merge them",
                    first.line
                ))
        })
        .collect()
}

/// Takes the list `key` out of a root mapping, one value per item.
fn take_items(
    file: &Arc<SourceFile>,
    root: &mut Map<String, Value>,
    key: &str,
    diagnostics: &mut Vec<Diagnostic>,
) -> Items {
    let node = NodeRef { file: file.clone(), pointer: format!("/{key}") };
    match root.remove(key) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items.into_iter().enumerate().map(|(i, v)| (v, node.child(i))).collect(),
        Some(other) => {
            diagnostics.push(
                node.diag(Code::InvalidValue, format!("`{key}` must be a list, found {}", kind(&other)))
                    .help(format!("write `{key}:` followed by items starting with `- `")),
            );
            Vec::new()
        }
    }
}

fn slug_of(value: &Value) -> Option<String> {
    value.get("slug").and_then(Value::as_str).map(str::to_owned)
}

/// Deserializes `value` (found at `node`) into `T`, the type read as `shape`.
///
/// serde stops at the first error, so the value's shape is checked first and every
/// mistake reported. A value whose only mistakes are unknown keys is deserialized
/// without them (so that its other parts are still validated); one with any other
/// mistake is not. serde then reports each unknown key the check did not see, and the
/// first other error, each at its position.
fn deserialize<T: DeserializeOwned>(
    shape: Shape,
    value: &Value,
    node: &NodeRef,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<T> {
    let findings = shape::check(shape, value, node);
    let only_unknown_keys = findings.only_unknown_keys();
    diagnostics.extend(findings.diagnostics);
    if !only_unknown_keys {
        return None;
    }
    // The unknown keys found are removed from a copy; any other that serde meets is
    // reported and removed in turn, and the value tried again.
    let mut edited: Option<Value> = None;
    for key_pointer in &findings.unknown_keys {
        let relative = key_pointer.strip_prefix(&node.pointer).unwrap_or(key_pointer);
        remove(edited.get_or_insert_with(|| value.clone()), relative);
    }
    for _ in 0..64 {
        let current = edited.as_ref().unwrap_or(value);
        let error = match serde_path_to_error::deserialize::<_, T>(current) {
            Ok(parsed) => return Some(parsed),
            Err(error) => error,
        };
        let mut path = node.pointer.clone();
        for segment in error.path().iter() {
            match segment {
                serde_path_to_error::Segment::Seq { index } => pointer::push(&mut path, index),
                serde_path_to_error::Segment::Map { key } => pointer::push(&mut path, key),
                serde_path_to_error::Segment::Enum { .. } => {}
                serde_path_to_error::Segment::Unknown => break,
            }
        }
        let message = error.inner().to_string();
        let at = NodeRef { file: node.file.clone(), pointer: path };
        let (diagnostic, unknown_key) = classify(&message, &at);
        diagnostics.push(diagnostic);
        let key_pointer = unknown_key?;
        let relative = key_pointer.strip_prefix(&node.pointer).unwrap_or(&key_pointer);
        let mut next = current.clone();
        if !remove(&mut next, relative) {
            return None;
        }
        edited = Some(next);
    }
    None
}

/// Turns a serde message into a diagnostic; for an unknown key, also returns its pointer.
fn classify(message: &str, at: &NodeRef) -> (Diagnostic, Option<String>) {
    let quoted = backticked(message);
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let key = rest.split('`').next().unwrap_or_default();
        let expected: Vec<&str> = quoted.iter().skip(1).copied().collect();
        let key_at = if at.pointer.ends_with(&pointer::child("", key)) {
            at.pointer.clone()
        } else {
            at.file.find_key_below(&at.pointer, key).unwrap_or_else(|| pointer::child(&at.pointer, key))
        };
        let node = NodeRef { file: at.file.clone(), pointer: key_at.clone() };
        return (structural::unknown_key(&node, key, &expected), node.file.contains(&key_at).then_some(key_at));
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let key = rest.split('`').next().unwrap_or_default();
        return (structural::missing_key(at, key), None);
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let value = rest.split('`').next().unwrap_or_default();
        let expected: Vec<&str> = quoted.iter().skip(1).copied().collect();
        return (structural::not_allowed(at, value, &expected), None);
    }
    (structural::wrong_value(at, message.replace("invalid type: ", "wrong type: ")), None)
}

fn backticked(message: &str) -> Vec<&str> {
    message.split('`').skip(1).step_by(2).collect()
}

fn remove(value: &mut Value, at: &str) -> bool {
    let Some((parent, last)) = pointer::split_last(at) else {
        return false;
    };
    match value.pointer_mut(parent) {
        Some(Value::Object(map)) => map.shift_remove(last.as_ref()).is_some(),
        _ => false,
    }
}
