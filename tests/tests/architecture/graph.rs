//! From references to edges between files, and the circles among them.
//!
//! A path is resolved the way the compiler does it, through `use` declarations and
//! re-exports (`pub use a::Thing`, `pub use model::*`), to the module that *defines*
//! the item, or to the module itself when the path names one. So a re-export hub (a
//! root or `mod.rs` that only declares modules and re-exports) makes no edges of its
//! own, and `use crate::Toolkit` is an edge to the file defining `Toolkit`.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::fmt::Write as _;

use super::modules::{Binding, Crate, ModId};

/// Where a path leads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Target {
    /// A module, named as such (`use crate::auth;`).
    Module(ModId),
    /// An item defined in a module (or something inside it: a variant, a method).
    Item(ModId),
}

impl Target {
    fn module(self) -> ModId {
        match self {
            Target::Module(m) | Target::Item(m) => m,
        }
    }
}

/// One place a file refers to another: the first one found, by line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Edge {
    pub(crate) line: u32,
    /// The path as written, `crate::auth::select_account`.
    pub(crate) path: String,
}

/// Edges between the files of a crate: `edges[from][to]`, files by index.
pub(crate) type Edges = BTreeMap<usize, BTreeMap<usize, Edge>>;

/// The edges between the files of `krate`: every path that leads to another file, and
/// every `self.method()` (or `Self::method`) in an `impl` block that calls a method
/// another file's `impl` block gives the same type.
pub(crate) fn edges(krate: &Crate) -> Edges {
    let mut edges = Edges::new();
    let file = |module: ModId| krate.modules[module].file;
    let mut add = |from: usize, to: usize, edge: Edge| {
        if from != to {
            let slot = edges.entry(from).or_default().entry(to).or_insert_with(|| edge.clone());
            if edge.line < slot.line {
                *slot = edge;
            }
        }
    };
    for reference in &krate.references {
        let Some(target) = resolve(krate, reference.module, &reference.path, &mut Vec::new()) else { continue };
        if reference.in_code && reference.path.len() == 1 && matches!(target, Target::Module(_)) {
            continue; // a local variable named like a module
        }
        add(
            file(reference.module),
            file(target.module()),
            Edge { line: reference.line, path: reference.path.join("::") },
        );
    }
    let type_of = |module: ModId, path: &[String]| match resolve(krate, module, path, &mut Vec::new()) {
        Some(Target::Item(definer)) => Some((definer, path.last()?.clone())),
        _ => None,
    };
    let mut methods: HashMap<(ModId, String), Vec<(&str, ModId)>> = HashMap::new();
    for block in &krate.impls {
        if let Some(ty) = type_of(block.module, &block.self_type) {
            methods.entry(ty).or_default().extend(block.methods.iter().map(|m| (m.as_str(), block.module)));
        }
    }
    for call in &krate.method_calls {
        let Some(ty) = type_of(call.module, &call.self_type) else { continue };
        let path = format!("{}::{}", ty.1, call.method);
        for (_, module) in methods.get(&ty).into_iter().flatten().filter(|(m, _)| *m == call.method) {
            add(file(call.module), file(*module), Edge { line: call.line, path: path.clone() });
        }
    }
    edges
}

/// What `path`, named in module `from`, leads to; `None` for another crate's items,
/// generic parameters, locals and the prelude. `stack` holds the lookups under way, so
/// that glob re-exports naming each other end.
fn resolve(krate: &Crate, from: ModId, path: &[String], stack: &mut Vec<(ModId, String)>) -> Option<Target> {
    let (first, rest) = path.split_first()?;
    let mut target = match first.as_str() {
        "crate" => Target::Module(0),
        "self" => Target::Module(from),
        "super" => Target::Module(krate.modules[from].parent?),
        "Self" | "::" => return None,
        name => lookup(krate, from, name, stack)?,
    };
    for segment in rest {
        let Target::Module(module) = target else { break };
        target = match segment.as_str() {
            "super" => Target::Module(krate.modules[module].parent?),
            "self" => target,
            name => lookup(krate, module, name, stack)?,
        };
    }
    Some(target)
}

/// What `name` means in module `module`: a child module, an item defined there, a
/// name a `use` binds, or one a glob import brings.
fn lookup(krate: &Crate, module: ModId, name: &str, stack: &mut Vec<(ModId, String)>) -> Option<Target> {
    let m = &krate.modules[module];
    if let Some(&child) = m.children.get(name) {
        return Some(Target::Module(child));
    }
    if let Some(&definer) = m.defs.get(name) {
        return Some(Target::Item(definer));
    }
    let key = (module, name.to_owned());
    if stack.contains(&key) {
        return None;
    }
    stack.push(key);
    let named = m.uses.iter().filter(|u| u.binding == Binding::Name(name.to_owned()));
    let mut found = named.filter_map(|u| resolve(krate, module, &u.path, stack)).next();
    if found.is_none() {
        for glob in m.uses.iter().filter(|u| u.binding == Binding::Glob) {
            if let Some(Target::Module(source)) = resolve(krate, module, &glob.path, stack) {
                found = lookup(krate, source, name, stack);
                if found.is_some() {
                    break;
                }
            }
        }
    }
    stack.pop();
    found
}

/// The strongly connected components of more than one file (Tarjan's algorithm), each
/// sorted, in order of their first file.
pub(crate) fn circles(files: usize, edges: &Edges) -> Vec<Vec<usize>> {
    struct Tarjan<'a> {
        edges: &'a Edges,
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        components: Vec<Vec<usize>>,
    }
    impl Tarjan<'_> {
        fn visit(&mut self, v: usize) {
            self.index[v] = Some(self.next);
            self.low[v] = self.next;
            self.next += 1;
            self.stack.push(v);
            self.on_stack[v] = true;
            for &w in self.edges.get(&v).into_iter().flat_map(|e| e.keys()) {
                match self.index[w] {
                    None => {
                        self.visit(w);
                        self.low[v] = self.low[v].min(self.low[w]);
                    }
                    Some(index) if self.on_stack[w] => self.low[v] = self.low[v].min(index),
                    Some(_) => {}
                }
            }
            if Some(self.low[v]) == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                component.sort_unstable();
                self.components.push(component);
            }
        }
    }
    let mut tarjan = Tarjan {
        edges,
        index: vec![None; files],
        low: vec![0; files],
        on_stack: vec![false; files],
        stack: Vec::new(),
        next: 0,
        components: Vec::new(),
    };
    for v in 0..files {
        if tarjan.index[v].is_none() {
            tarjan.visit(v);
        }
    }
    let mut circles: Vec<Vec<usize>> = tarjan.components.into_iter().filter(|c| c.len() > 1).collect();
    circles.sort();
    circles
}

/// A circle through the first file of `component`, as the files in order, back to it:
/// the shortest one (breadth first, inside the component).
pub(crate) fn chain(component: &[usize], edges: &Edges) -> Vec<usize> {
    let members: BTreeSet<usize> = component.iter().copied().collect();
    let Some(&start) = component.first() else { return Vec::new() };
    let mut came_from = BTreeMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for &w in edges.get(&v).into_iter().flat_map(|e| e.keys()).filter(|w| members.contains(w)) {
            if w == start {
                let mut chain = vec![start, v];
                let mut at = v;
                while let Some(&p) = came_from.get(&at) {
                    chain.push(p);
                    at = p;
                }
                chain.reverse();
                return chain;
            }
            if w != start && !came_from.contains_key(&w) {
                came_from.insert(w, v);
                queue.push_back(w);
            }
        }
    }
    vec![start]
}

/// The circles of `krate` (whose [`edges`] are given) as a message: for each, a chain
/// of files and every edge inside it with the `file:line` that makes it. `show` names a
/// file.
pub(crate) fn report(krate: &Crate, edges: &Edges, show: &dyn Fn(usize) -> String) -> Option<String> {
    let circles = circles(krate.files.len(), edges);
    if circles.is_empty() {
        return None;
    }
    let mut message = String::new();
    for component in circles {
        let chain: Vec<String> = chain(&component, edges).into_iter().map(show).collect();
        let _ = writeln!(message, "  {} files import each other in a circle: {}", component.len(), chain.join(" → "));
        let _ = writeln!(message, "  cut one of these imports (each file:line is the first use of that file):");
        for &from in &component {
            let mut inside: Vec<_> =
                edges.get(&from).into_iter().flatten().filter(|(to, _)| component.contains(to)).collect();
            inside.sort_by_key(|(_, edge)| edge.line);
            for (to, edge) in inside {
                let _ = writeln!(message, "    {}:{}: `{}` → {}", show(from), edge.line, edge.path, show(*to));
            }
        }
    }
    Some(message)
}
