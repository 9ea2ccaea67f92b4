//! Procedural macros of toolsmith. Use them through the `toolsmith` crate:
//! `toolsmith::toolkit!`, `#[derive(toolsmith::Tool)]`, `#[toolsmith::tool]`.
//!
//! Each is a thin shell over `toolsmith-codegen`, where the logic lives (and is
//! unit-tested): `toolkit!` over `toolkit_macro`, the others over
//! `toolsmith_codegen::handwritten`, which emit an implementation of
//! `toolsmith::Tool` over a `toolsmith::Handler`.

use proc_macro::TokenStream;

/// Generates typed tools from a toolkit spec, in place.
///
/// ```ignore
/// toolsmith::toolkit!("specs/demo.yaml"); // relative to CARGO_MANIFEST_DIR
/// ```
///
/// A spec with errors fails the build with the same diagnostics as
/// `toolsmith validate`, each with its `file:line:col`.
#[proc_macro]
pub fn toolkit(input: TokenStream) -> TokenStream {
    toolsmith_codegen::toolkit_macro(input.into()).unwrap_or_else(syn::Error::into_compile_error).into()
}

/// Implements `toolsmith::Tool` for a hand-written tool whose behaviour is a
/// `toolsmith::Handler` impl. See `toolsmith::Tool` for an example.
#[proc_macro_derive(Tool, attributes(tool))]
pub fn derive_tool(input: TokenStream) -> TokenStream {
    toolsmith_codegen::handwritten::derive_tool(input.into()).unwrap_or_else(syn::Error::into_compile_error).into()
}

/// Turns an async fn into a hand-written tool: a struct of its arguments that
/// implements `toolsmith::Tool`.
#[proc_macro_attribute]
pub fn tool(attr: TokenStream, item: TokenStream) -> TokenStream {
    toolsmith_codegen::handwritten::tool_attribute(attr.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
