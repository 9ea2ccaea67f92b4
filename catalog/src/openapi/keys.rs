//! API keys: the parameters security schemes supply, and keys required together.
//!
//! An `apiKey` security scheme names a header, query or cookie parameter that the
//! runtime fills from the connected account. Many documents (Trello's `key` and
//! `token`) declare that parameter on every operation too; as a tool input the model
//! would have to supply the secret, and the request would carry it twice. So a
//! parameter a scheme supplies never becomes an input ([`Supplied`]).
//!
//! A requirement naming several `apiKey` schemes (`security: [{key: [], token: []}]`)
//! needs them all on every request: [`combine`] makes them one `api_key` scheme that
//! sends each key (its `also` list), with a connection field per key.

use serde_json::{Map, Value};

use super::document::resolve_internal;
use super::names::identifier;
use crate::{ApiKey, ExtraKey};

/// The `(in, name)` of every `apiKey` parameter an operation's security supplies.
#[derive(Debug, Default)]
pub(crate) struct Supplied(Vec<(String, String)>);

impl Supplied {
    /// For `operation` of `doc` (OpenAPI 3.x): the schemes of its effective security
    /// (its own `security`, else the document's), or every scheme of the document when
    /// neither says. Header names are matched without case.
    pub(crate) fn of(doc: &Value, operation: &Map<String, Value>) -> Supplied {
        let Some(schemes) = doc.pointer("/components/securitySchemes").and_then(Value::as_object) else {
            return Supplied::default();
        };
        let names: Vec<&str> = match operation.get("security").or_else(|| doc.get("security")) {
            Some(requirements) => requirements
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_object)
                .flat_map(Map::keys)
                .map(String::as_str)
                .collect(),
            None => schemes.keys().map(String::as_str).collect(),
        };
        let mut out = Vec::new();
        for name in names {
            let Some(definition) = schemes.get(name).and_then(|d| resolve_internal(doc, d)) else { continue };
            let field = |key: &str| definition.get(key).and_then(Value::as_str).map(str::trim);
            if !field("type").is_some_and(|t| t.eq_ignore_ascii_case("apiKey")) {
                continue;
            }
            let (Some(location), Some(key)) = (field("in"), field("name")) else { continue };
            let entry = normalized(location, key);
            if !out.contains(&entry) {
                out.push(entry);
            }
        }
        Supplied(out)
    }

    /// Whether the `location` (`query`, `header`, `cookie`) parameter `name` is supplied.
    pub(crate) fn contains(&self, location: &str, name: &str) -> bool {
        let (location, name) = normalized(location, name.trim());
        self.0.iter().any(|(l, n)| *l == location && *n == name)
    }
}

/// A location in lower case, and a header name in lower case (headers ignore case).
fn normalized(location: &str, name: &str) -> (String, String) {
    let location = location.to_ascii_lowercase();
    let name = if location == "header" { name.to_ascii_lowercase() } else { name.to_owned() };
    (location, name)
}

/// One scheme sending every key of `members` (single-key schemes, in the order of the
/// requirement): the first as it is (field `api_key`), each other one under `also`, its
/// field named after its parameter (`token`), kept distinct from the others.
pub(crate) fn combine(members: &[&ApiKey]) -> Option<ApiKey> {
    let (first, rest) = members.split_first()?;
    let mut combined = (*first).clone();
    for member in rest {
        let mut field = member.fields.first()?.clone();
        let base = identifier(&member.name, "key").to_ascii_lowercase();
        let mut name = base.clone();
        let mut n = 2;
        while combined.fields.iter().any(|f| f.name == name) {
            name = format!("{base}_{n}");
            n += 1;
        }
        field.name = name;
        combined.also.push(ExtraKey {
            location: member.location,
            name: member.name.clone(),
            value: format!("{{{}}}", field.name),
        });
        combined.fields.push(field);
    }
    Some(combined)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ConnectionField, KeyLocation};
    use serde_json::json;

    fn key(location: KeyLocation, name: &str) -> ApiKey {
        ApiKey {
            location,
            name: name.to_owned(),
            value: "{api_key}".to_owned(),
            also: Vec::new(),
            fields: vec![ConnectionField {
                name: "api_key".to_owned(),
                title: format!("The {name}"),
                description: None,
                secret: true,
                pattern: None,
                required: true,
                default: None,
            }],
            verify: None,
        }
    }

    #[test]
    fn combined_keys_get_a_field_each() {
        let (a, b, c) =
            (key(KeyLocation::Query, "key"), key(KeyLocation::Query, "token"), key(KeyLocation::Header, "Api-Key"));
        let combined = combine(&[&a, &b, &c]).unwrap();
        assert_eq!(
            (combined.location, combined.name.as_str(), combined.value.as_str()),
            (KeyLocation::Query, "key", "{api_key}")
        );
        let fields: Vec<&str> = combined.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(fields, ["api_key", "token", "api_key_2"]);
        assert_eq!(combined.fields[1].title, "The token");
        assert_eq!(
            combined.also,
            [
                ExtraKey { location: KeyLocation::Query, name: "token".into(), value: "{token}".into() },
                ExtraKey { location: KeyLocation::Header, name: "Api-Key".into(), value: "{api_key_2}".into() },
            ]
        );
        assert!(combine(&[]).is_none());
    }

    #[test]
    fn supplied_parameters_follow_the_effective_security() {
        let doc = json!({
            "security": [{ "key": [], "token": [] }],
            "components": { "securitySchemes": {
                "key": { "type": "apiKey", "in": "query", "name": "key" },
                "token": { "$ref": "#/x-token" },
                "header": { "type": "apiKey", "in": "header", "name": "X-Api-Key" },
                "basic": { "type": "http", "scheme": "basic" }
            } },
            "x-token": { "type": "apiKey", "in": "query", "name": "token" }
        });
        let global = Supplied::of(&doc, &Map::new());
        assert!(global.contains("query", "key") && global.contains("query", "token"));
        assert!(!global.contains("header", "key") && !global.contains("query", "Token"));
        let own = json!({ "security": [{ "header": [] }, { "basic": [] }] });
        let own = Supplied::of(&doc, own.as_object().unwrap());
        assert!(own.contains("header", "x-api-key") && !own.contains("query", "key"));
        let none = json!({ "security": [] });
        assert!(!Supplied::of(&doc, none.as_object().unwrap()).contains("query", "key"));
        let mut undeclared = doc.clone();
        undeclared.as_object_mut().unwrap().remove("security");
        let every = Supplied::of(&undeclared, &Map::new());
        assert!(every.contains("query", "token") && every.contains("HEADER", "X-API-KEY"));
        assert!(!Supplied::of(&json!({ "components": 1 }), &Map::new()).contains("query", "key"));
    }
}
