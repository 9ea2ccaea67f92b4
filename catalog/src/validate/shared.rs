//! A toolkit's shared definitions, as the schema checks see them: what resolves,
//! what each tool schema reaches, and the provider rules of each definition,
//! worked out once per toolkit however many tools use it.

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

use super::providers::provider_rules;
use crate::{reach, referenced_names, Definitions, Diagnostic, ToolkitSource};

/// The shared definitions of the toolkit being checked.
pub(crate) struct Shared<'a> {
    definitions: &'a Definitions,
    source: &'a ToolkitSource,
    /// Definition → the definitions it refers to directly.
    refs: HashMap<&'a str, Vec<String>>,
    /// Definition → what strict provider modes cannot take in it (checked on first use).
    fallbacks: HashMap<String, BTreeSet<String>>,
}

impl<'a> Shared<'a> {
    pub(crate) fn new(definitions: &'a Definitions, source: &'a ToolkitSource) -> Self {
        let refs = definitions.iter().map(|(name, schema)| (name.as_str(), direct_refs(schema))).collect();
        Shared { definitions, source, refs, fallbacks: HashMap::new() }
    }

    /// Whether a JSON pointer (`/$defs/Name/…`) resolves to a shared definition.
    pub(crate) fn resolves(&self, pointer: &str) -> bool {
        self.definitions.pointer(pointer).is_some()
    }

    /// The definition names, for suggestions.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.definitions.iter().map(|(name, _)| name.as_str())
    }

    /// The shared definitions `schema` reaches (names in its own `$defs` stay its own).
    pub(crate) fn reached(&self, schema: &Value) -> Vec<String> {
        reach(schema, |name| self.refs.get(name).cloned())
    }

    /// What strict provider modes cannot take in definition `name`; its provider
    /// errors are pushed the first time.
    pub(crate) fn fallbacks(&mut self, name: &str, out: &mut Vec<Diagnostic>) -> &BTreeSet<String> {
        if !self.fallbacks.contains_key(name) {
            let found = match self.definitions.get(name) {
                Some(schema) => {
                    let at = self.source.definition(name);
                    let (found, _) = provider_rules(schema, &at, out);
                    found.into_iter().map(|f| format!("{f} in `{name}`")).collect()
                }
                None => BTreeSet::new(),
            };
            self.fallbacks.insert(name.to_owned(), found);
        }
        &self.fallbacks[name]
    }
}

/// The definition names `schema` refers to directly, sorted and without repeats.
fn direct_refs(schema: &Value) -> Vec<String> {
    let mut out = referenced_names(schema);
    out.sort();
    out.dedup();
    out
}
