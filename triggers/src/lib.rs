//! Triggers at run time: the events a toolkit delivers, by webhook or by polling a tool.
//!
//! Events come in by webhook ([`ingress`]) or by polling a tool ([`poll`]), are recorded
//! with their outbox entry in the store, and go out to the app ([`delivery`]):
//! - [`TriggerTypes`]: the triggers of a catalog as Composio lists them
//!   (`GET /triggers_types`): slug, name, description, instructions, `webhook` or `poll`,
//!   version, toolkit, config and payload JSON Schemas;
//! - [`check_config`]: a configuration checked against the type's config schema, every
//!   violation named by its JSON pointer, and split into its clear part and its secrets
//!   (the spec's `secret_field`, a webhook's signing secret), which the store seals;
//! - [`upsert`]: a trigger instance (`ti_…`) for a connected account or a user, with
//!   Composio's upsert semantics (see [`upsert`]), and [`ActiveTrigger`], an instance
//!   as `GET /trigger_instances/active` shows it (secrets redacted), and [`set_enabled`],
//!   which records a `composio.trigger.disabled` event when it disables one;
//! - [`envelope`]: Composio's V3 event envelope, built for every event the same way;
//! - [`ingress`]: a provider's webhook delivery verified, answered (a challenge),
//!   matched against the trigger's events and made an event to record, or refused;
//! - [`delivery`]: the worker that delivers recorded events to the app's webhook
//!   subscription, signed, in order per instance, retried until delivered or given up;
//! - [`poll`]: polling triggers, a scheduler per store that runs each poll instance's
//!   tool, moves its cursor, dedupes and records events with the cursor;
//! - [`signature`]: webhook signatures, of our deliveries to the app (Composio's scheme)
//!   and of a provider's webhooks (the spec's `signature`).
//!
//! ```
//! let toolkit: toolsmith_spec::Toolkit = serde_yaml::from_str(r#"
//! slug: demo
//! name: Demo
//! description: A demonstration toolkit.
//! version: 20261122_00
//! base_url: https://api.example.com
//! auth: [{ scheme: none }]
//! triggers:
//!   - slug: DEMO_THING_CREATED
//!     name: Thing created
//!     description: Fires when a thing is created.
//!     webhook: { events: [thing] }
//! "#).unwrap();
//! let types = toolsmith_triggers::TriggerTypes::new([&toolkit]);
//! let found = types.get("demo_thing_created").unwrap();
//! assert_eq!(found.kind, toolsmith_triggers::TriggerKind::Webhook);
//! assert_eq!(types.list(&["demo".to_owned()]).len(), 1);
//! ```

mod config;
pub mod delivery;
pub mod envelope;
mod error;
#[cfg(test)]
mod fixtures;
pub mod ingress;
mod instances;
pub mod poll;
pub mod signature;
mod switch;
mod types;

pub use config::{check_config, CheckedConfig, ConfigProblem};
pub use error::TriggerError;
pub use instances::{upsert, ActiveTrigger, Owner, UpsertRequest, REDACTED};
pub use switch::set_enabled;
pub use types::{ToolkitRef, TriggerKind, TriggerType, TriggerTypes};
