//! Typed identifiers of the spec language: slugs and versions.
//!
//! They deserialize from any string so that a malformed value is reported by the
//! validator with its location (`E005 toolkit-slug`, `E006 tool-slug`, …) rather than
//! as an opaque parse failure. the catalog's validator (`toolsmith validate`) checks their format.

use std::borrow::Cow;
use std::fmt;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize};

macro_rules! string_newtype {
    ($(#[$doc:meta])* $name:ident, pattern = $pattern:literal, description = $desc:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The regular expression a well-formed value matches.
            pub const PATTERN: &'static str = $pattern;

            /// Wraps a string without checking it; the catalog's validator (`toolsmith validate`) reports malformed values.
            pub fn new(value: impl Into<String>) -> Self {
                Self(value.into())
            }

            /// The value as written in the spec.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self(value.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                Self(value)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl JsonSchema for $name {
            fn schema_name() -> Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!({ "type": "string", "pattern": $pattern, "description": $desc })
            }
        }
    };
}

string_newtype!(
    /// A toolkit slug such as `github` or `googlecalendar`: lower case letters, digits and
    /// underscores, starting with a letter, at most 40 characters.
    ///
    /// ```
    /// use toolsmith_spec::ToolkitSlug;
    /// let slug = ToolkitSlug::new("github");
    /// assert_eq!(slug.tool_prefix(), "GITHUB_");
    /// ```
    ToolkitSlug,
    pattern = "^[a-z][a-z0-9_]{0,39}$",
    description = "Toolkit slug: lower case letters, digits and underscores (e.g. `github`)."
);

impl ToolkitSlug {
    /// The prefix every tool and trigger slug of this toolkit starts with (`GITHUB_`).
    pub fn tool_prefix(&self) -> String {
        format!("{}_", self.0.to_ascii_uppercase())
    }
}

string_newtype!(
    /// A tool slug such as `GITHUB_CREATE_ISSUE`: upper snake case, prefixed by the
    /// toolkit slug, at most 64 characters so that it is a valid tool name for OpenAI,
    /// Anthropic, Gemini and MCP alike.
    ///
    /// ```
    /// use toolsmith_spec::ToolSlug;
    /// assert_eq!(ToolSlug::new("GITHUB_CREATE_ISSUE").as_str(), "GITHUB_CREATE_ISSUE");
    /// ```
    ToolSlug,
    pattern = "^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$",
    description = "Tool slug: upper snake case, prefixed by the toolkit slug, at most 64 characters (e.g. `GITHUB_CREATE_ISSUE`)."
);

string_newtype!(
    /// A trigger slug such as `GITHUB_ISSUE_OPENED`; same rules as [`ToolSlug`].
    TriggerSlug,
    pattern = "^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$",
    description = "Trigger slug: upper snake case, prefixed by the toolkit slug (e.g. `GITHUB_ISSUE_OPENED`)."
);

string_newtype!(
    /// A toolkit version, `YYYYMMDD_NN`: the date of the revision and a two-digit
    /// counter for several revisions on one day.
    ///
    /// ```
    /// use toolsmith_spec::Version;
    /// let v = Version::new("20261101_00");
    /// assert!(v.is_well_formed());
    /// assert!(!Version::new("2026-11-01").is_well_formed());
    /// ```
    Version,
    pattern = "^[0-9]{8}_[0-9]{2}$",
    description = "Toolkit version `YYYYMMDD_NN`: revision date and a counter (e.g. `20261101_00`)."
);

impl Version {
    /// Whether the version is `YYYYMMDD_NN` with a real calendar date.
    pub fn is_well_formed(&self) -> bool {
        let b = self.0.as_bytes();
        if b.len() != 11 || b[8] != b'_' || !b.iter().enumerate().all(|(i, c)| i == 8 || c.is_ascii_digit()) {
            return false;
        }
        let num = |r: std::ops::Range<usize>| self.0[r].parse::<u32>().unwrap_or(0);
        let (year, month, day) = (num(0..4), num(4..6), num(6..8));
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return false,
        };
        (1970..=9999).contains(&year) && (1..=days).contains(&day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert!(Version::new("20240229_01").is_well_formed());
        assert!(!Version::new("20230229_01").is_well_formed());
        assert!(!Version::new("20261301_00").is_well_formed());
        assert!(!Version::new("20261101-00").is_well_formed());
        assert!(!Version::new("2026110_100").is_well_formed());
    }
}
