//! What a poll instance keeps between polls, in its trigger instance's `state`:
//! `{"cursor": …, "last_poll": "RFC 3339", "seen": [recent keys, newest first]}`.

use std::collections::HashSet;
use std::time::SystemTime;

use serde_json::{Map, Value};

/// A poll instance's state, read from and written into [`TriggerInstance::state`]
/// (other members of that object are kept as they are).
///
/// [`TriggerInstance::state`]: toolsmith_store::TriggerInstance::state
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PollState {
    /// The cursor the next poll sends, once a poll found one.
    pub cursor: Option<Value>,
    /// When the last recorded poll ran; `None` before the first (the baseline).
    pub last_poll: Option<SystemTime>,
    /// Keys of the items the recent polls saw, newest first, at most
    /// [`PollState::RECENT_KEYS`]: an item seen again (a high-water mark that includes
    /// its bound, a list that always returns the latest) is not new.
    pub seen: Vec<String>,
}

impl PollState {
    /// How many recent keys are kept.
    pub const RECENT_KEYS: usize = 1000;

    /// The state in an instance's `state` (what is missing or malformed reads as absent).
    ///
    /// ```
    /// use toolsmith_triggers::poll::PollState;
    /// let state = PollState::read(&serde_json::json!({"cursor": 5, "last_poll": "2026-12-07T21:00:00Z", "seen": ["a"]}));
    /// assert_eq!(state.cursor, Some(serde_json::json!(5)));
    /// assert!(state.last_poll.is_some());
    /// assert_eq!(PollState::read(&serde_json::Value::Null), PollState::default());
    /// ```
    pub fn read(state: &Value) -> PollState {
        let cursor = state.get("cursor").filter(|c| !c.is_null()).cloned();
        let last_poll =
            state.get("last_poll").and_then(Value::as_str).and_then(|t| humantime::parse_rfc3339_weak(t).ok());
        let seen = state
            .get("seen")
            .and_then(Value::as_array)
            .map(|keys| keys.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default();
        PollState { cursor, last_poll, seen }
    }

    /// `previous` (an instance's whole `state`) with this state written into it.
    pub fn write(&self, previous: &Value) -> Value {
        let mut object = match previous {
            Value::Object(object) => object.clone(),
            _ => Map::new(),
        };
        object.insert("cursor".into(), self.cursor.clone().unwrap_or(Value::Null));
        let last_poll = self.last_poll.map(|t| humantime::format_rfc3339_millis(t).to_string());
        object.insert("last_poll".into(), last_poll.map_or(Value::Null, Value::String));
        object.insert("seen".into(), self.seen.iter().cloned().map(Value::String).collect());
        Value::Object(object)
    }

    /// The recent keys after a poll that saw `keys`: those first, then the older ones
    /// not among them, at most [`RECENT_KEYS`](Self::RECENT_KEYS).
    pub(crate) fn remember(&self, keys: &[String]) -> Vec<String> {
        let fresh: HashSet<&str> = keys.iter().map(String::as_str).collect();
        let older = self.seen.iter().filter(|k| !fresh.contains(k.as_str()));
        let mut seen: Vec<String> = Vec::with_capacity(Self::RECENT_KEYS);
        let mut taken: HashSet<&str> = HashSet::new();
        for key in keys.iter().chain(older) {
            if seen.len() == Self::RECENT_KEYS {
                break;
            }
            if taken.insert(key.as_str()) {
                seen.push(key.clone());
            }
        }
        seen
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::time::Duration;

    use serde_json::json;

    use super::*;

    #[test]
    fn state_round_trips_and_keeps_other_members() {
        let state = PollState {
            cursor: Some(json!("t2")),
            last_poll: Some(SystemTime::UNIX_EPOCH + Duration::from_millis(1_796_000_000_123)),
            seen: vec!["b".into(), "a".into()],
        };
        let written = state.write(&json!({"registration": "kept"}));
        assert_eq!(written["registration"], "kept");
        assert_eq!(PollState::read(&written), state);
    }

    #[test]
    fn recent_keys_put_the_latest_first_and_stay_bounded() {
        let state = PollState { seen: vec!["c".into(), "b".into(), "a".into()], ..Default::default() };
        assert_eq!(state.remember(&["d".into(), "b".into(), "d".into()]), ["d", "b", "c", "a"]);
        let many: Vec<String> = (0..PollState::RECENT_KEYS + 5).map(|i| i.to_string()).collect();
        let kept = state.remember(&many);
        assert_eq!(kept.len(), PollState::RECENT_KEYS);
        assert_eq!(kept[0], "0");
    }
}
