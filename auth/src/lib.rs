//! Authentication of tool calls: which connected account a call uses ([`select_account`]),
//! how its credentials go into the request ([`inject`], [`fill`]), connecting an account
//! with a static credential ([`connect()`]), and OAuth 2.0 token refresh ([`oauth2`]).
//!
//! ```
//! use toolsmith_auth::REDACTED;
//! assert_eq!(REDACTED, "[REDACTED]");
//! ```

mod connect;
mod inject;
pub mod oauth2;
mod select;

pub use connect::{connect, ConnectError, StaticCredential};
pub use inject::{field_error, fill, inject, REDACTED};
pub use select::{needs_account, scheme_of, select_account};
