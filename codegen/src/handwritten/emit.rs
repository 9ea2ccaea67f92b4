//! The `impl toolsmith::Tool` of a hand-written tool, shared by `#[derive(Tool)]`
//! and `#[toolsmith::tool]`.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::Ident;

use super::args::Resolved;
use super::docs::Description;

/// The `Tool` impl for `ident`, whose `Handler` impl is written by the user (derive) or
/// generated (attribute).
pub(super) fn impl_tool(ident: &Ident, tool: &Resolved) -> TokenStream {
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
