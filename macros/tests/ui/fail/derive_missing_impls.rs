use serde::{Deserialize, Serialize};

/// Adds two numbers, but has no `Handler` impl.
#[derive(Serialize, Deserialize, schemars::JsonSchema, toolsmith::Tool)]
#[tool(slug = "MATH_ADD")]
struct MathAdd {
    a: f64,
    b: f64,
}

/// Subtracts, but does not derive `Deserialize`.
#[derive(Serialize, schemars::JsonSchema, toolsmith::Tool)]
#[tool(slug = "MATH_SUB")]
struct MathSub {
    a: f64,
    b: f64,
}

impl toolsmith::Handler for MathSub {
    type Output = f64;

    async fn call(&self, _cx: &toolsmith::Context<'_>) -> Result<f64, toolsmith::Error> {
        Ok(self.a - self.b)
    }
}

fn main() {}
