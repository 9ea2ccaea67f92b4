//! Procedural macros of toolsmith. Use them through the `toolsmith` crate:
//! `toolsmith::toolkit!`, `#[derive(toolsmith::Tool)]`, `#[toolsmith::tool]`.
//!
//! Each is a thin shell: `toolkit!` calls `toolsmith-codegen`, the others expand to
//! an implementation of `toolsmith::Tool` over a [`toolsmith::Handler`].

mod attr;
mod derive;
mod toolkit;

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
    toolkit::expand(input.into()).unwrap_or_else(syn::Error::into_compile_error).into()
}

/// Implements `toolsmith::Tool` for a hand-written tool whose behaviour is a
/// `toolsmith::Handler` impl. See `toolsmith::Tool` for an example.
#[proc_macro_derive(Tool, attributes(tool))]
pub fn derive_tool(input: TokenStream) -> TokenStream {
    derive::expand(input.into()).unwrap_or_else(syn::Error::into_compile_error).into()
}

/// Turns an async fn into a hand-written tool: a struct of its arguments that
/// implements `toolsmith::Tool`.
#[proc_macro_attribute]
pub fn tool(attr: TokenStream, item: TokenStream) -> TokenStream {
    attr::expand(attr.into(), item.into()).unwrap_or_else(syn::Error::into_compile_error).into()
}
