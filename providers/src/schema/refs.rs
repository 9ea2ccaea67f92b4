//! `$ref`s: inlining local ones, and replacing those that cannot be resolved.

use serde_json::{Map, Value};

use super::keywords::note;
use super::walk::{children_mut, walk_mut};

/// What to do with a `$ref` that points at one of its own ancestors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Recursion {
    /// Fail: the schema has no finite inline form.
    Refuse,
    /// Put an open object with a note in its place.
    Cut,
}

/// `schema` with every local `$ref` (`#`, `#/$defs/…`, any `#/…` pointer) replaced by
/// its target (siblings of the `$ref` win over the target's keywords), `$defs` and
/// `definitions` dropped, and unresolvable refs replaced by [`unresolvable`]. A
/// recursive ref fails with its JSON pointer, or is cut, as `recursion` says.
pub(crate) fn inline_all(schema: &Value, recursion: Recursion) -> Result<Value, String> {
    let mut out = schema.clone();
    inline(&mut out, schema, "", &mut vec!["#".to_owned()], recursion)?;
    if let Value::Object(map) = &mut out {
        map.remove("$defs");
        map.remove("definitions");
    }
    Ok(out)
}

fn inline(
    node: &mut Value,
    root: &Value,
    path: &str,
    stack: &mut Vec<String>,
    recursion: Recursion,
) -> Result<(), String> {
    let Value::Object(map) = node else { return Ok(()) };
    if let Some(Value::String(reference)) = map.get("$ref").cloned() {
        map.remove("$ref");
        if stack.contains(&reference) {
            if recursion == Recursion::Refuse {
                return Err(format!("recursive $ref `{reference}` at {}", or_root(path)));
            }
            note(map, &format!("recursive: the same shape as `{reference}`"));
            map.entry("type").or_insert_with(|| "object".into());
            return Ok(());
        }
        match resolve(root, &reference) {
            Some(Value::Object(target)) => {
                let mut target = target.clone();
                stack.push(reference);
                let mut target_value = Value::Object(std::mem::take(&mut target));
                let result = inline(&mut target_value, root, path, stack, recursion);
                stack.pop();
                result?;
                if let Value::Object(resolved) = target_value {
                    for (k, v) in resolved {
                        map.entry(k).or_insert(v);
                    }
                }
            }
            Some(_) => {}
            None => *map = unresolvable(map, &reference),
        }
    }
    for (suffix, child) in children_mut(map) {
        inline(child, root, &format!("{path}{suffix}"), stack, recursion)?;
    }
    Ok(())
}

/// Replaces every `$ref` that is external or does not resolve in `schema` by an
/// unconstrained schema saying what it was; local refs that resolve are kept.
pub(crate) fn replace_unresolvable(schema: &mut Value) {
    let root = schema.clone();
    walk_mut(schema, "", &mut |map, _| {
        if let Some(Value::String(reference)) = map.get("$ref").cloned() {
            if resolve(&root, &reference).is_none() {
                *map = unresolvable(map, &reference);
            }
        }
    });
}

/// The target of a local ref, `None` for an external or dangling one.
pub(crate) fn resolve<'a>(root: &'a Value, reference: &str) -> Option<&'a Value> {
    let pointer = reference.strip_prefix('#')?;
    if pointer.is_empty() {
        return Some(root);
    }
    root.pointer(pointer)
}

/// What replaces a ref that cannot be resolved: its siblings, and a note.
fn unresolvable(map: &Map<String, Value>, reference: &str) -> Map<String, Value> {
    let mut out: Map<String, Value> =
        map.iter().filter(|(k, _)| *k != "$ref").map(|(k, v)| (k.clone(), v.clone())).collect();
    note(&mut out, &format!("shape given by `{reference}`, which is not part of this schema"));
    out
}

fn or_root(path: &str) -> &str {
    if path.is_empty() {
        "the root"
    } else {
        path
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn local_refs_are_inlined_with_their_siblings() {
        let schema = json!({"type": "object", "properties": {"s": {"$ref": "#/$defs/S", "description": "New"}},
            "$defs": {"S": {"type": "string", "enum": ["a"], "description": "Old"}}});
        let out = inline_all(&schema, Recursion::Refuse).unwrap();
        assert_eq!(
            out,
            json!({"type": "object", "properties": {"s": {"description": "New", "type": "string", "enum": ["a"]}}})
        );
    }

    #[test]
    fn recursion_is_refused_or_cut() {
        let schema = json!({"type": "object", "properties": {"child": {"$ref": "#"}}});
        assert_eq!(inline_all(&schema, Recursion::Refuse).unwrap_err(), "recursive $ref `#` at /properties/child");
        let cut = inline_all(&schema, Recursion::Cut).unwrap();
        assert_eq!(cut["properties"]["child"]["type"], "object");
        assert!(cut["properties"]["child"]["description"].as_str().unwrap().contains("recursive"));
    }

    #[test]
    fn external_refs_become_notes() {
        let mut schema = json!({"type": "object", "properties": {"x": {"$ref": "https://example.com/x.json"}, "y": {"$ref": "#/$defs/Y"}}, "$defs": {"Y": {"type": "string"}}});
        replace_unresolvable(&mut schema);
        assert!(schema["properties"]["x"].get("$ref").is_none());
        assert!(schema["properties"]["x"]["description"].as_str().unwrap().contains("https://example.com/x.json"));
        assert_eq!(schema["properties"]["y"]["$ref"], "#/$defs/Y");
    }
}
