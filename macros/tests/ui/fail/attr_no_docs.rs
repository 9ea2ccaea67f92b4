#[toolsmith::tool(slug = "MATH_ADD")]
async fn add(a: f64, b: f64) -> Result<f64, toolsmith::Error> {
    Ok(a + b)
}

fn main() {}
