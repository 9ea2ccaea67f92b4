//! Typed identifiers of the spec language: slugs and versions, and the one set of
//! rules for slugs.
//!
//! They deserialize from any string so that a malformed value is reported by the
//! validator with its location (`E005 toolkit-slug`, `E006 tool-slug`, …) rather than
//! as an opaque parse failure. The catalog's validator (`toolsmith validate`) and the
//! `#[derive(Tool)]` / `#[toolsmith::tool]` macros check their format with
//! [`check_toolkit_slug`] and [`check_tool_slug`], and propose a fix with
//! [`suggest_toolkit_slug`] and [`suggest_tool_slug`].

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

/// The longest tool (or trigger) slug: the limit on tool names of OpenAI, Anthropic,
/// Gemini and MCP clients.
pub const MAX_TOOL_SLUG: usize = 64;

/// The longest toolkit slug (it prefixes every tool slug of the toolkit).
pub const MAX_TOOLKIT_SLUG: usize = 40;

/// Why a slug is not well-formed.
///
/// Its message completes a sentence that names the slug, as the validator and the
/// macros write it: ``tool slug `math_add` `` + the problem.
///
/// ```
/// use toolsmith_spec::{check_tool_slug, SlugProblem};
/// assert_eq!(check_tool_slug("MATH_ADD", Some("math")), Ok(()));
/// assert_eq!(check_tool_slug("ADD", None), Err(SlugProblem::OneWord));
/// let problem = check_tool_slug("CALC_ADD", Some("math")).unwrap_err();
/// assert_eq!(problem.to_string(), "does not start with the prefix `MATH_` of its toolkit `math`");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SlugProblem {
    /// A tool or trigger slug longer than [`MAX_TOOL_SLUG`] bytes.
    #[error("is {len} characters long; LLM providers accept at most {MAX_TOOL_SLUG}")]
    ToolTooLong {
        /// Its length.
        len: usize,
    },
    /// A toolkit slug longer than [`MAX_TOOLKIT_SLUG`] characters.
    #[error("is {len} characters long; a toolkit slug has at most {MAX_TOOLKIT_SLUG} (it prefixes every tool slug)")]
    ToolkitTooLong {
        /// Its length.
        len: usize,
    },
    /// A tool slug of one upper-case word: the toolkit's name or the action is missing.
    #[error("has one word: a tool slug is its toolkit's name, then the action (`MATH_ADD`)")]
    OneWord,
    /// A tool slug that is not `^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$`.
    #[error("is not upper snake case (`A-Z`, `0-9`, single `_` between words, starting with the toolkit's name)")]
    NotUpperSnake,
    /// A toolkit slug that is not `^[a-z][a-z0-9_]*$`.
    #[error(
        "is not lower snake case (`a-z`, `0-9`, `_`, starting with a letter, at most {MAX_TOOLKIT_SLUG} characters)"
    )]
    NotLowerSnake,
    /// A well-formed tool slug that does not start with its toolkit's prefix.
    #[error("does not start with the prefix `{}` of its toolkit `{toolkit}`", toolkit.to_ascii_uppercase() + "_")]
    MissingPrefix {
        /// The toolkit slug (`math`, whose prefix is `MATH_`).
        toolkit: String,
    },
}

/// Checks a toolkit slug: lower snake case (`a-z`, `0-9`, `_`), starting with a
/// letter, at most [`MAX_TOOLKIT_SLUG`] characters ([`ToolkitSlug::PATTERN`]).
///
/// ```
/// use toolsmith_spec::{check_toolkit_slug, SlugProblem};
/// assert_eq!(check_toolkit_slug("google_calendar"), Ok(()));
/// assert_eq!(check_toolkit_slug("Google"), Err(SlugProblem::NotLowerSnake));
/// ```
pub fn check_toolkit_slug(slug: &str) -> Result<(), SlugProblem> {
    let lower_snake = slug.starts_with(|c: char| c.is_ascii_lowercase())
        && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !lower_snake {
        Err(SlugProblem::NotLowerSnake)
    } else if slug.len() > MAX_TOOLKIT_SLUG {
        Err(SlugProblem::ToolkitTooLong { len: slug.len() })
    } else {
        Ok(())
    }
}

/// Checks a tool or trigger slug: upper snake case of at least two words
/// ([`ToolSlug::PATTERN`]), at most [`MAX_TOOL_SLUG`] bytes, and, when the toolkit is
/// known, starting with its prefix (`MATH_` for `math`) and not only that.
///
/// Problems are reported in that order, one at a time.
pub fn check_tool_slug(slug: &str, toolkit: Option<&str>) -> Result<(), SlugProblem> {
    if slug.len() > MAX_TOOL_SLUG {
        return Err(SlugProblem::ToolTooLong { len: slug.len() });
    }
    if !is_upper_snake(slug) {
        let one_word = !slug.contains('_') && is_upper_snake(&format!("{slug}_X"));
        return Err(if one_word { SlugProblem::OneWord } else { SlugProblem::NotUpperSnake });
    }
    if let Some(toolkit) = toolkit {
        let prefix = format!("{}_", toolkit.to_ascii_uppercase());
        if !slug.starts_with(&prefix) || slug.len() == prefix.len() {
            return Err(SlugProblem::MissingPrefix { toolkit: toolkit.to_owned() });
        }
    }
    Ok(())
}

/// A well-formed tool slug close to `slug`: its words in upper snake case
/// (`mathAdd`, `math-add` → `MATH_ADD`), after the toolkit's prefix when the toolkit
/// is known, cut to whole words of at most [`MAX_TOOL_SLUG`] bytes. `None` when
/// there is none, or it is `slug` itself.
///
/// ```
/// use toolsmith_spec::suggest_tool_slug;
/// assert_eq!(suggest_tool_slug("mathAdd", None).as_deref(), Some("MATH_ADD"));
/// assert_eq!(suggest_tool_slug("GetThing", Some("demo")).as_deref(), Some("DEMO_GET_THING"));
/// assert_eq!(suggest_tool_slug("ADD", None), None);
/// ```
pub fn suggest_tool_slug(slug: &str, toolkit: Option<&str>) -> Option<String> {
    let upper = |name: &str| words(name).into_iter().map(|w| w.to_ascii_uppercase()).collect::<Vec<_>>();
    let mut all = upper(slug);
    if let Some(toolkit) = toolkit {
        let prefix = upper(toolkit);
        if !prefix.is_empty() && !all.starts_with(&prefix) {
            all.splice(0..0, prefix);
        }
    }
    let suggestion = join_whole_words(&all, '_', MAX_TOOL_SLUG);
    (suggestion != slug && check_tool_slug(&suggestion, toolkit).is_ok()).then_some(suggestion)
}

/// A well-formed toolkit slug close to `slug` (`Demo-Kit` → `demo_kit`), or `None`.
///
/// ```
/// assert_eq!(toolsmith_spec::suggest_toolkit_slug("Demo-Kit").as_deref(), Some("demo_kit"));
/// ```
pub fn suggest_toolkit_slug(slug: &str) -> Option<String> {
    let lower: Vec<String> = words(slug)
        .into_iter()
        .map(|w| w.to_ascii_lowercase())
        .skip_while(|w| !w.starts_with(|c: char| c.is_ascii_alphabetic()))
        .collect();
    let suggestion = join_whole_words(&lower, '_', MAX_TOOLKIT_SLUG);
    (suggestion != slug && check_toolkit_slug(&suggestion).is_ok()).then_some(suggestion)
}

/// `^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$`, without a regex engine.
fn is_upper_snake(slug: &str) -> bool {
    slug.starts_with(|c: char| c.is_ascii_uppercase())
        && slug.contains('_')
        && slug.split('_').all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()))
}

/// The words of a name: split at anything but ASCII letters and digits, and at case
/// changes (`getHTTPResponse2` → `get`, `HTTP`, `Response2`).
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    for part in name.split(|c: char| !c.is_ascii_alphanumeric()).filter(|p| !p.is_empty()) {
        let chars: Vec<char> = part.chars().collect();
        let mut word = String::new();
        for (i, &c) in chars.iter().enumerate() {
            let prev = i.checked_sub(1).map(|p| chars[p]);
            let next = chars.get(i + 1);
            let boundary = c.is_ascii_uppercase()
                && prev.is_some_and(|p| {
                    p.is_ascii_lowercase()
                        || p.is_ascii_digit()
                        || (p.is_ascii_uppercase() && next.is_some_and(char::is_ascii_lowercase))
                });
            if boundary && !word.is_empty() {
                words.push(std::mem::take(&mut word));
            }
            word.push(c);
        }
        words.push(word);
    }
    words
}

/// `words` joined by `separator`, as many whole words as fit in `max` bytes.
fn join_whole_words(words: &[String], separator: char, max: usize) -> String {
    let mut out = String::new();
    for word in words {
        if !out.is_empty() && out.len() + 1 + word.len() > max || out.is_empty() && word.len() > max {
            break;
        }
        if !out.is_empty() {
            out.push(separator);
        }
        out.push_str(word);
    }
    out
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

    #[test]
    fn tool_slugs() {
        assert_eq!(check_tool_slug("MATH_ADD", None), Ok(()));
        assert_eq!(check_tool_slug("A1_B2_C3", None), Ok(()));
        for bad in ["MATH", "math_add", "MATH__ADD", "_MATH_ADD", "MATH_ADD_", "1MATH_ADD", "MATH-ADD"] {
            assert!(check_tool_slug(bad, None).is_err(), "{bad}");
        }
        let long = format!("MATH_{}", "A".repeat(60));
        assert!(check_tool_slug(&long, None).unwrap_err().to_string().contains("at most 64"));
        assert_eq!(suggest_tool_slug("math_add", None).as_deref(), Some("MATH_ADD"));
        assert_eq!(suggest_tool_slug("mathAdd", None).as_deref(), Some("MATH_ADD"));
        assert_eq!(suggest_tool_slug("MATH", None), None);
        assert!(check_tool_slug("MATH", None).unwrap_err().to_string().contains("one word"));
        let long = "MATH_ADD_TWO_NUMBERS_TOGETHER_AND_RETURN_THE_SUM_AS_A_DOUBLE_PRECISION_FLOAT";
        assert_eq!(
            suggest_tool_slug(long, None).as_deref(),
            Some("MATH_ADD_TWO_NUMBERS_TOGETHER_AND_RETURN_THE_SUM_AS_A_DOUBLE")
        );
    }

    #[test]
    fn prefixes() {
        assert_eq!(check_tool_slug("MATH_ADD", Some("math")), Ok(()));
        assert_eq!(check_tool_slug("MATH_", Some("math")), Err(SlugProblem::NotUpperSnake));
        assert_eq!(
            check_tool_slug("CALC_ADD", Some("math")),
            Err(SlugProblem::MissingPrefix { toolkit: "math".to_owned() })
        );
        assert_eq!(
            check_tool_slug("GOOGLE_CALENDAR", Some("google_calendar")),
            Err(SlugProblem::MissingPrefix { toolkit: "google_calendar".to_owned() }),
            "the prefix alone is not a tool slug"
        );
        assert_eq!(suggest_tool_slug("CALC_ADD", Some("math")).as_deref(), Some("MATH_CALC_ADD"));
        assert_eq!(suggest_tool_slug("demo_get", Some("demo")).as_deref(), Some("DEMO_GET"));
        assert_eq!(suggest_tool_slug("getHTTPResponse2", Some("web")).as_deref(), Some("WEB_GET_HTTP_RESPONSE2"));
    }

    #[test]
    fn toolkit_slugs() {
        assert!(check_toolkit_slug("google_calendar").is_ok() && check_toolkit_slug("Google").is_err());
        assert_eq!(check_toolkit_slug(&"a".repeat(41)), Err(SlugProblem::ToolkitTooLong { len: 41 }));
        assert_eq!(check_toolkit_slug("1password"), Err(SlugProblem::NotLowerSnake));
        assert_eq!(suggest_toolkit_slug("1Password").as_deref(), Some("password"));
        assert_eq!(suggest_toolkit_slug("GoogleCalendar").as_deref(), Some("google_calendar"));
        assert_eq!(suggest_toolkit_slug("demo"), None);
    }
}
