//! What toolsmith tools compile against, and nothing more: generated code and
//! hand-written tools depend on this crate (through the `toolsmith` facade), not on an
//! HTTP client, a database or a web server.
//!
//! - [`Tool`]: a typed tool; [`ToolDefinition`]: what it is, as static data;
//!   [`CompiledToolkit`]: a toolkit generated into Rust code.
//! - [`Execute`]: the seam every call goes through ([`Call`] → [`Outcome`]); the
//!   runtime's `Client` implements it.
//! - [`Error`] with its [`ErrorKind`] and [`Remedy`]; checked ids ([`UserId`],
//!   [`ConnectedAccountId`], [`AuthConfigId`], [`LogId`], [`SessionId`]).
//!
//! ```
//! use toolsmith_core::{ErrorKind, Error};
//! let err = Error::InvalidArguments { slug: "DEMO_PING".into(), problems: vec![("/x".into(), "is required".into())] };
//! assert_eq!(err.kind(), ErrorKind::InvalidArguments);
//! assert_eq!(err.to_string(), "invalid arguments for DEMO_PING: /x: is required");
//! ```

mod error;
mod execute;
#[doc(hidden)]
pub mod generated;
mod ids;
mod tool;
mod user;

pub use error::{BoxError, Error, ErrorKind, Remedy};
pub use execute::{
    BoxFuture, Call, CallOptions, CompiledToolkit, Context, DryRun, Execute, ExecutionResult, HttpBinding,
    LocalHandler, Outcome, ProxyRequest, Schemas, Target, ToolDefinition,
};
pub use ids::{
    ApiKeyId, AuthConfigId, ConnectedAccountId, IdError, LogId, ProjectId, SessionId, TriggerEventId,
    TriggerInstanceId, WebhookSubscriptionId,
};
pub use tool::{Handler, Tool, ToolVisitor};
pub use user::{UserId, UserIdError};

/// Crates that generated code and macro expansions use, re-exported so that a crate
/// depending on `toolsmith` alone compiles them.
pub use {schemars, serde, serde_json, toolsmith_spec as spec};

/// Helpers that generated code calls. Not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::generated::{deserialize_one_of, deserialize_with_keys, one_of, present, Keys};

    /// A JSON value from JSON text that codegen wrote (large schema constraints).
    pub fn json(text: &str) -> serde_json::Value {
        serde_json::from_str(text).unwrap_or_default()
    }

    /// Deserializes a required field that may be `null`: unlike a plain `Option`
    /// field, a missing key is an error.
    pub fn required_nullable<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
    where
        D: serde::Deserializer<'de>,
        T: serde::Deserialize<'de>,
    {
        <Option<T> as serde::Deserialize>::deserialize(deserializer)
    }
}
