//! Who a call is made for.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The id of an end user of the deployment, as the application knows them
/// (Composio's `user_id`): the key under which connected accounts are stored.
///
/// Any text the application uses works, within limits that keep it printable and
/// storable: 1 to 256 characters, no control characters. [`UserId::parse`] and
/// deserialization check them; [`UserId::new`] is for ids the program itself made.
///
/// ```
/// let user = toolsmith_core::UserId::new("user-42");
/// assert_eq!(user.as_str(), "user-42");
/// assert!(toolsmith_core::UserId::parse("").is_err());
/// assert!(serde_json::from_str::<toolsmith_core::UserId>("\"a\\nb\"").is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct UserId(String);

/// Why a text is not a [`UserId`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a user id is 1 to 256 characters without control characters; got {len} characters{}", if *.control { " with a control character" } else { "" })]
pub struct UserIdError {
    /// How many characters were given.
    pub len: usize,
    /// Whether they held a control character.
    pub control: bool,
}

impl UserId {
    /// The longest user id, in characters.
    pub const MAX_CHARS: usize = 256;

    /// Wraps an id the program made (a literal, a value from its own store).
    pub fn new(id: impl Into<String>) -> Self {
        UserId(id.into())
    }

    /// Checks and wraps an id that came from outside (a request, a command line).
    pub fn parse(id: &str) -> Result<Self, UserIdError> {
        Self::try_from(id.to_owned())
    }

    /// The id as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for UserId {
    type Error = UserIdError;

    fn try_from(id: String) -> Result<Self, UserIdError> {
        let len = id.chars().count();
        let control = id.chars().any(char::is_control);
        if len == 0 || len > Self::MAX_CHARS || control {
            return Err(UserIdError { len, control });
        }
        Ok(UserId(id))
    }
}

impl From<UserId> for String {
    fn from(id: UserId) -> String {
        id.0
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for UserId {
    fn from(id: &str) -> Self {
        UserId::new(id)
    }
}
