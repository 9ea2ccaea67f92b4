use serde::{Deserialize, Serialize};

/// An enum.
#[derive(Serialize, Deserialize, schemars::JsonSchema, toolsmith::Tool)]
#[tool(slug = "SHAPE_AREA")]
enum Shape {
    Circle { radius: f64 },
}

/// A union.
#[derive(toolsmith::Tool)]
#[tool(slug = "BITS_OF")]
union Bits {
    int: u32,
    float: f32,
}

/// A tuple struct.
#[derive(Serialize, Deserialize, schemars::JsonSchema, toolsmith::Tool)]
#[tool(slug = "MATH_ADD")]
struct Pair(f64, f64);

/// A unit struct.
#[derive(Serialize, Deserialize, schemars::JsonSchema, toolsmith::Tool)]
#[tool(slug = "DEMO_PING")]
struct Ping;

/// A generic struct.
#[derive(Serialize, Deserialize, schemars::JsonSchema, toolsmith::Tool)]
#[tool(slug = "DEMO_ECHO")]
struct Echo<T> {
    value: T,
}

/// A transparent struct.
#[derive(Serialize, Deserialize, schemars::JsonSchema, toolsmith::Tool)]
#[serde(transparent)]
#[tool(slug = "DEMO_WRAP")]
struct Wrap {
    value: String,
}

fn main() {}
