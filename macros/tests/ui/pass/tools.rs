#![deny(warnings)]

use serde::{Deserialize, Serialize};
use toolsmith::{Client, Context, Error, Handler, Registry, Tool, UserId};

/// Adds two numbers.
#[derive(Serialize, Deserialize, schemars::JsonSchema, toolsmith::Tool)]
#[tool(slug = "MATH_ADD", name = "Add numbers", tags(readOnlyHint, idempotentHint))]
struct MathAdd {
    a: f64,
    b: f64,
}

impl Handler for MathAdd {
    type Output = f64;

    async fn call(&self, _cx: &Context<'_>) -> Result<f64, Error> {
        Ok(self.a + self.b)
    }
}

/// Checks that the service answers; takes no argument.
#[derive(Serialize, Deserialize, schemars::JsonSchema, toolsmith::Tool)]
#[tool(slug = "DEMO_SERVICE_PING", toolkit = "demo_service", output_schema)]
pub struct Ping {}

impl Handler for Ping {
    type Output = String;

    async fn call(&self, cx: &Context<'_>) -> Result<String, Error> {
        Ok(format!("pong for {}", cx.user))
    }
}

#[derive(Serialize, Deserialize, schemars::JsonSchema, toolsmith::Tool)]
#[tool(slug = "DOCS_INCLUDED", description = "Described by the attribute, not by a doc comment.")]
struct Described {
    #[serde(rename = "type")]
    kind: Option<String>,
}

impl Handler for Described {
    type Output = Option<String>;

    async fn call(&self, _cx: &Context<'_>) -> Result<Option<String>, Error> {
        Ok(self.kind.clone())
    }
}

/// Multiplies two numbers.
#[toolsmith::tool]
async fn multiply(a: f64, b: f64) -> Result<f64, toolsmith::Error> {
    Ok(a * b)
}

/// Says who the call is for.
#[toolsmith::tool(slug = "DEMO_SERVICE_WHOAMI", toolkit = "demo_service", tags(readOnlyHint), output_schema)]
pub(crate) async fn whoami(cx: &toolsmith::Context<'_>, #[serde(default)] shout: bool) -> Result<String, Error> {
    let user = cx.user.to_string();
    Ok(if shout { user.to_uppercase() } else { user })
}

/// An error of this crate, which converts into `toolsmith::Error`.
struct Negative;

impl From<Negative> for Error {
    fn from(_: Negative) -> Self {
        Error::handler("LOCAL_SQUARE_ROOT", "negative input")
    }
}

/// Takes the square root of `x`.
#[toolsmith::tool]
#[serde(deny_unknown_fields)]
async fn square_root(
    /// A number, at least 0.
    #[allow(unused_mut)]
    mut x: f64,
) -> Result<f64, Negative> {
    if x < 0.0 {
        return Err(Negative);
    }
    x = x.sqrt();
    Ok(x)
}

/// A raw identifier argument.
#[toolsmith::tool(slug = "LOCAL_RAW")]
async fn r#raw(r#type: String) -> Result<String, Error> {
    Ok(r#type)
}

#[tokio::main]
async fn main() {
    let (client, user) = (Client::new(), UserId::new("ada"));

    assert_eq!((MathAdd::SLUG, MathAdd::TOOLKIT, MathAdd::definition().name), ("MATH_ADD", "math", "Add numbers"));
    assert_eq!(MathAdd { a: 1.0, b: 2.0 }.execute(&client, &user).await.unwrap(), 3.0);
    assert_eq!((Ping::SLUG, Ping::TOOLKIT, Ping::definition().name), ("DEMO_SERVICE_PING", "demo_service", "Ping"));
    assert_eq!(Ping::definition().input_schema_value().to_string(), r#"{"type":"object"}"#);
    assert_eq!(Ping::definition().output_schema_value().map(|s| s.to_string()).as_deref(), Some(r#"{"type":"string"}"#));
    assert_eq!(Ping {}.execute(&client, &user).await.unwrap(), "pong for ada");
    assert_eq!(Described::TOOLKIT, "docs");
    assert_eq!(Described::definition().description, "Described by the attribute, not by a doc comment.");

    assert_eq!((Multiply::SLUG, Multiply::TOOLKIT), ("LOCAL_MULTIPLY", "local"));
    assert_eq!(Multiply { a: 2.0, b: 3.0 }.execute(&client, &user).await.unwrap(), 6.0);
    assert_eq!(multiply(2.0, 4.0).await.unwrap(), 8.0);
    assert_eq!(Whoami::definition().tags, ["readOnlyHint"]);
    assert_eq!(Whoami { shout: true }.execute(&client, &user).await.unwrap(), "ADA");
    assert_eq!(SquareRoot::SLUG, "LOCAL_SQUARE_ROOT");
    assert_eq!(SquareRoot { x: 9.0 }.execute(&client, &user).await.unwrap(), 3.0);
    assert!(SquareRoot { x: -1.0 }.execute(&client, &user).await.is_err());
    assert_eq!(Raw { r#type: "t".into() }.execute(&client, &user).await.unwrap(), "t");
    assert!(Raw::definition().input_schema_value().to_string().contains(r#""type":{"type":"string"}"#));

    let mut registry = Registry::default();
    registry.register::<MathAdd>();
    registry.register::<Whoami>();
    registry.register::<SquareRoot>();
    let args = serde_json::json!({ "x": 16 });
    assert_eq!(registry.execute(&client, "LOCAL_SQUARE_ROOT", &user, args).await.unwrap(), 4.0);
    let unknown = serde_json::json!({ "x": 16, "y": 1 });
    assert!(registry.execute(&client, "LOCAL_SQUARE_ROOT", &user, unknown).await.is_err());
    let args = serde_json::json!({});
    assert_eq!(registry.execute(&client, "DEMO_SERVICE_WHOAMI", &user, args).await.unwrap(), "ada");
}
