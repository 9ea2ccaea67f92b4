//! JSON pointers (RFC 6901), as plain strings: `/tools/3/http/path`.
//!
//! Diagnostics, import warnings, validation errors and generated type names all
//! address values by JSON pointer; this module is the one place that escapes and
//! unescapes their segments (`~` is written `~0`, `/` is written `~1`).
//!
//! ```
//! use toolsmith_spec::pointer;
//!
//! let mut at = pointer::child("/paths", "/pets/{id}");
//! assert_eq!(at, "/paths/~1pets~1{id}");
//! pointer::push(&mut at, "get");
//! assert_eq!(at, "/paths/~1pets~1{id}/get");
//! assert_eq!(pointer::segments(&at).collect::<Vec<_>>(), ["paths", "/pets/{id}", "get"]);
//! assert_eq!(pointer::last(&at).as_deref(), Some("get"));
//! ```

use std::borrow::Cow;
use std::fmt::Display;

/// Escapes one segment: `~` → `~0`, then `/` → `~1`.
///
/// ```
/// assert_eq!(toolsmith_spec::pointer::escape("a/b~c"), "a~1b~0c");
/// ```
pub fn escape(segment: &str) -> Cow<'_, str> {
    if segment.contains(['~', '/']) {
        Cow::Owned(segment.replace('~', "~0").replace('/', "~1"))
    } else {
        Cow::Borrowed(segment)
    }
}

/// Unescapes one segment: `~1` → `/`, then `~0` → `~` (the reverse order of
/// [`escape`], so that `~01` stays `~1`).
///
/// ```
/// assert_eq!(toolsmith_spec::pointer::unescape("a~1b~0c"), "a/b~c");
/// assert_eq!(toolsmith_spec::pointer::unescape("~01"), "~1");
/// ```
pub fn unescape(segment: &str) -> Cow<'_, str> {
    if segment.contains('~') {
        Cow::Owned(segment.replace("~1", "/").replace("~0", "~"))
    } else {
        Cow::Borrowed(segment)
    }
}

/// `pointer` with one more segment (escaped).
///
/// ```
/// assert_eq!(toolsmith_spec::pointer::child("", "a/b"), "/a~1b");
/// assert_eq!(toolsmith_spec::pointer::child("/tools", 3), "/tools/3");
/// ```
pub fn child(pointer: &str, segment: impl Display) -> String {
    let mut out = pointer.to_owned();
    push(&mut out, segment);
    out
}

/// Appends one segment (escaped) to `pointer`.
pub fn push(pointer: &mut String, segment: impl Display) {
    pointer.push('/');
    pointer.push_str(&escape(&segment.to_string()));
}

/// The segments of `pointer`, unescaped (none for the root, `""`).
pub fn segments(pointer: &str) -> impl Iterator<Item = Cow<'_, str>> {
    pointer.split('/').skip(1).map(unescape)
}

/// The last segment of `pointer`, unescaped; `None` for the root.
pub fn last(pointer: &str) -> Option<Cow<'_, str>> {
    split_last(pointer).map(|(_, last)| last)
}

/// `pointer` split into its parent and its last segment (unescaped); `None` for the
/// root.
///
/// ```
/// let (parent, last) = toolsmith_spec::pointer::split_last("/definitions/a~1b").unwrap();
/// assert_eq!((parent, last.as_ref()), ("/definitions", "a/b"));
/// ```
pub fn split_last(pointer: &str) -> Option<(&str, Cow<'_, str>)> {
    let (parent, last) = pointer.rsplit_once('/')?;
    Some((parent, unescape(last)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for segment in ["", "plain", "a/b", "~", "~1", "~0/~1", "/~/"] {
            assert_eq!(unescape(&escape(segment)), segment);
            assert_eq!(last(&child("/x", segment)).as_deref(), Some(segment));
        }
        assert_eq!(last(""), None);
        assert_eq!(segments("").count(), 0);
        assert_eq!(segments("/").collect::<Vec<_>>(), [""]);
    }
}
