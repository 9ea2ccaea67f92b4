//! Schemas shared by the tools of a toolkit.
//!
//! A toolkit's `definitions:` hold named JSON Schemas that any tool schema refers to
//! as `#/$defs/Name`, exactly as if they were in the tool's own `$defs`. Imported
//! toolkits keep each OpenAPI component once here instead of copying it into every
//! tool that uses it. A tool's published schema is self-contained:
//! [`Definitions::complete`] adds the definitions it reaches to its `$defs`.

use std::collections::HashSet;

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::pointer;

/// Named schemas shared by a toolkit's tools, referenced as `#/$defs/Name`.
///
/// ```
/// use serde_json::json;
/// use toolsmith_spec::Definitions;
///
/// let mut definitions = Definitions::default();
/// definitions.insert("User".into(), json!({"type": "object", "properties": {"team": {"$ref": "#/$defs/Team"}}}));
/// definitions.insert("Team".into(), json!({"type": "string"}));
/// definitions.insert("Unused".into(), json!({"type": "integer"}));
///
/// let schema = definitions.complete(&json!({"type": "object", "properties": {"owner": {"$ref": "#/$defs/User"}}}));
/// assert_eq!(schema["$defs"].as_object().unwrap().len(), 2);
/// assert_eq!(schema["$defs"]["Team"], json!({"type": "string"}));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct Definitions(#[schemars(with = "IndexMap<String, Map<String, Value>>")] pub IndexMap<String, Value>);

impl Definitions {
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// The definition named `name`.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }

    /// Adds or replaces a definition.
    pub fn insert(&mut self, name: String, schema: Value) -> Option<Value> {
        self.0.insert(name, schema)
    }

    /// Names and schemas, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.0.iter()
    }

    /// Resolves a JSON pointer into `$defs` (`/$defs/User/properties/team`) against
    /// these definitions.
    pub fn pointer(&self, pointer: &str) -> Option<&Value> {
        let (name, rest) = split_defs_pointer(pointer)?;
        let schema = self.0.get(&name)?;
        if rest.is_empty() {
            Some(schema)
        } else {
            schema.pointer(rest)
        }
    }

    /// The names of the definitions `schema` reaches: those it refers to, the ones
    /// they refer to, and so on, in first-reached order. Names the schema defines in
    /// its own `$defs` are followed there instead.
    pub fn reached(&self, schema: &Value) -> Vec<String> {
        reach(schema, |name| self.0.get(name).map(referenced_names))
    }

    /// `schema` made self-contained: the definitions it reaches are added to its
    /// `$defs` (a schema that is not an object is returned as it is).
    pub fn complete(&self, schema: &Value) -> Value {
        let mut out = schema.clone();
        let reached = self.reached(schema);
        if reached.is_empty() {
            return out;
        }
        if let Value::Object(map) = &mut out {
            let defs = map.entry("$defs").or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(defs) = defs {
                for name in reached {
                    defs.insert(name.clone(), self.0[&name].clone());
                }
            }
        }
        out
    }
}

impl Definitions {
    /// Keeps only the definitions that `roots` reach.
    pub fn retain_reached<'a>(&mut self, roots: impl IntoIterator<Item = &'a Value>) {
        let mut keep: HashSet<String> = HashSet::new();
        for root in roots {
            keep.extend(self.reached(root));
        }
        self.0.retain(|name, _| keep.contains(name));
    }

    /// Replaces a definition by one that accepts any value, keeping its description.
    pub fn relax(&mut self, name: &str) {
        if let Some(schema) = self.0.get_mut(name) {
            let description = schema.get("description").cloned();
            let mut relaxed = Map::new();
            if let Some(d) = description {
                relaxed.insert("description".into(), d);
            }
            *schema = Value::Object(relaxed);
        }
    }
}

impl FromIterator<(String, Value)> for Definitions {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Self {
        Definitions(iter.into_iter().collect())
    }
}

/// The definition names reached from `schema`, depth first in document order:
/// `refs_of(name)` gives the names a definition refers to, `None` when there is no
/// such definition. Names in the schema's own `$defs` are its own, not followed.
pub fn reach<R, I>(schema: &Value, mut refs_of: impl FnMut(&str) -> Option<R>) -> Vec<String>
where
    R: IntoIterator<Item = String, IntoIter = I>,
    I: DoubleEndedIterator<Item = String>,
{
    let own: HashSet<&str> = schema
        .get("$defs")
        .and_then(Value::as_object)
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let mut reached: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut pending = referenced_names(schema);
    pending.reverse();
    while let Some(name) = pending.pop() {
        if own.contains(name.as_str()) || seen.contains(&name) {
            continue;
        }
        let Some(next) = refs_of(&name) else { continue };
        pending.extend(next.into_iter().rev());
        seen.insert(name.clone());
        reached.push(name);
    }
    reached
}

/// `/$defs/Name/rest` → (`Name`, `/rest`), with `~1` and `~0` decoded in the name.
pub fn split_defs_pointer(pointer: &str) -> Option<(String, &str)> {
    let rest = pointer.strip_prefix("/$defs/")?;
    let (name, rest) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    Some((pointer::unescape(name).into_owned(), rest))
}

/// The definition names of the `#/$defs/…` references under `schema`, in document
/// order (with repeats).
///
/// ```
/// let schema = serde_json::json!({"items": {"$ref": "#/$defs/Pet"}, "properties": {"a": {"$ref": "#/$defs/Tag/items"}}});
/// assert_eq!(toolsmith_spec::referenced_names(&schema), ["Pet", "Tag"]);
/// ```
pub fn referenced_names(schema: &Value) -> Vec<String> {
    let mut out = Vec::new();
    defs_refs(schema, &mut out);
    out
}

fn defs_refs(schema: &Value, out: &mut Vec<String>) {
    match schema {
        Value::Object(map) => {
            for (key, value) in map {
                if key == "$ref" {
                    if let Some((name, _)) =
                        value.as_str().and_then(|r| r.strip_prefix('#')).and_then(split_defs_pointer)
                    {
                        out.push(name);
                    }
                } else {
                    defs_refs(value, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| defs_refs(v, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cycles_and_own_defs() {
        let definitions: Definitions = [
            ("Node".to_owned(), json!({"type": "object", "properties": {"next": {"$ref": "#/$defs/Node"}}})),
            ("Local".to_owned(), json!({"type": "integer"})),
        ]
        .into_iter()
        .collect();
        let schema = json!({"properties": {"a": {"$ref": "#/$defs/Node"}, "b": {"$ref": "#/$defs/Local"}},
                            "$defs": {"Local": {"type": "string"}}});
        assert_eq!(definitions.reached(&schema), vec!["Node"]);
        let complete = definitions.complete(&schema);
        assert_eq!(complete["$defs"]["Local"], json!({"type": "string"}));
        assert_eq!(complete["$defs"]["Node"]["properties"]["next"]["$ref"], "#/$defs/Node");
    }

    #[test]
    fn pointers_into_definitions() {
        let definitions: Definitions =
            [("a/b".to_owned(), json!({"properties": {"x": {"type": "string"}}}))].into_iter().collect();
        assert_eq!(definitions.pointer("/$defs/a~1b/properties/x"), Some(&json!({"type": "string"})));
        assert_eq!(definitions.pointer("/$defs/c"), None);
        assert_eq!(definitions.pointer("/properties"), None);
    }
}
