//! Authentication of tool calls: which connected account a call uses ([`select_account`]),
//! how its credentials go into the request ([`inject`], [`fill`]), connecting an account
//! with a static credential ([`connect()`]), OAuth 2.0 token refresh ([`oauth2`]), and
//! taking the secrets back out of whatever a call returns ([`Redactor`]).
//!
//! ```
//! use toolsmith_auth::REDACTED;
//! assert_eq!(REDACTED, "[REDACTED]");
//! ```

mod connect;
mod inject;
mod link;
pub mod oauth2;
mod redact;
mod select;

pub use connect::{connect, updated_account, ConnectError, StaticCredential};
pub use inject::{field_error, fill, inject, REDACTED};
pub use link::{complete, finish, initiate, prepare, Initiated, LinkError, LinkRequest};
pub use redact::{Redactor, MIN_REDACTED_LEN};
pub use select::{needs_account, scheme_of, select_account};
