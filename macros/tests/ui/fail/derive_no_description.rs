use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, schemars::JsonSchema, toolsmith::Tool)]
#[tool(slug = "MATH_ADD")]
struct MathAdd {
    /// Documenting a field does not describe the tool.
    a: f64,
}

///
#[derive(Serialize, Deserialize, schemars::JsonSchema, toolsmith::Tool)]
#[tool(slug = "MATH_SUB", description = "  ")]
struct MathSub {}

fn main() {}
