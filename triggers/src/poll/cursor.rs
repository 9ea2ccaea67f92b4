//! A poll's arguments and its cursor: what the next poll asks for, from the spec's
//! fixed arguments, the instance's configuration and the last poll's result.

use std::cmp::Ordering;
use std::time::SystemTime;

use serde_json::{Map, Value};
use toolsmith_spec::json_path::select;
use toolsmith_spec::{Poll, PollCursor};

/// The arguments of a poll, later ones winning: the spec's `arguments`, the cursor's
/// `initial` value while there is no cursor (`{now}`: `now` in RFC 3339), the instance's
/// configuration, then the cursor.
pub(crate) fn arguments(
    poll: &Poll,
    config: &Map<String, Value>,
    cursor: Option<&Value>,
    now: SystemTime,
) -> Map<String, Value> {
    let mut arguments = match &poll.arguments {
        Some(Value::Object(fixed)) => fixed.clone(),
        _ => Map::new(),
    };
    let spec = poll.cursor.as_ref();
    if let (Some(spec), None) = (spec, cursor) {
        if let Some(initial) = &spec.initial {
            let now = humantime::format_rfc3339_seconds(now).to_string();
            arguments.insert(spec.argument.clone(), Value::String(initial.replace("{now}", &now)));
        }
    }
    arguments.extend(config.iter().map(|(k, v)| (k.clone(), v.clone())));
    if let (Some(spec), Some(cursor)) = (spec, cursor) {
        arguments.insert(spec.argument.clone(), cursor.clone());
    }
    arguments
}

/// The cursor after a poll that returned `output` with `items`: the first `from` path
/// present in the output, or the largest `from_items` value of the items and `previous`;
/// `previous` when the poll says nothing new.
pub(crate) fn next(spec: &PollCursor, output: &Value, items: &[&Value], previous: Option<&Value>) -> Option<Value> {
    if let Some(path) = &spec.from_items {
        let values = items.iter().flat_map(|item| select(item, path)).filter(|v| !v.is_null());
        return values.chain(previous).max_by(|a, b| compare(a, b)).cloned();
    }
    let found = spec.from.paths().iter().find_map(|path| select(output, path).into_iter().find(|v| !v.is_null()));
    found.or(previous).cloned()
}

/// The order of high-water marks: numbers by value; strings of digits (snowflake ids,
/// Unix times as text) by number; other strings (RFC 3339 times of one format) by text;
/// a number above a string, so a mark never moves back to another kind.
fn compare(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x.as_f64().unwrap_or(f64::MIN).total_cmp(&y.as_f64().unwrap_or(f64::MIN))
        }
        (Value::String(x), Value::String(y)) if is_digits(x) && is_digits(y) => {
            let (x, y) = (x.trim_start_matches('0'), y.trim_start_matches('0'));
            x.len().cmp(&y.len()).then_with(|| x.cmp(y))
        }
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Number(_), _) => Ordering::Greater,
        (_, Value::Number(_)) => Ordering::Less,
        _ => a.to_string().cmp(&b.to_string()),
    }
}

fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::time::Duration;

    use serde_json::json;

    use super::*;

    fn poll(yaml: &str) -> Poll {
        serde_yaml::from_str(yaml).unwrap()
    }

    #[test]
    fn a_high_water_mark_is_the_largest_item_value_and_never_moves_back() {
        let spec: PollCursor =
            serde_yaml::from_str(r#"{ argument: updatedMin, from_items: "$.updated", initial: "{now}" }"#).unwrap();
        let output =
            json!({"items": [{"updated": "2026-12-01T10:00:00Z"}, {"updated": "2026-12-03T08:00:00Z"}, {"id": 3}]});
        let items: Vec<&Value> = output["items"].as_array().unwrap().iter().collect();
        assert_eq!(next(&spec, &output, &items, None), Some(json!("2026-12-03T08:00:00Z")));
        let later = json!("2026-12-05T00:00:00Z");
        assert_eq!(next(&spec, &output, &items, Some(&later)), Some(later.clone()), "never back");
        assert_eq!(next(&spec, &json!({}), &[], Some(&later)), Some(later), "no items: kept");
        assert_eq!(next(&spec, &json!({}), &[], None), None);

        // Snowflake ids by number, not by text; numbers by value.
        let ids: PollCursor = serde_yaml::from_str(r#"{ argument: after, from_items: "$.id" }"#).unwrap();
        let output = json!([{"id": "999999999999999999"}, {"id": "1000000000000000000"}]);
        let items: Vec<&Value> = output.as_array().unwrap().iter().collect();
        assert_eq!(next(&ids, &output, &items, None), Some(json!("1000000000000000000")));
        let output = json!([{"id": 9}, {"id": 10}]);
        let items: Vec<&Value> = output.as_array().unwrap().iter().collect();
        assert_eq!(next(&ids, &output, &items, Some(&json!(2))), Some(json!(10)));
    }

    #[test]
    fn a_token_is_read_from_the_first_path_present() {
        let spec: PollCursor =
            serde_yaml::from_str(r#"{ argument: pageToken, from: ["$.nextPageToken", "$.newStartPageToken"] }"#)
                .unwrap();
        let last_page = json!({"changes": [], "newStartPageToken": "t9"});
        assert_eq!(next(&spec, &last_page, &[], Some(&json!("t1"))), Some(json!("t9")));
        let more = json!({"changes": [], "nextPageToken": "t2", "newStartPageToken": null});
        assert_eq!(next(&spec, &more, &[], Some(&json!("t1"))), Some(json!("t2")));
        assert_eq!(next(&spec, &json!({"changes": []}), &[], Some(&json!("t1"))), Some(json!("t1")), "kept");
    }

    #[test]
    fn arguments_merge_fixed_initial_config_and_cursor_in_that_order() {
        let poll = poll(
            r#"{ tool: DEMO_LIST, interval_seconds: 60, dedupe_key: "$.id",
                 arguments: { limit: 50, q: fixed },
                 cursor: { argument: since, from_items: "$.at", initial: "since {now}" } }"#,
        );
        let config: Map<String, Value> = serde_json::from_value(json!({"q": "mine"})).unwrap();
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_000_000);
        let first = arguments(&poll, &config, None, now);
        assert_eq!(Value::Object(first), json!({"limit": 50, "q": "mine", "since": "since 2026-11-30T00:53:20Z"}));
        let later = arguments(&poll, &config, Some(&json!(42)), now);
        assert_eq!(Value::Object(later), json!({"limit": 50, "q": "mine", "since": 42}));
        // A configured start (Drive's pageToken) until there is a cursor.
        let config: Map<String, Value> = serde_json::from_value(json!({"since": 7})).unwrap();
        assert_eq!(arguments(&poll, &config, None, now)["since"], 7);
        assert_eq!(arguments(&poll, &config, Some(&json!(9)), now)["since"], 9);
    }
}
