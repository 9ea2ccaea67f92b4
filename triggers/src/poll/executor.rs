//! The one thing the poller needs from the runtime: running a tool for a trigger
//! instance ([`PollExecutor`]), and what a failed run means for the next poll
//! ([`PollFailure`]).

use std::time::Duration;

use serde_json::{Map, Value};
use toolsmith_core::{Error, ErrorKind};
use toolsmith_spec::ToolSlug;
use toolsmith_store::TriggerInstance;

/// Runs a polled tool for a trigger instance, with its account's credentials. The
/// server implements it with the one executor (argument checks, auth injection, OAuth
/// refresh, the execution log); the poller knows nothing else of the runtime.
#[async_trait::async_trait]
pub trait PollExecutor: Send + Sync {
    /// Runs `tool` with `arguments` for `instance` (its account, or its user's): the
    /// tool's output, or why there is none.
    async fn run(
        &self,
        instance: &TriggerInstance,
        tool: &ToolSlug,
        arguments: Map<String, Value>,
    ) -> Result<Value, PollFailure>;
}

/// Why a poll found nothing, and whether polling again soon can help.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PollFailure {
    /// Worth trying again after a backoff: the API asked to slow down (429), failed
    /// (5xx), or did not answer in time.
    #[error("{message}; polling again later")]
    Retryable {
        /// What went wrong.
        message: String,
        /// How long the API asked to wait (`Retry-After`), when it said.
        retry_after: Option<Duration>,
    },
    /// Polling again will fail the same way until someone acts: the account expired or
    /// has no credentials, the configuration does not fit the tool, the tool is gone.
    #[error("{message}")]
    Permanent {
        /// What went wrong and what to do.
        message: String,
    },
}

impl PollFailure {
    /// What a failed tool call means for polling, from the executor's error kinds: rate
    /// limits, timeouts and upstream failures (5xx, a refused connection) are retryable;
    /// an API's other 4xx answers (401: credentials revoked), a missing or expired
    /// account, arguments that do not fit and a broken spec are permanent.
    ///
    /// ```
    /// use toolsmith_core::Error;
    /// use toolsmith_triggers::poll::PollFailure;
    /// let api = |status| Error::Api { slug: "X_LIST".into(), status, body: String::new() };
    /// assert!(PollFailure::of(&api(429)).is_retryable());
    /// assert!(PollFailure::of(&api(503)).is_retryable());
    /// assert!(!PollFailure::of(&api(401)).is_retryable());
    /// ```
    pub fn of(error: &Error) -> Self {
        let message = error.to_string();
        let retryable = match error {
            Error::Api { status, .. } => *status == 408 || *status == 429 || *status >= 500,
            other => matches!(other.kind(), ErrorKind::RateLimited | ErrorKind::Timeout | ErrorKind::Upstream),
        };
        if retryable {
            PollFailure::Retryable { message, retry_after: None }
        } else {
            let message = match error.remedy() {
                Some(remedy) => format!("{message}; {remedy}"),
                None => message,
            };
            PollFailure::Permanent { message }
        }
    }

    /// Whether polling again after a backoff can help.
    pub fn is_retryable(&self) -> bool {
        matches!(self, PollFailure::Retryable { .. })
    }
}
