//! JSON Schema → Rust types.
//!
//! One [`TypeSpace`] converts the schemas of one tool (its input, or its output)
//! into items of the toolkit's module: structs for objects, enums for string enums
//! and unions, aliases for named definitions of other types. Anything it cannot
//! express as a precise type becomes `serde_json::Value`, never an error.

//!
//! The conversion itself (objects, enums, unions, references) is one set of
//! mutually recursive steps, here; the state and primitive steps it uses are in
//! `space.rs`, and what it reads from schemas and writes as literals in
//! `keywords.rs`, `literal.rs`, `resolve.rs` and `constraints.rs`, which never call
//! back.

mod constraints;
mod keywords;
mod literal;
mod resolve;
mod space;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};
use serde_json::{Map, Value};
use toolsmith_catalog::pointer as json_pointer;

use crate::docs::doc_attrs;
use crate::names::{pascal, snake, Scope};
use keywords::{constraint_attrs, constraint_only, description, description_of, is_null_schema};
use literal::{integer, is_ident, is_option_of, json_tokens, type_name_of};
use space::{hint_of, Name, Ty, MAX_DEPTH};
pub(crate) use space::{Mode, Module, TypeSpace};

const FIELD_ATTR_OPTIONAL: &str = "::std::option::Option::is_none";

impl<'a> TypeSpace<'a> {
    /// Converts the document's root into an item named exactly `name` (already
    /// claimed by the caller).
    pub(crate) fn convert_root(&mut self, name: &str) -> Ty {
        let ident = format_ident!("{name}");
        self.refs.insert(String::new(), Ty::plain(quote!(#ident)));
        self.stack.push(String::new());
        let document = self.document;
        // A tool's input is always a struct, even with no properties: it is what
        // implements `Tool`.
        let ty = match document.as_object() {
            Some(map) if self.mode == Mode::Input => self.object(map, Name::Exact(name.to_owned()), true),
            _ => self.convert(document, Name::Exact(name.to_owned())),
        };
        self.stack.pop();
        ty
    }

    fn convert(&mut self, schema: &Value, name: Name) -> Ty {
        if self.depth >= MAX_DEPTH {
            return Ty::value();
        }
        self.depth += 1;
        let ty = self.convert_inner(schema, name.clone());
        self.depth -= 1;
        match name {
            // A named definition that is not itself a struct or enum still gets its
            // name, as an alias.
            Name::Exact(exact) if !is_ident(&ty.tokens, &exact) && !is_option_of(&ty.tokens, &exact) => {
                let ident = format_ident!("{exact}");
                let tokens = &ty.tokens;
                let docs = doc_attrs(description(schema).unwrap_or(""), &format!("The `{exact}` type of the API."));
                self.items.push(quote! { #docs pub type #ident = #tokens; });
                Ty { tokens: quote!(#ident), ..ty }
            }
            _ => ty,
        }
    }

    fn convert_inner(&mut self, schema: &Value, name: Name) -> Ty {
        let Value::Object(map) = schema else { return Ty::value() };
        if let Some(reference) = map.get("$ref").and_then(Value::as_str) {
            return self.reference(reference);
        }
        // `type: [T, "null"]` and `anyOf: [T, {type: null}]` are Option<T>.
        if let Some(Value::Array(types)) = map.get("type") {
            let non_null: Vec<&Value> = types.iter().filter(|t| t.as_str() != Some("null")).collect();
            let nullable = non_null.len() < types.len();
            let ty = match non_null.as_slice() {
                [] => Ty::plain(quote!(())),
                [one] => {
                    let mut single = map.clone();
                    single.insert("type".into(), (*one).clone());
                    self.convert_inner(&Value::Object(single), name)
                }
                many => {
                    let branches: Vec<Value> = many
                        .iter()
                        .map(|t| {
                            let mut b = map.clone();
                            b.insert("type".into(), (*t).clone());
                            Value::Object(b)
                        })
                        .collect();
                    self.untagged(&branches.iter().collect::<Vec<_>>(), name, map, false)
                }
            };
            return if nullable { ty.option() } else { ty };
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(Value::Array(branches)) = map.get(key) {
                // `properties` plus branches that only add constraints (`required: [a]`
                // or `required: [b]`): an object; the branches are constraints.
                if map.contains_key("properties") && branches.iter().all(constraint_only) {
                    continue;
                }
                let non_null: Vec<&Value> = branches.iter().filter(|b| !is_null_schema(b)).collect();
                let nullable = non_null.len() < branches.len();
                let ty = match non_null.as_slice() {
                    [] => Ty::plain(quote!(())),
                    [one] => self.convert(one, name),
                    many => self.union(many, name, map, key == "oneOf"),
                };
                return if nullable { ty.option() } else { ty };
            }
        }
        if let Some(Value::Array(parts)) = map.get("allOf") {
            return match self.merge_all(parts) {
                Some(merged) => self.convert(&merged, name),
                None => Ty::value(),
            };
        }
        if let Some(Value::Array(values)) = map.get("enum") {
            return self.enumeration(values, name, map);
        }
        match map.get("type").and_then(Value::as_str) {
            Some("string") => Ty::plain(quote!(::std::string::String)),
            Some("integer") => Ty::plain(integer(map.get("format").and_then(Value::as_str))),
            Some("number") => match map.get("format").and_then(Value::as_str) {
                Some("float") => Ty::plain(quote!(f32)),
                _ => Ty::plain(quote!(f64)),
            },
            Some("boolean") => Ty::plain(quote!(bool)),
            Some("null") => Ty::plain(quote!(())),
            Some("array") => {
                let item_name = Name::Hint(format!("{}Item", hint_of(&name)));
                let item = match map.get("items") {
                    Some(items) => self.convert(items, item_name),
                    None => Ty::value(),
                };
                let inner = item.tokens;
                Ty::plain(quote!(::std::vec::Vec<#inner>))
            }
            Some("object") => self.object(map, name, false),
            None if map.contains_key("properties") => self.object(map, name, false),
            _ => Ty::value(),
        }
    }

    fn reference(&mut self, reference: &str) -> Ty {
        let Some(pointer) = reference.strip_prefix('#') else { return Ty::value() };
        if self.stack.iter().any(|p| p == pointer) {
            // A cycle: refer to the type being generated, through a box.
            let ty = self.refs[pointer].clone();
            let ident = format_ident!("{}", type_name_of(&ty.tokens));
            return Ty::plain(quote!(#ident)).boxed();
        }
        if let Some(ty) = self.refs.get(pointer) {
            return ty.clone();
        }
        let Some(target) = self.lookup(pointer) else { return Ty::value() };
        let key = if self.document.pointer(pointer).is_some() {
            self.shared_key(pointer)
        } else {
            // A toolkit definition: one per mode, however many tools use it.
            format!("{:?}\u{0}toolkit\u{0}{pointer}", self.mode)
        };
        if let Some(ty) = self.module.shared.get(&key) {
            self.refs.insert(pointer.to_owned(), ty.clone());
            return ty.clone();
        }
        let last = json_pointer::last(pointer).unwrap_or_default();
        let name = self.module.scope.claim(pascal(&last, "Type"));
        let ident = format_ident!("{name}");
        self.refs.insert(pointer.to_owned(), Ty::plain(quote!(#ident)));
        self.stack.push(pointer.to_owned());
        let ty = self.convert(target, Name::Exact(name));
        self.stack.pop();
        self.refs.insert(pointer.to_owned(), ty.clone());
        self.module.shared.insert(key, ty.clone());
        ty
    }

    fn object(&mut self, map: &Map<String, Value>, name: Name, force_struct: bool) -> Ty {
        let empty = Map::new();
        let properties = map.get("properties").and_then(Value::as_object).filter(|p| force_struct || !p.is_empty());
        let additional = map.get("additionalProperties");
        let properties = match properties {
            Some(p) => p,
            None if force_struct => &empty,
            None => {
                // A map.
                return match additional {
                    Some(schema @ Value::Object(_)) => {
                        let value = self.convert(schema, Name::Hint(format!("{}Value", hint_of(&name))));
                        let inner = value.tokens;
                        Ty::plain(quote!(::std::collections::BTreeMap<::std::string::String, #inner>))
                    }
                    _ => Ty::plain(
                        quote!(::toolsmith::serde_json::Map<::std::string::String, ::toolsmith::serde_json::Value>),
                    ),
                };
            }
        };
        let type_name = self.claim(name);
        let ident = format_ident!("{type_name}");
        let slot = self.items.len();
        self.items.push(TokenStream::new());

        let required: Vec<&str> =
            map.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect();
        let mut fields = Scope::default();
        let mut field_tokens = Vec::new();
        // The fields again, without docs and schema attributes: what a struct whose
        // keys are checked first deserializes (see `constraints::checked_deserialize`).
        let mut raw_fields = Vec::new();
        let mut all_default = true;
        let mut any_required_nullable = false;
        for (property, schema) in properties {
            let field = fields.claim(snake(property, "field"));
            let field_ident = Ident::new(&field, Span::call_site());
            let ty = self.convert(schema, Name::Hint(format!("{type_name}{}", pascal(property, "Field"))));
            let is_required = required.contains(&property.as_str()) && self.mode == Mode::Input;
            let required_nullable = is_required && ty.optional;
            // An optional field whose schema does not admit `null`: absent is `None`,
            // but an explicit `null` is not a value (serde and the derived schema would
            // take it as `None`).
            let non_null = (self.mode == Mode::Input && !is_required && !ty.optional)
                .then(|| ty.tokens.to_string().replace(' ', "").replace(',', ", "));
            let ty = if is_required { ty } else { ty.option() };
            all_default &= ty.default;
            let rename = (field != *property).then(|| quote!(rename = #property,));
            let serde = if non_null.is_some() {
                quote!(#[serde(#rename default, skip_serializing_if = #FIELD_ATTR_OPTIONAL, deserialize_with = "::toolsmith::__private::present")])
            } else if ty.optional && !is_required {
                quote!(#[serde(#rename default, skip_serializing_if = #FIELD_ATTR_OPTIONAL)])
            } else if required_nullable {
                // A plain `Option` field accepts a missing key; this one must be present.
                any_required_nullable = true;
                quote!(#[serde(#rename deserialize_with = "::toolsmith::__private::required_nullable")])
            } else if let Some(rename) = rename {
                quote!(#[serde(#rename)])
            } else {
                quote!()
            };
            let constraints =
                if self.mode == Mode::Input { constraint_attrs(&self.constraint_source(schema)) } else { quote!() };
            let schema_with = non_null.map(|inner| quote!(#[schemars(with = #inner)]));
            let docs = doc_attrs(description(schema).unwrap_or(""), &format!("The `{property}` field."));
            let tokens = ty.tokens;
            raw_fields.push(quote! { #serde #field_ident: #tokens, });
            field_tokens.push(quote! { #docs #serde #schema_with #constraints pub #field_ident: #tokens, });
        }
        match additional {
            Some(schema @ Value::Object(_)) => {
                let field = format_ident!("{}", fields.claim("additional_properties".into()));
                let value = self.convert(schema, Name::Hint(format!("{type_name}Value")));
                let inner = value.tokens;
                raw_fields.push(quote! {
                    #[serde(flatten)]
                    #field: ::std::collections::BTreeMap<::std::string::String, #inner>,
                });
                field_tokens.push(quote! {
                    /// Properties not listed above.
                    #[serde(flatten)]
                    pub #field: ::std::collections::BTreeMap<::std::string::String, #inner>,
                });
            }
            Some(Value::Bool(true)) if self.mode == Mode::Input => {
                let field = format_ident!("{}", fields.claim("additional_properties".into()));
                raw_fields.push(quote! {
                    #[serde(flatten)]
                    #field: ::toolsmith::serde_json::Map<::std::string::String, ::toolsmith::serde_json::Value>,
                });
                field_tokens.push(quote! {
                    /// Properties not listed above.
                    #[serde(flatten)]
                    pub #field: ::toolsmith::serde_json::Map<::std::string::String, ::toolsmith::serde_json::Value>,
                });
            }
            _ => {}
        }
        let deny = (self.mode == Mode::Input && matches!(additional, Some(Value::Bool(false))))
            .then(|| quote!(#[serde(deny_unknown_fields)]));
        // Constraints on which keys are present (`anyOf: [{required: [a]}, {required:
        // [b]}]`, `not: {required: [c]}`) stay in the derived schema, and deserializing
        // checks them.
        let presence = if self.mode == Mode::Input { constraints::presence_of(map) } else { Vec::new() };
        let combinators: Vec<TokenStream> = presence
            .iter()
            .map(|(k, v)| {
                let v = json_tokens(v);
                quote!(#[schemars(extend(#k = #v))])
            })
            .collect();
        let checked = constraints::keys_tokens(&presence)
            .map(|keys| constraints::checked_deserialize(&ident, deny.as_ref(), &raw_fields, &keys));
        let default = all_default.then(|| quote!(::std::default::Default,));
        let derives = self.derives(default, checked.is_none());
        // schemars counts an `Option` field as optional; say which are required.
        let required_attr = any_required_nullable.then(|| {
            let names = required.iter().filter(|r| properties.contains_key(**r));
            quote!(#[schemars(extend("required" = [#(#names),*]))])
        });
        let docs = doc_attrs(description_of(map).unwrap_or(""), &format!("The `{type_name}` object."));
        self.items[slot] = quote! {
            #docs
            #derives
            #deny
            #required_attr
            #(#combinators)*
            pub struct #ident { #(#field_tokens)* }
            #checked
        };
        Ty { tokens: quote!(#ident), default: all_default, optional: false }
    }

    fn enumeration(&mut self, values: &[Value], name: Name, map: &Map<String, Value>) -> Ty {
        let nullable = values.iter().any(Value::is_null);
        let strings: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
        let non_null: Vec<&Value> = values.iter().filter(|v| !v.is_null()).collect();
        if strings.is_empty() || strings.len() != non_null.len() {
            // Numbers or booleans: the plain type; the allowed values stay in the
            // schema (`enum`, carried to the derived schema by `constraint_attrs`).
            let ty = if !non_null.is_empty() && non_null.iter().all(|v| v.is_i64() || v.is_u64()) {
                Ty::plain(integer(map.get("format").and_then(Value::as_str)))
            } else if !non_null.is_empty() && non_null.iter().all(|v| v.is_number()) {
                Ty::plain(quote!(f64))
            } else if !non_null.is_empty() && non_null.iter().all(|v| v.is_boolean()) {
                Ty::plain(quote!(bool))
            } else {
                Ty::value()
            };
            return if nullable { ty.option() } else { ty };
        }
        if self.mode == Mode::Output {
            let ty = Ty::plain(quote!(::std::string::String));
            return if nullable { ty.option() } else { ty };
        }
        let type_name = self.claim(name);
        let ident = format_ident!("{type_name}");
        let default_value = map.get("default").and_then(Value::as_str).filter(|d| strings.contains(d));
        let mut variants = Scope::default();
        let variant_tokens: Vec<TokenStream> = strings
            .iter()
            .enumerate()
            .map(|(i, value)| {
                let variant = format_ident!("{}", variants.claim(pascal(value, "Empty")));
                let is_default = default_value.map_or(i == 0, |d| d == *value);
                let default = is_default.then(|| quote!(#[default]));
                let doc = format!("`{value}`");
                quote! { #[doc = #doc] #default #[serde(rename = #value)] #variant, }
            })
            .collect();
        let derives = self.derives(Some(quote!(::std::default::Default,)), true);
        let docs = doc_attrs(description_of(map).unwrap_or(""), &format!("Values of `{type_name}`."));
        self.items.push(quote! {
            #docs
            #derives
            pub enum #ident { #(#variant_tokens)* }
        });
        let ty = Ty::plain(quote!(#ident));
        if nullable {
            ty.option()
        } else {
            ty
        }
    }
}

/// `oneOf` / `anyOf` unions → Rust enums: internally tagged when the branches
/// share a discriminating property, untagged otherwise.
impl TypeSpace<'_> {
    /// `oneOf` / `anyOf`: internally tagged when the branches share a discriminating
    /// property, untagged otherwise. `exclusive` (`oneOf`): exactly one branch may
    /// match.
    fn union(&mut self, branches: &[&Value], name: Name, map: &Map<String, Value>, exclusive: bool) -> Ty {
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
    fn untagged(&mut self, branches: &[&Value], name: Name, map: &Map<String, Value>, exclusive: bool) -> Ty {
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
