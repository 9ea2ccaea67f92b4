/// Borrowed and `impl Trait` arguments cannot be deserialized.
#[toolsmith::tool]
async fn shout(text: &str, suffix: impl ToString) -> Result<String, toolsmith::Error> {
    Ok(text.to_uppercase() + &suffix.to_string())
}

/// Generic.
#[toolsmith::tool]
async fn echo<T: Clone>(value: T) -> Result<T, toolsmith::Error> {
    Ok(value)
}

/// The context comes first.
#[toolsmith::tool]
async fn whoami(shout: bool, cx: &toolsmith::Context<'_>) -> Result<String, toolsmith::Error> {
    Ok(if shout { cx.user.to_string().to_uppercase() } else { cx.user.to_string() })
}

fn main() {}
