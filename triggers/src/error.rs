//! Why a trigger operation failed: [`TriggerError`].

use toolsmith_core::{ConnectedAccountId, ErrorKind, UserId};
use toolsmith_store::StoreError;

use crate::config::ConfigProblem;

/// Why a trigger instance could not be made or changed. Each variant says what is wrong
/// and [`fix`](Self::fix) says what to do; [`kind`](Self::kind) is what a server maps to
/// a status.
#[derive(Debug, thiserror::Error)]
pub enum TriggerError {
    /// No trigger type has this slug.
    #[error("trigger type `{slug}` is not in the catalog")]
    UnknownType {
        /// The slug asked for.
        slug: String,
        /// Known slugs of the same toolkit.
        suggestions: Vec<String>,
    },
    /// The configuration breaks the type's config schema.
    #[error("the trigger_config of {trigger} does not fit its schema: {}", problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    InvalidConfig {
        /// The trigger type.
        trigger: String,
        /// Every violation, at its JSON pointer.
        problems: Vec<ConfigProblem>,
    },
    /// Neither a connected account nor a user was given.
    #[error("a trigger instance needs `connected_account_id` or `user_id`")]
    NoOwner,
    /// The connected account is not in this project.
    #[error("connected account {0} is not in this project")]
    UnknownAccount(ConnectedAccountId),
    /// The account is of another toolkit than the trigger.
    #[error("connected account {account} is a {account_toolkit} account; trigger {trigger} needs a {toolkit} account")]
    WrongToolkit {
        /// The account.
        account: ConnectedAccountId,
        /// Its toolkit.
        account_toolkit: String,
        /// The trigger.
        trigger: String,
        /// The trigger's toolkit.
        toolkit: String,
    },
    /// The user has no active account of the trigger's toolkit.
    #[error("user `{user}` has no active {toolkit} account for trigger {trigger}")]
    NoAccount {
        /// The user.
        user: UserId,
        /// The toolkit.
        toolkit: String,
        /// The trigger.
        trigger: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl TriggerError {
    /// The kind of failure, for a status code.
    pub fn kind(&self) -> ErrorKind {
        match self {
            TriggerError::UnknownType { .. } | TriggerError::UnknownAccount(_) => ErrorKind::NotFound,
            TriggerError::NoAccount { .. } => ErrorKind::NeedsAccount,
            TriggerError::InvalidConfig { .. } | TriggerError::NoOwner | TriggerError::WrongToolkit { .. } => {
                ErrorKind::InvalidArguments
            }
            TriggerError::Store(StoreError::Missing(_)) => ErrorKind::NotFound,
            TriggerError::Store(e) if e.is_retryable() => ErrorKind::RateLimited,
            TriggerError::Store(_) => ErrorKind::Internal,
        }
    }

    /// What to do about it.
    pub fn fix(&self) -> String {
        match self {
            TriggerError::UnknownType { suggestions, .. } if !suggestions.is_empty() => {
                format!(
                    "use one of {}, or list trigger types with GET /api/v3.1/triggers_types",
                    suggestions.join(", ")
                )
            }
            TriggerError::UnknownType { .. } => "list trigger types with GET /api/v3.1/triggers_types".to_owned(),
            TriggerError::InvalidConfig { .. } => {
                "correct trigger_config at the paths named; the type's `config` (GET /api/v3.1/triggers_types/{slug}) \
                 is its JSON Schema"
                    .to_owned()
            }
            TriggerError::NoOwner => "send `connected_account_id` (ca_…) or `user_id`".to_owned(),
            TriggerError::UnknownAccount(_) => {
                "list this project's accounts with GET /api/v3.1/connected_accounts".to_owned()
            }
            TriggerError::WrongToolkit { toolkit, .. } => format!("use a connected account of {toolkit}"),
            TriggerError::NoAccount { toolkit, .. } => {
                format!("connect a {toolkit} account for the user first (POST /api/v3.1/connected_accounts/link)")
            }
            TriggerError::Store(_) => "try again; if it persists, check the server's store".to_owned(),
        }
    }
}
