/// Adds two numbers.
#[toolsmith::tool(slug = "math_add", toolkt = "math", tags(readOnly))]
async fn add(a: f64, b: f64) -> Result<f64, toolsmith::Error> {
    Ok(a + b)
}

/// The default slug is too long.
#[toolsmith::tool]
async fn add_two_numbers_together_and_return_the_sum_as_a_double_precision_float() -> Result<f64, toolsmith::Error> {
    Ok(0.0)
}

fn main() {
    // The fn is kept despite the errors, so its callers report nothing more.
    let _ = add(1.0, 2.0);
}
