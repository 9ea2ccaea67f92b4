//! How lists are asked for and paged: comma-joined query lists (`user_ids=a,b`, as the
//! SDK sends arrays) and offset cursors over a list in a stable order.

use serde_json::Value;

use crate::error::ApiError;
use crate::routes::shapes::page;

/// The values of a comma-joined query parameter, trimmed, empty ones dropped.
pub fn list_of(text: Option<&str>) -> Vec<String> {
    text.unwrap_or_default().split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
}

/// Items `[cursor, cursor + limit)` of `items`, the cursor of the next page, and the total.
pub fn slice<T>(
    items: Vec<T>,
    limit: usize,
    cursor: Option<&str>,
) -> Result<(Vec<T>, Option<String>, usize), ApiError> {
    let total = items.len();
    let limit = limit.clamp(1, 1000);
    let offset = match cursor {
        Some(c) if !c.is_empty() => c.parse::<usize>().map_err(|_| {
            ApiError::bad_request("Request_InvalidCursor", format!("`cursor`: `{c}` is not a cursor of this list"))
                .fix("pass the next_cursor of the previous page, or none")
        })?,
        _ => 0,
    };
    let next = (offset + limit < total).then(|| (offset + limit).to_string());
    Ok((items.into_iter().skip(offset).take(limit).collect(), next, total))
}

/// One page of `items` in Composio's list shape (`items`, `next_cursor`, `total_items`, …).
pub fn paged(items: Vec<Value>, limit: usize, cursor: Option<&str>) -> Result<Value, ApiError> {
    let (items, next, total) = slice(items, limit, cursor)?;
    Ok(page(items, next, total, limit))
}
