//! Rust source as token trees, each token with its line: enough to find module
//! declarations, `use` trees and paths without a full parser. `proc_macro2` lexes (with
//! its `span-locations` feature, set in the workspace for every crate so that none is
//! built twice); this only reshapes its tokens: `::` is one token, a lifetime one
//! literal, `r#type` is `type`.

use proc_macro2::{Delimiter as Bracket, Spacing, TokenStream, TokenTree};

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

/// Splits `source` (the text of `file`, named in errors) into token trees; comments are
/// dropped, doc comments become `#[doc = "…"]` attributes.
pub(crate) fn lex(file: &str, source: &str) -> Result<Vec<Tree>, CheckError> {
    let stream: TokenStream = source.parse().map_err(|e: proc_macro2::LexError| CheckError::Lex {
        file: file.to_owned(),
        line: line_of(e.span()),
        problem: e.to_string(),
    })?;
    Ok(trees(stream))
}

fn line_of(span: proc_macro2::Span) -> u32 {
    u32::try_from(span.start().line).unwrap_or(u32::MAX)
}

fn trees(stream: TokenStream) -> Vec<Tree> {
    let mut out = Vec::new();
    let mut tokens = stream.into_iter().peekable();
    while let Some(token) = tokens.next() {
        let line = line_of(token.span());
        match token {
            TokenTree::Group(group) => {
                let inner = trees(group.stream());
                match group.delimiter() {
                    Bracket::Parenthesis => out.push(Tree::Group(Delimiter::Paren, inner, line)),
                    Bracket::Bracket => out.push(Tree::Group(Delimiter::Bracket, inner, line)),
                    Bracket::Brace => out.push(Tree::Group(Delimiter::Brace, inner, line)),
                    // Invisible groups come from macro expansion, never from source text.
                    Bracket::None => out.extend(inner),
                }
            }
            TokenTree::Ident(ident) => {
                let name = ident.to_string();
                out.push(Tree::Ident(name.strip_prefix("r#").unwrap_or(&name).to_owned(), line));
            }
            TokenTree::Literal(literal) => out.push(Tree::Literal(literal.to_string(), line)),
            TokenTree::Punct(punct) => match punct.as_char() {
                ':' if punct.spacing() == Spacing::Joint
                    && matches!(tokens.peek(), Some(TokenTree::Punct(p)) if p.as_char() == ':') =>
                {
                    tokens.next();
                    out.push(Tree::Punct("::", line));
                }
                '\'' => match tokens.next() {
                    Some(TokenTree::Ident(name)) => out.push(Tree::Literal(format!("'{name}"), line)),
                    _ => out.push(Tree::Literal("'".to_owned(), line)),
                },
                c => {
                    let mut buffer = [0; 4];
                    let text: &str = c.encode_utf8(&mut buffer);
                    if let Some(p) = PUNCTS.iter().find(|p| **p == text) {
                        out.push(Tree::Punct(p, line));
                    }
                }
            },
        }
    }
    out
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
    assert!(trees.iter().any(|t| t.is_punct("::")), "{trees:?}");
    assert!(trees.contains(&Tree::Literal("'a".to_owned(), 5)), "{trees:?}");
    assert_eq!(trees.last().map(Tree::line), Some(5));
    assert!(matches!(trees.last(), Some(Tree::Group(Delimiter::Brace, inner, 5)) if inner.len() == 6), "{trees:?}");
}

#[test]
fn lexing_reports_an_unclosed_bracket_with_its_line() {
    let error = lex("broken.rs", "fn f() {\n    (\n}\n").unwrap_err().to_string();
    assert!(error.contains("broken.rs:"), "{error}");
}
