//! `#[derive(Tool)]`: implements `toolsmith::Tool` for a struct whose fields are the
//! tool's arguments and whose behaviour is a `toolsmith::Handler` impl.
//!
//! The `#[tool(...)]` keys, their checks and the `Tool` impl are shared with
//! `#[toolsmith::tool]` (see `attr.rs`), which builds such a struct from an async fn.

use heck::{ToShoutySnakeCase, ToSnakeCase};
use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::meta::ParseNestedMeta;
use syn::{Attribute, Data, DeriveInput, Expr, ExprLit, Fields, Ident, Lit, LitStr};
use toolsmith_catalog::{check_tool_slug, check_toolkit_slug, did_you_mean, suggest_tool_slug, SlugProblem};

/// Expands `#[derive(Tool)]`.
pub(crate) fn expand(input: TokenStream) -> syn::Result<TokenStream> {
    let input: DeriveInput = syn::parse2(input)?;
    let mut cx = Ctxt::default();

    match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(_) => {}
            Fields::Unnamed(fields) => cx.error(
                fields,
                "a tuple struct cannot be a tool: name its fields, their names are the tool's argument names",
            ),
            Fields::Unit => cx.error(
                &input.ident,
                format!(
                    "a unit struct serializes as `null`, but a tool's input is a JSON object: \
                     write `struct {} {{}}` for a tool without arguments",
                    input.ident
                ),
            ),
        },
        Data::Enum(data) => cx.error(
            data.enum_token,
            "`#[derive(Tool)]` needs a struct with named fields (the tool's arguments); an enum cannot be a tool",
        ),
        Data::Union(data) => cx.error(
            data.union_token,
            "`#[derive(Tool)]` needs a struct with named fields (the tool's arguments); a union cannot be a tool",
        ),
    }
    if input.generics.lt_token.is_some() || input.generics.where_clause.is_some() {
        cx.error(
            &input.generics,
            "a tool cannot be generic: it has one slug and one schema; declare a struct per tool",
        );
    }
    check_transparent(&input.attrs, &mut cx);

    let mut args = ToolArgs::default();
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("tool")) {
        if !matches!(attr.meta, syn::Meta::List(_)) {
            cx.error(attr, "expected `#[tool(slug = \"TOOLKIT_ACTION\", ...)]`");
            args.attempted.push("slug");
            continue;
        }
        if let Err(e) = attr.parse_nested_meta(|meta| args.parse_meta(meta, &mut cx)) {
            cx.syn_error(e);
        }
    }

    let defaults = Defaults { ident: &input.ident, slug: None, docs: Docs::from_attrs(&input.attrs), what: "struct" };
    let resolved = args.resolve(&defaults, &mut cx);
    cx.check()?;
    match resolved {
        Some(resolved) => Ok(impl_tool(&input.ident, &resolved)),
        None => Err(syn::Error::new_spanned(&input.ident, "invalid `#[tool(...)]`")),
    }
}

/// Collects every error, like serde_derive's `Ctxt`, so that one build shows them all.
#[derive(Default)]
pub(crate) struct Ctxt {
    errors: Option<syn::Error>,
}

impl Ctxt {
    /// Records an error spanning `tokens`.
    pub(crate) fn error(&mut self, tokens: impl ToTokens, message: impl std::fmt::Display) {
        self.syn_error(syn::Error::new_spanned(tokens, message));
    }

    /// Records an error at `span`.
    pub(crate) fn error_at(&mut self, span: Span, message: impl std::fmt::Display) {
        self.syn_error(syn::Error::new(span, message));
    }

    /// Records an error.
    pub(crate) fn syn_error(&mut self, error: syn::Error) {
        match &mut self.errors {
            Some(errors) => errors.combine(error),
            None => self.errors = Some(error),
        }
    }

    /// All errors recorded, as one.
    pub(crate) fn check(self) -> syn::Result<()> {
        self.errors.map_or(Ok(()), Err)
    }
}

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
    attempted: Vec<&'static str>,
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
    slug: String,
    toolkit: String,
    name: String,
    description: Description,
    tags: Vec<&'static str>,
    output_schema: bool,
}

pub(crate) enum Description {
    /// Known when the macro runs.
    Text(String),
    /// Doc attributes that are not all literals (`#[doc = include_str!("..")]`): a
    /// `concat!(...)` expression, trimmed at run time.
    Expr(TokenStream),
}

/// The `Tool` impl for `ident`, whose `Handler` impl is written by the user (derive) or
/// generated (attribute).
pub(crate) fn impl_tool(ident: &Ident, tool: &Resolved) -> TokenStream {
    let Resolved { slug, toolkit, name, description, tags, output_schema } = tool;
    let description = match description {
        Description::Text(text) => quote!(::std::borrow::Cow::Borrowed(#text)),
        Description::Expr(expr) => quote!(::std::borrow::Cow::Borrowed(::std::primitive::str::trim(#expr))),
    };
    let output_schema = if *output_schema {
        quote! {
            ::std::option::Option::Some(::std::borrow::Cow::Owned(
                schema::<<Self as ::toolsmith::Handler>::Output>().as_value().to_string(),
            ))
        }
    } else {
        quote!(::std::option::Option::None)
    };
    // Errors about the struct (a missing `Handler` impl or derive) are reported at its
    // name, once; the code stays macro-generated for lints (`resolved_at`).
    let span = ident.span().resolved_at(Span::call_site());
    // `LocalHandler::of` needs `Handler` and `DeserializeOwned`: a missing impl is
    // reported at the struct, where the tool is declared.
    let tool_impl = quote_spanned! {span=>
        #[automatically_derived]
        impl ::toolsmith::Tool for #ident {
            const SLUG: &'static str = #slug;
            const TOOLKIT: &'static str = #toolkit;
            type Output = <#ident as ::toolsmith::Handler>::Output;

            fn definition() -> &'static ::toolsmith::ToolDefinition {
                fn schema<T: ::toolsmith::schemars::JsonSchema + ?::std::marker::Sized>() -> ::toolsmith::schemars::Schema {
                    let mut schema = ::toolsmith::schemars::generate::SchemaSettings::draft2020_12()
                        .into_generator()
                        .into_root_schema_for::<T>();
                    schema.remove("$schema");
                    schema.remove("title");
                    schema
                }
                static DEFINITION: ::std::sync::OnceLock<::toolsmith::ToolDefinition> = ::std::sync::OnceLock::new();
                DEFINITION.get_or_init(|| {
                    let mut input = schema::<#ident>();
                    // The tool's description already says what the struct's doc comment says.
                    input.remove("description");
                    ::std::assert!(
                        input.get("type").and_then(::toolsmith::serde_json::Value::as_str) == ::std::option::Option::Some("object"),
                        "{}: the input schema of a tool must be a JSON object (`\"type\": \"object\"`), not {}",
                        #slug,
                        input.as_value(),
                    );
                    ::toolsmith::ToolDefinition {
                        slug: #slug,
                        toolkit: #toolkit,
                        name: #name,
                        description: #description,
                        schemas: ::toolsmith::Schemas::Json {
                            input: ::std::borrow::Cow::Owned(input.as_value().to_string()),
                            output: #output_schema,
                        },
                        tags: &[#(#tags),*],
                        http: ::std::option::Option::None,
                        local: ::std::option::Option::Some(::toolsmith::LocalHandler::of::<#ident>()),
                    }
                })
            }
        }
    };
    tool_impl
}

/// A doc comment: `///` lines or `#[doc = ...]` attributes.
pub(crate) struct Docs {
    /// The lines, each without its first space, when all are literals.
    lines: Option<Vec<String>>,
    /// Every doc value as written (for `concat!`).
    exprs: Vec<Expr>,
}

impl Docs {
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
    fn title(&self) -> Option<String> {
        let text = self.text()?;
        let first = text.lines().next()?;
        first.starts_with('#').then(|| first.trim_start_matches('#').trim().to_owned()).filter(|t| !t.is_empty())
    }

    /// The description: the doc comment less a leading `# Heading`.
    fn description(&self) -> Option<Description> {
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

/// `#[serde(transparent)]` would make the input schema something else than an object.
fn check_transparent(attrs: &[Attribute], cx: &mut Ctxt) {
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde") || a.path().is_ident("schemars")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("transparent") {
                cx.error(&meta.path, "a tool's input must be a JSON object; a transparent struct is not one");
            }
            skip_value(&meta)
        });
    }
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
fn skip_value(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
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
