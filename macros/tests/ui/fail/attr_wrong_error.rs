/// Fails with a `String`, which does not convert into `toolsmith::Error`.
#[toolsmith::tool]
async fn fail(message: String) -> Result<(), String> {
    Err(message)
}

fn main() {}
