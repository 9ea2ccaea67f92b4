struct Calculator;

impl Calculator {
    /// Adds two numbers.
    #[toolsmith::tool]
    async fn add(&self, a: f64, b: f64) -> Result<f64, toolsmith::Error> {
        Ok(a + b)
    }
}

fn main() {}
