//! Reading OpenAPI documents (JSON or YAML) and bundling relative-file `$ref`s.
//!
//! Big APIs split their documents over files (`$ref: ./schemas/pet.yaml`,
//! `$ref: ../common.yaml#/components/responses/NotFound`). [`read_document`] loads
//! each referenced file once, copies each referenced value into the root document
//! (schemas under `components/schemas`, parameters under `components/parameters`
//! and so on, by where the reference sits; anything else under `x-bundled`), and
//! rewrites every file reference to the internal one, so later stages only ever
//! follow `#/...` pointers. References inside a bundled file resolve against that
//! file's folder; cycles across files end at the first value already bundled.
//! Remote references (`https://...`) are left as they are.
//!
//! Only files in the document's folder (and below it) are read, unless
//! [`ReadOptions::allowed_folders`] names more; only regular files, and at most
//! [`ReadOptions::max_file_bytes`] of each (`read.rs`).

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use toolsmith_spec::pointer;

use super::read::read_value;
use super::{ImportError, ImportWarning, ReadOptions};

/// An OpenAPI document: its root value, with every relative-file `$ref` bundled
/// in (rewritten to an internal reference), and where it was read from.
#[derive(Clone, Debug)]
pub struct Document {
    /// The root value.
    pub root: Value,
    /// The file it was read from, if any.
    pub path: Option<PathBuf>,
    /// What bundling could not do (a referenced file that cannot be read, a pointer
    /// that names nothing); those references are left as they were.
    pub warnings: Vec<ImportWarning>,
}

impl Document {
    /// A document held in memory (its `$ref`s must all be internal).
    pub fn in_memory(root: Value) -> Self {
        Document { root, path: None, warnings: Vec::new() }
    }
}

/// Reads a JSON or YAML OpenAPI document and bundles the files its `$ref`s name,
/// with the default [`ReadOptions`]: references read only below the document's folder.
pub fn read_document(path: &Path) -> Result<Document, ImportError> {
    read_document_with(path, &ReadOptions::default())
}

/// Reads a JSON or YAML OpenAPI document and bundles the files its `$ref`s name,
/// within `options`. A reference outside the allowed folders, to a file that is not
/// a regular file, or to one over the size limit is an error; a reference to a file
/// that is missing or does not parse is a warning (and is left as it is).
pub fn read_document_with(path: &Path, options: &ReadOptions) -> Result<Document, ImportError> {
    let mut root = read_value(path, options)?;
    // `swagger: 2.0` unquoted in YAML is a number; the version is a string.
    if let Some(map) = root.as_object_mut() {
        for key in ["swagger", "openapi"] {
            if let Some(Value::Number(n)) = map.get(key) {
                let version = n.to_string();
                map.insert(key.to_owned(), Value::String(version));
            }
        }
    }
    let mut warnings = Vec::new();
    let root = bundle(root, path, options, &mut warnings)?;
    Ok(Document { root, path: Some(path.to_path_buf()), warnings })
}

/// Most files one bundle loads, and most values it copies: a guard against
/// generated reference mazes, far above what real documents use.
const MAX_FILES: usize = 10_000;
const MAX_BUNDLED: usize = 200_000;

/// `%XX` escapes decoded (URI references may encode their pointers).
pub(crate) fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_owned();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The JSON pointer of an internal reference (`#/components/schemas/Pet` →
/// `/components/schemas/Pet`), percent-decoded; `None` for other references.
pub(crate) fn internal_pointer(reference: &str) -> Option<String> {
    let fragment = reference.strip_prefix('#')?;
    let pointer = percent_decode(fragment);
    (pointer.is_empty() || pointer.starts_with('/')).then_some(pointer)
}

/// `value`, or what its internal `$ref` (or chain of them) points to in `root`;
/// `None` when a reference is external, dangling or circular.
pub(crate) fn resolve_internal<'a>(root: &'a Value, value: &'a Value) -> Option<&'a Value> {
    let mut current = value;
    for _ in 0..32 {
        match current.get("$ref") {
            Some(Value::String(reference)) => current = root.pointer(&internal_pointer(reference)?)?,
            Some(_) => return None,
            None => return Some(current),
        }
    }
    None
}

/// Where a bundled value goes in the root document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Section {
    Schemas,
    Parameters,
    Responses,
    RequestBodies,
    Headers,
    Examples,
    Links,
    Callbacks,
    SecuritySchemes,
    Other,
}

impl Section {
    /// The object holding this section in an OpenAPI 3 or a Swagger 2.0 root.
    fn container(self, swagger2: bool) -> &'static [&'static str] {
        match (self, swagger2) {
            (Section::Schemas, true) => &["definitions"],
            (Section::Parameters, true) => &["parameters"],
            (Section::Responses, true) => &["responses"],
            (Section::SecuritySchemes, true) => &["securityDefinitions"],
            (Section::Schemas, false) => &["components", "schemas"],
            (Section::Parameters, false) => &["components", "parameters"],
            (Section::Responses, false) => &["components", "responses"],
            (Section::RequestBodies, false) => &["components", "requestBodies"],
            (Section::Headers, false) => &["components", "headers"],
            (Section::Examples, false) => &["components", "examples"],
            (Section::Links, false) => &["components", "links"],
            (Section::Callbacks, false) => &["components", "callbacks"],
            (Section::SecuritySchemes, false) => &["components", "securitySchemes"],
            _ => &["x-bundled"],
        }
    }

    /// The section a components map of this name holds.
    fn of_container(key: &str) -> Option<Section> {
        Some(match key {
            "schemas" | "definitions" | "$defs" => Section::Schemas,
            "parameters" => Section::Parameters,
            "responses" => Section::Responses,
            "requestBodies" => Section::RequestBodies,
            "headers" => Section::Headers,
            "examples" => Section::Examples,
            "links" => Section::Links,
            "callbacks" => Section::Callbacks,
            "securitySchemes" | "securityDefinitions" => Section::SecuritySchemes,
            _ => return None,
        })
    }
}

/// Where a `$ref` sits: in a schema, or under which keys.
#[derive(Clone, Copy)]
struct Site<'k> {
    schema: bool,
    parent: Option<&'k str>,
    grandparent: Option<&'k str>,
}

impl Site<'_> {
    /// The section a value referenced from here belongs to, if the site says.
    fn section(&self) -> Option<Section> {
        if self.schema {
            return Some(Section::Schemas);
        }
        match (self.grandparent, self.parent) {
            (_, Some("requestBody")) => Some(Section::RequestBodies),
            (Some("paths"), _) => Some(Section::Other),
            (Some(container), _) => Section::of_container(container),
            _ => None,
        }
    }
}

/// Keys whose values are data, never references to follow.
fn is_literal(key: &str, schema: bool) -> bool {
    matches!(key, "example" | "default" | "enum" | "const" | "x-example") || (schema && key == "examples")
}

/// One file of the bundle.
struct File {
    /// Canonical path.
    path: PathBuf,
    /// Its folder, against which its references resolve.
    dir: PathBuf,
}

/// A referenced value to copy into the root.
struct Job {
    file: usize,
    pointer: String,
    section: Section,
    name: String,
}

struct Bundler<'w> {
    swagger2: bool,
    files: Vec<File>,
    values: Vec<Option<Value>>,
    by_path: HashMap<PathBuf, usize>,
    /// (file, pointer) → the internal reference it was given.
    assigned: HashMap<(usize, String), String>,
    /// (container, name) pairs in use (`components/schemas`, `Pet`).
    taken: HashSet<(String, String)>,
    jobs: VecDeque<Job>,
    bundled: Vec<(Section, String, Value)>,
    failed: HashSet<PathBuf>,
    warnings: &'w mut Vec<ImportWarning>,
    options: &'w ReadOptions,
    /// The folders references may read: the document's and the allowed ones, canonical.
    folders: Vec<PathBuf>,
    /// The first reference refused (see [`read_document_with`]); it ends the import.
    refused: Option<ImportError>,
}

/// Bundles the files that `root`'s references name (relative to `path`) into it.
fn bundle(
    mut root: Value,
    path: &Path,
    options: &ReadOptions,
    warnings: &mut Vec<ImportWarning>,
) -> Result<Value, ImportError> {
    if !root.is_object() {
        return Ok(root);
    }
    let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let dir = canonical.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut folders = vec![dir.clone()];
    // A folder that does not exist holds no file to allow.
    folders.extend(options.allowed_folders.iter().filter_map(|folder| std::fs::canonicalize(folder).ok()));
    let swagger2 = root.get("swagger").is_some();
    let mut bundler = Bundler {
        swagger2,
        files: vec![File { path: canonical.clone(), dir }],
        values: vec![None],
        by_path: HashMap::from([(canonical, 0)]),
        assigned: HashMap::new(),
        taken: HashSet::new(),
        jobs: VecDeque::new(),
        bundled: Vec::new(),
        failed: HashSet::new(),
        warnings,
        options,
        folders,
        refused: None,
    };
    bundler.reserve_existing(&root);
    let mut pointer = String::new();
    let site = Site { schema: false, parent: None, grandparent: None };
    bundler.walk(&mut root, 0, site, &mut pointer);
    bundler.run();
    if let Some(error) = bundler.refused {
        return Err(error);
    }
    bundler.insert(&mut root);
    Ok(root)
}

impl Bundler<'_> {
    /// Names already used in the root's sections.
    fn reserve_existing(&mut self, root: &Value) {
        for section in [
            Section::Schemas,
            Section::Parameters,
            Section::Responses,
            Section::RequestBodies,
            Section::Headers,
            Section::Examples,
            Section::Links,
            Section::Callbacks,
            Section::SecuritySchemes,
            Section::Other,
        ] {
            let mut node = Some(root);
            for key in section.container(self.swagger2) {
                node = node.and_then(|n| n.get(*key));
            }
            if let Some(map) = node.and_then(Value::as_object) {
                let container = section.container(self.swagger2).join("/");
                for name in map.keys() {
                    self.taken.insert((container.clone(), name.clone()));
                }
            }
        }
    }

    /// Rewrites the references in `value` (a part of file `file`), queueing what
    /// they name.
    fn walk(&mut self, value: &mut Value, file: usize, site: Site<'_>, pointer: &mut String) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(reference)) = map.get("$ref") {
                    let reference = reference.clone();
                    if let Some(internal) = self.reference(&reference, file, site, pointer) {
                        map.insert("$ref".to_owned(), Value::String(internal));
                    }
                }
                for (key, child) in map.iter_mut() {
                    if key == "$ref" || is_literal(key, site.schema) || !(child.is_object() || child.is_array()) {
                        continue;
                    }
                    let schema = site.schema || matches!(key.as_str(), "schema" | "schemas" | "definitions" | "$defs");
                    let length = pointer.len();
                    pointer::push(pointer, key);
                    let child_site = Site { schema, parent: Some(key.as_str()), grandparent: site.parent };
                    self.walk(child, file, child_site, pointer);
                    pointer.truncate(length);
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    let length = pointer.len();
                    pointer.push_str(&format!("/{i}"));
                    // Items of a `parameters` list are parameters: the list's key is what counts.
                    let child_site = Site { schema: site.schema, parent: Some("[]"), grandparent: site.parent };
                    self.walk(item, file, child_site, pointer);
                    pointer.truncate(length);
                }
            }
            _ => {}
        }
    }

    fn warn(&mut self, file: usize, pointer: &str, message: String) {
        let message =
            if file == 0 { message } else { format!("{}#{pointer}: {message}", self.files[file].path.display()) };
        self.warnings
            .push(ImportWarning { pointer: if file == 0 { pointer.to_owned() } else { String::new() }, message });
    }

    /// The internal reference replacing `reference` (found in file `file`), or
    /// `None` to leave it as it is.
    fn reference(&mut self, reference: &str, file: usize, site: Site<'_>, pointer: &str) -> Option<String> {
        let (target, fragment) = reference.split_once('#').unwrap_or((reference, ""));
        let target = target.trim();
        if target.is_empty() && file == 0 {
            return None;
        }
        if (target.contains("://") && !target.starts_with("file://")) || target.starts_with("//") {
            return None;
        }
        let fragment = percent_decode(fragment);
        if !fragment.is_empty() && !fragment.starts_with('/') {
            self.warn(
                file,
                pointer,
                format!("`$ref: {reference}` names an anchor, which is not supported; left as is"),
            );
            return None;
        }
        let target_file = if target.is_empty() {
            file
        } else {
            let relative = percent_decode(target.strip_prefix("file://").unwrap_or(target));
            let path = self.files[file].dir.join(relative);
            self.load(&path, file, pointer, reference)?
        };
        if target_file == 0 {
            return Some(format!("#{}", encode_fragment(&fragment)));
        }
        if let Some(internal) = self.assigned.get(&(target_file, fragment.clone())) {
            return Some(internal.clone());
        }
        if self.assigned.len() >= MAX_BUNDLED {
            self.warn(file, pointer, format!("more than {MAX_BUNDLED} bundled values; `$ref: {reference}` left as is"));
            return None;
        }
        let Some(value) = self.values[target_file].as_ref().and_then(|v| v.pointer(&fragment)) else {
            let shown = self.files[target_file].path.display().to_string();
            self.warn(
                file,
                pointer,
                format!("`$ref: {reference}`: `{shown}` has nothing at `#{fragment}`; left as is"),
            );
            return None;
        };
        let section = site.section().or_else(|| section_of_pointer(&fragment)).unwrap_or_else(|| {
            if looks_like_schema(value) {
                Section::Schemas
            } else {
                Section::Other
            }
        });
        let name = self.name(section, target_file, &fragment);
        let container: Vec<String> =
            section.container(self.swagger2).iter().map(|key| pointer::escape(key).into_owned()).collect();
        let internal = format!("#/{}/{}", container.join("/"), pointer::escape(&name));
        self.assigned.insert((target_file, fragment.clone()), internal.clone());
        self.jobs.push_back(Job { file: target_file, pointer: fragment, section, name });
        Some(internal)
    }

    /// Loads `path` (once), returning its file index.
    fn load(&mut self, path: &Path, from: usize, pointer: &str, reference: &str) -> Option<usize> {
        let canonical = match std::fs::canonicalize(path) {
            Ok(canonical) => canonical,
            Err(e) => {
                if self.failed.insert(path.to_path_buf()) {
                    self.warn(
                        from,
                        pointer,
                        format!("`$ref: {reference}`: cannot read `{}`: {e}; left as is", path.display()),
                    );
                }
                return None;
            }
        };
        if let Some(&index) = self.by_path.get(&canonical) {
            return self.values[index].is_some().then_some(index).or((index == 0).then_some(0));
        }
        if self.refused.is_some() {
            return None;
        }
        if !self.folders.iter().any(|folder| canonical.starts_with(folder)) {
            let folders: Vec<String> = self.folders.iter().map(|f| format!("`{}`", f.display())).collect();
            self.refused = Some(ImportError::RefOutside {
                at: format!("{}#{pointer}", self.files[from].path.display()),
                reference: reference.to_owned(),
                path: canonical.display().to_string(),
                folders: folders.join(", "),
            });
            return None;
        }
        if self.files.len() >= MAX_FILES {
            self.warn(from, pointer, format!("more than {MAX_FILES} files referenced; `$ref: {reference}` left as is"));
            return None;
        }
        let value = match read_value(&canonical, self.options) {
            Ok(value) => Some(value),
            // A broken reference, or one to a folder or a device (never opened), is left as it is.
            Err(e @ (ImportError::Read { .. } | ImportError::NotAFile { .. })) => {
                let message = match e {
                    ImportError::NotAFile { kind, .. } => format!("is {kind}, not a regular file"),
                    ImportError::Read { message, .. } => message,
                    _ => String::new(),
                };
                self.warn(
                    from,
                    pointer,
                    format!("`$ref: {reference}`: `{}`: {message}; left as is", canonical.display()),
                );
                None
            }
            Err(refused) => {
                self.refused = Some(refused);
                return None;
            }
        };
        let dir = canonical.parent().map(Path::to_path_buf).unwrap_or_default();
        let index = self.files.len();
        self.files.push(File { path: canonical.clone(), dir });
        let ok = value.is_some();
        self.values.push(value);
        self.by_path.insert(canonical, index);
        ok.then_some(index)
    }

    /// A name for a value of file `file` at `pointer`, unique in its section: the
    /// pointer's last token (`Pet`), else the file's stem (`pet` for `pet.yaml`),
    /// prefixed by the stem when taken (`common_Error`), numbered when still taken.
    fn name(&mut self, section: Section, file: usize, pointer: &str) -> String {
        let stem = self.files[file].path.file_stem().and_then(|s| s.to_str()).map(component_name).unwrap_or_default();
        let tail = pointer.rsplit('/').next().map(|t| component_name(&pointer::unescape(t))).unwrap_or_default();
        let container = section.container(self.swagger2).join("/");
        let mut candidates = Vec::new();
        match (tail.is_empty(), stem.is_empty()) {
            (false, false) => {
                candidates.push(tail.clone());
                candidates.push(format!("{stem}_{tail}"));
            }
            (false, true) => candidates.push(tail.clone()),
            (true, false) => candidates.push(stem.clone()),
            (true, true) => candidates.push("Bundled".to_owned()),
        }
        for candidate in &candidates {
            if self.taken.insert((container.clone(), candidate.clone())) {
                return candidate.clone();
            }
        }
        let base = candidates.last().cloned().unwrap_or_default();
        for n in 2u64.. {
            let candidate = format!("{base}_{n}");
            if self.taken.insert((container.clone(), candidate.clone())) {
                return candidate;
            }
        }
        unreachable!("the loop above returns")
    }

    /// Copies every queued value, rewriting the references inside it.
    fn run(&mut self) {
        while let Some(job) = self.jobs.pop_front() {
            let Some(mut value) = self.values[job.file].as_ref().and_then(|v| v.pointer(&job.pointer)).cloned() else {
                continue;
            };
            let mut pointer = job.pointer.clone();
            let site = Site { schema: job.section == Section::Schemas, parent: None, grandparent: None };
            self.walk(&mut value, job.file, site, &mut pointer);
            self.bundled.push((job.section, job.name, value));
        }
    }

    /// Puts the bundled values into the root.
    fn insert(&mut self, root: &mut Value) {
        for (section, name, value) in std::mem::take(&mut self.bundled) {
            match container(root, section.container(self.swagger2)) {
                Some(map) => {
                    map.insert(name, value);
                }
                None => {
                    let where_ = section.container(self.swagger2).join("/");
                    self.warnings.push(ImportWarning {
                        pointer: format!("/{where_}"),
                        message: format!("`{where_}` is not a map; the bundled `{name}` could not be added"),
                    });
                }
            }
        }
    }
}

/// The map at `keys` in `root`, created when missing; `None` when something on
/// the way is not a map.
fn container<'v>(root: &'v mut Value, keys: &[&str]) -> Option<&'v mut Map<String, Value>> {
    let mut node = root;
    for key in keys {
        node = node.as_object_mut()?.entry((*key).to_owned()).or_insert_with(|| Value::Object(Map::new()));
    }
    node.as_object_mut()
}

/// The section named by a pointer into an OpenAPI or Swagger document
/// (`/components/parameters/Limit`, `/definitions/Pet`).
fn section_of_pointer(pointer: &str) -> Option<Section> {
    let tokens: Vec<&str> = pointer.split('/').skip(1).collect();
    match tokens.as_slice() {
        ["components", section, _, ..] => Section::of_container(section),
        [section, _, ..] if *section != "paths" => Section::of_container(section),
        _ => None,
    }
}

fn looks_like_schema(value: &Value) -> bool {
    const KEYS: &[&str] = &[
        "type",
        "properties",
        "items",
        "allOf",
        "anyOf",
        "oneOf",
        "enum",
        "format",
        "additionalProperties",
        "$ref",
        "required",
        "nullable",
    ];
    value.as_object().is_some_and(|map| {
        KEYS.iter().any(|k| map.contains_key(*k)) && !(map.contains_key("in") && map.contains_key("name"))
    }) || value.is_boolean()
}

/// A component name OpenAPI allows (`^[a-zA-Z0-9._-]+$`).
fn component_name(text: &str) -> String {
    let name: String =
        text.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') { c } else { '_' }).collect();
    let trimmed = name.trim_matches('_');
    if trimmed.is_empty() {
        String::new()
    } else {
        trimmed.chars().take(120).collect()
    }
}

/// A JSON pointer as a URI fragment: characters a fragment cannot hold escaped.
fn encode_fragment(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len());
    for c in pointer.chars() {
        if c.is_ascii_alphanumeric() || "/-._~!$&'()*+,;=:@".contains(c) {
            out.push(c);
        } else {
            let mut buffer = [0u8; 4];
            for byte in c.encode_utf8(&mut buffer).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::openapi::scratch::Scratch;
    use serde_json::json;

    #[test]
    fn reads_json_and_yaml_whatever_the_extension() {
        let dir = Scratch::new("formats");
        let json_file = dir.write("a.json", r#"{ "openapi": "3.0.0", "paths": {} }"#);
        let yaml_file = dir.write(
            "b.yaml",
            "openapi: 3.0.0\npaths:\n  /a:\n    get:\n      responses:\n        200:\n          description: ok\n",
        );
        let yaml_in_json = dir.write("c.json", "openapi: 3.1.0\n");
        let json_in_yaml = dir.write("d.yml", r#"{ "swagger": "2.0" }"#);
        let unquoted = dir.write("f.yaml", "swagger: 2.0\n");
        let no_extension = dir.write("e", "openapi: '3.0.1'\n");
        assert_eq!(read_document(&json_file).unwrap().root["openapi"], "3.0.0");
        let yaml = read_document(&yaml_file).unwrap();
        assert_eq!(yaml.root["paths"]["/a"]["get"]["responses"]["200"]["description"], "ok");
        assert_eq!(read_document(&yaml_in_json).unwrap().root["openapi"], "3.1.0");
        assert_eq!(read_document(&json_in_yaml).unwrap().root["swagger"], "2.0");
        assert_eq!(read_document(&no_extension).unwrap().root["openapi"], "3.0.1");
        assert_eq!(read_document(&unquoted).unwrap().root["swagger"], "2.0");
    }

    #[test]
    fn yaml_merge_keys_and_odd_keys() {
        let dir = Scratch::new("merge");
        let file = dir.write(
            "m.yaml",
            "defaults: &d\n  type: string\n  maxLength: 5\nx:\n  <<: *d\n  minLength: 1\ny:\n  true: 1\n  null: 2\n  1.5: 3\n  !tag z: 4\n",
        );
        let root = read_document(&file).unwrap().root;
        assert_eq!(root["x"], json!({ "type": "string", "maxLength": 5, "minLength": 1 }));
        assert_eq!(root["y"], json!({ "true": 1, "null": 2, "1.5": 3, "z": 4 }));
    }

    #[test]
    fn parse_errors_name_file_line_and_column() {
        let dir = Scratch::new("errors");
        let bad_json = dir.write("bad.json", "{\n  \"openapi\": \"3.0.0\",\n  \"paths\": {,}\n}");
        let bad_yaml = dir.write("bad.yaml", "openapi: 3.0.0\npaths:\n  a: [\n");
        let error = read_document(&bad_json).unwrap_err().to_string();
        assert!(
            error.contains("bad.json") && error.contains("line 3, column 13") && error.contains("invalid JSON"),
            "{error}"
        );
        let error = read_document(&bad_yaml).unwrap_err().to_string();
        assert!(error.contains("bad.yaml") && error.contains("line ") && error.contains("invalid YAML"), "{error}");
        let missing = read_document(&dir.0.join("missing.yaml")).unwrap_err().to_string();
        assert!(missing.contains("missing.yaml"), "{missing}");
    }

    #[test]
    fn bundles_relative_files() {
        let dir = Scratch::new("bundle");
        dir.write(
            "api/openapi.yaml",
            r##"
openapi: 3.0.3
paths:
  /pets:
    get:
      parameters:
        - $ref: "../common.yaml#/components/parameters/Limit"
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                $ref: "./defs/pet.json"
        "404":
          $ref: "../common.yaml#/components/responses/NotFound"
components:
  schemas:
    Local:
      properties:
        pet: { $ref: "defs/pet.json" }
        error: { $ref: "../common.yaml#/components/schemas/Error" }
"##,
        );
        dir.write(
            "api/defs/pet.json",
            r##"{ "type": "object", "properties": {
                "owner": { "$ref": "../../common.yaml#/components/schemas/Owner" },
                "self": { "$ref": "#" },
                "tag": { "$ref": "#/definitions/Tag" }
            }, "definitions": { "Tag": { "type": "string" } } }"##,
        );
        dir.write(
            "common.yaml",
            r##"
components:
  parameters:
    Limit: { name: limit, in: query, schema: { type: integer } }
  responses:
    NotFound:
      description: Not found
      content:
        application/json:
          schema: { $ref: "#/components/schemas/Error" }
  schemas:
    Error: { type: object, properties: { message: { type: string } } }
    Owner:
      type: object
      properties:
        pets: { type: array, items: { $ref: "api/defs/pet.json" } }
        back: { $ref: "./api/openapi.yaml#/components/schemas/Local" }
"##,
        );
        // `../common.yaml` is outside the document's folder: allowed here.
        let options = ReadOptions { allowed_folders: vec![dir.0.clone()], ..ReadOptions::default() };
        let document = read_document_with(&dir.0.join("api/openapi.yaml"), &options).unwrap();
        assert!(document.warnings.is_empty(), "{:?}", document.warnings);
        let root = &document.root;
        let get = &root["paths"]["/pets"]["get"];
        assert_eq!(get["parameters"][0]["$ref"], "#/components/parameters/Limit");
        assert_eq!(
            get["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/pet"
        );
        assert_eq!(get["responses"]["404"]["$ref"], "#/components/responses/NotFound");
        let schemas = &root["components"]["schemas"];
        assert_eq!(schemas["Local"]["properties"]["pet"]["$ref"], "#/components/schemas/pet");
        assert_eq!(schemas["Local"]["properties"]["error"]["$ref"], "#/components/schemas/Error");
        assert_eq!(schemas["pet"]["properties"]["owner"]["$ref"], "#/components/schemas/Owner");
        assert_eq!(schemas["pet"]["properties"]["self"]["$ref"], "#/components/schemas/pet");
        assert_eq!(schemas["pet"]["properties"]["tag"]["$ref"], "#/components/schemas/Tag");
        assert_eq!(schemas["Owner"]["properties"]["pets"]["items"]["$ref"], "#/components/schemas/pet");
        assert_eq!(schemas["Owner"]["properties"]["back"]["$ref"], "#/components/schemas/Local");
        assert_eq!(schemas["Tag"], json!({ "type": "string" }));
        assert_eq!(root["components"]["parameters"]["Limit"]["name"], "limit");
        assert_eq!(
            root["components"]["responses"]["NotFound"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/Error"
        );
        // Every reference left is internal and resolves.
        let mut refs = Vec::new();
        collect_refs(root, &mut refs);
        for reference in refs {
            let pointer = internal_pointer(&reference).unwrap_or_else(|| panic!("{reference}"));
            assert!(root.pointer(&pointer).is_some(), "{reference}");
        }
    }

    fn collect_refs(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    out.push(r.clone());
                }
                map.values().for_each(|v| collect_refs(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
            _ => {}
        }
    }

    #[test]
    fn name_clashes_get_the_file_stem() {
        let dir = Scratch::new("clash");
        dir.write(
            "root.json",
            r##"{ "openapi": "3.0.0", "components": { "schemas": {
                "Error": { "type": "string" },
                "A": { "$ref": "a.json#/Error" },
                "B": { "$ref": "b.json#/Error" },
                "C": { "$ref": "a.json#/Error" },
                "D": { "$ref": "a.json" }
            } } }"##,
        );
        dir.write("a.json", r#"{ "Error": { "type": "integer" } }"#);
        dir.write("b.json", r#"{ "Error": { "type": "number" } }"#);
        let document = read_document(&dir.0.join("root.json")).unwrap();
        let schemas = &document.root["components"]["schemas"];
        assert_eq!(schemas["A"]["$ref"], "#/components/schemas/a_Error");
        assert_eq!(schemas["B"]["$ref"], "#/components/schemas/b_Error");
        assert_eq!(schemas["C"]["$ref"], "#/components/schemas/a_Error");
        assert_eq!(schemas["D"]["$ref"], "#/components/schemas/a");
        assert_eq!(schemas["a_Error"], json!({ "type": "integer" }));
        assert_eq!(schemas["b_Error"], json!({ "type": "number" }));
    }

    #[test]
    fn swagger2_roots_bundle_into_definitions() {
        let dir = Scratch::new("swagger2");
        dir.write(
            "root.yaml",
            r##"
swagger: "2.0"
paths:
  /a:
    $ref: "paths.yaml#/a"
definitions:
  X: { $ref: "defs.yaml#/Pet" }
"##,
        );
        dir.write("defs.yaml", "Pet: { type: object }\n");
        dir.write(
            "paths.yaml",
            "a:\n  get:\n    parameters:\n      - $ref: '#/limit'\n    responses: {}\nlimit: { name: limit, in: query, type: integer }\n",
        );
        let document = read_document(&dir.0.join("root.yaml")).unwrap();
        let root = &document.root;
        assert_eq!(root["definitions"]["X"]["$ref"], "#/definitions/Pet");
        assert_eq!(root["definitions"]["Pet"], json!({ "type": "object" }));
        assert_eq!(root["paths"]["/a"]["$ref"], "#/x-bundled/a");
        assert_eq!(root["x-bundled"]["a"]["get"]["parameters"][0]["$ref"], "#/parameters/limit");
        assert_eq!(root["parameters"]["limit"]["name"], "limit");
    }

    #[test]
    fn broken_and_remote_references_are_left_with_warnings() {
        let dir = Scratch::new("broken");
        dir.write(
            "root.json",
            r##"{ "openapi": "3.0.0", "components": { "schemas": {
                "A": { "$ref": "missing.json#/X" },
                "B": { "$ref": "other.json#/Nope" },
                "C": { "$ref": "https://example.com/s.json#/X" },
                "D": { "$ref": "bad.json" },
                "E": { "$ref": "other.json#anchor" },
                "F": { "$ref": "#/components/schemas/A" },
                "G": { "example": { "$ref": "not-a-file.json" } }
            } } }"##,
        );
        dir.write("other.json", "{}");
        dir.write("bad.json", "{ nope");
        let document = read_document(&dir.0.join("root.json")).unwrap();
        let schemas = &document.root["components"]["schemas"];
        assert_eq!(schemas["A"]["$ref"], "missing.json#/X");
        assert_eq!(schemas["B"]["$ref"], "other.json#/Nope");
        assert_eq!(schemas["C"]["$ref"], "https://example.com/s.json#/X");
        assert_eq!(schemas["D"]["$ref"], "bad.json");
        assert_eq!(schemas["F"]["$ref"], "#/components/schemas/A");
        assert_eq!(schemas["G"]["example"]["$ref"], "not-a-file.json");
        let pointers: Vec<&str> = document.warnings.iter().map(|w| w.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            ["/components/schemas/A", "/components/schemas/B", "/components/schemas/D", "/components/schemas/E"],
            "{:?}",
            document.warnings
        );
        assert!(document.warnings[2].message.contains("line 1"), "{:?}", document.warnings[2]);
    }

    #[test]
    fn cycles_across_files_terminate() {
        let dir = Scratch::new("cycle");
        dir.write("root.yaml", "openapi: 3.0.0\ncomponents:\n  schemas:\n    A: { $ref: 'a.yaml#/A' }\n");
        dir.write("a.yaml", "A: { properties: { b: { $ref: 'b.yaml#/B' } } }\n");
        dir.write("b.yaml", "B: { properties: { a: { $ref: 'a.yaml#/A' }, self: { $ref: '#/B' } } }\n");
        let document = read_document(&dir.0.join("root.yaml")).unwrap();
        let schemas = &document.root["components"]["schemas"];
        assert_eq!(schemas["A"]["$ref"], "#/components/schemas/a_A");
        assert_eq!(schemas["a_A"]["properties"]["b"]["$ref"], "#/components/schemas/B");
        assert_eq!(schemas["B"]["properties"]["a"]["$ref"], "#/components/schemas/a_A");
        assert_eq!(schemas["B"]["properties"]["self"]["$ref"], "#/components/schemas/B");
    }

    #[test]
    fn in_memory_documents_are_untouched() {
        let root = json!({ "openapi": "3.0.0", "x": { "$ref": "other.yaml" } });
        let document = Document::in_memory(root.clone());
        assert_eq!(document.root, root);
        assert!(document.path.is_none() && document.warnings.is_empty());
    }

    #[test]
    fn internal_references() {
        let root =
            json!({ "a": { "$ref": "#/b" }, "b": { "$ref": "#/c%20d" }, "c d": 1, "loop": { "$ref": "#/loop" } });
        assert_eq!(resolve_internal(&root, &root["a"]), Some(&json!(1)));
        assert_eq!(resolve_internal(&root, &root["loop"]), None);
        assert_eq!(resolve_internal(&root, &json!({ "$ref": "x.yaml#/a" })), None);
        assert_eq!(resolve_internal(&root, &json!({ "$ref": 1 })), None);
        assert_eq!(internal_pointer("#"), Some(String::new()));
        assert_eq!(internal_pointer("#anchor"), None);
        assert_eq!(percent_decode("a%2Fb%zz%4"), "a/b%zz%4");
        assert_eq!(encode_fragment("/components/schemas/a b"), "/components/schemas/a%20b");
    }

    #[test]
    fn odd_references_are_total() {
        let dir = Scratch::new("odd");
        dir.write("sub/x.json", r##"{ "a": { "b": 1 }, "list": [{ "$ref": "#/a" }] }"##);
        dir.write(
            "root.json",
            r##"{ "openapi": "3.0.0", "x": [
                { "$ref": "" }, { "$ref": "." }, { "$ref": ".." }, { "$ref": "sub" }, { "$ref": "#" },
                { "$ref": "sub/x.json#/list/0" }, { "$ref": "sub/x.json#/list/9" }, { "$ref": "sub/x.json#/a/b/c" },
                { "$ref": "sub/x.json#/a%2Fb" }, { "$ref": "root.json" }, { "$ref": "./root.json#/x/0" },
                { "$ref": "file://nowhere/x.json" }, { "$ref": "//cdn.example/x.json" }, { "$ref": 5 },
                { "$ref": { "$ref": "sub/x.json" } }, { "$ref": "sub/x.json#/a", "description": "sibling" }
            ] }"##,
        );
        // `..` is outside the document's folder: allowed here.
        let parent = dir.0.parent().unwrap().to_path_buf();
        let options = ReadOptions { allowed_folders: vec![parent], ..ReadOptions::default() };
        let document = read_document_with(&dir.0.join("root.json"), &options).unwrap();
        let x = &document.root["x"];
        assert_eq!(x[0]["$ref"], "");
        assert_eq!(x[4]["$ref"], "#");
        // A bare `$ref` object looks like a schema.
        assert_eq!(x[5]["$ref"], "#/components/schemas/0");
        // `#/a` was first met at x[15], outside any schema: it went to `x-bundled`.
        assert_eq!(document.root["components"]["schemas"]["0"]["$ref"], "#/x-bundled/a");
        assert_eq!(x[9]["$ref"], "#");
        assert_eq!(x[10]["$ref"], "#/x/0");
        assert_eq!(x[12]["$ref"], "//cdn.example/x.json");
        assert_eq!(x[15]["$ref"], "#/x-bundled/a");
        assert_eq!(x[15]["description"], "sibling");
        assert!(document.warnings.len() >= 6, "{:#?}", document.warnings);
    }
}
