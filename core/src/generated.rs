//! What generated types check when they deserialize, beyond what serde derives.
//!
//! - Which keys an object has: a Rust struct says which fields exist and which are
//!   required one by one; a schema can also say "`state` or `assignees`" or "not
//!   both `a` and `b`". The generator turns such constraints into a [`Keys`] and
//!   the struct's `Deserialize` checks it on the object's keys before reading the
//!   fields.
//! - `null` in an optional field whose schema does not admit it ([`present`]).
//! - `oneOf` whose branches may overlap: exactly one branch must match, where a
//!   serde untagged enum takes the first that does ([`deserialize_one_of`]).

use std::fmt;

use serde::de::Error as _;
use serde::Deserialize as _;
use serde_json::{Map, Value};

/// A condition on which keys of a JSON object are present (a key whose value is
/// `null` is present).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keys {
    /// Every one of these keys is present (`required`).
    Required(&'static [&'static str]),
    /// The condition does not hold (`not`).
    Not(&'static Keys),
    /// Every condition holds (`allOf`, or the keywords of one schema together).
    AllOf(&'static [Keys]),
    /// At least one condition holds (`anyOf`).
    AnyOf(&'static [Keys]),
    /// Exactly one condition holds (`oneOf`).
    OneOf(&'static [Keys]),
}

impl Keys {
    /// Whether `object`'s keys satisfy the condition.
    pub fn holds(&self, object: &Map<String, Value>) -> bool {
        match self {
            Keys::Required(names) => names.iter().all(|n| object.contains_key(*n)),
            Keys::Not(inner) => !inner.holds(object),
            Keys::AllOf(all) => all.iter().all(|k| k.holds(object)),
            Keys::AnyOf(any) => any.iter().any(|k| k.holds(object)),
            Keys::OneOf(one) => one.iter().filter(|k| k.holds(object)).count() == 1,
        }
    }
}

impl fmt::Display for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |f: &mut fmt::Formatter<'_>, label: &str, items: &[Keys]| {
            write!(f, "{label} (")?;
            for (i, k) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str("; ")?;
                }
                write!(f, "{k}")?;
            }
            f.write_str(")")
        };
        match self {
            Keys::Required([]) => f.write_str("any fields"),
            Keys::Required(names) => {
                let names: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
                f.write_str(&names.join(" and "))
            }
            Keys::Not(inner) => write!(f, "not ({inner})"),
            Keys::AllOf(all) => list(f, "all of", all),
            Keys::AnyOf(any) => list(f, "at least one of", any),
            Keys::OneOf(one) => list(f, "exactly one of", one),
        }
    }
}

/// Deserializes an object whose keys must satisfy `keys`; `fields` then reads
/// the fields (the struct's own derived field-by-field deserialization).
pub fn deserialize_with_keys<'de, D, T>(
    deserializer: D,
    keys: &Keys,
    fields: impl FnOnce(Value) -> Result<T, serde_json::Error>,
) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let value = Value::deserialize(deserializer)?;
    if let Value::Object(object) = &value {
        if !keys.holds(object) {
            return Err(D::Error::custom(format_args!("expected an object with {keys}")));
        }
    }
    fields(value).map_err(D::Error::custom)
}

/// Deserializes an optional field that must not be `null` when present: serde
/// reads `null` as a missing `Option`, the schema does not.
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// One branch of a `oneOf`: reads the value as the branch's type, in the union.
pub type Branch<T> = fn(&Value) -> Result<T, serde_json::Error>;

/// Deserializes a `oneOf` union: the value must read as exactly one of `branches`.
pub fn deserialize_one_of<'de, D, T>(deserializer: D, branches: &[Branch<T>]) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
{
    let value = Value::deserialize(deserializer)?;
    let mut matched = branches.iter().filter_map(|read| read(&value).ok());
    match (matched.next(), matched.count()) {
        (Some(one), 0) => Ok(one),
        (Some(_), more) => Err(D::Error::custom(format_args!(
            "the value matches {} branches of a `oneOf`, where exactly one must match",
            more + 1
        ))),
        (None, _) => Err(D::Error::custom("the value matches no branch of the `oneOf`")),
    }
}

/// A schemars transform: the `anyOf` of an untagged enum's derived schema becomes
/// `oneOf`, as the enum's `Deserialize` is [`deserialize_one_of`].
pub fn one_of(schema: &mut schemars::Schema) {
    if let Some(branches) = schema.remove("anyOf") {
        schema.insert("oneOf".into(), branches);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const STATE_OR_ASSIGNEES: Keys = Keys::AnyOf(&[Keys::Required(&["state"]), Keys::Required(&["assignees"])]);
    const NOT_BOTH: Keys = Keys::Not(&Keys::Required(&["a", "b"]));
    const EXACTLY_ONE: Keys = Keys::OneOf(&[Keys::Required(&["a"]), Keys::Required(&["b"])]);

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn conditions_are_checked_on_present_keys() {
        assert!(STATE_OR_ASSIGNEES.holds(&object(json!({"state": "open"}))));
        assert!(STATE_OR_ASSIGNEES.holds(&object(json!({"assignees": null}))));
        assert!(!STATE_OR_ASSIGNEES.holds(&object(json!({"other": 1}))));
        assert!(NOT_BOTH.holds(&object(json!({"a": 1}))));
        assert!(!NOT_BOTH.holds(&object(json!({"a": 1, "b": 2}))));
        assert!(EXACTLY_ONE.holds(&object(json!({"b": 1}))));
        assert!(!EXACTLY_ONE.holds(&object(json!({"a": 1, "b": 2}))));
        assert!(Keys::AllOf(&[]).holds(&object(json!({}))));
    }

    #[test]
    fn errors_say_what_was_expected() {
        let error = deserialize_with_keys(json!({"x": 1}), &STATE_OR_ASSIGNEES, |_| Ok(())).unwrap_err();
        assert_eq!(error.to_string(), "expected an object with at least one of (`state`; `assignees`)");
        assert_eq!(NOT_BOTH.to_string(), "not (`a` and `b`)");
        let read = deserialize_with_keys(json!({"state": 1}), &STATE_OR_ASSIGNEES, |v| Ok(v["state"].clone()));
        assert_eq!(read.unwrap(), json!(1));
    }

    #[test]
    fn one_of_takes_exactly_one_branch() {
        let branches: [Branch<f64>; 2] = [|v| i64::deserialize(v).map(|i| i as f64), |v| f64::deserialize(v)];
        assert_eq!(deserialize_one_of(json!(1.5), &branches).unwrap(), 1.5);
        let both = deserialize_one_of(json!(2), &branches).unwrap_err();
        assert_eq!(both.to_string(), "the value matches 2 branches of a `oneOf`, where exactly one must match");
        assert!(deserialize_one_of(json!("x"), &branches).is_err());
        let mut schema = schemars::json_schema!({"anyOf": [{"type": "integer"}, {"type": "number"}]});
        one_of(&mut schema);
        assert_eq!(schema.as_value(), &json!({"oneOf": [{"type": "integer"}, {"type": "number"}]}));
    }

    #[test]
    fn present_rejects_null() {
        assert_eq!(present::<_, u8>(json!(3)).unwrap(), Some(3));
        assert!(present::<_, u8>(json!(null)).is_err());
        assert_eq!(present::<_, Value>(json!(null)).unwrap(), Some(Value::Null));
    }
}
