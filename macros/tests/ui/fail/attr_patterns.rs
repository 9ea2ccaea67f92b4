/// Adds two numbers.
#[toolsmith::tool]
async fn add((a, b): (f64, f64), _: f64, ref c: f64) -> Result<f64, toolsmith::Error> {
    Ok(a + b + c)
}

fn main() {}
