//! Triggers: events a toolkit delivers, by webhook or by polling a tool.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{ToolSlug, TriggerSlug};

/// An event source: exactly one of `webhook` or `poll`.
///
/// ```
/// let yaml = r#"
/// slug: EXAMPLE_THING_CREATED
/// name: Thing created
/// description: Fires when a thing is created in the account.
/// poll: { tool: EXAMPLE_LIST_THINGS, interval_seconds: 60, dedupe_key: "$.id", items_path: "$.things" }
/// "#;
/// let trigger: toolsmith_spec::Trigger = serde_yaml::from_str(yaml).unwrap();
/// assert!(trigger.poll.is_some());
/// ```
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Trigger {
    /// `TOOLKIT_EVENT`, upper snake case.
    pub slug: TriggerSlug,
    /// Short human name.
    pub name: String,
    /// When it fires and what the payload holds.
    pub description: String,
    /// Delivered by the service to a webhook URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<Webhook>,
    /// Found by calling a tool periodically.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll: Option<Poll>,
    /// JSON Schema of the settings a user gives when enabling the trigger.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Map<String, Value>>")]
    pub config: Option<Value>,
    /// JSON Schema of an event's payload.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Map<String, Value>>")]
    pub payload: Option<Value>,
}

/// Webhook delivery: the provider POSTs each event to the trigger instance's URL
/// (`{public_url}/webhooks/{toolkit}/{ti_…}`), where it is verified, matched and recorded.
///
/// ```
/// let yaml = r#"
/// events: [issues.opened]
/// event_header: X-GitHub-Event
/// delivery_id_header: X-GitHub-Delivery
/// signature: { header: X-Hub-Signature-256, algorithm: hmac_sha256, secret_field: webhook_secret, prefix: "sha256=" }
/// "#;
/// let webhook: toolsmith_spec::Webhook = serde_yaml::from_str(yaml).unwrap();
/// assert_eq!(webhook.delivery_id_header.as_deref(), Some("X-GitHub-Delivery"));
/// ```
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Webhook {
    /// Event names this trigger accepts. An event's name is the value of `event_header`
    /// (or of `event_path` in the body); `name.action` also matches the payload's
    /// `action` field, so `issues` takes every issue event and `issues.opened` only new
    /// issues. Empty: every delivery. A delivery the trigger does not take is answered
    /// 200 (`ignored`) so the provider does not retry it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<String>,
    /// Header naming the event (`X-GitHub-Event`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_header: Option<String>,
    /// JSON path of the event name in the body, when it is not in a header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_path: Option<String>,
    /// Header carrying the provider's id of the delivery (`X-GitHub-Delivery`): the
    /// event's dedupe key, so a delivery sent twice is recorded once. This is the replay
    /// guard of providers whose signature covers no timestamp (GitHub); a delivery
    /// without the header is refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_id_header: Option<String>,
    /// How deliveries are signed. A trigger with a signature never takes an unsigned
    /// delivery.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<Signature>,
    /// `true` takes deliveries without any signature: the instance's URL (random) is then
    /// the only guard. Required when there is no `signature`, so that accepting unsigned
    /// events is a choice written in the spec; not allowed with one.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unsigned: bool,
    /// A request the provider sends to check the URL (Slack's `url_verification`,
    /// Discord's PING), answered at once instead of being recorded; only once its
    /// signature verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub challenge: Option<Challenge>,
}

/// A verification request and its answer.
///
/// ```
/// let yaml = r#"{ when: { path: "$.type", equals: url_verification }, respond: { challenge: "$.challenge" } }"#;
/// let challenge: toolsmith_spec::Challenge = serde_yaml::from_str(yaml).unwrap();
/// assert_eq!(challenge.when.equals, "url_verification");
/// ```
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Challenge {
    /// Which requests are challenges: those whose body has `equals` at `path`.
    pub when: BodyCondition,
    /// The JSON object answered with status 200. A string value that is a JSON path
    /// (`$.challenge`) is replaced by that value of the request's body; other values are
    /// sent as written (Discord's PING: `{ type: 1 }`).
    #[schemars(with = "Map<String, Value>")]
    pub respond: Map<String, Value>,
}

/// A condition on a request's JSON body.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BodyCondition {
    /// JSON path into the body (`$.type`).
    pub path: String,
    /// The value it must hold (`url_verification`, `1`).
    pub equals: Value,
}

/// Webhook signature verification.
///
/// Stripe's `Stripe-Signature: t=1492774577,v1=5257a869…,v0=…` puts the timestamp and the
/// signatures in one header:
///
/// ```
/// let yaml = r#"
/// header: Stripe-Signature
/// header_format: "t={timestamp},v1={signature}"
/// algorithm: hmac_sha256
/// secret_field: webhook_secret
/// signed_payload: "{timestamp}.{body}"
/// "#;
/// let signature: toolsmith_spec::Signature = serde_yaml::from_str(yaml).unwrap();
/// assert_eq!(signature.replay_window(), std::time::Duration::from_secs(300));
/// ```
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Signature {
    /// Header carrying the signature (`X-Hub-Signature-256`).
    pub header: String,
    /// The algorithm: an HMAC under a shared secret, or an Ed25519 signature checked with
    /// the sender's public key.
    pub algorithm: SignatureAlgorithm,
    /// Property of the trigger's `config` holding the key: the shared secret of an HMAC,
    /// or the sender's public key (hex) for `ed25519` (not a secret, but kept sealed
    /// with the secrets all the same).
    pub secret_field: String,
    /// Text before the signature in the header (`sha256=`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// The header as a comma-separated list of `key=value` items, for providers that put
    /// the timestamp and the signatures in one header (Stripe: `t={timestamp},v1={signature}`):
    /// the item written `{timestamp}` gives the timestamp, every item with the key
    /// written `{signature}` is a candidate signature (several are allowed, as during a
    /// secret's rotation: one matching is enough), other items are ignored. Then
    /// `prefix` and `timestamp_header` are not used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header_format: Option<String>,
    /// Encoding of the signature.
    #[serde(default)]
    pub encoding: SignatureEncoding,
    /// What is signed, as a template over `{body}`, `{timestamp}` and headers
    /// (Slack: `v0:{timestamp}:{body}`); the raw body when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_payload: Option<String>,
    /// Header carrying the timestamp used in `signed_payload`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp_header: Option<String>,
    /// Seconds a signed timestamp may be away from now before the delivery is refused as
    /// a replay (default 300; 0 turns the check off). Only with a timestamp.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replay_window_seconds: Option<u32>,
}

impl Signature {
    /// The default replay window: 5 minutes, as Slack and Stripe advise.
    pub const DEFAULT_REPLAY_WINDOW: std::time::Duration = std::time::Duration::from_secs(300);

    /// `replay_window_seconds`, or [`Self::DEFAULT_REPLAY_WINDOW`].
    pub fn replay_window(&self) -> std::time::Duration {
        self.replay_window_seconds.map_or(Self::DEFAULT_REPLAY_WINDOW, |s| std::time::Duration::from_secs(u64::from(s)))
    }
}

/// Algorithm of a webhook signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignatureAlgorithm {
    /// HMAC-SHA1 (legacy GitHub `X-Hub-Signature`, Twilio).
    HmacSha1,
    /// HMAC-SHA256.
    HmacSha256,
    /// HMAC-SHA512.
    HmacSha512,
    /// Ed25519 (Discord interactions): the header holds the signature of the signed
    /// payload, checked with the public key in `secret_field`.
    Ed25519,
}

/// Encoding of a signature.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignatureEncoding {
    /// Lower-case hexadecimal.
    #[default]
    Hex,
    /// Standard base64.
    Base64,
}

/// Polling a tool for new items.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Poll {
    /// The tool called on each poll.
    pub tool: ToolSlug,
    /// Seconds between polls.
    pub interval_seconds: u32,
    /// JSON path, relative to an item, of the key that identifies it (`$.id`).
    pub dedupe_key: String,
    /// JSON path of the item list in the tool's output (`$.messages`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items_path: Option<String>,
    /// Fixed arguments of the polled tool. The trigger's `config` values (the settings
    /// a user gave when enabling it) are merged over these on every poll, so a config
    /// property named like a tool parameter (`channel_id`) fills that parameter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Map<String, Value>>")]
    pub arguments: Option<Value>,
    /// How the next poll's arguments follow from the last poll's result, so that each
    /// poll asks only for what is new; without one, every poll asks the same and
    /// `dedupe_key` alone tells new items from old.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<PollCursor>,
}

/// A poll's cursor: one argument of the polled tool, set on each poll from the previous
/// poll's result. Either a high-water mark taken from the items (`from_items`: the
/// largest value of an item field, for `since`/`updatedMin`/`created[gte]`-style
/// arguments), or a token taken from the response (`from`: Drive's `newStartPageToken`).
/// The cursor moves only with the events its poll found, so a restart neither loses nor
/// repeats items. Arguments of a poll, later ones winning: the spec's `arguments`, then
/// `initial` (until there is a cursor), then the trigger's `config`, then the cursor.
///
/// ```
/// let yaml = r#"
/// tool: GOOGLEDRIVE_LIST_CHANGES
/// interval_seconds: 300
/// dedupe_key: "$.time"
/// items_path: "$.changes"
/// cursor: { argument: pageToken, from: ["$.nextPageToken", "$.newStartPageToken"] }
/// "#;
/// let poll: toolsmith_spec::Poll = serde_yaml::from_str(yaml).unwrap();
/// let cursor = poll.cursor.unwrap();
/// assert_eq!(cursor.from.paths(), ["$.nextPageToken", "$.newStartPageToken"]);
///
/// let high_water = r#"{ argument: updatedMin, from_items: "$.updated", initial: "{now}" }"#;
/// let cursor: toolsmith_spec::PollCursor = serde_yaml::from_str(high_water).unwrap();
/// assert_eq!(cursor.from_items.as_deref(), Some("$.updated"));
/// assert!(cursor.from.paths().is_empty());
/// ```
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PollCursor {
    /// The polled tool's argument the cursor fills (`updatedMin`, `pageToken`).
    pub argument: String,
    /// JSON path(s) in the tool's output of the next cursor, the first one present
    /// winning (`["$.nextPageToken", "$.newStartPageToken"]`); a response without any
    /// keeps the cursor. Exactly one of `from` and `from_items`.
    #[serde(default, skip_serializing_if = "CursorFrom::is_empty")]
    pub from: CursorFrom,
    /// JSON path, relative to an item, of a value that grows (`$.updated`, `$.created`):
    /// the next cursor is the largest seen (numbers by value, digit strings such as
    /// snowflake ids by number, other strings such as RFC 3339 times by text). It never
    /// moves back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_items: Option<String>,
    /// The argument's value before there is a cursor (the first poll), as a template:
    /// `{now}` is the time of that poll in RFC 3339. Absent: the first poll goes without
    /// the argument (or with the config's value).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial: Option<String>,
}

/// Where a token cursor is read: one JSON path, or several tried in order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum CursorFrom {
    /// No path (a cursor `from_items`).
    #[default]
    #[schemars(skip)]
    None,
    /// One path.
    One(String),
    /// Paths tried in order.
    Many(Vec<String>),
}

impl CursorFrom {
    /// The paths, in order.
    pub fn paths(&self) -> &[String] {
        match self {
            CursorFrom::None => &[],
            CursorFrom::One(path) => std::slice::from_ref(path),
            CursorFrom::Many(paths) => paths,
        }
    }

    /// Whether there is no path.
    pub fn is_empty(&self) -> bool {
        self.paths().is_empty()
    }
}
