//! The diagnostics of a spec value whose shape is wrong: an unknown key, a missing
//! key, a value that is not one of the allowed ones, a value of the wrong type. The
//! shape check (`shape.rs`) and the reading of serde's errors (`load.rs`) both word
//! their findings here, so that one mistake reads the same whichever finds it.

use serde_json::Value;

use crate::diagnostic::{comma_split, did_you_mean, COMMA_SPLIT_HELP};
use crate::{Code, Diagnostic, NodeRef};

/// Where to look up the expected shape, for a value of the wrong type.
pub(crate) const SHAPE_HELP: &str =
    "see catalog/schema/toolkit.schema.json (or your editor's completion) for the expected shape";

/// The name of a JSON value's type, for messages.
pub(crate) fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing (null)",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// The key at `key` (its last pointer segment, `key`) is not one of `expected`.
pub(crate) fn unknown_key(key_node: &NodeRef, key: &str, expected: &[&str]) -> Diagnostic {
    let help = match did_you_mean(key, expected) {
        Some(best) => format!("did you mean `{best}`? Keys allowed here: {}", expected.join(", ")),
        None if expected.is_empty() => "remove it: this mapping takes no keys".to_owned(),
        None => format!("remove it, or use one of: {}", expected.join(", ")),
    };
    let d = key_node.diag_key(Code::UnknownKey, format!("unknown key `{key}`"));
    let help = if comma_split(&d) { COMMA_SPLIT_HELP.to_owned() } else { help };
    d.help(help).label("not a known key")
}

/// The mapping at `at` lacks the required `key`.
pub(crate) fn missing_key(at: &NodeRef, key: &str) -> Diagnostic {
    at.diag(Code::MissingKey, format!("missing key `{key}`"))
        .label(format!("`{key}` is required here"))
        .help(format!("add `{key}:` to this mapping"))
}

/// The value at `at`, written `value`, is not one of `expected`.
pub(crate) fn not_allowed(at: &NodeRef, value: &str, expected: &[&str]) -> Diagnostic {
    let help = match did_you_mean(value, expected) {
        Some(best) => format!("did you mean `{best}`? Allowed values: {}", expected.join(", ")),
        None => format!("use one of: {}", expected.join(", ")),
    };
    at.diag(Code::InvalidValue, format!("`{value}` is not an allowed value")).help(help)
}

/// The value at `at` has the wrong type or is out of range; `problem` says how.
pub(crate) fn wrong_value(at: &NodeRef, problem: impl Into<String>) -> Diagnostic {
    at.diag(Code::InvalidValue, problem).help(SHAPE_HELP)
}
