use serde::{Deserialize, Serialize};

/// Adds two numbers.
#[derive(Serialize, Deserialize, schemars::JsonSchema, toolsmith::Tool)]
struct MathAdd {
    a: f64,
    b: f64,
}

/// Adds two numbers.
#[derive(Serialize, Deserialize, schemars::JsonSchema, toolsmith::Tool)]
#[tool(tags(readOnlyHint))]
struct Add {
    a: f64,
    b: f64,
}

fn main() {}
