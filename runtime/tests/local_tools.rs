//! Hand-written tools: `#[derive(toolsmith::Tool)]` and `#[toolsmith::tool]`, called
//! typed and by slug through a `Registry`.

// An integration test crate: its helpers may unwrap too (a panic fails the test).
#![allow(clippy::unwrap_used)]

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use toolsmith::{Client, Context, Error, Handler, Registry, Tool, UserId};

/// Adds two numbers. Use it for exact arithmetic.
#[derive(Debug, Serialize, Deserialize, schemars::JsonSchema, toolsmith::Tool)]
#[tool(slug = "MATH_ADD", tags(readOnlyHint, idempotentHint))]
struct MathAdd {
    /// The first addend.
    a: f64,
    /// The second addend.
    b: f64,
}

impl Handler for MathAdd {
    type Output = f64;

    async fn call(&self, _cx: &Context<'_>) -> Result<f64, Error> {
        Ok(self.a + self.b)
    }
}

/// What `TEXT_STATS` returns.
#[derive(Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
struct Stats {
    words: usize,
    user: String,
}

/// # Text statistics
///
/// Counts the words of a text.
#[derive(Debug, Default, Serialize, Deserialize, schemars::JsonSchema, toolsmith::Tool)]
#[serde(deny_unknown_fields)]
#[tool(slug = "TEXT_TOOLS_STATS", toolkit = "text_tools", output_schema)]
struct TextStats {
    text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max_words: Option<usize>,
}

impl Handler for TextStats {
    type Output = Stats;

    async fn call(&self, cx: &Context<'_>) -> Result<Stats, Error> {
        let words = self.text.split_whitespace().count();
        if self.max_words.is_some_and(|max| words > max) {
            return Err(Error::handler(Self::SLUG, format!("{words} words, more than {}", self.max_words.unwrap())));
        }
        Ok(Stats { words, user: cx.user.to_string() })
    }
}

/// Greets someone by name.
///
/// Say who with `name`; `times` repeats the greeting.
#[toolsmith::tool(tags(readOnlyHint))]
async fn greet(cx: &Context<'_>, name: String, #[serde(default = "one")] times: u32) -> Result<String, Error> {
    if name.is_empty() {
        return Err(Error::handler("LOCAL_GREET", "the name is empty"));
    }
    Ok(format!("{} (for {})", vec![format!("Hello, {name}!"); times as usize].join(" "), cx.user))
}

fn one() -> u32 {
    1
}

/// Divides `a` by `b`.
#[toolsmith::tool(slug = "MATH_DIVIDE", name = "Divide")]
pub async fn divide(
    /// The dividend.
    a: f64,
    /// The divisor; not zero.
    b: f64,
) -> Result<f64, Error> {
    if b == 0.0 {
        return Err(Error::handler("MATH_DIVIDE", "division by zero"));
    }
    Ok(a / b)
}

#[doc = concat!("  Echoes its ", "input. ")]
#[derive(Serialize, Deserialize, schemars::JsonSchema, toolsmith::Tool)]
#[tool(slug = "DEMO_ECHO")]
struct Echo {}

impl Handler for Echo {
    type Output = ();

    async fn call(&self, _cx: &Context<'_>) -> Result<(), Error> {
        Ok(())
    }
}

fn setup() -> (Client, UserId) {
    (Client::new(), UserId::new("user-1"))
}

fn registry() -> Registry {
    let mut registry = Registry::default();
    registry.register::<MathAdd>();
    registry.register::<TextStats>();
    registry.register::<Greet>();
    registry.register::<Divide>();
    registry
}

#[test]
fn derive_definition() {
    assert_eq!(MathAdd::SLUG, "MATH_ADD");
    assert_eq!(MathAdd::TOOLKIT, "math");
    let def = MathAdd::definition();
    assert!(std::ptr::eq(def, MathAdd::definition()), "built once");
    assert_eq!((def.slug, def.toolkit, def.name), ("MATH_ADD", "math", "Math add"));
    assert_eq!(def.description, "Adds two numbers. Use it for exact arithmetic.");
    assert_eq!(def.tags, ["readOnlyHint", "idempotentHint"]);
    assert!(def.http.is_none());
    assert_eq!(def.output_schema_value(), None);
    assert_eq!(
        def.input_schema_value().to_string(),
        r#"{"type":"object","properties":{"a":{"type":"number","format":"double","description":"The first addend."},"b":{"type":"number","format":"double","description":"The second addend."}},"required":["a","b"]}"#
    );
}

#[test]
fn derive_definition_with_toolkit_heading_and_output_schema() {
    assert_eq!((TextStats::SLUG, TextStats::TOOLKIT), ("TEXT_TOOLS_STATS", "text_tools"));
    let def = TextStats::definition();
    assert_eq!(def.name, "Text statistics");
    assert_eq!(def.description, "Counts the words of a text.");
    assert!(def.tags.is_empty());
    assert_eq!(
        def.input_schema_value(),
        json!({
            "type": "object",
            "properties": {
                "text": { "type": "string" },
                "max_words": { "type": ["integer", "null"], "format": "uint", "minimum": 0 }
            },
            "additionalProperties": false,
            "required": ["text"]
        })
    );
    assert_eq!(
        def.output_schema_value(),
        Some(json!({
            "description": "What `TEXT_STATS` returns.",
            "type": "object",
            "properties": {
                "words": { "type": "integer", "format": "uint", "minimum": 0 },
                "user": { "type": "string" }
            },
            "required": ["words", "user"]
        }))
    );
}

#[test]
fn computed_doc_and_no_arguments() {
    let def = Echo::definition();
    assert_eq!((def.name, &*def.description), ("Echo", "Echoes its input."));
    assert_eq!(def.input_schema_value().to_string(), r#"{"type":"object"}"#);
}

#[test]
fn attribute_definition() {
    assert_eq!((Greet::SLUG, Greet::TOOLKIT), ("LOCAL_GREET", "local"));
    let def = Greet::definition();
    assert_eq!(def.name, "Greet");
    assert_eq!(def.description, "Greets someone by name.\n\nSay who with `name`; `times` repeats the greeting.");
    assert_eq!(def.tags, ["readOnlyHint"]);
    assert_eq!(
        def.input_schema_value().to_string(),
        r#"{"type":"object","properties":{"name":{"type":"string"},"times":{"type":"integer","format":"uint32","minimum":0,"default":1}},"required":["name"]}"#
    );

    assert_eq!((Divide::SLUG, Divide::TOOLKIT), ("MATH_DIVIDE", "math"));
    let def = Divide::definition();
    assert_eq!((def.name, &*def.description), ("Divide", "Divides `a` by `b`."));
    assert_eq!(
        def.input_schema_value(),
        json!({
            "type": "object",
            "properties": {
                "a": { "description": "The dividend.", "type": "number", "format": "double" },
                "b": { "description": "The divisor; not zero.", "type": "number", "format": "double" }
            },
            "required": ["a", "b"]
        })
    );
}

#[tokio::test]
async fn typed_calls() {
    let (client, user) = setup();
    assert_eq!(MathAdd { a: 1.5, b: 2.0 }.execute(&client, &user).await.unwrap(), 3.5);
    assert_eq!(
        TextStats { text: "one two three".into(), max_words: None }.execute(&client, &user).await.unwrap(),
        Stats { words: 3, user: "user-1".into() }
    );
    let too_long = TextStats { text: "one two three".into(), max_words: Some(2) }.execute(&client, &user).await;
    assert_eq!(too_long.unwrap_err().to_string(), "TEXT_TOOLS_STATS: 3 words, more than 2");

    let hello = Greet { name: "Ada".into(), times: 2 };
    assert_eq!(hello.execute(&client, &user).await.unwrap(), "Hello, Ada! Hello, Ada! (for user-1)");
    assert_eq!(client.execute(&Divide { a: 1.0, b: 4.0 }, &user).await.unwrap(), 0.25);
    assert_eq!(
        Divide { a: 1.0, b: 0.0 }.execute(&client, &user).await.unwrap_err().to_string(),
        "MATH_DIVIDE: division by zero"
    );
    // The fn stays callable as written.
    assert_eq!(divide(9.0, 3.0).await.unwrap(), 3.0);
}

#[tokio::test]
async fn calls_by_slug() {
    let (client, user) = setup();
    let registry = registry();
    let slugs: Vec<_> = registry.local_tools().map(|d| d.slug).collect();
    assert_eq!(slugs, ["MATH_ADD", "TEXT_TOOLS_STATS", "LOCAL_GREET", "MATH_DIVIDE"]);

    let run = |slug: &'static str, args: Value| {
        let (registry, client, user) = (&registry, &client, &user);
        async move { registry.execute(client, slug, user, args).await }
    };
    assert_eq!(run("MATH_ADD", json!({ "a": 2, "b": 3 })).await.unwrap(), json!(5.0));
    assert_eq!(run("math_add", json!({ "a": -1, "b": 0.5 })).await.unwrap(), json!(-0.5));
    assert_eq!(
        run("TEXT_TOOLS_STATS", json!({ "text": "a b" })).await.unwrap(),
        json!({ "words": 2, "user": "user-1" })
    );
    assert_eq!(run("LOCAL_GREET", json!({ "name": "Bob" })).await.unwrap(), json!("Hello, Bob! (for user-1)"));
    assert_eq!(run("MATH_DIVIDE", json!({ "a": 1, "b": 8 })).await.unwrap(), json!(0.125));

    // Bad arguments: a missing field, a wrong type, an unknown field where denied.
    let missing = run("MATH_ADD", json!({ "a": 2 })).await.unwrap_err();
    assert!(matches!(&missing, Error::InvalidArguments { slug, .. } if slug == "MATH_ADD"), "{missing:?}");
    assert!(missing.to_string().contains("missing field `b`"), "{missing}");
    let wrong_type = run("LOCAL_GREET", json!({ "name": 42 })).await.unwrap_err();
    assert!(matches!(wrong_type, Error::InvalidArguments { .. }), "{wrong_type:?}");
    let unknown = run("TEXT_TOOLS_STATS", json!({ "text": "a", "txt": "b" })).await.unwrap_err();
    assert!(unknown.to_string().contains("unknown field `txt`"), "{unknown}");

    // A handler's own error comes through as is.
    let failed = run("MATH_DIVIDE", json!({ "a": 1, "b": 0 })).await.unwrap_err();
    assert!(matches!(failed, Error::Handler { .. }), "{failed:?}");
    assert!(matches!(run("MATH_SUBTRACT", json!({})).await.unwrap_err(), Error::UnknownTool(_)));
}

/// The schema a tool publishes accepts what its struct serializes to, and rejects
/// what its deserializer rejects.
#[test]
fn schemas_validate_serialized_inputs() {
    fn check<T: Tool>(input: &T, bad: &[Value]) {
        let schema = T::definition().input_schema_value();
        let validator = jsonschema::draft202012::new(&schema).expect("a valid JSON Schema");
        let json = serde_json::to_value(input).unwrap();
        let errors: Vec<String> = validator.iter_errors(&json).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{} rejects {json}: {errors:?}", T::SLUG);
        for bad in bad {
            assert!(!validator.is_valid(bad), "{} accepts {bad}", T::SLUG);
        }
    }
    check(&MathAdd { a: 1.0, b: -2.5 }, &[json!({ "a": 1 }), json!({ "a": "1", "b": 2 })]);
    check(&TextStats { text: "hi".into(), max_words: Some(3) }, &[json!({ "text": "a", "txt": "b" })]);
    check(&TextStats { text: "hi".into(), ..Default::default() }, &[json!({ "max_words": 3 })]);
    check(&Greet { name: "Ada".into(), times: 3 }, &[json!({ "times": 1 })]);
    check(&Divide { a: 1.0, b: 2.0 }, &[json!([1, 2])]);
}
