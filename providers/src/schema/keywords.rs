//! Keywords a provider does not take: `allOf` merged, `oneOf` read as `anyOf`, and the
//! rest dropped, their meaning moved into the description.

use serde_json::{Map, Value};

use super::walk::walk_mut;

/// Keywords that constrain a value: when a provider does not take one, it is moved
/// into the description so that the model still sees it.
const MEANINGFUL: [&str; 19] = [
    "minLength",
    "maxLength",
    "pattern",
    "format",
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
    "default",
    "const",
    "contentEncoding",
    "contentMediaType",
    "deprecated",
];

/// Appends `text` to the schema's description, in parentheses.
pub(crate) fn note(map: &mut Map<String, Value>, text: &str) {
    let description = match map.get("description").and_then(Value::as_str) {
        Some(d) if !d.trim().is_empty() => format!("{} ({text})", d.trim_end()),
        _ => format!("({text})"),
    };
    map.insert("description".into(), description.into());
}

/// Removes from one schema object every keyword outside `keep`; the ones that carry
/// meaning are noted in its description (`maxLength: 100`).
pub(crate) fn drop_unsupported(map: &mut Map<String, Value>, keep: &[&str]) {
    let dropped: Vec<String> = map.keys().filter(|k| !keep.contains(&k.as_str())).cloned().collect();
    let mut notes = Vec::new();
    for key in dropped {
        let Some(value) = map.remove(&key) else { continue };
        if MEANINGFUL.contains(&key.as_str()) {
            notes.push(describe(&key, &value));
        }
    }
    if !notes.is_empty() {
        note(map, &notes.join("; "));
    }
}

fn describe(key: &str, value: &Value) -> String {
    match (key, value) {
        ("deprecated", Value::Bool(true)) => "deprecated".to_owned(),
        ("uniqueItems", Value::Bool(true)) => "items must be unique".to_owned(),
        (_, Value::String(text)) if key != "default" && key != "const" => format!("{key}: {text}"),
        _ => format!("{key}: {value}"),
    }
}

/// Merges `allOf` into its schema and renames `oneOf` to `anyOf`, at every depth.
/// Fails, naming the JSON pointer, when an `allOf` branch is not a plain schema
/// object or branches disagree on `type`.
pub(crate) fn normalize(schema: &mut Value) -> Result<(), String> {
    let mut error = None;
    walk_mut(schema, "", &mut |map, path| {
        if error.is_some() {
            return;
        }
        if let Err(e) = merge_all_of(map, path) {
            error = Some(e);
        }
        if let Some(one_of) = map.remove("oneOf") {
            if map.contains_key("anyOf") {
                error = Some(format!("both oneOf and anyOf at {}", pointer(path)));
            }
            map.insert("anyOf".into(), one_of);
        }
    });
    error.map_or(Ok(()), Err)
}

fn merge_all_of(map: &mut Map<String, Value>, path: &str) -> Result<(), String> {
    let Some(branches) = map.remove("allOf") else { return Ok(()) };
    let Value::Array(branches) = branches else {
        return Err(format!("allOf is not a list at {}", pointer(path)));
    };
    for (i, branch) in branches.into_iter().enumerate() {
        let Value::Object(branch) = branch else {
            return Err(format!("allOf branch is not a schema object at {}/allOf/{i}", path));
        };
        if branch.contains_key("$ref") {
            return Err(format!("allOf branch with a $ref at {}/allOf/{i}", path));
        }
        for (key, value) in branch {
            match (key.as_str(), map.get_mut(&key)) {
                ("properties", Some(Value::Object(props))) => {
                    if let Value::Object(more) = value {
                        for (name, schema) in more {
                            props.entry(name).or_insert(schema);
                        }
                    }
                }
                ("required", Some(Value::Array(required))) => {
                    for name in value.as_array().into_iter().flatten() {
                        if !required.contains(name) {
                            required.push(name.clone());
                        }
                    }
                }
                ("type", Some(existing)) if *existing != value => {
                    return Err(format!("allOf branches disagree on type at {}/allOf/{i}", path));
                }
                (_, Some(_)) => {}
                (_, None) => {
                    map.insert(key, value);
                }
            }
        }
    }
    Ok(())
}

/// A JSON pointer for messages: `/` for the root.
pub(crate) fn pointer(path: &str) -> &str {
    if path.is_empty() {
        "/"
    } else {
        path
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn dropped_constraints_are_described() {
        let mut map =
            json!({"type": "string", "maxLength": 3, "default": "a", "title": "T"}).as_object().cloned().unwrap();
        drop_unsupported(&mut map, &["type", "description"]);
        assert_eq!(json!(map), json!({"type": "string", "description": "(maxLength: 3; default: \"a\")"}));
    }

    #[test]
    fn all_of_is_merged_and_one_of_renamed() {
        let mut schema = json!({"allOf": [{"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]},
            {"properties": {"b": {"oneOf": [{"type": "string"}, {"type": "integer"}]}}, "required": ["b"]}]});
        normalize(&mut schema).unwrap();
        assert_eq!(schema["required"], json!(["a", "b"]));
        assert_eq!(schema["properties"]["b"]["anyOf"][1]["type"], "integer");
        let mut bad = json!({"allOf": [{"type": "string"}, {"type": "integer"}]});
        assert_eq!(normalize(&mut bad).unwrap_err(), "allOf branches disagree on type at /allOf/1");
    }
}
