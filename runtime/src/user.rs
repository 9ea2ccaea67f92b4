//! Who a call is made for.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The id of an end user of the deployment, as the application knows them
/// (Composio's `user_id`): the key under which connected accounts are stored.
///
/// ```
/// let user = toolsmith::UserId::new("user-42");
/// assert_eq!(user.as_str(), "user-42");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(String);

impl UserId {
    /// Wraps an application's user id.
    pub fn new(id: impl Into<String>) -> Self {
        UserId(id.into())
    }

    /// The id as given.
    pub fn as_str(&self) -> &str {
        &self.0
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
