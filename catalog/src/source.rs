//! Spec files with the positions of their YAML nodes.
//!
//! serde_yaml reads the values; it does not say where a value stood once parsed. So the
//! same text also goes through yaml-rust2's event parser, which marks every node, and
//! [`SourceFile`] keeps a map from JSON pointer (`/tools/3/http/path`) to the node's
//! [`Location`]. Diagnostics ask it where a value, or the key in front of it, is.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use toolsmith_spec::pointer as json_pointer;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A place in a source file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Location {
    /// Byte offset from the start of the file.
    pub offset: usize,
    /// Length in bytes of the marked text (at least 1 unless the file is empty).
    pub len: usize,
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
}

/// A spec file: its path, its text and where each of its nodes stands.
///
/// ```
/// use toolsmith_catalog::SourceFile;
/// let file = SourceFile::new("toolkit.yaml", "slug: demo\ntools:\n  - slug: DEMO_X\n");
/// let loc = file.locate("/tools/0/slug");
/// assert_eq!((loc.line, loc.column), (3, 11));
/// let key = file.locate_key("/tools/0/slug");
/// assert_eq!((key.line, key.column), (3, 5));
/// ```
#[derive(Debug)]
pub struct SourceFile {
    path: PathBuf,
    text: String,
    line_starts: Vec<usize>,
    /// Node positions, indexed on first use: most files never need one.
    index: OnceLock<Index>,
}

/// Where the nodes of a file stand.
#[derive(Debug, Default)]
struct Index {
    /// The node at each pointer (the last one, for a key written twice).
    nodes: HashMap<String, NodeSpan>,
    /// Every key span, in order, of the pointers whose key is written more than once.
    repeated_keys: HashMap<String, Vec<(usize, usize)>>,
}

#[derive(Clone, Copy, Debug)]
struct NodeSpan {
    key: Option<(usize, usize)>,
    value: (usize, usize),
}

impl SourceFile {
    /// Indexes `text`, read from `path`. Text that is not valid YAML is indexed up to
    /// the first syntax error.
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        let text = text.into();
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect::<Vec<_>>();
        SourceFile { path: path.into(), text, line_starts, index: OnceLock::new() }
    }

    fn index(&self) -> &Index {
        self.index.get_or_init(|| {
            let mut indexer = Indexer {
                text: &self.text,
                line_starts: &self.line_starts,
                stack: Vec::new(),
                index: Index::default(),
            };
            // A syntax error is reported from serde_yaml; what was indexed before it stays.
            let _ = Parser::new_from_str(&self.text).load(&mut indexer, false);
            indexer.index
        })
    }

    fn nodes(&self) -> &HashMap<String, NodeSpan> {
        &self.index().nodes
    }

    /// Where each occurrence of the key at `pointer` stands, in order, when its mapping
    /// writes it more than once (empty otherwise).
    ///
    /// ```
    /// use toolsmith_catalog::SourceFile;
    /// let file = SourceFile::new("t.yaml", "name: a\nslug: x\nname: b\n");
    /// let lines: Vec<usize> = file.repeated_key_locations("/name").iter().map(|l| l.line).collect();
    /// assert_eq!(lines, [1, 3]);
    /// ```
    pub fn repeated_key_locations(&self, pointer: &str) -> Vec<Location> {
        let spans = self.index().repeated_keys.get(pointer).map(Vec::as_slice).unwrap_or_default();
        spans.iter().map(|&(start, len)| self.location(start, len)).collect()
    }

    /// The path the file was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file's text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Where the value at `pointer` stands, or its nearest indexed ancestor.
    pub fn locate(&self, pointer: &str) -> Location {
        let (start, len) = self.nearest(pointer).map(|n| n.value).unwrap_or((0, 0));
        self.location(start, len)
    }

    /// Where the key of the value at `pointer` stands (the value itself for array items).
    pub fn locate_key(&self, pointer: &str) -> Location {
        let (start, len) = self.nearest(pointer).map(|n| n.key.unwrap_or(n.value)).unwrap_or((0, 0));
        self.location(start, len)
    }

    /// The 0-based line holding byte `offset`.
    pub(crate) fn line_index(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= offset).saturating_sub(1)
    }

    /// The byte offset where 0-based `line` starts (the text's end past the last line).
    pub(crate) fn line_start(&self, line: usize) -> usize {
        self.line_starts.get(line).copied().unwrap_or(self.text.len())
    }

    /// How many lines the text has.
    pub(crate) fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Whether a node exists at exactly `pointer`.
    pub fn contains(&self, pointer: &str) -> bool {
        self.nodes().contains_key(pointer)
    }

    /// Finds the key `name` at or below `pointer` (closest first), for errors whose
    /// path serde could not follow (flattened or internally tagged types).
    pub fn find_key_below(&self, pointer: &str, name: &str) -> Option<String> {
        let direct = json_pointer::child(pointer, name);
        if self.nodes().contains_key(&direct) {
            return Some(direct);
        }
        let suffix = json_pointer::child("", name);
        self.nodes()
            .keys()
            .filter(|k| k.starts_with(pointer) && k.ends_with(&suffix))
            .min_by_key(|k| (k.len(), (*k).clone()))
            .cloned()
    }

    /// The location of a byte offset.
    pub fn location(&self, offset: usize, len: usize) -> Location {
        let text = self.text.as_str();
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let line_start = self.line_starts[line - 1];
        let column = text[line_start..offset].chars().count() + 1;
        let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
        // Within the line, on character boundaries, and at least one character when the
        // line has one.
        let mut end = (offset + len).min(line_end);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        if end == offset && offset < line_end {
            end = offset + text[offset..].chars().next().map_or(0, char::len_utf8);
        }
        Location { offset, len: end - offset, line, column }
    }

    fn nearest(&self, pointer: &str) -> Option<&NodeSpan> {
        let mut p = pointer;
        loop {
            if let Some(node) = self.nodes().get(p) {
                return Some(node);
            }
            p = &p[..p.rfind('/')?];
        }
    }
}

enum Frame {
    Map { pointer: String, key: Option<(String, (usize, usize))>, first: bool },
    Seq { pointer: String, next: usize },
}

struct Indexer<'a> {
    text: &'a str,
    line_starts: &'a [usize],
    stack: Vec<Frame>,
    index: Index,
}

impl Indexer<'_> {
    /// The byte offset of a marker, from its line and column: its `index` drifts after
    /// multi-byte characters in block scalars.
    fn offset(&self, mark: Marker) -> usize {
        let line_start = self.line_starts.get(mark.line().saturating_sub(1)).copied().unwrap_or(self.text.len());
        let line = &self.text[line_start..];
        let line = &line[..line.find('\n').unwrap_or(line.len())];
        line_start + line.char_indices().nth(mark.col()).map_or(line.len(), |(i, _)| i)
    }

    /// Length in bytes of a scalar as written at `start`.
    fn scalar_len(&self, start: usize, value: &str, style: TScalarStyle) -> usize {
        let rest = &self.text[start..];
        let line = rest.split('\n').next().unwrap_or("");
        match style {
            TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted => {
                let quote = if matches!(style, TScalarStyle::SingleQuoted) { '\'' } else { '"' };
                let mut escaped = false;
                for (i, c) in line.char_indices().skip(1) {
                    match c {
                        '\\' if quote == '"' && !escaped => escaped = true,
                        c if c == quote && !escaped => return i + 1,
                        _ => escaped = false,
                    }
                }
                line.len()
            }
            TScalarStyle::Plain => value.len().min(line.len()),
            _ => 1,
        }
    }

    /// Called when a value (scalar, alias, or collection start) begins: returns its
    /// pointer and records it.
    fn begin_value(&mut self, span: (usize, usize)) -> Option<String> {
        let (pointer, key) = match self.stack.last_mut() {
            None => (String::new(), None),
            Some(Frame::Seq { pointer, next }) => {
                *next += 1;
                (json_pointer::child(pointer, *next - 1), None)
            }
            Some(Frame::Map { pointer, key, .. }) => {
                let (name, key_span) = key.take()?;
                (json_pointer::child(pointer, name), Some(key_span))
            }
        };
        let earlier = self.index.nodes.insert(pointer.clone(), NodeSpan { key, value: span });
        if let (Some(NodeSpan { key: Some(first), .. }), Some(again)) = (earlier, key) {
            self.index.repeated_keys.entry(pointer.clone()).or_insert_with(|| vec![first]).push(again);
        }
        Some(pointer)
    }
}

impl MarkedEventReceiver for Indexer<'_> {
    fn on_event(&mut self, event: Event, mark: Marker) {
        let start = self.offset(mark);
        match event {
            Event::Scalar(value, style, ..) => {
                let len = self.scalar_len(start, &value, style);
                if let Some(Frame::Map { key: key @ None, pointer, first }) = self.stack.last_mut() {
                    // yaml-rust2 marks a block mapping after its first key: start it at the key.
                    if std::mem::take(first) {
                        if let Some(node) = self.index.nodes.get_mut(pointer.as_str()) {
                            if start < node.value.0 {
                                node.value = (start, len);
                            }
                        }
                    }
                    *key = Some((value, (start, len)));
                } else {
                    self.begin_value((start, len));
                }
            }
            Event::Alias(_) => {
                self.begin_value((start, 1));
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let is_map = matches!(event, Event::MappingStart(..));
                // A collection used as a mapping key is not addressable: index it under a
                // name no pointer uses.
                let pointer = self.begin_value((start, 1)).unwrap_or_else(|| "\u{0}complex-key".into());
                self.stack.push(if is_map {
                    Frame::Map { pointer, key: None, first: true }
                } else {
                    Frame::Seq { pointer, next: 0 }
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_nested_nodes_and_keys() {
        let text = "a: 1\nlist:\n  - { x: \"quoted\" }\n  - y: [1, 2]\n";
        let f = SourceFile::new("t.yaml", text);
        let loc = f.locate("/list/0/x");
        assert_eq!((loc.line, loc.column, loc.len), (3, 10, 8));
        let loc = f.locate("/list/1/y/1");
        assert_eq!((loc.line, loc.column), (4, 12));
        let loc = f.locate_key("/list/1/y");
        assert_eq!((loc.line, loc.column), (4, 5));
        // Unknown pointers fall back to the nearest ancestor.
        assert_eq!(f.locate("/list/1/zzz").line, 4);
        assert_eq!(f.locate("/nope").line, 1);
    }

    #[test]
    fn non_ascii_offsets_are_bytes() {
        let text = "name: Café ☕\nslug: x\n";
        let f = SourceFile::new("t.yaml", text);
        let loc = f.locate("/slug");
        assert_eq!(&text[loc.offset..loc.offset + loc.len], "x");
        assert_eq!((loc.line, loc.column), (2, 7));
    }

    #[test]
    fn multibyte_text_in_block_scalars_does_not_shift_later_nodes() {
        let text = "a: >\n  Developers → API keys (sk_live_…)\nb:\n  - slug: STRIPE_X\n";
        let f = SourceFile::new("t.yaml", text);
        let loc = f.locate("/b/0/slug");
        assert_eq!(&text[loc.offset..loc.offset + loc.len], "STRIPE_X");
        assert_eq!((loc.line, loc.column), (4, 11));
    }

    #[test]
    fn finds_keys_below() {
        let f = SourceFile::new("t.yaml", "auth:\n  - scheme: oauth2\n    tokn_url: x\n");
        assert_eq!(f.find_key_below("/auth/0", "tokn_url").as_deref(), Some("/auth/0/tokn_url"));
        assert_eq!(f.find_key_below("", "tokn_url").as_deref(), Some("/auth/0/tokn_url"));
    }

    #[test]
    fn broken_yaml_keeps_what_was_indexed() {
        let f = SourceFile::new("t.yaml", "a: 1\nb: [\n");
        assert!(f.contains("/a"));
    }
}
