//! Tokens for literal values: JSON values (as schemars' `extend` takes them),
//! integer types by format, and reading back the type tokens already built.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

pub(super) fn is_ident(tokens: &TokenStream, name: &str) -> bool {
    tokens.to_string() == name
}

/// Whether the tokens are `Option<name>` (a nullable named item needs no alias).
pub(super) fn is_option_of(tokens: &TokenStream, name: &str) -> bool {
    let ident = format_ident!("{name}");
    tokens.to_string() == quote!(::std::option::Option<#ident>).to_string()
}

/// The type name inside `Option<…>`, or the tokens themselves.
pub(super) fn type_name_of(tokens: &TokenStream) -> String {
    let text = tokens.to_string().replace(' ', "");
    text.strip_prefix("::std::option::Option<").and_then(|t| t.strip_suffix('>')).unwrap_or(&text).to_owned()
}

/// A JSON value as `json!`-style tokens (what schemars' `extend` takes). Integers
/// outside `i32` carry a suffix (an unsuffixed literal would be an `i32`); big values
/// are parsed from JSON text instead, which keeps `json!` within its recursion limit.
pub(super) fn json_tokens(value: &Value) -> TokenStream {
    if nodes(value, 0) > MAX_INLINE_JSON_NODES {
        let text = crate::docs::raw_str(&value.to_string());
        return quote!(::toolsmith::__private::json(#text));
    }
    inline_json(value)
}

/// Values with more nodes than this are emitted as JSON text.
const MAX_INLINE_JSON_NODES: usize = 32;

/// The nodes of `value`, counting stops past the inline limit.
pub(super) fn nodes(value: &Value, seen: usize) -> usize {
    if seen > MAX_INLINE_JSON_NODES {
        return seen;
    }
    match value {
        Value::Array(items) => items.iter().fold(seen + 1, |n, v| nodes(v, n)),
        Value::Object(map) => map.values().fold(seen + 1, |n, v| nodes(v, n)),
        _ => seen + 1,
    }
}

pub(super) fn inline_json(value: &Value) -> TokenStream {
    match value {
        Value::Null => quote!(null),
        Value::Bool(b) => quote!(#b),
        Value::Number(n) => {
            let literal = if let Some(i) = n.as_i64() {
                if i32::try_from(i).is_ok() {
                    proc_macro2::Literal::i64_unsuffixed(i)
                } else {
                    proc_macro2::Literal::i64_suffixed(i)
                }
            } else if let Some(u) = n.as_u64() {
                proc_macro2::Literal::u64_suffixed(u)
            } else {
                proc_macro2::Literal::f64_unsuffixed(n.as_f64().unwrap_or_default())
            };
            quote!(#literal)
        }
        Value::String(s) => quote!(#s),
        Value::Array(items) => {
            let items = items.iter().map(inline_json);
            quote!([#(#items),*])
        }
        Value::Object(map) => {
            let pairs = map.iter().map(|(k, v)| {
                let v = inline_json(v);
                quote!(#k: #v)
            });
            quote!({#(#pairs),*})
        }
    }
}

pub(super) fn integer(format: Option<&str>) -> TokenStream {
    match format {
        Some("int8") => quote!(i8),
        Some("int16") => quote!(i16),
        Some("int32") => quote!(i32),
        Some("uint8") => quote!(u8),
        Some("uint16") => quote!(u16),
        Some("uint32") => quote!(u32),
        Some("uint64") => quote!(u64),
        _ => quote!(i64),
    }
}
