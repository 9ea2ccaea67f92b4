//! Polling triggers: a [`Poller`] per store runs each enabled poll instance's tool at
//! its interval through a [`PollExecutor`] (the server's one executor), moves the
//! instance's cursor (the spec's [`PollCursor`](toolsmith_spec::PollCursor)), tells new
//! items from seen ones by the spec's `dedupe_key`, and records their events together
//! with the instance's new [`PollState`] in one store transaction: a restart neither
//! re-emits nor loses an item. The first poll of a new instance is its baseline: what
//! is already there is not new. Servers sharing a store claim each poll before making
//! it ([`TriggerInstances::claim_poll`](toolsmith_store::TriggerInstances::claim_poll)), so
//! one of them makes it.

mod cursor;
mod executor;
mod once;
mod schedule;
mod scheduler;
mod state;

pub use executor::{PollExecutor, PollFailure};
pub use once::{poll_once, PollReport};
pub use schedule::{MAX_BACKOFF, PERMANENT_BACKOFF};
pub use scheduler::{node_id, PollOptions, Poller};
pub use state::PollState;
