//! Constraints a Rust type does not say by itself, carried to the derived schema
//! and checked when deserializing: which keys an object has (`anyOf` of
//! `required` lists, `not`), that exactly one branch of a `oneOf` matches, and the
//! value constraints of referenced definitions.

use proc_macro2::{Ident, TokenStream};
use quote::quote;
use serde_json::{Map, Value};

use super::TypeSpace;

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

/// JSON types as bits, for telling whether union branches can overlap; integers
/// are numbers.
const NULL: u8 = 1;
const BOOLEAN: u8 = 2;
const OBJECT: u8 = 4;
const ARRAY: u8 = 8;
const NUMBER: u8 = 16;
const STRING: u8 = 32;
const ANY: u8 = 63;

fn type_bits(name: &str) -> u8 {
    match name {
        "null" => NULL,
        "boolean" => BOOLEAN,
        "object" => OBJECT,
        "array" => ARRAY,
        "integer" | "number" => NUMBER,
        "string" => STRING,
        _ => ANY,
    }
}

fn value_bits(value: &Value) -> u8 {
    match value {
        Value::Null => NULL,
        Value::Bool(_) => BOOLEAN,
        Value::Number(_) => NUMBER,
        Value::String(_) => STRING,
        Value::Array(_) => ARRAY,
        Value::Object(_) => OBJECT,
    }
}

impl TypeSpace<'_> {
    /// Whether a value could match two of the union's branches: some two branches
    /// admit a common JSON type (branches of different types never overlap).
    pub(super) fn may_overlap(&self, branches: &[&Value]) -> bool {
        let types: Vec<u8> = branches.iter().map(|b| self.json_types(b, 0)).collect();
        types.iter().enumerate().any(|(i, a)| types[..i].iter().any(|b| a & b != 0))
    }

    /// The JSON types a schema admits, as bits; every type when unsure.
    fn json_types(&self, schema: &Value, depth: usize) -> u8 {
        let Some(schema) = self.resolve(schema).filter(|_| depth < 8) else { return ANY };
        let map = match schema {
            Value::Object(map) => map,
            Value::Bool(false) => return 0,
            _ => return ANY,
        };
        if let Some(value) = map.get("const") {
            return value_bits(value);
        }
        if let Some(Value::Array(values)) = map.get("enum") {
            return values.iter().fold(0, |bits, v| bits | value_bits(v));
        }
        match map.get("type") {
            Some(Value::String(name)) => return type_bits(name),
            Some(Value::Array(names)) => {
                return names.iter().fold(0, |bits, n| bits | n.as_str().map_or(ANY, type_bits))
            }
            _ => {}
        }
        let mut bits = ANY;
        for key in ["anyOf", "oneOf"] {
            if let Some(Value::Array(branches)) = map.get(key) {
                bits &= branches.iter().fold(0, |union, b| union | self.json_types(b, depth + 1));
            }
        }
        if let Some(Value::Array(parts)) = map.get("allOf") {
            bits = parts.iter().fold(bits, |all, p| all & self.json_types(p, depth + 1));
        }
        if bits == ANY && map.contains_key("properties") {
            return OBJECT;
        }
        bits
    }

    /// The schema whose value constraints a field's attributes carry. A `$ref`
    /// (alone, or the one non-null branch of a nullable `anyOf`/`oneOf`) is resolved
    /// to its target, and so are array `items`: a definition that is not a struct or
    /// enum becomes a type alias, which carries no schema of its own.
    pub(super) fn constraint_source(&self, schema: &Value) -> Value {
        let Some(map) = schema.as_object() else { return schema.clone() };
        let mut source = self.resolved_with_siblings(map);
        if source.is_none() {
            for key in ["anyOf", "oneOf"] {
                let Some(Value::Array(branches)) = map.get(key) else { continue };
                let non_null: Vec<&Value> = branches.iter().filter(|b| !super::is_null_schema(b)).collect();
                if let ([one], true) = (non_null.as_slice(), non_null.len() < branches.len()) {
                    source = one.as_object().and_then(|b| self.resolved_with_siblings(b)).map(|mut target| {
                        // The field admits `null`; so does a carried `enum`.
                        if let Some(Value::Array(values)) = target.get_mut("enum") {
                            if !values.contains(&Value::Null) {
                                values.push(Value::Null);
                            }
                        }
                        target
                    });
                }
            }
        }
        let mut source = source.unwrap_or_else(|| map.clone());
        if let Some(items) = source.get("items").and_then(Value::as_object) {
            if let Some(resolved) = self.resolved_with_siblings(items) {
                source.insert("items".into(), Value::Object(resolved));
            }
        }
        Value::Object(source)
    }

    /// For a schema with a `$ref`: its target, with the schema's own keywords beside
    /// the reference added (they apply too).
    fn resolved_with_siblings(&self, map: &Map<String, Value>) -> Option<Map<String, Value>> {
        map.get("$ref")?;
        let mut target = self.resolve(&Value::Object(map.clone()))?.as_object()?.clone();
        for (key, value) in map {
            if key != "$ref" && key != "description" {
                target.insert(key.clone(), value.clone());
            }
        }
        Some(target)
    }
}
