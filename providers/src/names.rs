//! Provider name rules, and the reversible map from rendered tool and property names
//! back to canonical ones.

use std::collections::HashSet;

use indexmap::IndexMap;
use serde_json::{Map, Value};

/// A provider's rule for a name: which characters may start it, which may follow,
/// and its maximum length.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NameRule {
    first: fn(char) -> bool,
    rest: fn(char) -> bool,
    max: usize,
}

fn word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn word_dash(c: char) -> bool {
    word(c) || c == '-'
}

fn letter_underscore(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn gemini_tool_char(c: char) -> bool {
    word_dash(c) || c == '.' || c == ':'
}

fn anthropic_property_char(c: char) -> bool {
    word_dash(c) || c == '.'
}

/// OpenAI and Anthropic tool names: `^[a-zA-Z0-9_-]{1,64}$`.
pub(crate) const OPENAI_TOOL: NameRule = NameRule { first: word_dash, rest: word_dash, max: 64 };
/// Gemini function names: `^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$`.
pub(crate) const GEMINI_TOOL: NameRule = NameRule { first: letter_underscore, rest: gemini_tool_char, max: 64 };
/// Gemini parameter names: `^[A-Za-z_][A-Za-z0-9_]{0,63}$`.
pub(crate) const GEMINI_PROPERTY: NameRule = NameRule { first: letter_underscore, rest: word, max: 64 };
/// Anthropic property keys: `^[a-zA-Z0-9_.-]{1,64}$`.
pub(crate) const ANTHROPIC_PROPERTY: NameRule =
    NameRule { first: anthropic_property_char, rest: anthropic_property_char, max: 64 };

impl NameRule {
    /// Whether `name` follows the rule.
    pub(crate) fn accepts(&self, name: &str) -> bool {
        let mut chars = name.chars();
        chars.next().is_some_and(self.first) && chars.all(self.rest) && name.len() <= self.max
    }

    /// `name` itself when it follows the rule and is not `taken`; else a sanitized
    /// name (bad characters → `_`), truncated with a hash suffix when too long or
    /// taken. The result is added to `taken`.
    pub(crate) fn map(&self, name: &str, taken: &mut HashSet<String>) -> String {
        if self.accepts(name) && !taken.contains(name) {
            taken.insert(name.to_owned());
            return name.to_owned();
        }
        let mut clean: String = name.chars().map(|c| if (self.rest)(c) { c } else { '_' }).collect();
        if !clean.chars().next().is_some_and(self.first) {
            clean.insert(0, '_');
        }
        let mut salt = 0u32;
        let mut candidate = clean.clone();
        while candidate.len() > self.max || taken.contains(&candidate) {
            let suffix = format!("_{:08x}", fnv1a(name, salt));
            candidate = format!("{}{suffix}", &clean[..clean.len().min(self.max - suffix.len())]);
            salt += 1;
        }
        taken.insert(candidate.clone());
        candidate
    }
}

/// FNV-1a, 32 bits: a short stable hash for suffixes.
fn fnv1a(text: &str, salt: u32) -> u32 {
    let mut hash: u32 = 0x811c_9dc5 ^ salt;
    for byte in text.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

/// Rendered names back to canonical ones: every tool's rendered name, and the
/// property names that a provider's rule made rename.
///
/// ```
/// use toolsmith_providers::{render, Provider, RenderOptions, ToolDescription};
/// let tool = ToolDescription {
///     name: "demo.ping".into(),
///     description: "Pings.".into(),
///     input_schema: serde_json::json!({"type": "object", "properties": {"X-Request-Id": {"type": "string"}}}),
/// };
/// let rendered = render(Provider::Gemini, &[tool], &RenderOptions::default());
/// assert_eq!(rendered.names.rendered("demo.ping"), Some("demo.ping")); // dots are fine for Gemini
/// let args = rendered.names.restore_arguments("demo.ping", serde_json::json!({"X_Request_Id": "1"}));
/// assert_eq!(args, serde_json::json!({"X-Request-Id": "1"}));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NameMap {
    tools: IndexMap<String, String>,
    properties: IndexMap<String, IndexMap<String, String>>,
}

impl NameMap {
    /// The canonical name of the tool rendered as `rendered`.
    pub fn canonical(&self, rendered: &str) -> Option<&str> {
        self.tools.get(rendered).map(String::as_str)
    }

    /// The rendered name of the tool `canonical`.
    pub fn rendered(&self, canonical: &str) -> Option<&str> {
        self.tools.iter().find(|(_, c)| c.as_str() == canonical).map(|(r, _)| r.as_str())
    }

    /// The property names of `tool` (canonical) that were renamed: rendered → original.
    pub fn properties(&self, tool: &str) -> Option<&IndexMap<String, String>> {
        self.properties.get(tool)
    }

    /// `arguments` of a call to `tool` (canonical) with every renamed property key, at
    /// any depth, put back to its original name. A renamed key is unique within its
    /// tool, so an object key equal to one is taken as that property.
    pub fn restore_arguments(&self, tool: &str, arguments: Value) -> Value {
        match self.properties.get(tool) {
            Some(renamed) if !renamed.is_empty() => restore(arguments, renamed),
            _ => arguments,
        }
    }

    pub(crate) fn insert_tool(&mut self, rendered: String, canonical: String) {
        self.tools.insert(rendered, canonical);
    }

    pub(crate) fn insert_properties(&mut self, tool: &str, renamed: IndexMap<String, String>) {
        if !renamed.is_empty() {
            self.properties.insert(tool.to_owned(), renamed);
        }
    }
}

fn restore(value: Value, renamed: &IndexMap<String, String>) -> Value {
    match value {
        Value::Object(object) => Value::Object(
            object
                .into_iter()
                .map(|(k, v)| (renamed.get(&k).cloned().unwrap_or(k), restore(v, renamed)))
                .collect::<Map<String, Value>>(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(|v| restore(v, renamed)).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_follow_the_rule_are_kept() {
        let mut taken = HashSet::new();
        assert_eq!(OPENAI_TOOL.map("GITHUB_CREATE_ISSUE", &mut taken), "GITHUB_CREATE_ISSUE");
        assert_eq!(GEMINI_TOOL.map("a.b:c", &mut taken), "a.b:c");
    }

    #[test]
    fn bad_characters_and_leading_digits_are_sanitized() {
        let mut taken = HashSet::new();
        assert_eq!(OPENAI_TOOL.map("github.create issue", &mut taken), "github_create_issue");
        assert_eq!(GEMINI_PROPERTY.map("2fa-code", &mut taken), "_2fa_code");
        assert!(GEMINI_PROPERTY.accepts("_2fa_code"));
    }

    #[test]
    fn long_and_colliding_names_get_a_hash_suffix() {
        let mut taken = HashSet::new();
        let long = "A".repeat(80);
        let mapped = OPENAI_TOOL.map(&long, &mut taken);
        assert_eq!(mapped.len(), 64);
        assert!(OPENAI_TOOL.accepts(&mapped));
        let first = OPENAI_TOOL.map("a.b", &mut taken);
        let second = OPENAI_TOOL.map("a:b", &mut taken);
        assert_eq!(first, "a_b");
        assert_ne!(first, second);
        assert!(second.starts_with("a_b_"));
    }

    #[test]
    fn arguments_are_restored_at_any_depth() {
        let mut map = NameMap::default();
        map.insert_properties("T", IndexMap::from([("x_y".to_owned(), "x-y".to_owned())]));
        let args = serde_json::json!({"x_y": 1, "list": [{"x_y": 2}]});
        assert_eq!(map.restore_arguments("T", args), serde_json::json!({"x-y": 1, "list": [{"x-y": 2}]}));
    }
}
