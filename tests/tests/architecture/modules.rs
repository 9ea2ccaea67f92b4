//! The modules of one crate, read from its source files: which module each file holds,
//! what each module declares, imports and re-exports, and every path its code names.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::lexer::{lex, Delimiter, Tree};
use super::CheckError;

/// Index of a module in [`Crate::modules`].
pub(crate) type ModId = usize;

/// A module: the crate root, a file module or an inline `mod x { … }`.
#[derive(Debug, Default)]
pub(crate) struct Module {
    /// Index in [`Crate::files`] of the file that holds it.
    pub(crate) file: usize,
    pub(crate) parent: Option<ModId>,
    pub(crate) children: HashMap<String, ModId>,
    /// Items defined here (for `#[macro_export]` macros, in the root), with the module
    /// that defines them.
    pub(crate) defs: HashMap<String, ModId>,
    /// `use` declarations at module level, private or not.
    pub(crate) uses: Vec<UseLeaf>,
}

/// One name a `use` declaration brings in: `use a::{b, c::*}` has two.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct UseLeaf {
    /// The path as written; a leading `::` is kept as a segment.
    pub(crate) path: Vec<String>,
    pub(crate) binding: Binding,
    pub(crate) line: u32,
    /// `pub`, `pub(crate)`, `pub(super)`: a re-export rather than an import.
    pub(crate) visible: bool,
}

/// What a [`UseLeaf`] binds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Binding {
    /// `use a::b;` binds `b`, `use a::b as c;` binds `c`.
    Name(String),
    /// `use a::*;`
    Glob,
    /// `use a::Trait as _;`
    Hidden,
}

/// A path named by the code (or a private `use`) of a module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Reference {
    pub(crate) module: ModId,
    pub(crate) path: Vec<String>,
    pub(crate) line: u32,
    /// In code rather than in a `use` (where one segment can only be a local name, not a
    /// module).
    pub(crate) in_code: bool,
}

/// An `impl` block: the methods a module gives a type, perhaps one defined elsewhere.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Impl {
    pub(crate) module: ModId,
    /// The type as written: `Client` in `impl Execute for Client`.
    pub(crate) self_type: Vec<String>,
    pub(crate) methods: Vec<String>,
}

/// `self.method(…)` or `Self::method` inside an `impl` block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct MethodCall {
    pub(crate) module: ModId,
    /// The type of the `impl` block the call is in, as written.
    pub(crate) self_type: Vec<String>,
    pub(crate) method: String,
    pub(crate) line: u32,
}

/// The modules of one crate, outside `#[cfg(test)]`.
#[derive(Debug, Default)]
pub(crate) struct Crate {
    pub(crate) files: Vec<PathBuf>,
    /// The root is module 0.
    pub(crate) modules: Vec<Module>,
    pub(crate) references: Vec<Reference>,
    pub(crate) impls: Vec<Impl>,
    pub(crate) method_calls: Vec<MethodCall>,
}

impl Crate {
    /// Reads the crate whose root file (`lib.rs`, `main.rs`) is `root`, following
    /// `mod x;` declarations (and their `#[path]`).
    pub(crate) fn load(root: &Path) -> Result<Crate, CheckError> {
        let mut krate = Crate::default();
        krate.modules.push(Module::default());
        krate.load_file(0, root, true)?;
        Ok(krate)
    }

    /// Reads `file` as the body of module `id`; its child files live next to it when it
    /// is a root, a `mod.rs` or a `#[path]` file (`owns_dir`), else in a folder named
    /// after it.
    fn load_file(&mut self, id: ModId, file: &Path, owns_dir: bool) -> Result<(), CheckError> {
        let shown = file.display().to_string();
        let source =
            std::fs::read_to_string(file).map_err(|source| CheckError::Read { file: shown.clone(), source })?;
        let trees = lex(&shown, &source)?;
        self.files.push(file.to_owned());
        self.modules[id].file = self.files.len() - 1;
        let parent = file.parent().unwrap_or(Path::new("."));
        let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        let dir = if owns_dir || stem == "mod" { parent.to_owned() } else { parent.join(stem) };
        let base = Base { dir, file_dir: Some(parent.to_owned()), file: shown };
        self.items(&trees, id, &base)
    }

    fn add_module(&mut self, parent: ModId, name: &str) -> ModId {
        let id = self.modules.len();
        let file = self.modules[parent].file;
        self.modules.push(Module { file, parent: Some(parent), ..Module::default() });
        self.modules[parent].children.insert(name.to_owned(), id);
        id
    }

    /// The items of module `id`: declarations, `use`s, definitions, and the paths their
    /// code names.
    fn items(&mut self, trees: &[Tree], id: ModId, base: &Base) -> Result<(), CheckError> {
        let mut i = 0;
        while i < trees.len() {
            let mut attributes = Vec::new();
            while trees[i].is_punct("#") {
                match (trees.get(i + 1), trees.get(i + 2)) {
                    (Some(Tree::Group(Delimiter::Bracket, inner, _)), _) => {
                        attributes.push(inner.as_slice());
                        i += 2;
                    }
                    (Some(t), Some(Tree::Group(Delimiter::Bracket, _, _))) if t.is_punct("!") => i += 3,
                    _ => break,
                }
                if i >= trees.len() {
                    return Ok(());
                }
            }
            let visible = trees[i].is_ident("pub");
            if visible {
                i += 1;
                if matches!(trees.get(i), Some(Tree::Group(Delimiter::Paren, _, _))) {
                    i += 1;
                }
            }
            let end = item_end(trees, i);
            if attributes.iter().any(|a| is_test_only(a)) {
                i = end;
                continue;
            }
            let item = &trees[i..end];
            let (keyword, name) = keyword_and_name(item);
            match (keyword, name) {
                ("mod", Some(name)) => match item.last() {
                    Some(Tree::Group(Delimiter::Brace, inner, _)) => {
                        let child = self.add_module(id, name);
                        let inner_base = Base { dir: base.dir.join(name), file_dir: None, file: base.file.clone() };
                        self.items(inner, child, &inner_base)?;
                    }
                    _ => {
                        let child = self.add_module(id, name);
                        let (file, owns_dir) = base.module_file(name, &attributes, item[0].line())?;
                        self.load_file(child, &file, owns_dir)?;
                    }
                },
                ("use", _) => {
                    let mut leaves = Vec::new();
                    use_tree(item.get(1..item.len().saturating_sub(1)).unwrap_or_default(), Vec::new(), &mut leaves);
                    for leaf in leaves {
                        if !visible && leaf.binding != Binding::Glob {
                            let (path, line) = (leaf.path.clone(), leaf.line);
                            self.references.push(Reference { module: id, path, line, in_code: false });
                        }
                        self.modules[id].uses.push(UseLeaf { visible, ..leaf });
                    }
                }
                ("impl", _) => {
                    let self_type = impl_type(item);
                    if let Some(Tree::Group(Delimiter::Brace, body, _)) = item.last() {
                        let methods = body.windows(2).filter(|w| w[0].is_ident("fn")).filter_map(|w| w[1].ident());
                        let methods = methods.map(str::to_owned).collect();
                        self.impls.push(Impl { module: id, self_type: self_type.clone(), methods });
                    }
                    self.code(item, id, Some(&self_type));
                }
                (_, Some(name)) if DEFINITIONS.contains(&keyword) => {
                    let exported = keyword == "macro_rules"
                        && attributes.iter().any(|a| a.first().is_some_and(|t| t.is_ident("macro_export")));
                    self.modules[if exported { 0 } else { id }].defs.insert(name.to_owned(), id);
                    self.code(item, id, None);
                }
                _ => self.code(item, id, None),
            }
            i = end;
        }
        Ok(())
    }

    /// Records every path that `trees` (code of module `id`, inside an `impl` of
    /// `self_type` if given) names.
    fn code(&mut self, trees: &[Tree], id: ModId, self_type: Option<&Vec<String>>) {
        let mut i = 0;
        while i < trees.len() {
            let tree = &trees[i];
            let previous = i.checked_sub(1).map(|p| &trees[p]);
            match tree {
                Tree::Group(Delimiter::Bracket, inner, _)
                    if previous.is_some_and(|p| p.is_punct("#")) && is_test_only(inner) =>
                {
                    i = item_end(trees, i + 1);
                    continue;
                }
                Tree::Group(Delimiter::Paren, _, _) if previous.is_some_and(|p| p.is_ident("pub")) => {}
                Tree::Group(_, inner, _) => self.code(inner, id, self_type),
                Tree::Ident(word, _) if word == "use" => {
                    let end = (i..trees.len()).find(|&j| trees[j].is_punct(";")).unwrap_or(trees.len());
                    let mut leaves = Vec::new();
                    use_tree(&trees[i + 1..end], Vec::new(), &mut leaves);
                    for leaf in leaves.into_iter().filter(|l| l.binding != Binding::Glob) {
                        self.references.push(Reference {
                            module: id,
                            path: leaf.path,
                            line: leaf.line,
                            in_code: false,
                        });
                    }
                    i = end;
                }
                Tree::Ident(word, line) if is_path_start(word, previous) => {
                    let mut path = vec![word.clone()];
                    while let (Some(sep), Some(Tree::Ident(next, _))) = (trees.get(i + 1), trees.get(i + 2)) {
                        if !sep.is_punct("::") {
                            break;
                        }
                        path.push(next.clone());
                        i += 2;
                    }
                    let next = trees.get(i + 1);
                    let called = matches!(next, Some(Tree::Group(Delimiter::Paren, _, _)))
                        || next.is_some_and(|t| t.is_punct("!"));
                    let capital = word.starts_with(|c: char| c.is_uppercase());
                    // One lowercase word not called is a local variable, a field or a binding.
                    let local = path.len() == 1 && (!(capital || called) || next.is_some_and(|t| t.is_punct(":")));
                    match (self_type, path.as_slice()) {
                        (Some(self_type), [first, method, ..]) if first == "Self" => {
                            let (self_type, method) = (self_type.clone(), method.clone());
                            self.method_calls.push(MethodCall { module: id, self_type, method, line: *line });
                        }
                        _ if !local => self.references.push(Reference { module: id, path, line: *line, in_code: true }),
                        _ => {}
                    }
                }
                Tree::Punct(".", line) if previous.is_some_and(|p| p.is_ident("self")) => {
                    let call = matches!(trees.get(i + 2), Some(Tree::Group(Delimiter::Paren, _, _)))
                        || trees.get(i + 2).is_some_and(|t| t.is_punct("::"));
                    if let (Some(self_type), Some(method), true) =
                        (self_type, trees.get(i + 1).and_then(Tree::ident), call)
                    {
                        let (self_type, method) = (self_type.clone(), method.to_owned());
                        self.method_calls.push(MethodCall { module: id, self_type, method, line: *line });
                    }
                }
                _ => {}
            }
            i += 1;
        }
    }
}

/// Where the files of a module's children are.
struct Base {
    /// The folder of `mod x;` files: `x.rs` or `x/mod.rs` in it.
    dir: PathBuf,
    /// The folder `#[path]` is relative to: the file's own, outside inline modules.
    file_dir: Option<PathBuf>,
    /// The file, for messages.
    file: String,
}

impl Base {
    /// The file of `mod name;` (with `attributes`, on `line`), and whether it holds the
    /// files of its own children next to it, as a `#[path]` file does.
    fn module_file(&self, name: &str, attributes: &[&[Tree]], line: u32) -> Result<(PathBuf, bool), CheckError> {
        let attribute = path_attribute(attributes);
        let tried = match &attribute {
            Some(path) => vec![self.file_dir.as_ref().unwrap_or(&self.dir).join(path)],
            None => vec![self.dir.join(format!("{name}.rs")), self.dir.join(name).join("mod.rs")],
        };
        let found = tried.iter().find(|p| p.is_file()).map(|p| (p.clone(), attribute.is_some()));
        found.ok_or_else(|| CheckError::ModuleFile {
            file: self.file.clone(),
            line,
            name: name.to_owned(),
            tried: tried.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", "),
        })
    }
}

/// The type an `impl` item (`impl<T> Trait for a::Type<T> where … { … }`) is for, as
/// written, without its generic arguments.
fn impl_type(item: &[Tree]) -> Vec<String> {
    let header = item.get(1..item.len().saturating_sub(1)).unwrap_or_default();
    let header = header.split(|t| t.is_ident("where")).next().unwrap_or_default();
    // Where the type starts: after the `impl<…>` parameters, and after `for` if any.
    let (mut depth, mut start) = (0usize, 0);
    for (j, tree) in header.iter().enumerate() {
        if tree.is_punct("<") {
            depth += 1;
        } else if tree.is_punct(">") && !(j > 0 && header[j - 1].is_punct("-")) {
            depth = depth.saturating_sub(1);
            if depth == 0 && start == 0 && header[0].is_punct("<") {
                start = j + 1;
            }
        } else if tree.is_ident("for") && depth == 0 {
            start = j + 1;
        }
    }
    let mut path = Vec::new();
    for tree in header.get(start..).unwrap_or_default() {
        match tree {
            Tree::Ident(word, _) if !matches!(word.as_str(), "dyn" | "mut") => path.push(word.clone()),
            t if t.is_punct("::") => {}
            _ if path.is_empty() => {}
            _ => break,
        }
    }
    path
}

/// The value of `#[path = "…"]` among `attributes`.
fn path_attribute(attributes: &[&[Tree]]) -> Option<String> {
    attributes.iter().find_map(|a| match a {
        [Tree::Ident(path, _), eq, Tree::Literal(value, _)] if path == "path" && eq.is_punct("=") => {
            Some(value.trim_matches('"').to_owned())
        }
        _ => None,
    })
}

/// The keyword of an item (`fn` for `pub const unsafe fn f`) and the name it defines.
fn keyword_and_name(item: &[Tree]) -> (&str, Option<&str>) {
    let is = |j: usize, words: &[&str]| item.get(j).and_then(Tree::ident).is_some_and(|w| words.contains(&w));
    let mut j = 0;
    loop {
        if is(j, QUALIFIERS) || is(j, &["const"]) && is(j + 1, &["fn", "unsafe", "async", "extern"]) {
            j += 1;
        } else if is(j, &["extern"])
            && matches!(item.get(j + 1), Some(Tree::Literal(..)))
            && is(j + 2, &["fn", "unsafe"])
        {
            j += 2;
        } else {
            break;
        }
    }
    let keyword = item.get(j).and_then(Tree::ident).unwrap_or("");
    let name = match keyword {
        "macro_rules" => item.get(j + 2),
        "static" if is(j + 1, &["mut"]) => item.get(j + 2),
        _ => item.get(j + 1),
    };
    (keyword, name.and_then(Tree::ident).filter(|n| *n != "_"))
}

/// Words that may come before the keyword of an item.
const QUALIFIERS: &[&str] = &["unsafe", "async", "default", "auto"];

/// Keywords of items that define a name.
const DEFINITIONS: &[&str] = &["fn", "struct", "enum", "union", "trait", "type", "const", "static", "macro_rules"];

/// Keywords that start no path (`crate`, `self`, `super` do).
const KEYWORDS: &[&str] = &[
    "as",
    "async",
    "await",
    "break",
    "const",
    "continue",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "fn",
    "for",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "match",
    "mod",
    "move",
    "mut",
    "pub",
    "ref",
    "return",
    "static",
    "struct",
    "trait",
    "true",
    "type",
    "unsafe",
    "use",
    "where",
    "while",
    "yield",
    "_",
    "macro_rules",
];

/// Whether `word` (after `previous`) starts a path: not a keyword, nor a field, method,
/// macro variable or the name a definition introduces.
fn is_path_start(word: &str, previous: Option<&Tree>) -> bool {
    if KEYWORDS.contains(&word) {
        return false;
    }
    match previous {
        Some(p) if p.is_punct("::") || p.is_punct(".") => false,
        Some(p) if p.is_punct("$") => word == "crate",
        Some(Tree::Ident(p, _)) => !matches!(
            p.as_str(),
            "fn" | "struct"
                | "enum"
                | "union"
                | "trait"
                | "type"
                | "mod"
                | "let"
                | "mut"
                | "ref"
                | "const"
                | "static"
                | "macro_rules"
        ),
        _ => true,
    }
}

/// The index after the item starting at `i`: after its first `;` or `{ … }`, or, for
/// `const`, `static`, `type`, `use` and `extern crate`, after its `;`.
pub(crate) fn item_end(trees: &[Tree], i: usize) -> usize {
    let until_semicolon =
        trees.get(i).and_then(Tree::ident).is_some_and(|k| matches!(k, "const" | "static" | "type" | "use"))
            && !trees.get(i + 1).is_some_and(|t| t.is_ident("fn") || t.is_ident("unsafe") || t.is_ident("async"))
            || trees.get(i + 1).is_some_and(|t| t.is_ident("crate"));
    let end = (i..trees.len()).find(|&j| {
        trees[j].is_punct(";") || (!until_semicolon && matches!(trees[j], Tree::Group(Delimiter::Brace, _, _)))
    });
    match end {
        Some(j) if trees.get(j + 1).is_some_and(|t| t.is_punct(";")) && !trees[j].is_punct(";") => j + 2,
        Some(j) => j + 1,
        None => trees.len(),
    }
}

/// Whether an attribute's content is `cfg(test)` or a `cfg(all(…, test, …))`.
fn is_test_only(attribute: &[Tree]) -> bool {
    fn requires_test(predicate: &[Tree]) -> bool {
        match predicate {
            [Tree::Ident(test, _)] => test == "test",
            [Tree::Ident(all, _), Tree::Group(Delimiter::Paren, inner, _)] if all == "all" => {
                inner.split(|t| t.is_punct(",")).any(requires_test)
            }
            _ => false,
        }
    }
    match attribute {
        [Tree::Ident(cfg, _), Tree::Group(Delimiter::Paren, predicate, _)] => cfg == "cfg" && requires_test(predicate),
        _ => false,
    }
}

/// The leaves of a use tree (`trees`, without `use` and `;`) under `prefix`.
pub(crate) fn use_tree(trees: &[Tree], prefix: Vec<String>, leaves: &mut Vec<UseLeaf>) {
    let mut path = prefix;
    let mut i = 0;
    if path.is_empty() && trees.first().is_some_and(|t| t.is_punct("::")) {
        path.push("::".to_owned());
        i = 1;
    }
    while let Some(tree) = trees.get(i) {
        match tree {
            Tree::Ident(segment, line) => {
                path.push(segment.clone());
                i += 1;
                if trees.get(i).is_some_and(|t| t.is_punct("::")) {
                    i += 1;
                    continue;
                }
                if path.len() > 1 && path.last().is_some_and(|s| s == "self") {
                    path.pop();
                }
                let binding = match (trees.get(i), trees.get(i + 1).and_then(Tree::ident)) {
                    (Some(r#as), Some("_")) if r#as.is_ident("as") => Binding::Hidden,
                    (Some(r#as), Some(name)) if r#as.is_ident("as") => Binding::Name(name.to_owned()),
                    _ => Binding::Name(path.last().cloned().unwrap_or_default()),
                };
                leaves.push(UseLeaf { path, binding, line: *line, visible: false });
                return;
            }
            Tree::Punct("*", line) => {
                leaves.push(UseLeaf { path, binding: Binding::Glob, line: *line, visible: false });
                return;
            }
            Tree::Group(Delimiter::Brace, inner, _) => {
                for part in inner.split(|t| t.is_punct(",")).filter(|p| !p.is_empty()) {
                    use_tree(part, path.clone(), leaves);
                }
                return;
            }
            _ => return,
        }
    }
}
