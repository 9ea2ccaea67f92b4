//! HTTP methods: the one list of them, and what each allows.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// HTTP method.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    #[default]
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
    /// `HEAD`
    Head,
    /// `OPTIONS`
    Options,
}

impl Method {
    /// Every method a tool can use, in declaration order.
    pub const ALL: [Method; 7] =
        [Method::Get, Method::Post, Method::Put, Method::Patch, Method::Delete, Method::Head, Method::Options];

    /// The method as it goes on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Head => "HEAD",
            Method::Options => "OPTIONS",
        }
    }

    /// The method named `name`, in any case (`get`, `GET`); `None` for a method no
    /// tool can use (`TRACE`, `CONNECT`).
    ///
    /// ```
    /// use toolsmith_spec::Method;
    /// assert_eq!(Method::from_name("patch"), Some(Method::Patch));
    /// assert_eq!(Method::from_name("trace"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.as_str().eq_ignore_ascii_case(name))
    }

    /// Whether repeating the request has no further effect (RFC 9110 §9.2.2).
    ///
    /// ```
    /// use toolsmith_spec::Method;
    /// assert!(Method::Delete.is_idempotent() && !Method::Patch.is_idempotent());
    /// ```
    pub fn is_idempotent(self) -> bool {
        !matches!(self, Method::Post | Method::Patch)
    }

    /// Whether a request of this method carries its arguments in a body: `POST`,
    /// `PUT` and `PATCH`. The others (`GET`, `HEAD`, `DELETE`, `OPTIONS`) send
    /// undeclared arguments in the query.
    ///
    /// ```
    /// use toolsmith_spec::Method;
    /// assert!(Method::Put.allows_body() && !Method::Delete.allows_body());
    /// ```
    pub fn allows_body(self) -> bool {
        matches!(self, Method::Post | Method::Put | Method::Patch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for method in Method::ALL {
            assert_eq!(Method::from_name(method.as_str()), Some(method));
            assert_eq!(Method::from_name(&method.as_str().to_ascii_lowercase()), Some(method));
        }
    }
}
