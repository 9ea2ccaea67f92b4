//! Placeholder until the implementation lands.

use proc_macro2::TokenStream;

pub(crate) fn expand(_attr: TokenStream, input: TokenStream) -> syn::Result<TokenStream> {
    Err(syn::Error::new(proc_macro2::Span::call_site(), format!("not implemented yet: {}", input)))
}
