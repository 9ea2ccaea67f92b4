//! The type space: the state of one conversion (the module's names and shared
//! types, the `$ref`s converted and under way) and the primitive steps every
//! conversion uses: naming items, their derives, following and merging references.

use std::collections::HashMap;

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::{Map, Value};
use toolsmith_catalog::Definitions;

use super::keywords::collect_refs;
use crate::names::{pascal, Scope};

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
    pub(super) fn plain(tokens: TokenStream) -> Ty {
        Ty { tokens, default: true, optional: false }
    }

    pub(super) fn value() -> Ty {
        Ty::plain(quote!(::toolsmith::serde_json::Value))
    }

    pub(super) fn option(self) -> Ty {
        if self.optional {
            return self;
        }
        let inner = self.tokens;
        Ty { tokens: quote!(::std::option::Option<#inner>), default: true, optional: true }
    }

    pub(super) fn boxed(self) -> Ty {
        let inner = self.tokens;
        Ty { tokens: quote!(::std::boxed::Box<#inner>), default: self.default, optional: false }
    }
}

/// How to name the item a schema becomes.
#[derive(Clone)]
pub(super) enum Name {
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
    pub(super) shared: HashMap<String, Ty>,
}

impl Module {
    /// A module where `reserved` names are taken.
    pub(crate) fn with_reserved(reserved: &[&str]) -> Self {
        Module { scope: Scope::with_reserved(reserved), shared: HashMap::new() }
    }
}

/// Converts the schemas of one document (an input or output schema with its `$defs`).
pub(crate) struct TypeSpace<'a> {
    pub(super) mode: Mode,
    pub(super) document: &'a Value,
    /// The toolkit's shared definitions, which `#/$defs/Name` may also name.
    pub(super) definitions: &'a Definitions,
    pub(super) module: &'a mut Module,
    /// Emitted items, parents before children.
    pub items: Vec<TokenStream>,
    /// `$ref` target → its type.
    pub(super) refs: HashMap<String, Ty>,
    /// `$ref` targets being converted: a reference back to one of them is a cycle.
    pub(super) stack: Vec<String>,
    /// How deep `convert` is nested: `allOf` merging inlines referenced schemas, so a
    /// cycle through `allOf` is not on `stack`; past [`MAX_DEPTH`] a schema is `Value`.
    pub(super) depth: usize,
}

/// Deepest schema nesting converted to precise types.
pub(super) const MAX_DEPTH: usize = 64;

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

    /// The schema a JSON pointer names: in the document, else in the toolkit's
    /// shared definitions (whose names a document's `$defs` may not reuse).
    pub(super) fn lookup(&self, pointer: &str) -> Option<&'a Value> {
        self.document.pointer(pointer).or_else(|| self.definitions.pointer(pointer))
    }

    /// What identifies a definition across the tools of a module: the mode, the
    /// definition, and every definition it reaches through `$ref`s.
    pub(super) fn shared_key(&self, pointer: &str) -> String {
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

    pub(super) fn claim(&mut self, name: Name) -> String {
        match name {
            Name::Exact(exact) => exact,
            Name::Hint(hint) => self.module.scope.claim(pascal(&hint, "Type")),
        }
    }

    /// The derive list of an item; `deserialize: false` leaves `Deserialize` to a
    /// hand-written impl.
    pub(super) fn derives(&self, default: Option<TokenStream>, deserialize: bool) -> TokenStream {
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

    /// Follows `$ref`s (within the document) to the schema they name.
    pub(super) fn resolve<'s>(&'s self, schema: &'s Value) -> Option<&'s Value> {
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
    pub(super) fn merge_all(&self, parts: &[Value]) -> Option<Value> {
        self.merge_parts(parts, 0)
    }

    /// [`Self::merge_all`] at `depth` nested `allOf`s: a part that is (through
    /// references) its own `allOf` would nest forever; past 16 levels there is no
    /// precise type.
    pub(super) fn merge_parts(&self, parts: &[Value], depth: usize) -> Option<Value> {
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

pub(super) fn hint_of(name: &Name) -> &str {
    match name {
        Name::Hint(h) | Name::Exact(h) => h,
    }
}
