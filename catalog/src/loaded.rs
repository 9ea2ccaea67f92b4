//! What reading spec files yields: the toolkits, where each of their parts was
//! read from, and the problems met. Data only: reading is in `load.rs`, checking in
//! `validate/`, and both depend on this module, never the other way round.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;
use toolsmith_spec::pointer;

use crate::{Code, Diagnostic, SourceFile, Toolkit};

/// Where a value of the catalog was read from.
#[derive(Clone, Debug)]
pub struct NodeRef {
    /// The file.
    pub file: Arc<SourceFile>,
    /// JSON pointer of the value in the file (`/tools/3`).
    pub pointer: String,
}

impl NodeRef {
    /// A reference to a value below this one.
    pub fn child(&self, segment: impl std::fmt::Display) -> NodeRef {
        NodeRef { file: self.file.clone(), pointer: pointer::child(&self.pointer, segment) }
    }

    /// A diagnostic placed at this value.
    pub fn diag(&self, code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, message).at(&self.file, self.file.locate(&self.pointer))
    }

    /// A diagnostic placed at this value's key (for a misplaced or unknown key).
    pub fn diag_key(&self, code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, message).at(&self.file, self.file.locate_key(&self.pointer))
    }
}

/// Where each part of a toolkit was read from, parallel to its `tools` and `triggers`.
#[derive(Clone, Debug)]
pub struct ToolkitSource {
    /// The toolkit's own fields (in `toolkit.yaml`).
    pub header: NodeRef,
    /// One per tool of [`Toolkit::tools`].
    pub tools: Vec<NodeRef>,
    /// One per trigger of [`Toolkit::triggers`].
    pub triggers: Vec<NodeRef>,
    /// The names of the shared definitions imported by an `openapi:` overlay (the
    /// others are written under `definitions:`).
    pub imported_definitions: HashSet<String>,
}

impl ToolkitSource {
    /// Where the shared definition `name` comes from.
    pub fn definition(&self, name: &str) -> NodeRef {
        if self.imported_definitions.contains(name) {
            self.header.child("openapi")
        } else {
            self.header.child("definitions").child(name)
        }
    }
}

/// Toolkits read from spec files, with where each part came from.
///
/// ```no_run
/// let loaded = toolsmith_catalog::Loaded::read(&["catalog/toolkits"]);
/// for d in &loaded.diagnostics {
///     eprintln!("{}", d.one_line());
/// }
/// println!("{} toolkits", loaded.toolkits.len());
/// ```
#[derive(Debug, Default)]
pub struct Loaded {
    /// Toolkits whose own fields parsed; tools that did not parse are left out.
    pub toolkits: Vec<Toolkit>,
    /// Where each toolkit came from, parallel to `toolkits`.
    pub sources: Vec<ToolkitSource>,
    /// Problems met while reading (syntax, unknown keys, wrong types).
    pub diagnostics: Vec<Diagnostic>,
    /// Slugs of tools and triggers that were written but did not parse, so that
    /// references to them are not reported as unknown as well.
    pub unparsed_slugs: HashSet<String>,
    /// Every spec file read, in order (for build scripts' `rerun-if-changed`).
    pub files: Vec<PathBuf>,
}

impl Loaded {
    /// A toolkit already in memory; `text`, its serialization as JSON (pretty, so that
    /// nodes have their own lines), is where diagnostics point.
    pub(crate) fn from_toolkit(path: impl Into<PathBuf>, toolkit: Toolkit, text: String) -> Loaded {
        let file = Arc::new(SourceFile::new(path, text));
        let node = |pointer: String| NodeRef { file: file.clone(), pointer };
        let source = ToolkitSource {
            header: node(String::new()),
            tools: (0..toolkit.tools.len()).map(|i| node(format!("/tools/{i}"))).collect(),
            triggers: (0..toolkit.triggers.len()).map(|i| node(format!("/triggers/{i}"))).collect(),
            imported_definitions: HashSet::new(),
        };
        Loaded { toolkits: vec![toolkit], sources: vec![source], ..Loaded::default() }
    }
}

/// Items of a `tools:` or `triggers:` list, each with where it stands.
pub(crate) type Items = Vec<(Value, NodeRef)>;
