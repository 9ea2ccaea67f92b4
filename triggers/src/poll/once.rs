//! One poll of one instance: run its tool with the cursor, tell the new items from the
//! ones seen, and record their events with the instance's new state in one call.

use std::collections::HashSet;
use std::time::SystemTime;

use serde_json::Value;
use toolsmith_spec::json_path::select;
use toolsmith_spec::Poll;
use toolsmith_store::{NewTriggerEvent, StoreError, TriggerEvents, TriggerInstance};

use super::cursor;
use super::executor::{PollExecutor, PollFailure};
use super::state::PollState;
use crate::envelope;

/// What a poll found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PollReport {
    /// Items in the tool's output.
    pub items: usize,
    /// Events recorded (new items).
    pub events: usize,
    /// Whether it was the instance's first poll, whose items are not new.
    pub baseline: bool,
}

/// The new items of a poll (key and item, in the output's order) and the state after it.
#[derive(Debug)]
pub(crate) struct Plan<'o> {
    pub(crate) new: Vec<(String, &'o Value)>,
    pub(crate) items: usize,
    pub(crate) state: PollState,
}

/// The items of a tool's output: the values at `items_path` (the whole output without
/// one), each array among them standing for its items; nulls are not items.
fn items<'o>(output: &'o Value, path: Option<&str>) -> Vec<&'o Value> {
    select(output, path.unwrap_or("$"))
        .into_iter()
        .flat_map(|v| match v {
            Value::Array(items) => items.iter().collect::<Vec<_>>(),
            other => vec![other],
        })
        .filter(|v| !v.is_null())
        .collect()
}

/// An item's key: the value at `dedupe_key`, a string as itself, anything else as JSON.
fn key(item: &Value, path: &str) -> Option<String> {
    match select(item, path).into_iter().find(|v| !v.is_null())? {
        Value::String(text) => Some(text.clone()),
        other => Some(other.to_string()),
    }
}

/// What a poll that returned `output` at `now` means: on the first poll (no
/// `last_poll`) nothing is new, it is the baseline; afterwards an item is new when its
/// key is not among the recent ones (nor earlier in the same output). Items without a
/// key cannot be told apart and are left out.
pub(crate) fn plan<'o>(poll: &Poll, state: &PollState, output: &'o Value, now: SystemTime) -> Plan<'o> {
    let found = items(output, poll.items_path.as_deref());
    let keyed: Vec<(String, &Value)> =
        found.iter().filter_map(|item| Some((key(item, &poll.dedupe_key)?, *item))).collect();
    let keys: Vec<String> = keyed.iter().map(|(k, _)| k.clone()).collect();
    let mut known: HashSet<&str> = state.seen.iter().map(String::as_str).collect();
    let mut new = Vec::new();
    if state.last_poll.is_some() {
        for (key, item) in &keyed {
            if known.insert(key.as_str()) {
                new.push((key.clone(), *item));
            }
        }
    }
    let cursor = match &poll.cursor {
        Some(spec) => cursor::next(spec, output, &found, state.cursor.as_ref()),
        None => None,
    };
    Plan { new, items: found.len(), state: PollState { cursor, last_poll: Some(now), seen: state.remember(&keys) } }
}

/// Polls `instance` once at `now`: runs `poll.tool` through `executor` with the
/// arguments the cursor gives, and records the events of the new items together with
/// the instance's new state (cursor, last poll, recent keys) in one
/// [`record_trigger_events`](TriggerEvents::record_trigger_events) call, so the cursor
/// moves if and only if the events are recorded. A failed run records nothing.
pub async fn poll_once<S>(
    store: &S,
    executor: &dyn PollExecutor,
    instance: &TriggerInstance,
    poll: &Poll,
    now: SystemTime,
) -> Result<PollReport, PollFailure>
where
    S: TriggerEvents + ?Sized,
{
    let state = PollState::read(&instance.state);
    let arguments = cursor::arguments(poll, &instance.config, state.cursor.as_ref(), now);
    let output = executor.run(instance, &poll.tool, arguments).await?;
    let plan = plan(poll, &state, &output, now);
    let events: Vec<NewTriggerEvent> = plan
        .new
        .iter()
        .map(|(key, item)| envelope::message(instance, (*item).clone(), Some(key.clone()), now))
        .collect();
    let written = plan.state.write(&instance.state);
    let recorded = store.record_trigger_events(&events, Some((&instance.id, &written))).await.map_err(store_failure)?;
    Ok(PollReport { items: plan.items, events: recorded.len(), baseline: state.last_poll.is_none() })
}

/// A store that failed while recording: worth trying again (the poll is repeated with
/// the old cursor, so nothing is lost).
fn store_failure(error: StoreError) -> PollFailure {
    PollFailure::Retryable { message: format!("recording the poll's events failed: {error}"), retry_after: None }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::time::Duration;

    use serde_json::json;

    use super::*;

    fn poll(cursor: &str) -> Poll {
        serde_yaml::from_str(&format!(
            r#"{{ tool: DEMO_LIST, interval_seconds: 1, dedupe_key: "$.id", items_path: "$.things" {cursor} }}"#
        ))
        .unwrap()
    }

    fn listing(ids: &[(&str, u64)]) -> Value {
        json!({"things": ids.iter().map(|(id, at)| json!({"id": id, "updated": at})).collect::<Vec<_>>()})
    }

    fn keys(plan: &Plan<'_>) -> Vec<String> {
        plan.new.iter().map(|(k, _)| k.clone()).collect()
    }

    #[test]
    fn the_first_poll_is_the_baseline_and_later_ones_find_only_new_items() {
        let poll = poll(r#", cursor: { argument: since, from_items: "$.updated" }"#);
        let t = |s| SystemTime::UNIX_EPOCH + Duration::from_secs(s);
        let first = listing(&[("a", 1), ("b", 2)]);
        let baseline = plan(&poll, &PollState::default(), &first, t(10));
        assert!(baseline.new.is_empty(), "the baseline emits nothing");
        assert_eq!(baseline.state.cursor, Some(json!(2)));
        assert_eq!(baseline.state.last_poll, Some(t(10)));

        // The API includes its bound (`since` = 2 returns b again): b is not new.
        let second = listing(&[("b", 2), ("c", 3), ("c", 3)]);
        let next = plan(&poll, &baseline.state, &second, t(11));
        assert_eq!(keys(&next), ["c"], "b was seen, c once");
        assert_eq!(next.state.cursor, Some(json!(3)));

        // An empty answer keeps the cursor; items without a key are left out.
        let nameless = json!({"things": [{"name": "no id"}]});
        let empty = plan(&poll, &next.state, &nameless, t(12));
        assert!(empty.new.is_empty());
        assert_eq!(empty.state.cursor, Some(json!(3)));
        assert_eq!(empty.items, 1);
    }

    #[test]
    fn without_a_cursor_dedupe_keys_alone_tell_new_items() {
        let poll = poll("");
        let now = SystemTime::UNIX_EPOCH;
        let (first, second) = (listing(&[("b", 0), ("a", 0)]), listing(&[("c", 0), ("b", 0), ("a", 0)]));
        let baseline = plan(&poll, &PollState::default(), &first, now);
        let next = plan(&poll, &baseline.state, &second, now);
        assert_eq!(keys(&next), ["c"]);
        assert_eq!(next.state.cursor, None);
        assert_eq!(next.state.seen, ["c", "b", "a"]);
        // Numbers are keys too; the whole output is the list without items_path.
        let bare: Poll =
            serde_yaml::from_str(r#"{ tool: DEMO_LIST, interval_seconds: 1, dedupe_key: "$.n" }"#).unwrap();
        let output = json!([{"n": 7}, null]);
        let later = plan(&bare, &baseline.state, &output, now);
        assert_eq!(keys(&later), ["7"]);
    }
}
