//! The `toolkit!("path", ...)` macro's expansion: typed tools generated from specs,
//! in place.

use std::path::PathBuf;

use proc_macro2::TokenStream;
use quote::quote;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{LitStr, Token};
use toolsmith_catalog::{check_paths, has_errors, Severity};

use crate::generator::Generator;

/// Expands `toolkit!("specs/demo.yaml", ...)`: the spec paths, relative to the
/// `CARGO_MANIFEST_DIR` of the crate being compiled. A spec with errors gives one
/// compile error per diagnostic, as `toolsmith validate` prints it.
pub fn toolkit_macro(input: TokenStream) -> syn::Result<TokenStream> {
    let literals = Punctuated::<LitStr, Token![,]>::parse_terminated.parse2(input)?;
    let Some(first) = literals.first() else {
        return Err(syn::Error::new(
            proc_macro2::Span::call_site(),
            "toolkit! takes the path of a spec file or folder, relative to the crate: toolkit!(\"specs/demo.yaml\")",
        ));
    };
    let root = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from).unwrap_or_default();
    let mut paths = Vec::new();
    for literal in &literals {
        let path = root.join(literal.value());
        match std::fs::canonicalize(&path) {
            Ok(path) => paths.push(path),
            Err(e) => {
                return Err(syn::Error::new(
                    literal.span(),
                    format!("cannot read {}: {e} (paths are relative to the crate's Cargo.toml)", path.display()),
                ))
            }
        }
    }
    let (loaded, diagnostics) = check_paths(&paths);
    if has_errors(&diagnostics) {
        let mut errors = diagnostics.iter().filter(|d| d.severity() == Severity::Error).map(|d| {
            let help = d.help.as_deref().map(|h| format!("\n  help: {h}")).unwrap_or_default();
            syn::Error::new(first.span(), format!("{}{help}", d.one_line()))
        });
        let mut combined = errors.next().unwrap_or_else(|| syn::Error::new(first.span(), "invalid spec"));
        combined.extend(errors);
        return Err(combined);
    }
    let code = Generator::new().tokens(&loaded.toolkits);
    // Rebuild when a spec changes: the compiler tracks files read by include_str!.
    let tracked = loaded.files.iter().map(|f| f.display().to_string());
    Ok(quote! {
        #code
        #(const _: &str = include_str!(#tracked);)*
    })
}
