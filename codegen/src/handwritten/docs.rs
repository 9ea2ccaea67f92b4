//! Doc comments of hand-written tools: the tool's name (a `# Heading`) and its
//! description.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Attribute, Expr, ExprLit, Lit};

/// A tool's description.
pub(crate) enum Description {
    /// Known when the macro runs.
    Text(String),
    /// Doc attributes that are not all literals (`#[doc = include_str!("..")]`): a
    /// `concat!(...)` expression, trimmed at run time.
    Expr(TokenStream),
}

/// A doc comment: `///` lines or `#[doc = ...]` attributes.
pub(crate) struct Docs {
    /// The lines, each without its first space, when all are literals.
    lines: Option<Vec<String>>,
    /// Every doc value as written (for `concat!`).
    exprs: Vec<Expr>,
}

impl Docs {
    /// The doc comment of an item, from its attributes.
    pub(crate) fn from_attrs(attrs: &[Attribute]) -> Self {
        let mut lines = Some(Vec::new());
        let mut exprs = Vec::new();
        for attr in attrs.iter().filter(|a| a.path().is_ident("doc")) {
            let Ok(nv) = attr.meta.require_name_value() else { continue };
            match &nv.value {
                Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) => {
                    let text = s.value();
                    if let Some(lines) = &mut lines {
                        lines.extend(text.split('\n').map(|l| {
                            let l = l.strip_suffix('\r').unwrap_or(l);
                            l.strip_prefix(' ').unwrap_or(l).to_owned()
                        }));
                    }
                }
                _ => lines = None,
            }
            exprs.push(nv.value.clone());
        }
        Docs { lines, exprs }
    }

    /// The text, the way schemars reads it: lines joined, trimmed.
    fn text(&self) -> Option<String> {
        self.lines.as_ref().map(|lines| lines.join("\n").trim().to_owned())
    }

    /// A leading `# Heading` line, which names the tool (schemars makes it the title).
    pub(super) fn title(&self) -> Option<String> {
        let text = self.text()?;
        let first = text.lines().next()?;
        first.starts_with('#').then(|| first.trim_start_matches('#').trim().to_owned()).filter(|t| !t.is_empty())
    }

    /// The description: the doc comment less a leading `# Heading`.
    pub(super) fn description(&self) -> Option<Description> {
        if self.exprs.is_empty() {
            return None;
        }
        let Some(text) = self.text() else {
            let exprs = &self.exprs;
            return Some(Description::Expr(quote!(::std::concat!(#(#exprs),* ))));
        };
        let text = if text.starts_with('#') {
            text.split_once('\n').map(|(_, rest)| rest.trim().to_owned()).unwrap_or_default()
        } else {
            text
        };
        (!text.is_empty()).then_some(Description::Text(text))
    }
}
