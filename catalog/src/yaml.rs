//! YAML text to a JSON value, noting the keys a mapping repeats.
//!
//! serde_json builds a mapping by inserting each entry, so a repeated key silently
//! replaces the earlier value. This reader builds the same value (the later entry
//! still wins, in the earlier one's place) and returns the JSON pointer of every
//! repeated key, so that the loader can report it; [`crate::SourceFile`] then says where
//! each occurrence stands.

use std::fmt;

use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use toolsmith_spec::pointer;

/// A parsed YAML document: its value and the pointers of keys written more than once
/// in their mapping (each pointer once, in the order met).
#[derive(Debug)]
pub(crate) struct Document {
    /// The document as JSON.
    pub(crate) value: Value,
    /// Pointers of repeated keys (`/tools/0/name`).
    pub(crate) repeated_keys: Vec<String>,
}

/// Parses one YAML document.
pub(crate) fn parse(text: &str) -> Result<Document, serde_yaml::Error> {
    let mut repeated_keys = Vec::new();
    let value = Node { at: String::new(), repeated: &mut repeated_keys }
        .deserialize(serde_yaml::Deserializer::from_str(text))?;
    Ok(Document { value, repeated_keys })
}

/// One value being read, at `at`.
struct Node<'a> {
    at: String,
    repeated: &'a mut Vec<String>,
}

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// Scalars become what serde_json makes of them (a non-finite float is `null`, a
/// 128-bit integer must fit 64 bits).
fn scalar<T: serde::Serialize, E: serde::de::Error>(value: T) -> Result<Value, E> {
    serde_json::to_value(value).map_err(E::custom)
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_i128<E: serde::de::Error>(self, v: i128) -> Result<Value, E> {
        scalar(v)
    }

    fn visit_u128<E: serde::de::Error>(self, v: u128) -> Result<Value, E> {
        scalar(v)
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Value, E> {
        scalar(v)
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        self.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) =
            seq.next_element_seed(Node { at: pointer::child(&self.at, items.len()), repeated: self.repeated })?
        {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let at = pointer::child(&self.at, &key);
            let value = map.next_value_seed(Node { at: at.clone(), repeated: self.repeated })?;
            if entries.insert(key, value).is_some() && !self.repeated.contains(&at) {
                self.repeated.push(at);
            }
        }
        Ok(Value::Object(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_value_is_what_serde_json_makes_of_the_yaml() {
        let text = "a: 1\nb: [x, 2.5, null, true, -3]\nc: { d: .nan, e: 18446744073709551615 }\na: 2\n";
        let document = parse(text).unwrap();
        assert_eq!(document.value, serde_yaml::from_str::<Value>(text).unwrap());
        assert_eq!(document.repeated_keys, ["/a"]);
    }

    #[test]
    fn repeated_keys_are_found_at_any_depth_once_each() {
        let text = "tools:\n  - slug: X\n    name: a\n    name: b\n    name: c\n  - { slug: Y, slug: Z }\n";
        let document = parse(text).unwrap();
        assert_eq!(document.repeated_keys, ["/tools/0/name", "/tools/1/slug"]);
        assert_eq!(document.value.pointer("/tools/0/name"), Some(&Value::from("c")), "the last one wins");
    }

    #[test]
    fn errors_are_serde_yamls() {
        let text = "a: [\n";
        assert_eq!(parse(text).unwrap_err().to_string(), serde_yaml::from_str::<Value>(text).unwrap_err().to_string());
        assert!(parse("a: 1\n---\nb: 2\n").is_err());
        assert!(parse("a: !custom 1\n").is_err());
    }
}
