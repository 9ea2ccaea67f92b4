//! Rust source as token trees, each token with its line: enough to find module
//! declarations, `use` trees and paths without a full parser.
//!
//! (`proc_macro2` gives spans lines only with its `span-locations` feature, and enabling
//! it would rebuild every crate that uses it, so this reads the text itself.)

use super::CheckError;

/// A bracket pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Delimiter {
    Paren,
    Bracket,
    Brace,
}

/// A token, or a group of them between brackets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Tree {
    /// An identifier or keyword (`r#type` is `type`).
    Ident(String, u32),
    /// A punctuation character; `::` is one token.
    Punct(&'static str, u32),
    /// A string, character or number literal, or a lifetime, as written.
    Literal(String, u32),
    /// Trees between a bracket pair, with the line of the opening bracket.
    Group(Delimiter, Vec<Tree>, u32),
}

impl Tree {
    /// The line the tree starts on.
    pub(crate) fn line(&self) -> u32 {
        match self {
            Tree::Ident(_, line) | Tree::Punct(_, line) | Tree::Literal(_, line) | Tree::Group(_, _, line) => *line,
        }
    }

    /// The identifier, if this is one.
    pub(crate) fn ident(&self) -> Option<&str> {
        match self {
            Tree::Ident(name, _) => Some(name),
            _ => None,
        }
    }

    /// Whether this is the punctuation `p`.
    pub(crate) fn is_punct(&self, p: &str) -> bool {
        matches!(self, Tree::Punct(q, _) if *q == p)
    }

    /// Whether this is the identifier (or keyword) `name`.
    pub(crate) fn is_ident(&self, name: &str) -> bool {
        self.ident() == Some(name)
    }
}

const PUNCTS: &[&str] =
    &["::", "#", "!", ";", ",", ".", ":", "=", "<", ">", "*", "&", "+", "-", "/", "%", "^", "|", "?", "@", "$", "~"];

/// Splits `source` (the text of `file`, named in errors) into token trees.
pub(crate) fn lex(file: &str, source: &str) -> Result<Vec<Tree>, CheckError> {
    let chars: Vec<char> = source.chars().collect();
    let mut lexer = Lexer { file, chars: &chars, pos: 0, line: 1 };
    let (trees, close) = lexer.trees()?;
    match close {
        None => Ok(trees),
        Some((c, line)) => Err(lexer.error(line, format!("`{c}` closes nothing"))),
    }
}

/// The bracket that ended a run of trees, and its line; `None` at the end of the text.
type Closer = Option<(char, u32)>;

struct Lexer<'a> {
    file: &'a str,
    chars: &'a [char],
    pos: usize,
    line: u32,
}

impl Lexer<'_> {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek(0)?;
        self.pos += 1;
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn error(&self, line: u32, problem: String) -> CheckError {
        CheckError::Lex { file: self.file.to_owned(), line, problem }
    }

    /// Trees up to a closing bracket (returned with its line) or the end of the text.
    fn trees(&mut self) -> Result<(Vec<Tree>, Closer), CheckError> {
        let mut trees = Vec::new();
        while let Some(c) = self.peek(0) {
            let line = self.line;
            let start = self.pos;
            match c {
                c if c.is_whitespace() => {
                    self.bump();
                }
                '/' if self.peek(1) == Some('/') => {
                    while self.peek(0).is_some_and(|c| c != '\n') {
                        self.bump();
                    }
                }
                '/' if self.peek(1) == Some('*') => self.block_comment(line)?,
                '(' | '[' | '{' => {
                    self.bump();
                    let (inner, close) = self.trees()?;
                    let (delimiter, expected) = match c {
                        '(' => (Delimiter::Paren, ')'),
                        '[' => (Delimiter::Bracket, ']'),
                        _ => (Delimiter::Brace, '}'),
                    };
                    match close {
                        Some((found, _)) if found == expected => trees.push(Tree::Group(delimiter, inner, line)),
                        Some((found, at)) => {
                            return Err(self.error(at, format!("`{found}` closes the `{c}` of line {line}")))
                        }
                        None => return Err(self.error(line, format!("`{c}` is never closed"))),
                    }
                }
                ')' | ']' | '}' => {
                    self.bump();
                    return Ok((trees, Some((c, line))));
                }
                '"' => {
                    self.bump();
                    self.quoted('"', line)?;
                    trees.push(self.literal(start, line));
                }
                '\'' => {
                    self.quote_or_lifetime(line)?;
                    trees.push(self.literal(start, line));
                }
                c if c.is_ascii_digit() => {
                    while self.peek(0).is_some_and(|c| c.is_alphanumeric() || c == '_') {
                        self.bump();
                    }
                    trees.push(self.literal(start, line));
                }
                c if c.is_alphabetic() || c == '_' => {
                    if self.prefixed_literal(line)? {
                        trees.push(self.literal(start, line));
                    } else {
                        let mut word = self.word();
                        if word == "r" && self.peek(0) == Some('#') {
                            self.bump();
                            word = self.word();
                        }
                        trees.push(Tree::Ident(word, line));
                    }
                }
                _ => {
                    let rest = &self.chars[self.pos..];
                    let punct =
                        PUNCTS.iter().find(|p| p.chars().zip(rest).all(|(a, b)| a == *b) && p.len() <= rest.len());
                    let punct = punct.copied().unwrap_or("?");
                    for _ in 0..punct.len().max(1) {
                        self.bump();
                    }
                    trees.push(Tree::Punct(punct, line));
                }
            }
        }
        Ok((trees, None))
    }

    fn literal(&self, start: usize, line: u32) -> Tree {
        Tree::Literal(self.chars[start..self.pos].iter().collect(), line)
    }

    fn word(&mut self) -> String {
        let mut word = String::new();
        while let Some(c) = self.peek(0).filter(|c| c.is_alphanumeric() || *c == '_') {
            word.push(c);
            self.bump();
        }
        word
    }

    fn block_comment(&mut self, line: u32) -> Result<(), CheckError> {
        let mut depth = 0usize;
        loop {
            match (self.peek(0), self.peek(1)) {
                (Some('/'), Some('*')) => {
                    self.bump();
                    self.bump();
                    depth += 1;
                }
                (Some('*'), Some('/')) => {
                    self.bump();
                    self.bump();
                    depth -= 1;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                (Some(_), _) => {
                    self.bump();
                }
                (None, _) => return Err(self.error(line, "a block comment is never closed".to_owned())),
            }
        }
    }

    /// The rest of a string after its opening quote, with backslash escapes.
    fn quoted(&mut self, quote: char, line: u32) -> Result<(), CheckError> {
        loop {
            match self.bump() {
                Some('\\') => {
                    self.bump();
                }
                Some(c) if c == quote => return Ok(()),
                Some(_) => {}
                None => return Err(self.error(line, "a string is never closed".to_owned())),
            }
        }
    }

    /// `'a'`, `'\n'`, `'\u{1F600}'` (literals) or `'a`, `'static` (lifetimes, labels).
    fn quote_or_lifetime(&mut self, line: u32) -> Result<(), CheckError> {
        self.bump();
        if self.peek(0) == Some('\\') || self.peek(1) == Some('\'') {
            return self.quoted('\'', line);
        }
        self.word();
        Ok(())
    }

    /// `b"…"`, `br#"…"#`, `r"…"`, `c"…"`, `b'x'`: a literal, if one starts here.
    fn prefixed_literal(&mut self, line: u32) -> Result<bool, CheckError> {
        let prefix: String = self.chars[self.pos..].iter().take(3).collect();
        let raw = ["r\"", "r#\"", "r##", "br\"", "br#", "cr\"", "cr#"].iter().any(|p| prefix.starts_with(p));
        if raw {
            while self.peek(0) != Some('#') && self.peek(0) != Some('"') {
                self.bump();
            }
            let mut hashes = 0;
            while self.peek(0) == Some('#') {
                self.bump();
                hashes += 1;
            }
            if self.bump() != Some('"') {
                return Err(self.error(line, "a raw string has no opening quote".to_owned()));
            }
            loop {
                match self.bump() {
                    Some('"') if (0..hashes).all(|i| self.peek(i) == Some('#')) => {
                        for _ in 0..hashes {
                            self.bump();
                        }
                        return Ok(true);
                    }
                    Some(_) => {}
                    None => return Err(self.error(line, "a raw string is never closed".to_owned())),
                }
            }
        }
        if prefix.starts_with("b\"") || prefix.starts_with("c\"") {
            self.bump();
            self.bump();
            self.quoted('"', line)?;
            return Ok(true);
        }
        if prefix.starts_with("b'") {
            self.bump();
            self.bump();
            self.quoted('\'', line)?;
            return Ok(true);
        }
        Ok(false)
    }
}

#[test]
fn lexing_skips_comments_strings_and_lifetimes_and_counts_lines() {
    let source = r####"
// crate::a::X in a comment
/* crate::b /* nested */ */ use crate::c::Y;
const S: &str = "crate::d \" "; const R: &str = r#"crate::e "quoted""#;
fn f<'a>(x: &'a str) -> char { let _ = b'\''; '{' }
"####;
    let trees = lex("fixture.rs", source).unwrap();
    let idents: Vec<(&str, u32)> = trees.iter().filter_map(|t| Some((t.ident()?, t.line()))).collect();
    assert_eq!(&idents[..4], &[("use", 3), ("crate", 3), ("c", 3), ("Y", 3)]);
    assert!(!idents.iter().any(|(name, _)| ["a", "b", "d", "e"].contains(name)), "{idents:?}");
    assert_eq!(trees.last().map(Tree::line), Some(5));
    assert!(matches!(trees.last(), Some(Tree::Group(Delimiter::Brace, inner, 5)) if inner.len() == 6), "{trees:?}");
}

#[test]
fn lexing_reports_an_unclosed_bracket_with_its_line() {
    let error = lex("broken.rs", "fn f() {\n    (\n}\n").unwrap_err().to_string();
    assert!(error.contains("broken.rs:3"), "{error}");
}
