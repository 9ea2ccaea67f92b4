//! The `#[tool(...)]` keys that `#[derive(Tool)]` and `#[toolsmith::tool(...)]`
//! accept: parsing them (every problem recorded, parsing goes on), checking them
//! with the spec's slug rules, and filling in the defaults.

use heck::{ToShoutySnakeCase, ToSnakeCase};
use proc_macro2::{Span, TokenStream};
use quote::ToTokens;
use syn::meta::ParseNestedMeta;
use syn::{Expr, ExprLit, Ident, Lit, LitStr};
use toolsmith_catalog::{check_tool_slug, check_toolkit_slug, did_you_mean, suggest_tool_slug, SlugProblem};

use super::ctxt::Ctxt;
use super::docs::{Description, Docs};

/// The keys `#[tool(...)]` (derive) and `#[toolsmith::tool(...)]` (attribute) accept.
const KEYS: &[&str] = &["slug", "toolkit", "name", "description", "tags", "output_schema"];

/// The tags a tool may carry: the MCP hints and `important` (as in toolkit specs).
const TAGS: &[&str] = &["readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint", "important"];

/// `#[tool(...)]` as written.
#[derive(Default)]
pub(crate) struct ToolArgs {
    slug: Option<LitStr>,
    toolkit: Option<LitStr>,
    name: Option<LitStr>,
    description: Option<LitStr>,
    tags: Vec<(&'static str, Span)>,
    tags_seen: bool,
    output_schema: bool,
    /// Keys written, even with a bad value or misspelt: no "missing" error for them.
    pub(super) attempted: Vec<&'static str>,
}

impl ToolArgs {
    /// Parses one `key = value` or `key(...)` of `#[tool(...)]`, recording problems in
    /// `cx` and going on with the next key whenever the syntax allows it.
    pub(crate) fn parse_meta(&mut self, meta: ParseNestedMeta<'_>, cx: &mut Ctxt) -> syn::Result<()> {
        let Some(key) = meta.path.get_ident().map(Ident::to_string) else {
            cx.error(
                &meta.path,
                format!("unknown tool attribute `{}`; expected {}", path_text(&meta.path), one_of(KEYS)),
            );
            return skip_value(&meta);
        };
        if let Some(known) = KEYS.iter().find(|k| **k == key) {
            self.attempted.push(known);
        }
        let slot = match key.as_str() {
            "slug" => &mut self.slug,
            "toolkit" => &mut self.toolkit,
            "name" => &mut self.name,
            "description" => &mut self.description,
            "tags" => return self.parse_tags(&meta, cx),
            "output_schema" => {
                if meta.input.peek(syn::Token![=]) {
                    match meta.value()?.parse::<Expr>()? {
                        Expr::Lit(ExprLit { lit: Lit::Bool(b), .. }) => self.output_schema = b.value,
                        other => cx.error(other, "expected `output_schema` or `output_schema = true`"),
                    }
                } else if meta.input.peek(syn::token::Paren) {
                    cx.error(&meta.path, "expected `output_schema` or `output_schema = true`");
                    return skip_value(&meta);
                } else {
                    self.output_schema = true;
                }
                return Ok(());
            }
            _ => {
                let message = match did_you_mean(&key, KEYS) {
                    Some(close) => {
                        self.attempted.push(close);
                        format!("unknown tool attribute `{key}`; did you mean `{close}`?")
                    }
                    None => format!("unknown tool attribute `{key}`; expected {}", one_of(KEYS)),
                };
                cx.error(&meta.path, message);
                return skip_value(&meta);
            }
        };
        if !meta.input.peek(syn::Token![=]) {
            cx.error(&meta.path, format!("expected `{key} = \"...\"`"));
            return skip_value(&meta);
        }
        let value: Expr = meta.value()?.parse()?;
        let Expr::Lit(ExprLit { lit: Lit::Str(lit), .. }) = value else {
            cx.error(value, format!("expected a string literal: `{key} = \"...\"`"));
            return Ok(());
        };
        if slot.is_some() {
            cx.error(&meta.path, format!("duplicate `{key}`"));
        } else {
            *slot = Some(lit);
        }
        Ok(())
    }

    /// `tags(readOnlyHint, idempotentHint)`; string literals are accepted too.
    fn parse_tags(&mut self, meta: &ParseNestedMeta<'_>, cx: &mut Ctxt) -> syn::Result<()> {
        if !meta.input.peek(syn::token::Paren) {
            cx.error(&meta.path, "expected `tags(readOnlyHint, idempotentHint, ...)`");
            return skip_value(meta);
        }
        if std::mem::replace(&mut self.tags_seen, true) {
            cx.error(&meta.path, "duplicate `tags`; list every tag in one `tags(...)`");
        }
        let content;
        syn::parenthesized!(content in meta.input);
        let items = content.parse_terminated(TagName::parse, syn::Token![,])?;
        for TagName(text, span) in items {
            match TAGS.iter().find(|t| **t == text) {
                Some(tag) if self.tags.iter().any(|(t, _)| t == tag) => {
                    cx.error_at(span, format!("duplicate tag `{tag}`"));
                }
                Some(tag) => self.tags.push((tag, span)),
                None => {
                    let message = match did_you_mean_tag(&text) {
                        Some(close) => format!("unknown tag `{text}`; did you mean `{close}`?"),
                        None => format!("unknown tag `{text}`; expected {}", one_of(TAGS)),
                    };
                    cx.error_at(span, message);
                }
            }
        }
        if let (Some((_, read_only)), true) = (
            self.tags.iter().find(|(t, _)| *t == "readOnlyHint"),
            self.tags.iter().any(|(t, _)| *t == "destructiveHint"),
        ) {
            cx.error_at(*read_only, "a tool cannot be both `readOnlyHint` and `destructiveHint`");
        }
        Ok(())
    }

    /// Checks the arguments and fills in the defaults. `None` when `cx` got an error
    /// that leaves nothing to generate.
    pub(crate) fn resolve(self, defaults: &Defaults<'_>, cx: &mut Ctxt) -> Option<Resolved> {
        let toolkit = match &self.toolkit {
            Some(lit) => {
                let value = lit.value();
                if let Err(problem) = check_toolkit_slug(&value) {
                    cx.error(lit, format!("toolkit slug `{value}` {problem}"));
                }
                Some(value)
            }
            None => None,
        };

        let (slug, slug_span) = match (&self.slug, &defaults.slug) {
            (Some(lit), _) => (lit.value(), lit.span()),
            (None, Some(default)) => {
                let prefix = toolkit.as_deref().unwrap_or("local").to_ascii_uppercase();
                (format!("{prefix}_{default}"), defaults.ident.span())
            }
            (None, None) if self.attempted.contains(&"slug") => return None,
            (None, None) => {
                let example = defaults.ident.to_string().to_shouty_snake_case();
                let example = if example.contains('_') { example } else { format!("LOCAL_{example}") };
                cx.error(
                    defaults.ident,
                    format!(
                        "missing tool slug: add `#[tool(slug = \"{example}\")]` (upper snake case, the toolkit's \
                         name first)"
                    ),
                );
                return None;
            }
        };
        // The prefix is checked only against a well-formed toolkit slug (its own error
        // is reported above).
        let known = toolkit.as_deref().filter(|t| check_toolkit_slug(t).is_ok());
        if let Err(problem) = check_tool_slug(&slug, known) {
            let hint = match problem {
                SlugProblem::MissingPrefix { .. } => None,
                _ => suggest_tool_slug(&slug, known),
            };
            let hint = hint.map(|s| format!("; use something like `{s}`")).unwrap_or_default();
            cx.error_at(slug_span, format!("tool slug `{slug}` {problem}{hint}"));
        }
        let toolkit = toolkit.unwrap_or_else(|| slug.split('_').next().unwrap_or_default().to_ascii_lowercase());

        let name = match &self.name {
            Some(lit) if lit.value().trim().is_empty() => {
                cx.error(lit, "a tool's name cannot be empty");
                String::new()
            }
            Some(lit) => lit.value(),
            None => defaults.docs.title().unwrap_or_else(|| words(&defaults.ident.to_string())),
        };

        let description = match &self.description {
            Some(lit) if lit.value().trim().is_empty() => {
                cx.error(lit, "a tool's description cannot be empty: say what it does and when to use it");
                None
            }
            Some(lit) => Some(Description::Text(lit.value().trim().to_owned())),
            None => defaults.docs.description(),
        };
        let Some(description) = description else {
            if !self.attempted.contains(&"description") {
                cx.error(
                    defaults.ident,
                    format!(
                        "tool `{}` has no description: document the {} (`/// What it does and when to use it`) or \
                         add `description = \"...\"`",
                        defaults.ident, defaults.what
                    ),
                );
            }
            return None;
        };

        Some(Resolved {
            slug,
            toolkit,
            name,
            description,
            tags: self.tags.iter().map(|(t, _)| *t).collect(),
            output_schema: self.output_schema,
        })
    }
}

/// Where defaults come from: the struct (derive) or the fn (attribute).
pub(crate) struct Defaults<'a> {
    /// The struct name (derive) or fn name (attribute): error spans, and the default name.
    pub(crate) ident: &'a Ident,
    /// The default slug without its toolkit prefix (attribute only): `ADD` for `fn add`.
    pub(crate) slug: Option<String>,
    /// The doc comment.
    pub(crate) docs: Docs,
    /// `struct` or `function`, for messages.
    pub(crate) what: &'static str,
}

/// A tool's definition, checked, ready to generate.
pub(crate) struct Resolved {
    /// The tool slug.
    pub(super) slug: String,
    /// The toolkit slug.
    pub(super) toolkit: String,
    /// The tool's human name.
    pub(super) name: String,
    /// What the tool does.
    pub(super) description: Description,
    /// MCP hints and `important`.
    pub(super) tags: Vec<&'static str>,
    /// Whether the output type's schema is published.
    pub(super) output_schema: bool,
}

/// One entry of `tags(...)`: an identifier or a string.
struct TagName(String, Span);

impl TagName {
    fn parse(input: syn::parse::ParseStream<'_>) -> syn::Result<Self> {
        if input.peek(LitStr) {
            let lit: LitStr = input.parse()?;
            Ok(TagName(lit.value(), lit.span()))
        } else {
            let ident: Ident = input.call(syn::ext::IdentExt::parse_any)?;
            Ok(TagName(ident.to_string(), ident.span()))
        }
    }
}

/// Skips the value of a key we do not understand (`= expr` or `(...)`).
pub(super) fn skip_value(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(syn::Token![=]) {
        meta.value()?.parse::<Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        let content;
        syn::parenthesized!(content in meta.input);
        content.parse::<TokenStream>()?;
    }
    Ok(())
}

fn path_text(path: &syn::Path) -> String {
    path.to_token_stream().to_string().replace(' ', "")
}

fn one_of(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    format!("one of {}", quoted.join(", "))
}

/// `MathAdd` → `Math add`; `get_weather` → `Get weather`.
pub(crate) fn words(ident: &str) -> String {
    let snake = ident.trim_start_matches("r#").to_snake_case();
    let mut text = snake.replace('_', " ");
    if let Some(first) = text.get(..1) {
        text.replace_range(..1, &first.to_ascii_uppercase());
    }
    text
}

/// Tags: `read_only`, `readonly`, `ReadOnly` all mean `readOnlyHint`.
fn did_you_mean_tag(word: &str) -> Option<&'static str> {
    let norm = |s: &str| s.to_ascii_lowercase().replace(['_', '-'], "").trim_end_matches("hint").to_owned();
    let word_norm = norm(word);
    TAGS.iter().copied().find(|t| norm(t) == word_norm).or_else(|| did_you_mean(word, TAGS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_typos() {
        assert_eq!(words("MathAdd"), "Math add");
        assert_eq!(words("get_weather"), "Get weather");
        assert_eq!(did_you_mean("slgu", KEYS), Some("slug"));
        assert_eq!(did_you_mean("descripton", KEYS), Some("description"));
        assert_eq!(did_you_mean("tag", KEYS), Some("tags"));
        assert_eq!(did_you_mean("http", KEYS), None);
        assert_eq!(did_you_mean_tag("readOnly"), Some("readOnlyHint"));
        assert_eq!(did_you_mean_tag("read_only"), Some("readOnlyHint"));
        assert_eq!(did_you_mean_tag("idempotnetHint"), Some("idempotentHint"));
        assert_eq!(did_you_mean_tag("fast"), None);
    }
}
