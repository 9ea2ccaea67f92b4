use serde::{Deserialize, Serialize};

// Every problem is reported in one build.
#[derive(Serialize, Deserialize, schemars::JsonSchema, toolsmith::Tool)]
#[tool(slug = "math-add", nmae = "Add", tags(readonly))]
struct MathAdd {
    a: f64,
}

fn main() {}
