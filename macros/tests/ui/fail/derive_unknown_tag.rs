use serde::{Deserialize, Serialize};

/// Tags with typos and a tag that does not exist.
#[derive(Serialize, Deserialize, schemars::JsonSchema, toolsmith::Tool)]
#[tool(slug = "FILES_READ", tags(readOnly, idempotnetHint, fast))]
struct FilesRead {}

/// Contradictory and repeated tags.
#[derive(Serialize, Deserialize, schemars::JsonSchema, toolsmith::Tool)]
#[tool(slug = "FILES_DELETE", tags(readOnlyHint, destructiveHint, destructiveHint))]
struct FilesDelete {}

/// Tags written as a value.
#[derive(Serialize, Deserialize, schemars::JsonSchema, toolsmith::Tool)]
#[tool(slug = "FILES_LIST", tags = "readOnlyHint")]
struct FilesList {}

fn main() {}
