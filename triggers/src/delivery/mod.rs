//! Signed, durable delivery of trigger events to the app.
//!
//! A [`Deliverer`] works for one project's store: it claims due deliveries from the
//! outbox ([`TriggerEvents::claim_deliveries`](toolsmith_store::TriggerEvents::claim_deliveries)),
//! POSTs each event's envelope to the subscription's URL signed as Composio signs its
//! webhooks ([`sign_delivery`](crate::signature::sign_delivery)), and records the
//! attempt: delivered on 2xx, else retried later ([`RetryPolicy`]) until the retry
//! period ends. Each trigger instance's events are delivered one after another in the
//! order they were recorded; different instances' in parallel. A delivery cut short
//! (the worker stopped, the process died) is claimed again when its lease ends: every
//! event is delivered at least once, and the app recognises a repeat by its
//! `webhook-id`.

mod attempt;
mod retry;
mod wake;
mod worker;

pub use attempt::EXCERPT_CHARS;
pub use retry::RetryPolicy;
pub use wake::DeliveryWake;
pub use worker::{Deliverer, DeliveryError, DeliveryOptions};
