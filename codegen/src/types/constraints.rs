//! Constraints a Rust type does not say by itself, carried to the derived schema
//! and checked when deserializing: which keys an object has (`anyOf` of
//! `required` lists, `not`), that exactly one branch of a `oneOf` matches, and the
//! value constraints of referenced definitions.

use proc_macro2::{Ident, TokenStream};
use quote::quote;
use serde_json::{Map, Value};

/// Keywords of an object schema that constrain which keys are present, in the
/// order their `#[schemars(extend(...))]` attributes are emitted.
const PRESENCE_KEYWORDS: [&str; 3] = ["oneOf", "anyOf", "not"];

/// The key-presence constraints of an object schema beside its `properties`:
/// `oneOf`/`anyOf` whose branches only require keys, and such a `not`.
pub(super) fn presence_of(map: &Map<String, Value>) -> Vec<(&'static str, Value)> {
    PRESENCE_KEYWORDS
        .into_iter()
        .filter_map(|k| map.get(k).map(|v| (k, v)))
        .filter(|(k, v)| match v {
            Value::Array(branches) => *k != "not" && branches.iter().all(|b| keys(b).is_some()),
            _ => *k == "not" && keys(v).is_some(),
        })
        .map(|(k, v)| (k, v.clone()))
        .collect()
}

/// A `Keys` expression for a schema that only constrains which keys are present
/// (`required`, `not`, `anyOf`, `oneOf`, `allOf`, and annotations), or `None`.
/// `minProperties`/`maxProperties` count keys, a value constraint: the derived
/// schema keeps them, deserializing does not check them.
pub(super) fn keys(schema: &Value) -> Option<TokenStream> {
    let map = match schema {
        Value::Bool(true) => return Some(quote!(Keys::AllOf(&[]))),
        Value::Bool(false) => return Some(quote!(Keys::Not(&Keys::AllOf(&[])))),
        Value::Object(map) => map,
        _ => return None,
    };
    let mut parts = Vec::new();
    for (keyword, value) in map {
        match keyword.as_str() {
            "required" => {
                let names: Vec<&str> = value.as_array()?.iter().map(Value::as_str).collect::<Option<_>>()?;
                parts.push(quote!(Keys::Required(&[#(#names),*])));
            }
            "not" => {
                let inner = keys(value)?;
                parts.push(quote!(Keys::Not(&#inner)));
            }
            "anyOf" | "oneOf" | "allOf" => {
                let branches: Vec<TokenStream> = value.as_array()?.iter().map(keys).collect::<Option<_>>()?;
                parts.push(match keyword.as_str() {
                    "anyOf" => quote!(Keys::AnyOf(&[#(#branches),*])),
                    "oneOf" => quote!(Keys::OneOf(&[#(#branches),*])),
                    _ => quote!(Keys::AllOf(&[#(#branches),*])),
                });
            }
            "description" | "title" | "minProperties" | "maxProperties" => {}
            _ => return None,
        }
    }
    Some(match parts.len() {
        1 => parts.remove(0),
        _ => quote!(Keys::AllOf(&[#(#parts),*])),
    })
}

/// The `Keys` expression for what [`presence_of`] found, if anything.
pub(super) fn keys_tokens(presence: &[(&'static str, Value)]) -> Option<TokenStream> {
    if presence.is_empty() {
        return None;
    }
    let map: Map<String, Value> = presence.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect();
    keys(&Value::Object(map))
}

/// A `Deserialize` impl for the struct `ident` that checks `keys` on the object's
/// keys (a key present with `null` counts, which the fields alone cannot tell),
/// then reads the fields as the derive would: `raw_fields` are the struct's fields
/// with their serde attributes, and `deny` its `deny_unknown_fields`.
pub(super) fn checked_deserialize(
    ident: &Ident,
    deny: Option<&TokenStream>,
    raw_fields: &[TokenStream],
    keys: &TokenStream,
) -> TokenStream {
    let remote = ident.to_string();
    quote! {
        impl<'de> ::toolsmith::serde::Deserialize<'de> for #ident {
            fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
            where
                D: ::toolsmith::serde::Deserializer<'de>,
            {
                use ::toolsmith::__private::Keys;
                /// Reads the fields, once the keys are checked.
                #[derive(::toolsmith::serde::Deserialize)]
                #[serde(crate = "::toolsmith::serde", remote = #remote)]
                #deny
                #[allow(dead_code)]
                struct Fields { #(#raw_fields)* }
                const KEYS: Keys = #keys;
                ::toolsmith::__private::deserialize_with_keys(deserializer, &KEYS, Fields::deserialize)
            }
        }
    }
}

/// A `Deserialize` impl for the untagged enum `ident` of a `oneOf`: the value must
/// read as exactly one of the `(variant, type)` branches.
pub(super) fn one_of_deserialize(ident: &Ident, branches: &[(Ident, TokenStream)]) -> TokenStream {
    let reads = branches.iter().map(|(variant, ty)| {
        quote!(|value| <#ty as ::toolsmith::serde::Deserialize>::deserialize(value).map(#ident::#variant))
    });
    quote! {
        impl<'de> ::toolsmith::serde::Deserialize<'de> for #ident {
            fn deserialize<D>(deserializer: D) -> ::std::result::Result<Self, D::Error>
            where
                D: ::toolsmith::serde::Deserializer<'de>,
            {
                ::toolsmith::__private::deserialize_one_of(deserializer, &[#(#reads),*])
            }
        }
    }
}
