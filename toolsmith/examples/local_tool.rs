//! Hand-written tools: Rust code an agent can call beside the catalog's HTTP tools.
//!
//! ```sh
//! cargo run -p toolsmith --example local_tool
//! ```
//!
//! Two ways to write one:
//!
//! - `#[toolsmith::tool]` on an async fn: its parameters become the tool's arguments
//!   (a struct named after the fn, `convert_temperature` → `ConvertTemperature`), its
//!   doc comment the tool's description. The quickest way.
//! - `#[derive(toolsmith::Tool)]` on a struct whose fields are the arguments, plus a
//!   `toolsmith::Handler` impl: for a tool that needs more control over its input
//!   (serde and schemars attributes on the struct) or shares code through `self`.
//!
//! Either way the tool has a slug, a JSON Schema for its input (what an LLM sees), and
//! can be called typed (`tool.execute(&client, &user)`) or by slug with JSON arguments
//! through a [`toolsmith::Registry`].

use serde::{Deserialize, Serialize};
use serde_json::json;
use toolsmith::{Client, Context, Error, Handler, Registry, Tool, UserId};

/// Converts a temperature between Celsius and Fahrenheit.
///
/// Use it whenever the user gives a temperature in one unit and wants the other.
#[toolsmith::tool(slug = "UNITS_CONVERT_TEMPERATURE", tags(readOnlyHint, idempotentHint))]
async fn convert_temperature(
    /// The temperature to convert.
    value: f64,
    /// The unit of `value`: `C` or `F`.
    from: String,
) -> Result<f64, Error> {
    match from.as_str() {
        "C" => Ok(value * 9.0 / 5.0 + 32.0),
        "F" => Ok((value - 32.0) * 5.0 / 9.0),
        other => Err(Error::handler("UNITS_CONVERT_TEMPERATURE", format!("unknown unit `{other}`; use `C` or `F`"))),
    }
}

/// Counts the words of a text and says who asked.
#[derive(Serialize, Deserialize, schemars::JsonSchema, toolsmith::Tool)]
#[serde(deny_unknown_fields)]
#[tool(slug = "TEXT_COUNT_WORDS", tags(readOnlyHint), output_schema)]
struct CountWords {
    /// The text to count the words of.
    text: String,
}

/// What `TEXT_COUNT_WORDS` returns.
#[derive(Serialize, Deserialize, schemars::JsonSchema)]
struct WordCount {
    words: usize,
    asked_by: String,
}

impl Handler for CountWords {
    type Output = WordCount;

    async fn call(&self, cx: &Context<'_>) -> Result<WordCount, Error> {
        Ok(WordCount { words: self.text.split_whitespace().count(), asked_by: cx.user.to_string() })
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let client = Client::new();
    let user = UserId::new("user-42");

    // What an LLM is shown.
    for def in [ConvertTemperature::definition(), CountWords::definition()] {
        println!("{} ({}): {}\n  input: {}", def.slug, def.name, def.description, def.input_schema_value());
        if let Some(output) = def.output_schema_value() {
            println!("  output: {output}");
        }
    }

    // Typed calls: a misspelt argument is a compile error.
    let fahrenheit = ConvertTemperature { value: 21.0, from: "C".into() }.execute(&client, &user).await?;
    println!("\n21 °C = {fahrenheit} °F");
    let count = CountWords { text: "the quick brown fox".into() }.execute(&client, &user).await?;
    println!("{} words, asked by {}", count.words, count.asked_by);

    // Calls by slug with JSON arguments, the way an agent makes them.
    let mut registry = Registry::default();
    registry.register::<ConvertTemperature>();
    registry.register::<CountWords>();
    let celsius =
        registry.execute(&client, "UNITS_CONVERT_TEMPERATURE", &user, json!({ "value": 451, "from": "F" })).await?;
    println!("451 °F = {celsius} °C");
    match registry.execute(&client, "TEXT_COUNT_WORDS", &user, json!({ "txt": "typo" })).await {
        Err(e) => println!("bad arguments are refused: {e}"),
        Ok(v) => println!("unexpected: {v}"),
    }
    Ok(())
}
