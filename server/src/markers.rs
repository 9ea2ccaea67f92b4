//! Request and response extensions the layers and handlers pass each other; a leaf
//! module, so that layers and pages need not import each other.

/// The request's id (`x-request-id`), set by the request-id layer for the layers and
/// handlers inside it.
#[derive(Clone, Debug)]
pub(crate) struct RequestId(pub(crate) String);

/// Marks a response as an HTML page: the request-id layer leaves its body alone (it
/// rewrites other non-JSON errors into Composio's envelope).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Page;
