//! Rust names for spec names: keyword-safe, valid, and unique within their scope.

use std::collections::HashSet;

use heck::{ToPascalCase, ToSnakeCase};

/// Words Rust reserves (strict and reserved, 2021 and 2024 editions), plus names
/// that are not valid as raw identifiers.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern", "false", "fn",
    "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return", "self",
    "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where", "while", "abstract",
    "become", "box", "do", "final", "macro", "override", "priv", "try", "typeof", "unsized", "virtual", "yield",
    "union", "_",
];

/// Symbols worth a word when they make up a name (`>=` → `GtEq`), so enum values
/// such as Jira's `[=, !=, >, <, >=, <=, ~, ~=]` get distinct variants.
const SYMBOLS: &[(char, &str)] = &[
    ('=', "Eq"),
    ('!', "Not"),
    ('<', "Lt"),
    ('>', "Gt"),
    ('~', "Tilde"),
    ('+', "Plus"),
    ('-', "Minus"),
    ('*', "Star"),
    ('/', "Slash"),
    ('.', "Dot"),
    ('@', "At"),
    ('#', "Hash"),
    ('$', "Dollar"),
    ('%', "Percent"),
    ('&', "And"),
    ('|', "Or"),
    ('^', "Caret"),
    ('?', "Question"),
    (':', "Colon"),
    (',', "Comma"),
];

/// Splits `name` into ASCII words, spelling out symbols when the name has no letter
/// or digit at all.
fn words(name: &str) -> String {
    if name.chars().any(|c| c.is_alphanumeric()) {
        name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' }).collect()
    } else {
        name.chars().map(|c| SYMBOLS.iter().find(|(s, _)| *s == c).map_or(" ", |(_, w)| w).to_owned() + " ").collect()
    }
}

/// `UpperCamelCase` type or variant name for `name` (`created_at` → `CreatedAt`,
/// `>=` → `GtEq`, `2fa` → `V2fa`); `fallback` when nothing usable remains.
pub(crate) fn pascal(name: &str, fallback: &str) -> String {
    let mut out = words(name).to_pascal_case();
    if out.is_empty() {
        out = fallback.to_owned();
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    if KEYWORDS.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

/// `snake_case` field or module name for `name`.
pub(crate) fn snake(name: &str, fallback: &str) -> String {
    let mut out = words(name).to_snake_case();
    if out.is_empty() {
        out = fallback.to_owned();
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'n');
        out.insert(1, '_');
    }
    if KEYWORDS.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

/// Names already taken in one scope (a module's types, a struct's fields, an enum's
/// variants). The first claim of a name gets it; later ones get `2`, `3`, … (with a
/// `_` before the digit for snake case).
#[derive(Debug, Default)]
pub(crate) struct Scope {
    taken: HashSet<String>,
}

impl Scope {
    /// A scope where `reserved` names are already taken.
    pub(crate) fn with_reserved(reserved: &[&str]) -> Self {
        Scope { taken: reserved.iter().map(|s| (*s).to_owned()).collect() }
    }

    /// Claims `name`, or the first free numbered variant of it.
    pub(crate) fn claim(&mut self, name: String) -> String {
        if self.taken.insert(name.clone()) {
            return name;
        }
        let sep = if name.contains('_') || name.chars().next().is_some_and(char::is_lowercase) { "_" } else { "" };
        (2..)
            .map(|i| format!("{name}{sep}{i}"))
            .find(|candidate| self.taken.insert(candidate.clone()))
            .expect("an unbounded range always yields a free name")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_valid_identifiers() {
        assert_eq!(pascal("created_at", "V"), "CreatedAt");
        assert_eq!(pascal("GITHUB_CREATE_ISSUE", "V"), "GithubCreateIssue");
        assert_eq!(pascal(">=", "V"), "GtEq");
        assert_eq!(pascal("!=", "V"), "NotEq");
        assert_eq!(pascal("2fa", "V"), "V2fa");
        assert_eq!(pascal("", "Empty"), "Empty");
        assert_eq!(pascal("Self", "V"), "Self_");
        assert_eq!(snake("type", "f"), "type_");
        assert_eq!(snake("fooBar", "f"), "foo_bar");
        assert_eq!(snake("page[size]", "f"), "page_size");
        assert_eq!(snake("$top", "f"), "top");
        assert_eq!(snake("3d", "f"), "n_3d");
        assert_eq!(snake("über", "f"), "ber");
        assert_eq!(snake("—", "field"), "field");
    }

    #[test]
    fn scopes_number_collisions() {
        let mut scope = Scope::with_reserved(&["TOOLKIT"]);
        assert_eq!(scope.claim("Asc".into()), "Asc");
        assert_eq!(scope.claim("Asc".into()), "Asc2");
        assert_eq!(scope.claim("foo_bar".into()), "foo_bar");
        assert_eq!(scope.claim("foo_bar".into()), "foo_bar_2");
        assert_eq!(scope.claim("TOOLKIT".into()), "TOOLKIT2");
    }
}
