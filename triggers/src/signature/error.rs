//! Why a webhook signature was refused: [`SignatureError`].

/// Why a webhook's signature was refused. The messages name the header and what is
/// wrong; none holds the secret or the expected signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// A header the check needs is absent.
    #[error("missing header `{header}`; the sender must send it with every delivery")]
    MissingHeader {
        /// The header's name.
        header: String,
    },
    /// The timestamp header is not a whole number of Unix seconds.
    #[error("header `{header}` is not a Unix timestamp in whole seconds (got `{value}`)")]
    BadTimestamp {
        /// The header's name.
        header: String,
        /// What it held (at most 32 characters).
        value: String,
    },
    /// The timestamp is older than the replay window allows.
    #[error(
        "header `{header}` is stale by {by} s (older than the {window} s replay window); the delivery may be a replay"
    )]
    Stale {
        /// The header's name.
        header: String,
        /// Seconds past the window.
        by: u64,
        /// The window, in seconds.
        window: u64,
    },
    /// The timestamp is further in the future than the replay window allows.
    #[error("header `{header}` is {by} s in the future (beyond the {window} s window); check the sender's clock")]
    Future {
        /// The header's name.
        header: String,
        /// Seconds past the window.
        by: u64,
        /// The window, in seconds.
        window: u64,
    },
    /// The signature header does not start with the expected prefix.
    #[error("header `{header}` does not start with `{prefix}`")]
    MissingPrefix {
        /// The header's name.
        header: String,
        /// The prefix the spec names.
        prefix: String,
    },
    /// The signature is not valid hex or base64.
    #[error("header `{header}` is not valid {encoding}")]
    BadEncoding {
        /// The header's name.
        header: String,
        /// `hex` or `base64`.
        encoding: &'static str,
    },
    /// The signature does not match the body and secret.
    #[error("the signature in header `{header}` does not match the body; the body was altered or the secret differs")]
    Mismatch {
        /// The header's name.
        header: String,
    },
    /// The spec's `signed_payload` uses `{timestamp}` but names no `timestamp_header`.
    #[error(
        "the signature's signed_payload uses {{timestamp}} but it has no timestamp_header; add the header carrying it"
    )]
    NoTimestampHeader,
    /// The secret is empty.
    #[error("the signing secret is empty; set the trigger's secret")]
    EmptySecret,
    /// A signature header written as `header_format` lacks an item.
    #[error("header `{header}` has no `{item}=` item; the sender must send it with every delivery")]
    MissingItem {
        /// The header's name.
        header: String,
        /// The item's key (`v1`, `t`).
        item: String,
    },
    /// The Ed25519 public key of the trigger instance is not 32 bytes of hex.
    #[error("the public key in trigger_config.{field} is not 32 bytes of hex; set it to the sender's public key")]
    BadPublicKey {
        /// The config property holding it.
        field: String,
    },
}
