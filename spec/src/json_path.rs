//! JSON paths of the small subset specs use (`from:` provenances, a poll's `items_path`,
//! `dedupe_key` and `cursor`): `$`, `.name`, `[n]` and `[*]`.

use serde_json::Value;

/// One step of a path.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Step<'p> {
    /// `.name`: a member of an object (of each item of an array).
    Member(&'p str),
    /// `[n]`: an item of an array.
    Index(usize),
    /// `[*]`: every item of an array.
    Every,
}

/// The steps of `path`, or what is wrong with it.
fn steps(path: &str) -> Result<Vec<Step<'_>>, String> {
    let mut rest = path.trim().strip_prefix('$').unwrap_or(path.trim());
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("[*]") {
            steps.push(Step::Every);
            rest = after;
        } else if let Some(after) = rest.strip_prefix('[') {
            let Some((index, after)) = after.split_once(']') else {
                return Err(format!("`[` without `]` in `{path}`"));
            };
            let index = index.trim().parse::<usize>().map_err(|_| {
                format!("`[{index}]` in `{path}` is not an index: use `[0]`, `[1]`, … or `[*]` for every item")
            })?;
            steps.push(Step::Index(index));
            rest = after;
        } else if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            if end == 0 {
                return Err(format!("an empty member name in `{path}`"));
            }
            steps.push(Step::Member(&after[..end]));
            rest = &after[end..];
        } else {
            return Err(format!("`{path}` is not a JSON path: start with `$`, then `.name`, `[n]` or `[*]` steps"));
        }
    }
    Ok(steps)
}

/// Whether `path` is a JSON path of the subset: `Ok`, or what is wrong with it.
///
/// ```
/// use toolsmith_spec::json_path::check;
/// assert!(check("$.items[*].id").is_ok());
/// assert!(check("$").is_ok());
/// assert!(check("items").unwrap_err().contains("start with `$`"));
/// assert!(check("$.a[x]").unwrap_err().contains("not an index"));
/// ```
pub fn check(path: &str) -> Result<(), String> {
    steps(path).map(drop)
}

/// The values at `path` in `root`; none when the path is malformed. A member step over
/// an array takes the member of each item (`$.items.id` is `$.items[*].id`).
///
/// ```
/// use serde_json::json;
/// use toolsmith_spec::json_path::select;
/// let data = json!({"items": [{"id": 1}, {"id": 2}], "next": "t2"});
/// assert_eq!(select(&data, "$.items[*].id"), [&json!(1), &json!(2)]);
/// assert_eq!(select(&data, "$.items[1].id"), [&json!(2)]);
/// assert_eq!(select(&data, "$.next"), [&json!("t2")]);
/// assert_eq!(select(&data, "$"), [&data]);
/// assert!(select(&data, "$.missing").is_empty());
/// ```
pub fn select<'v>(root: &'v Value, path: &str) -> Vec<&'v Value> {
    let Ok(steps) = steps(path) else { return Vec::new() };
    let mut current = vec![root];
    for step in steps {
        current = match step {
            Step::Every => current.into_iter().flat_map(|v| v.as_array().into_iter().flatten()).collect(),
            Step::Index(i) => current.into_iter().filter_map(|v| v.get(i)).collect(),
            Step::Member(key) => current
                .into_iter()
                .flat_map(|v| match v {
                    Value::Array(items) => items.iter().filter_map(|i| i.get(key)).collect::<Vec<_>>(),
                    _ => v.get(key).into_iter().collect(),
                })
                .collect(),
        };
    }
    current
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn paths_select_values() {
        let data = json!([{"owner": {"login": "octo"}, "name": "a"}, {"owner": {"login": "octo"}, "name": "b"}]);
        let names: Vec<&Value> = select(&data, "$[*].name");
        assert_eq!(names, [&json!("a"), &json!("b")]);
        assert_eq!(select(&data, "$[1].owner.login"), [&json!("octo")]);
        assert_eq!(select(&json!({"items": [{"id": 3}]}), "$.items[*].id"), [&json!(3)]);
        assert!(select(&data, "$[x]").is_empty());
    }

    #[test]
    fn malformed_paths_say_what_is_wrong() {
        assert!(check("$.a[0").unwrap_err().contains("without `]`"));
        assert!(check("$..a").unwrap_err().contains("empty member name"));
        assert!(check("$a").unwrap_err().contains("start with `$`"));
    }
}
