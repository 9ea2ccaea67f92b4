//! The runtime's error type.

/// Why a tool call failed.
///
/// Messages name the tool and say what to do; they never contain a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No tool with this slug is registered.
    #[error("unknown tool `{0}`; list tools with `toolsmith tools list`")]
    UnknownTool(String),
    /// No toolkit with this slug is loaded.
    #[error("unknown toolkit `{slug}`; known toolkits: {}", .known.join(", "))]
    UnknownToolkit {
        /// The slug asked for.
        slug: String,
        /// The loaded toolkits.
        known: Vec<String>,
    },
    /// A pinned toolkit version that is not loaded; no other version is used instead.
    #[error("unknown tool `{slug}` at version {version}; loaded versions of toolkit `{toolkit}`: {}", .loaded.join(", "))]
    UnknownVersion {
        /// The tool.
        slug: String,
        /// The version asked for.
        version: String,
        /// The tool's toolkit.
        toolkit: String,
        /// The versions loaded, newest first.
        loaded: Vec<String>,
    },
    /// A listing cursor that names no tool (from another catalog, or edited).
    #[error("the cursor `{0}` names no tool of this catalog; start again without a cursor")]
    InvalidCursor(String),
    /// The arguments do not match the tool's input schema. Each entry is
    /// `(JSON path, what is wrong)`, e.g. `("/title", "is required")` or
    /// `("/labels/0", "value is not of type \"string\"")`; messages never repeat the value.
    #[error("invalid arguments for {slug}: {}", .problems.iter().map(|(p, m)| format!("{}: {m}", if p.is_empty() { "(root)" } else { p })).collect::<Vec<_>>().join("; "))]
    InvalidArguments {
        /// The tool.
        slug: String,
        /// Every violation: JSON path and message.
        problems: Vec<(String, String)>,
    },
    /// The request could not be built or sent (bad URL, connection refused, timeout…).
    #[error("{slug}: request failed: {message}")]
    Request {
        /// The tool.
        slug: String,
        /// What went wrong.
        message: String,
    },
    /// The request was refused before sending (e.g. a host outside the toolkit's base URL).
    #[error("{slug}: refused: {reason}")]
    Refused {
        /// The tool.
        slug: String,
        /// Why.
        reason: String,
    },
    /// The tool's spec cannot be turned into a request (an input schema that does not
    /// compile, a path placeholder without a parameter, an invalid header name): fix the
    /// spec; `toolsmith validate` reports most of these.
    #[error("{slug}: the tool's spec is broken: {message}")]
    Spec {
        /// The tool.
        slug: String,
        /// What is wrong.
        message: String,
    },
    /// The call has no usable credentials: no connected account, several without a
    /// choice, an expired one that must be reconnected, a failed token refresh.
    #[error("{slug}: {message}")]
    Auth {
        /// The tool.
        slug: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// The API answered with an error status.
    #[error("{slug}: the API answered {status}: {body}")]
    Api {
        /// The tool.
        slug: String,
        /// HTTP status code.
        status: u16,
        /// The response body (truncated), for the caller to read.
        body: String,
    },
    /// The response could not be read as the tool's output type.
    #[error("{slug}: unexpected response: {message}")]
    Decode {
        /// The tool.
        slug: String,
        /// What did not match.
        message: String,
    },
    /// A generated toolkit's embedded spec does not load: toolsmith-codegen and
    /// toolsmith are of different versions.
    #[error("compiled toolkit `{toolkit}` does not load ({message}); regenerate it with the toolsmith-codegen matching this toolsmith")]
    CompiledToolkit {
        /// The toolkit.
        toolkit: String,
        /// The parse error.
        message: String,
    },
    /// A hand-written tool failed.
    #[error("{slug}: {message}")]
    Handler {
        /// The tool.
        slug: String,
        /// What went wrong.
        message: String,
    },
}

impl Error {
    /// A failure of a hand-written tool, for [`crate::Handler`] implementations.
    ///
    /// ```
    /// let e = toolsmith::Error::handler("MATH_DIVIDE", "division by zero");
    /// assert_eq!(e.to_string(), "MATH_DIVIDE: division by zero");
    /// ```
    pub fn handler(slug: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Handler { slug: slug.into(), message: message.into() }
    }
}
