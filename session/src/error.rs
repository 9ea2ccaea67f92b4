//! Why a session operation failed: typed here, worded by each front end.

use std::fmt;

use toolsmith_core::{ErrorKind, SessionId};
use toolsmith_store::StoreError;

/// A configuration the session cannot be created with: which field, what is wrong, and
/// how to fix it.
///
/// ```
/// let err = toolsmith_session::ConfigError::new("toolkits.enable[0]", "unknown toolkit `githib`")
///     .fix("did you mean `github`?");
/// assert_eq!(err.to_string(), "toolkits.enable[0]: unknown toolkit `githib`; did you mean `github`?");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The JSON path of the field (`connected_accounts.github[0]`); empty for the body.
    pub field: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when known.
    pub fix: Option<String>,
}

impl ConfigError {
    /// An error of `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        ConfigError { field: field.into(), message: message.into(), fix: None }
    }

    /// With a fix.
    pub fn fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.field.is_empty() {
            write!(f, "{}: ", self.field)?;
        }
        f.write_str(&self.message)?;
        if let Some(fix) = &self.fix {
            write!(f, "; {fix}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

/// Why a session operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The configuration is invalid.
    #[error("invalid session configuration: {0}")]
    Config(#[from] ConfigError),
    /// No session has this id (never created, or deleted).
    #[error("session {0} does not exist; create a session first")]
    NotFound(SessionId),
    /// The tool is not one the session offers.
    #[error("{slug} is not available in session {session}: {reason}")]
    OutOfScope {
        /// The session.
        session: SessionId,
        /// The tool or toolkit asked for.
        slug: String,
        /// Why: which setting leaves it out.
        reason: String,
    },
    /// The meta tool is switched off in this session, or unknown.
    #[error("{slug} is not offered by session {session}: {reason}")]
    MetaTool {
        /// The session.
        session: SessionId,
        /// The meta tool asked for.
        slug: String,
        /// Why.
        reason: String,
    },
    /// A meta tool's arguments do not fit its input schema.
    #[error("{tool}: invalid arguments at {path}: {message}")]
    Arguments {
        /// The meta tool.
        tool: &'static str,
        /// The JSON path in the arguments.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A Connect Link could not be made.
    #[error("{toolkit}: {source}")]
    Link {
        /// The toolkit.
        toolkit: String,
        /// Why.
        #[source]
        source: Box<toolsmith_auth::LinkError>,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The workbench could not run a cell or reach the session's files.
    #[error("session {session}: workbench: {source}")]
    Workbench {
        /// The session.
        session: SessionId,
        /// What failed.
        #[source]
        source: toolsmith_workbench::Error,
    },
}

impl SessionError {
    /// The kind of failure, for a status code.
    ///
    /// ```
    /// use toolsmith_core::ErrorKind;
    /// let err = toolsmith_session::SessionError::NotFound(toolsmith_core::SessionId::generate());
    /// assert_eq!(err.kind(), ErrorKind::NotFound);
    /// ```
    pub fn kind(&self) -> ErrorKind {
        match self {
            SessionError::Config(_) | SessionError::Arguments { .. } => ErrorKind::InvalidArguments,
            SessionError::NotFound(_) => ErrorKind::NotFound,
            SessionError::OutOfScope { .. } | SessionError::MetaTool { .. } => ErrorKind::Forbidden,
            SessionError::Link { source, .. } => source.kind(),
            SessionError::Store(_) => ErrorKind::Internal,
            SessionError::Workbench { source: toolsmith_workbench::Error::Path { .. }, .. } => {
                ErrorKind::InvalidArguments
            }
            SessionError::Workbench { .. } => ErrorKind::Internal,
        }
    }
}
