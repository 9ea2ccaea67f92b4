/// Adds two numbers.
#[toolsmith::tool]
async fn add(a: f64, b: f64) -> f64 {
    a + b
}

/// Logs a message.
#[toolsmith::tool]
async fn log(message: String) {
    println!("{message}");
}

fn main() {}
