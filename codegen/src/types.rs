//! JSON Schema → Rust types.
//!
//! One [`TypeSpace`] converts the schemas of one tool (its input, or its output)
//! into items of the toolkit's module: structs for objects, enums for string enums
//! and unions, aliases for named definitions of other types. Anything it cannot
//! express as a precise type becomes `serde_json::Value`, never an error.

use std::collections::HashMap;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};
use serde_json::{Map, Value};
use toolsmith_catalog::pointer as json_pointer;
use toolsmith_catalog::Definitions;

mod constraints;
mod resolve;
mod unions;

use crate::docs::doc_attrs;
use crate::names::{pascal, snake, Scope};

/// Whether types are for values we send (strict) or receive (lenient).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Tool input: required fields are required, enums are enums, unknown fields are
    /// rejected where the schema says so, and everything derives `JsonSchema`.
    Input,
    /// Tool output: every field is optional, string enums are plain strings, unknown
    /// fields are ignored — APIs return more than their schemas promise.
    Output,
}

/// A Rust type for a schema.
#[derive(Clone, Debug)]
pub(crate) struct Ty {
    pub tokens: TokenStream,
    /// Whether the type implements `Default`.
    pub default: bool,
    /// Whether the type is already an `Option`.
    pub optional: bool,
}

impl Ty {
    fn plain(tokens: TokenStream) -> Ty {
        Ty { tokens, default: true, optional: false }
    }

    fn value() -> Ty {
        Ty::plain(quote!(::toolsmith::serde_json::Value))
    }

    fn option(self) -> Ty {
        if self.optional {
            return self;
        }
        let inner = self.tokens;
        Ty { tokens: quote!(::std::option::Option<#inner>), default: true, optional: true }
    }

    fn boxed(self) -> Ty {
        let inner = self.tokens;
        Ty { tokens: quote!(::std::boxed::Box<#inner>), default: self.default, optional: false }
    }
}

/// How to name the item a schema becomes.
#[derive(Clone)]
enum Name {
    /// Claim this name (or a numbered variant) in the module scope.
    Hint(String),
    /// Use exactly this name, already claimed.
    Exact(String),
}

/// What the tools of one toolkit module share: the names taken, and the types
/// already generated for named definitions, so that a definition that several tools
/// use (the importer copies an OpenAPI component into each tool's `$defs`) becomes
/// one Rust type.
#[derive(Debug, Default)]
pub(crate) struct Module {
    /// Type names taken in the module.
    pub scope: Scope,
    /// Definition (with everything it references) → its type.
    shared: HashMap<String, Ty>,
}

impl Module {
    /// A module where `reserved` names are taken.
    pub(crate) fn with_reserved(reserved: &[&str]) -> Self {
        Module { scope: Scope::with_reserved(reserved), shared: HashMap::new() }
    }
}

/// Converts the schemas of one document (an input or output schema with its `$defs`).
pub(crate) struct TypeSpace<'a> {
    mode: Mode,
    document: &'a Value,
    /// The toolkit's shared definitions, which `#/$defs/Name` may also name.
    definitions: &'a Definitions,
    module: &'a mut Module,
    /// Emitted items, parents before children.
    pub items: Vec<TokenStream>,
    /// `$ref` target → its type.
    refs: HashMap<String, Ty>,
    /// `$ref` targets being converted: a reference back to one of them is a cycle.
    stack: Vec<String>,
    /// How deep `convert` is nested: `allOf` merging inlines referenced schemas, so a
    /// cycle through `allOf` is not on `stack`; past [`MAX_DEPTH`] a schema is `Value`.
    depth: usize,
}

/// Deepest schema nesting converted to precise types.
const MAX_DEPTH: usize = 64;

const FIELD_ATTR_OPTIONAL: &str = "::std::option::Option::is_none";

impl<'a> TypeSpace<'a> {
    pub(crate) fn new(mode: Mode, document: &'a Value, definitions: &'a Definitions, module: &'a mut Module) -> Self {
        TypeSpace {
            mode,
            document,
            definitions,
            module,
            items: Vec::new(),
            refs: HashMap::new(),
            stack: Vec::new(),
            depth: 0,
        }
    }

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

    /// The schema a JSON pointer names: in the document, else in the toolkit's
    /// shared definitions (whose names a document's `$defs` may not reuse).
    fn lookup(&self, pointer: &str) -> Option<&'a Value> {
        self.document.pointer(pointer).or_else(|| self.definitions.pointer(pointer))
    }

    /// What identifies a definition across the tools of a module: the mode, the
    /// definition, and every definition it reaches through `$ref`s.
    fn shared_key(&self, pointer: &str) -> String {
        let mut seen = vec![pointer.to_owned()];
        let mut i = 0;
        while i < seen.len() {
            if let Some(schema) = self.document.pointer(&seen[i]) {
                collect_refs(schema, &mut seen);
            }
            i += 1;
        }
        seen.sort();
        let mut key = format!("{:?}", self.mode);
        for p in &seen {
            key.push('\u{0}');
            key.push_str(p);
            key.push('\u{0}');
            key.push_str(&self.document.pointer(p).map(Value::to_string).unwrap_or_default());
        }
        key
    }

    fn claim(&mut self, name: Name) -> String {
        match name {
            Name::Exact(exact) => exact,
            Name::Hint(hint) => self.module.scope.claim(pascal(&hint, "Type")),
        }
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

    /// The derive list of an item; `deserialize: false` leaves `Deserialize` to a
    /// hand-written impl.
    fn derives(&self, default: Option<TokenStream>, deserialize: bool) -> TokenStream {
        let deserialize = deserialize.then(|| quote!(::toolsmith::serde::Deserialize,));
        let schema = (self.mode == Mode::Input).then(|| quote!(::toolsmith::schemars::JsonSchema,));
        let schema_crate = (self.mode == Mode::Input).then(|| quote!(#[schemars(crate = "::toolsmith::schemars")]));
        quote! {
            #[derive(
                ::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq, #default
                ::toolsmith::serde::Serialize, #deserialize #schema
            )]
            #[serde(crate = "::toolsmith::serde")]
            #schema_crate
        }
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

    /// Follows `$ref`s (within the document) to the schema they name.
    fn resolve<'s>(&'s self, schema: &'s Value) -> Option<&'s Value> {
        let mut current = schema;
        for _ in 0..32 {
            match current.get("$ref").and_then(Value::as_str) {
                Some(r) => current = self.lookup(r.strip_prefix('#')?)?,
                None => return Some(current),
            }
        }
        None
    }

    /// Merges `allOf` parts that are all objects into one object schema.
    fn merge_all(&self, parts: &[Value]) -> Option<Value> {
        self.merge_parts(parts, 0)
    }

    /// [`Self::merge_all`] at `depth` nested `allOf`s: a part that is (through
    /// references) its own `allOf` would nest forever; past 16 levels there is no
    /// precise type.
    fn merge_parts(&self, parts: &[Value], depth: usize) -> Option<Value> {
        if depth > 16 {
            return None;
        }
        if let [single] = parts {
            return Some(single.clone());
        }
        let mut properties = Map::new();
        let mut required: Vec<Value> = Vec::new();
        let mut description = None;
        for part in parts {
            let part = self.resolve(part)?.as_object()?;
            if let Some(nested) = part.get("allOf").and_then(Value::as_array) {
                let merged = self.merge_parts(nested, depth + 1)?;
                properties.extend(merged.get("properties").and_then(Value::as_object).cloned().unwrap_or_default());
                required.extend(merged.get("required").and_then(Value::as_array).cloned().unwrap_or_default());
                continue;
            }
            if part.get("type").is_some_and(|t| t != "object") {
                return None;
            }
            properties.extend(part.get("properties").and_then(Value::as_object).cloned().unwrap_or_default());
            required.extend(part.get("required").and_then(Value::as_array).cloned().unwrap_or_default());
            description = description.or_else(|| part.get("description").cloned());
        }
        let mut merged = Map::new();
        merged.insert("type".into(), "object".into());
        merged.insert("properties".into(), Value::Object(properties));
        merged.insert("required".into(), Value::Array(required));
        if let Some(d) = description {
            merged.insert("description".into(), d);
        }
        Some(Value::Object(merged))
    }
}

fn is_ident(tokens: &TokenStream, name: &str) -> bool {
    tokens.to_string() == name
}

/// Whether the tokens are `Option<name>` (a nullable named item needs no alias).
fn is_option_of(tokens: &TokenStream, name: &str) -> bool {
    let ident = format_ident!("{name}");
    tokens.to_string() == quote!(::std::option::Option<#ident>).to_string()
}

/// The type name inside `Option<…>`, or the tokens themselves.
fn type_name_of(tokens: &TokenStream) -> String {
    let text = tokens.to_string().replace(' ', "");
    text.strip_prefix("::std::option::Option<").and_then(|t| t.strip_suffix('>')).unwrap_or(&text).to_owned()
}

/// Adds the internal `$ref` targets under `schema` to `seen` (once each).
fn collect_refs(schema: &Value, seen: &mut Vec<String>) {
    match schema {
        Value::Object(map) => {
            for (key, value) in map {
                if key == "$ref" {
                    if let Some(p) = value.as_str().and_then(|r| r.strip_prefix('#')) {
                        if !seen.iter().any(|s| s == p) {
                            seen.push(p.to_owned());
                        }
                    }
                } else {
                    collect_refs(value, seen);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, seen)),
        _ => {}
    }
}

fn hint_of(name: &Name) -> &str {
    match name {
        Name::Hint(h) | Name::Exact(h) => h,
    }
}

fn is_null_schema(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("null")
        || schema.get("const").is_some_and(Value::is_null)
        || schema.get("enum").and_then(Value::as_array).is_some_and(|e| e.len() == 1 && e[0].is_null())
}

fn description(schema: &Value) -> Option<&str> {
    schema.get("description").and_then(Value::as_str)
}

fn description_of(map: &Map<String, Value>) -> Option<&str> {
    map.get("description").and_then(Value::as_str)
}

/// Whether a union branch only constrains which keys are present (no type,
/// properties or reference): `{ "required": ["a"] }`, `{ "not": { "required": ["b"] } }`.
fn constraint_only(branch: &Value) -> bool {
    constraints::keys(branch).is_some()
}

/// Keywords that constrain values beyond what a Rust type says. They are copied to
/// the derived schema (schemars `extend`) so it accepts what the spec accepts.
const CONSTRAINTS: &[&str] = &[
    "pattern",
    "format",
    "minLength",
    "maxLength",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
];

/// `#[schemars(extend(...))]` with the value constraints of a field's schema: its
/// own keywords, a non-string `enum`, and constrained primitive array items.
fn constraint_attrs(schema: &Value) -> TokenStream {
    let Some(map) = schema.as_object() else { return quote!() };
    let mut pairs: Vec<TokenStream> = CONSTRAINTS
        .iter()
        .filter_map(|k| map.get(*k).map(|v| (*k, v)))
        .map(|(k, v)| {
            let v = json_tokens(v);
            quote!(#k = #v)
        })
        .collect();
    if let Some(Value::Array(values)) = map.get("enum") {
        if !values.iter().all(|v| v.is_string() || v.is_null()) {
            let mut allowed = values.clone();
            if map.get("type").and_then(Value::as_array).is_some_and(|t| t.iter().any(|t| t == "null"))
                && !allowed.contains(&Value::Null)
            {
                allowed.push(Value::Null);
            }
            let v = json_tokens(&Value::Array(allowed));
            pairs.push(quote!("enum" = #v));
        }
    }
    if let Some(items) = map.get("items").and_then(Value::as_object) {
        let primitive =
            matches!(items.get("type").and_then(Value::as_str), Some("string" | "integer" | "number" | "boolean"));
        let constrained = CONSTRAINTS.iter().any(|k| items.contains_key(*k))
            || items.get("enum").and_then(Value::as_array).is_some_and(|e| !e.iter().all(Value::is_string));
        if primitive && constrained && !items.contains_key("$ref") {
            let v = json_tokens(&Value::Object(items.clone()));
            pairs.push(quote!("items" = #v));
        }
    }
    if pairs.is_empty() {
        return quote!();
    }
    quote!(#[schemars(extend(#(#pairs),*))])
}

/// A JSON value as `json!`-style tokens (what schemars' `extend` takes). Integers
/// outside `i32` carry a suffix (an unsuffixed literal would be an `i32`); big values
/// are parsed from JSON text instead, which keeps `json!` within its recursion limit.
fn json_tokens(value: &Value) -> TokenStream {
    if nodes(value, 0) > MAX_INLINE_JSON_NODES {
        let text = crate::docs::raw_str(&value.to_string());
        return quote!(::toolsmith::__private::json(#text));
    }
    inline_json(value)
}

/// Values with more nodes than this are emitted as JSON text.
const MAX_INLINE_JSON_NODES: usize = 32;

/// The nodes of `value`, counting stops past the inline limit.
fn nodes(value: &Value, seen: usize) -> usize {
    if seen > MAX_INLINE_JSON_NODES {
        return seen;
    }
    match value {
        Value::Array(items) => items.iter().fold(seen + 1, |n, v| nodes(v, n)),
        Value::Object(map) => map.values().fold(seen + 1, |n, v| nodes(v, n)),
        _ => seen + 1,
    }
}

fn inline_json(value: &Value) -> TokenStream {
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

fn integer(format: Option<&str>) -> TokenStream {
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
