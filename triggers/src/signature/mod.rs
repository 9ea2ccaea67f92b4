//! Webhook signatures, both directions.
//!
//! - [`sign_delivery`] / [`verify_delivery`]: our deliveries to the app, signed exactly as
//!   Composio signs them (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<b64>`),
//!   so the official SDKs' `verify_webhook` accepts them;
//! - [`verify_webhook`]: a provider's webhook checked against the spec's
//!   [`Signature`](toolsmith_spec::Signature) and the instance's secret.
//!
//! Every check compares in constant time, and no error ever holds the secret or the
//! expected signature.

mod codec;
mod error;
mod incoming;
mod outgoing;

pub use error::SignatureError;
pub use incoming::verify_webhook;
pub use outgoing::{
    sign_delivery, verify_delivery, DeliveryHeaders, DEFAULT_TOLERANCE, WEBHOOK_ID, WEBHOOK_SIGNATURE,
    WEBHOOK_TIMESTAMP,
};
