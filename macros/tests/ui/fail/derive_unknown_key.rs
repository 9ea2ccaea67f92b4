use serde::{Deserialize, Serialize};

/// A typo.
#[derive(Serialize, Deserialize, schemars::JsonSchema, toolsmith::Tool)]
#[tool(slgu = "MATH_ADD")]
struct Typo {}

/// Not a key at all, after a good one.
#[derive(Serialize, Deserialize, schemars::JsonSchema, toolsmith::Tool)]
#[tool(slug = "MATH_SUB", http(method = "GET"), descripton = "Subtracts.")]
struct Unknown {}

/// Values that are not strings, and a key given twice.
#[derive(Serialize, Deserialize, schemars::JsonSchema, toolsmith::Tool)]
#[tool(slug = MATH_MUL, name = 3, toolkit = "math")]
#[tool(toolkit = "math")]
struct NotStrings {}

/// Not a list.
#[derive(Serialize, Deserialize, schemars::JsonSchema, toolsmith::Tool)]
#[tool]
struct Bare {}

fn main() {}
