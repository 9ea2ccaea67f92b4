//! `oneOf` / `anyOf` unions → Rust enums: internally tagged when the branches
//! share a discriminating property, untagged otherwise.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::{Map, Value};

use super::{constraints, description, description_of, Mode, Name, Ty, TypeSpace};
use crate::docs::doc_attrs;
use crate::names::{pascal, Scope};

impl TypeSpace<'_> {
    /// `oneOf` / `anyOf`: internally tagged when the branches share a discriminating
    /// property, untagged otherwise. `exclusive` (`oneOf`): exactly one branch may
    /// match.
    pub(super) fn union(&mut self, branches: &[&Value], name: Name, map: &Map<String, Value>, exclusive: bool) -> Ty {
        if let Some(ty) = self.tagged(branches, name.clone(), map) {
            return ty;
        }
        self.untagged(branches, name, map, exclusive)
    }

    /// An internally tagged enum, when every branch gives one property (the
    /// declared discriminator, or else one of the first branch's) a distinct constant.
    fn tagged(&mut self, branches: &[&Value], name: Name, map: &Map<String, Value>) -> Option<Ty> {
        let resolved: Vec<Map<String, Value>> =
            branches.iter().map(|b| self.resolve(b).and_then(Value::as_object).cloned()).collect::<Option<_>>()?;
        let declared = map.get("discriminator").and_then(|d| d.get("propertyName")).and_then(Value::as_str);
        let candidates: Vec<&str> = match declared {
            Some(p) => vec![p],
            None => resolved
                .first()?
                .get("properties")
                .and_then(Value::as_object)
                .map(|p| p.keys().map(String::as_str).collect())
                .unwrap_or_default(),
        };
        let tag = candidates.into_iter().find(|p| resolved.iter().all(|b| tag_value(b, p).is_some()))?;
        let values: Vec<&str> = resolved.iter().map(|b| tag_value(b, tag)).collect::<Option<_>>()?;
        if values.iter().enumerate().any(|(i, v)| values[..i].contains(v)) {
            return None;
        }
        let type_name = self.claim(name);
        let slot = self.items.len();
        self.items.push(TokenStream::new());
        let mut variants = Scope::default();
        let mut variant_tokens = Vec::new();
        for (branch, value) in resolved.iter().zip(&values) {
            let mut without_tag = branch.clone();
            if let Some(Value::Object(props)) = without_tag.get_mut("properties") {
                props.shift_remove(tag);
            }
            if let Some(Value::Array(required)) = without_tag.get_mut("required") {
                required.retain(|r| r.as_str() != Some(tag));
            }
            without_tag.insert("type".into(), "object".into());
            let variant = variants.claim(pascal(value, "Variant"));
            let body = self.object(&without_tag, Name::Hint(format!("{type_name}{variant}")), true);
            let variant_ident = format_ident!("{variant}");
            let tokens = body.tokens;
            let doc = format!("`{tag}: {value}`");
            variant_tokens.push(quote! { #[doc = #doc] #[serde(rename = #value)] #variant_ident(#tokens), });
        }
        Some(self.union_item(slot, &type_name, map, quote!(#[serde(tag = #tag)]), variant_tokens, None))
    }

    /// An untagged enum: serde takes the first branch that matches. For an
    /// `exclusive` union (`oneOf`) whose branches may overlap, deserializing checks
    /// that exactly one matches, and the derived schema says `oneOf`.
    pub(super) fn untagged(
        &mut self,
        branches: &[&Value],
        name: Name,
        map: &Map<String, Value>,
        exclusive: bool,
    ) -> Ty {
        let type_name = self.claim(name);
        let slot = self.items.len();
        self.items.push(TokenStream::new());
        let mut variants = Scope::default();
        let mut variant_tokens = Vec::new();
        let mut branch_types = Vec::new();
        for branch in branches {
            let label = variant_label(branch);
            let variant = variants.claim(label.clone());
            let ty = self.convert(branch, Name::Hint(format!("{type_name}{variant}")));
            let variant_ident = format_ident!("{variant}");
            let tokens = ty.tokens;
            let docs = doc_attrs(description(branch).unwrap_or(""), &format!("A `{label}` value."));
            variant_tokens.push(quote! { #docs #variant_ident(#tokens), });
            branch_types.push((variant_ident, tokens));
        }
        if exclusive && self.mode == Mode::Input && self.may_overlap(branches) {
            let ident = format_ident!("{type_name}");
            let checked = constraints::one_of_deserialize(&ident, &branch_types);
            let representation = quote!(#[serde(untagged)] #[schemars(transform = ::toolsmith::__private::one_of)]);
            return self.union_item(slot, &type_name, map, representation, variant_tokens, Some(checked));
        }
        self.union_item(slot, &type_name, map, quote!(#[serde(untagged)]), variant_tokens, None)
    }

    /// Fills the reserved `slot` with a union enum: `representation` is its serde
    /// tagging attribute; `deserialize` a hand-written `Deserialize` impl, if any.
    fn union_item(
        &mut self,
        slot: usize,
        type_name: &str,
        map: &Map<String, Value>,
        representation: TokenStream,
        variants: Vec<TokenStream>,
        deserialize: Option<TokenStream>,
    ) -> Ty {
        let ident = format_ident!("{type_name}");
        let derives = self.derives(None, deserialize.is_none());
        let docs = doc_attrs(description_of(map).unwrap_or(""), &format!("One of the `{type_name}` variants."));
        self.items[slot] = quote! {
            #docs
            #derives
            #representation
            #[allow(clippy::large_enum_variant)]
            pub enum #ident { #(#variants)* }
            #deserialize
        };
        Ty { tokens: quote!(#ident), default: false, optional: false }
    }
}

/// The constant a union branch gives its tag property, if any.
fn tag_value<'v>(branch: &'v Map<String, Value>, tag: &str) -> Option<&'v str> {
    let property = branch.get("properties")?.get(tag)?;
    let required = branch.get("required")?.as_array()?.iter().any(|r| r.as_str() == Some(tag));
    if !required {
        return None;
    }
    property.get("const").and_then(Value::as_str).or_else(|| match property.get("enum")?.as_array()?.as_slice() {
        [single] => single.as_str(),
        _ => None,
    })
}

/// A variant name for an untagged branch: its reference's name, or its type.
fn variant_label(branch: &Value) -> String {
    if let Some(r) = branch.get("$ref").and_then(Value::as_str) {
        return pascal(r.rsplit('/').next().unwrap_or("Ref"), "Ref");
    }
    match branch.get("type").and_then(Value::as_str) {
        Some("string") => "String",
        Some("integer") => "Integer",
        Some("number") => "Number",
        Some("boolean") => "Boolean",
        Some("array") => "Array",
        Some("object") => "Object",
        Some("null") => "Null",
        _ => "Value",
    }
    .to_owned()
}
