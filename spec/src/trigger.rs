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

/// Webhook delivery.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Webhook {
    /// Event names this trigger accepts. An event's name is the value of `event_header`
    /// (or of `event_path` in the body); `name.action` also matches the payload's
    /// `action` field, so `issues` takes every issue event and `issues.opened` only new
    /// issues. Empty: every delivery.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<String>,
    /// Header naming the event (`X-GitHub-Event`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_header: Option<String>,
    /// JSON path of the event name in the body, when it is not in a header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_path: Option<String>,
    /// How deliveries are signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<Signature>,
}

/// Webhook signature verification.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Signature {
    /// Header carrying the signature (`X-Hub-Signature-256`).
    pub header: String,
    /// The HMAC algorithm.
    pub algorithm: HmacAlgorithm,
    /// Property of the trigger's `config` holding the shared secret.
    pub secret_field: String,
    /// Text before the signature in the header (`sha256=`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
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
}

/// HMAC algorithm of a webhook signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HmacAlgorithm {
    /// HMAC-SHA1 (legacy GitHub).
    HmacSha1,
    /// HMAC-SHA256.
    HmacSha256,
    /// HMAC-SHA512.
    HmacSha512,
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
