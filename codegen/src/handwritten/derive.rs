//! `#[derive(Tool)]`: implements `toolsmith::Tool` for a struct whose fields are the
//! tool's arguments and whose behaviour is a `toolsmith::Handler` impl.

use proc_macro2::TokenStream;
use syn::{Attribute, Data, DeriveInput, Fields};

use super::args::{skip_value, Defaults, ToolArgs};
use super::ctxt::Ctxt;
use super::docs::Docs;
use super::emit::impl_tool;

/// Expands `#[derive(Tool)]` on `input` (the struct, as the compiler gives it).
///
/// Every problem of the input is reported at once, each at its place.
///
/// ```
/// let input = quote::quote! {
///     /// Adds two numbers and returns their sum.
///     #[tool(slug = "MATH_ADD")]
///     struct Add { a: f64, b: f64 }
/// };
/// let code = toolsmith_codegen::handwritten::derive_tool(input).unwrap().to_string();
/// assert!(code.contains("impl :: toolsmith :: Tool for Add"));
/// ```
pub fn derive_tool(input: TokenStream) -> syn::Result<TokenStream> {
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

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::super::assert_contains_all;
    use super::derive_tool;

    fn messages(error: syn::Error) -> Vec<String> {
        error.into_iter().map(|e| e.to_string()).collect()
    }

    #[test]
    fn every_problem_at_once() {
        let input = quote! {
            #[tool(slug = "math-add", nmae = "Add", tags(readonly, fast))]
            struct Add<T> { a: T }
        };
        let messages = messages(derive_tool(input).unwrap_err());
        for expected in [
            "tool slug `math-add` is not upper snake case",
            "unknown tool attribute `nmae`; did you mean `name`?",
            "unknown tag `readonly`; did you mean `readOnlyHint`?",
            "unknown tag `fast`",
            "a tool cannot be generic",
            "has no description",
        ] {
            assert!(messages.iter().any(|m| m.contains(expected)), "{expected}: {messages:#?}");
        }
    }

    #[test]
    fn name_and_description_from_the_doc_comment() {
        let input = quote! {
            /// # Add numbers
            /// Adds two numbers and returns their sum.
            #[tool(slug = "MATH_ADD", tags(readOnlyHint))]
            struct Add { a: f64, b: f64 }
        };
        let code = derive_tool(input).unwrap().to_string();
        assert_contains_all(
            &code,
            &[
                "const SLUG : & 'static str = \"MATH_ADD\"",
                "const TOOLKIT : & 'static str = \"math\"",
                "name : \"Add numbers\"",
                "\"Adds two numbers and returns their sum.\"",
                "tags : & [\"readOnlyHint\"]",
            ],
        );
    }

    #[test]
    fn the_prefix_of_a_given_toolkit() {
        let input = quote! {
            /// Adds two numbers and returns their sum.
            #[tool(slug = "CALC_ADD", toolkit = "math")]
            struct Add { a: f64 }
        };
        let messages = messages(derive_tool(input).unwrap_err());
        assert_eq!(messages, ["tool slug `CALC_ADD` does not start with the prefix `MATH_` of its toolkit `math`"]);
    }
}
