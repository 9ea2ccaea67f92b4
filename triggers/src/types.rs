//! Trigger types: the triggers of a catalog's toolkits, in Composio's shape.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::{json, Value};
use toolsmith_spec::{Toolkit, Trigger};

/// How a trigger learns of events.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TriggerKind {
    /// The service sends them to a webhook.
    Webhook,
    /// A tool is called periodically and new items are events.
    Poll,
}

/// The toolkit of a trigger type, as Composio names it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ToolkitRef {
    /// `github`.
    pub slug: String,
    /// `GitHub`.
    pub name: String,
    /// The toolkit's logo URL.
    pub logo: Option<String>,
}

/// A trigger type as `GET /api/v3.1/triggers_types` lists it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TriggerType {
    /// `GITHUB_ISSUES_EVENT`.
    pub slug: String,
    /// Short human name.
    pub name: String,
    /// When it fires and what the payload holds.
    pub description: String,
    /// How to set it up, for people.
    pub instructions: String,
    /// `webhook` or `poll`.
    #[serde(rename = "type")]
    pub kind: TriggerKind,
    /// The toolkit's version.
    pub version: String,
    /// Its toolkit.
    pub toolkit: ToolkitRef,
    /// JSON Schema of the configuration a user gives (an object schema).
    pub config: Value,
    /// JSON Schema of an event's payload.
    pub payload: Value,
    /// Whether the service must be told where to send events (webhook triggers).
    pub requires_webhook_endpoint_setup: bool,
}

/// The field of the configuration that holds a webhook's signing secret, if any.
pub(crate) fn secret_field(trigger: &Trigger) -> Option<&str> {
    trigger.webhook.as_ref()?.signature.as_ref().map(|s| s.secret_field.as_str())
}

fn instructions(toolkit: &Toolkit, trigger: &Trigger) -> String {
    if let Some(poll) = &trigger.poll {
        return format!(
            "Polled every {} seconds with {} through the connected account; no setup at {}.",
            poll.interval_seconds, poll.tool, toolkit.name
        );
    }
    let events = trigger.webhook.as_ref().map(|w| w.events.join(", ")).unwrap_or_default();
    let mut text = format!("Create a webhook at {} that sends", toolkit.name);
    text.push_str(&if events.is_empty() { " its events".to_owned() } else { format!(" `{events}` events") });
    text.push_str(&format!(" to this server's webhook URL for {}", toolkit.slug));
    match secret_field(trigger) {
        Some(field) => text.push_str(&format!(", with a signing secret; give the same secret as `{field}`.")),
        None => text.push('.'),
    }
    text
}

impl TriggerType {
    /// The type of one trigger of a toolkit.
    pub fn of(toolkit: &Toolkit, trigger: &Trigger) -> Self {
        TriggerType {
            slug: trigger.slug.as_str().to_owned(),
            name: trigger.name.clone(),
            description: trigger.description.trim().to_owned(),
            instructions: instructions(toolkit, trigger),
            kind: if trigger.poll.is_some() { TriggerKind::Poll } else { TriggerKind::Webhook },
            version: toolkit.version.as_str().to_owned(),
            toolkit: ToolkitRef {
                slug: toolkit.slug.as_str().to_owned(),
                name: toolkit.name.clone(),
                logo: toolkit.logo_url.clone(),
            },
            config: trigger.config.clone().unwrap_or_else(|| json!({"type": "object", "properties": {}})),
            payload: trigger.payload.clone().unwrap_or_else(|| json!({"type": "object"})),
            requires_webhook_endpoint_setup: trigger.poll.is_none(),
        }
    }
}

/// One trigger of the catalog: its type and its spec.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    pub(crate) kind: TriggerType,
    pub(crate) spec: Trigger,
}

/// The trigger types of a catalog, in the catalog's order (toolkits, then each toolkit's
/// triggers as its spec lists them); slugs are found in any case.
#[derive(Clone, Debug, Default)]
pub struct TriggerTypes {
    entries: Vec<Entry>,
    by_slug: HashMap<String, usize>,
}

impl TriggerTypes {
    /// The triggers of these toolkits.
    pub fn new<'a>(toolkits: impl IntoIterator<Item = &'a Toolkit>) -> Self {
        let mut types = TriggerTypes::default();
        for toolkit in toolkits {
            for trigger in &toolkit.triggers {
                let slug = trigger.slug.as_str().to_ascii_uppercase();
                types.by_slug.entry(slug).or_insert(types.entries.len());
                types.entries.push(Entry { kind: TriggerType::of(toolkit, trigger), spec: trigger.clone() });
            }
        }
        types
    }

    /// The types of these toolkits (slugs in any case); all of them when `toolkits` is empty.
    pub fn list(&self, toolkits: &[String]) -> Vec<&TriggerType> {
        self.entries
            .iter()
            .map(|e| &e.kind)
            .filter(|t| toolkits.is_empty() || toolkits.iter().any(|k| k.eq_ignore_ascii_case(&t.toolkit.slug)))
            .collect()
    }

    /// A type by slug, in any case.
    pub fn get(&self, slug: &str) -> Option<&TriggerType> {
        self.entry(slug).map(|e| &e.kind)
    }

    pub(crate) fn entry(&self, slug: &str) -> Option<&Entry> {
        self.by_slug.get(&slug.to_ascii_uppercase()).and_then(|&i| self.entries.get(i))
    }

    /// How many types there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Slugs close to an unknown one (same toolkit prefix first), for error messages.
    pub(crate) fn suggest(&self, slug: &str) -> Vec<String> {
        let upper = slug.to_ascii_uppercase();
        let prefix = upper.split('_').next().unwrap_or_default().to_owned();
        self.entries
            .iter()
            .map(|e| e.kind.slug.clone())
            .filter(|s| !prefix.is_empty() && s.starts_with(&format!("{prefix}_")))
            .take(5)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::fixtures::demo;

    #[test]
    fn types_have_composios_fields_and_are_found_in_any_case() {
        let toolkit = demo();
        let types = TriggerTypes::new([&toolkit]);
        assert_eq!(types.len(), 2);
        let webhook = serde_json::to_value(types.get("demo_thing_created").unwrap()).unwrap();
        for key in ["slug", "name", "description", "instructions", "type", "version", "toolkit", "config", "payload"] {
            assert!(webhook.get(key).is_some(), "{key} missing in {webhook}");
        }
        assert_eq!(webhook["type"], "webhook");
        assert_eq!(webhook["toolkit"], json!({"slug": "demo", "name": "Demo", "logo": "https://example.com/logo.png"}));
        assert!(webhook["instructions"].as_str().unwrap().contains("`signing_secret`"));
        let poll = types.get("DEMO_NEW_THING").unwrap();
        assert_eq!(poll.kind, TriggerKind::Poll);
        assert_eq!(poll.config, json!({"type": "object", "properties": {}}), "no config: an empty object schema");
        assert!(poll.instructions.contains("every 60 seconds"));
        assert!(types.list(&["DEMO".into()]).len() == 2 && types.list(&["other".into()]).is_empty());
        assert_eq!(types.suggest("DEMO_THING"), ["DEMO_THING_CREATED", "DEMO_NEW_THING"]);
    }
}
