//! Property keys that break a provider's rule, renamed reversibly.

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;
use serde_json::{Map, Value};

use super::walk::walk_mut;
use crate::names::NameRule;

/// Renames, at every depth, the property keys that `rule` refuses (and the
/// `required` entries naming them); returns rendered → original. One original name
/// gets one rendered name throughout the schema, and a rendered name never equals
/// another property's name.
pub(crate) fn rename_properties(schema: &mut Value, rule: &NameRule) -> IndexMap<String, String> {
    let mut taken = HashSet::new();
    walk_mut(schema, "", &mut |m, _| {
        for name in m.get("properties").and_then(Value::as_object).into_iter().flat_map(|p| p.keys()) {
            if rule.accepts(name) {
                taken.insert(name.clone());
            }
        }
    });
    let mut chosen: HashMap<String, String> = HashMap::new();
    let mut renamed = IndexMap::new();
    walk_mut(schema, "", &mut |m, _| {
        let Some(Value::Object(props)) = m.get_mut("properties") else { return };
        if props.keys().all(|k| rule.accepts(k)) {
            return;
        }
        let mut local = HashMap::new();
        let old = std::mem::take(props);
        let mut out = Map::new();
        for (name, schema) in old {
            let new = if rule.accepts(&name) {
                name.clone()
            } else {
                let new = chosen.entry(name.clone()).or_insert_with(|| rule.map(&name, &mut taken)).clone();
                renamed.insert(new.clone(), name.clone());
                local.insert(name.clone(), new.clone());
                new
            };
            out.insert(new, schema);
        }
        *props = out;
        if let Some(Value::Array(required)) = m.get_mut("required") {
            for entry in required.iter_mut() {
                if let Some(new) = entry.as_str().and_then(|r| local.get(r)) {
                    *entry = Value::String(new.clone());
                }
            }
        }
    });
    renamed
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::names::GEMINI_PROPERTY;

    #[test]
    fn bad_keys_are_renamed_with_their_required_entries() {
        let mut schema = json!({"type": "object", "properties": {
            "X-Request-Id": {"type": "string"}, "X_Request_Id": {"type": "string"},
            "nested": {"type": "object", "properties": {"$top": {"type": "integer"}}, "required": ["$top"]}
        }, "required": ["X-Request-Id"]});
        let renamed = rename_properties(&mut schema, &GEMINI_PROPERTY);
        let new = renamed.iter().find(|(_, o)| *o == "X-Request-Id").map(|(n, _)| n.clone()).unwrap();
        assert_ne!(new, "X_Request_Id", "never the name of another property");
        assert_eq!(schema["required"], json!([new]));
        assert_eq!(schema["properties"]["nested"]["required"], json!(["_top"]));
        assert_eq!(renamed["_top"], "$top");
    }
}
