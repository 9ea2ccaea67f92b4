//! Pagination: how a list endpoint pages through results (a toolkit's default, or a
//! tool's own).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How a list endpoint pages through results.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "style", rename_all = "snake_case", deny_unknown_fields)]
pub enum Pagination {
    /// An opaque cursor from the response is passed back in a parameter.
    Cursor {
        /// Request parameter that takes the cursor (`cursor`, `page_token`).
        cursor_param: String,
        /// JSON path of the next cursor in the response (`$.response_metadata.next_cursor`).
        next_cursor_path: String,
        /// Request parameter for the page size.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        limit_param: Option<String>,
        /// JSON path of the items in the response.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        results_path: Option<String>,
    },
    /// Pages are numbered.
    Page {
        /// Request parameter for the page number.
        page_param: String,
        /// Request parameter for the page size.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        limit_param: Option<String>,
        /// JSON path of the items in the response.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        results_path: Option<String>,
    },
    /// Items are addressed by offset.
    Offset {
        /// Request parameter for the offset.
        offset_param: String,
        /// Request parameter for the page size.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        limit_param: Option<String>,
        /// JSON path of the items in the response.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        results_path: Option<String>,
    },
    /// The next page's URL is in the `Link` response header (`rel="next"`).
    LinkHeader {
        /// Request parameter for the page size.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        limit_param: Option<String>,
    },
}
