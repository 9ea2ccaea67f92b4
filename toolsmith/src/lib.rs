//! toolsmith: toolkits and tools for AI agents. A toolkit is described once (YAML, or
//! OpenAPI plus an overlay); its tools become typed Rust structs, and a runtime finds,
//! authenticates and executes them for your users.
//!
//! This crate is the facade. What it always brings is what generated code needs
//! (`toolsmith-core`: [`Tool`], [`ToolDefinition`], [`CompiledToolkit`], [`Execute`],
//! [`Error`], ids), so a crate that only compiles generated toolkits stays light. The
//! rest is behind features, on by default:
//!
//! | feature | brings |
//! |---|---|
//! | `macros` | [`toolkit!`], `#[derive(Tool)]`, [`#[tool]`](macro@tool) |
//! | `runtime` | `Registry`, `Client` (the executor: HTTP, auth, retries, the execution log), `auth`, `store`, `search` (`ToolSearch` over a registry, and the engine of `toolsmith-search`) |
//! | `postgres` (off by default) | `store::PgStore`: the store in a PostgreSQL database that several servers share |
//! | `session` (off by default) | `session`: sessions and meta tools (`ToolRouter`, `Session`, `COMPOSIO_*`), Composio's tool router |
//!
//! ```toml
//! # only generated code (build.rs + include_toolkits!):
//! toolsmith = { version = "0.1", default-features = false }
//! ```
//!
//! ```no_run
//! # #[cfg(feature = "runtime")] {
//! let registry = toolsmith::Registry::load(&["catalog/toolkits"])?;
//! for t in registry.tools().take(5) {
//!     println!("{} — {}", t.tool.slug, t.tool.name);
//! }
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub use toolsmith_core::spec::{ToolSlug, Toolkit, ToolkitSlug};
pub use toolsmith_core::*;

#[cfg(feature = "runtime")]
pub use toolsmith_runtime::{
    auth, search, store, Broken, Client, ClientBuilder, LazyToolkit, LoadError, Page, Registry, Resolved, SearchIndex,
    ToolQuery, ToolRef, ToolSearch,
};

/// The spec reader (YAML with diagnostics, validation, OpenAPI import), for code that
/// loads toolkits; the spec model itself is [`spec`].
#[cfg(feature = "runtime")]
pub use toolsmith_catalog as catalog;

/// Sessions and meta tools (feature `session`): see [`toolsmith_session`].
#[cfg(feature = "session")]
pub use toolsmith_session as session;

/// Implements [`Tool`](trait@Tool) for a hand-written tool: a struct whose named fields are the
/// tool's arguments, and whose [`Handler`] impl is its body. The struct also derives
/// `Serialize`, `Deserialize` and `schemars::JsonSchema`; serde and schemars attributes
/// shape the input schema as usual.
///
/// ```
/// use serde::{Deserialize, Serialize};
/// use toolsmith::{Client, Context, Error, Handler, Tool, UserId};
///
/// /// Adds two numbers. Use it for exact arithmetic.
/// #[derive(Serialize, Deserialize, schemars::JsonSchema, toolsmith::Tool)]
/// #[tool(slug = "MATH_ADD", tags(readOnlyHint, idempotentHint))]
/// struct MathAdd {
///     /// The first addend.
///     a: f64,
///     /// The second addend.
///     b: f64,
/// }
///
/// impl Handler for MathAdd {
///     type Output = f64;
///
///     async fn call(&self, _cx: &Context<'_>) -> Result<f64, Error> {
///         Ok(self.a + self.b)
///     }
/// }
///
/// assert_eq!((MathAdd::SLUG, MathAdd::TOOLKIT), ("MATH_ADD", "math"));
/// let def = MathAdd::definition();
/// assert_eq!(def.name, "Math add");
/// assert_eq!(def.description, "Adds two numbers. Use it for exact arithmetic.");
/// assert_eq!(def.input_schema_value()["required"], serde_json::json!(["a", "b"]));
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let (client, user) = (Client::new(), UserId::new("user-1"));
/// assert_eq!(MathAdd { a: 1.0, b: 2.5 }.execute(&client, &user).await?, 3.5);
///
/// let mut registry = toolsmith::Registry::default();
/// registry.register::<MathAdd>();
/// let sum = registry.execute(&client, "MATH_ADD", &user, serde_json::json!({ "a": 1, "b": 2 })).await?;
/// assert_eq!(sum, 3.0);
/// # Ok::<(), Error>(()) }).unwrap();
/// ```
///
/// `#[tool(...)]` takes:
///
/// | key | what | when left out |
/// |---|---|---|
/// | `slug = "MATH_ADD"` | the tool slug: upper snake case, the toolkit's name first, at most 64 characters | required |
/// | `toolkit = "my_math"` | the toolkit slug; the tool slug must start with it (`MY_MATH_…`) | the slug's first word, lower-cased |
/// | `name = "Add numbers"` | a short human name | a `# Heading` first line of the doc comment, else the struct's name in words (`Math add`) |
/// | `description = "…"` | what it does and when to use it | the doc comment (required if there is none) |
/// | `tags(readOnlyHint, …)` | `readOnlyHint`, `destructiveHint`, `idempotentHint`, `openWorldHint`, `important` | no tag |
/// | `output_schema` | publish the JSON Schema of `Handler::Output` (which must implement `JsonSchema`) | no output schema |
///
/// The input schema is schemars' JSON Schema 2020-12 of the struct, generated once on
/// the first `definition()` call, without the root `$schema`, `title` and `description`
/// (the description is the tool's). Misuse is a compile error: a missing or malformed
/// slug, an unknown key or tag (with a suggestion), an enum, union, tuple, unit or
/// generic struct, a missing description.
#[cfg(feature = "macros")]
pub use toolsmith_macros::Tool;

/// Turns an async fn into a hand-written tool. The fn stays as written; beside it come a
/// struct of its arguments, named after it in PascalCase (`fn greet` → `struct Greet`,
/// with the fn's visibility and `pub` fields), and the struct's [`Handler`] and [`Tool`](trait@Tool)
/// impls.
///
/// ```
/// use toolsmith::{Client, Context, Error, Tool, UserId};
///
/// /// Greets someone by name.
/// #[toolsmith::tool(tags(readOnlyHint))]
/// async fn greet(
///     cx: &Context<'_>,
///     /// Who to greet.
///     name: String,
///     /// How many times; once by default.
///     #[serde(default)]
///     times: Option<u32>,
/// ) -> Result<String, Error> {
///     let greeting = format!("Hello, {name}!");
///     Ok(format!("{} (for {})", vec![greeting; times.unwrap_or(1) as usize].join(" "), cx.user))
/// }
///
/// assert_eq!((Greet::SLUG, Greet::TOOLKIT), ("LOCAL_GREET", "local"));
/// assert_eq!(Greet::definition().description, "Greets someone by name.");
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let (client, user) = (Client::new(), UserId::new("ada"));
/// let hello = Greet { name: "Bob".into(), times: Some(2) }.execute(&client, &user).await?;
/// assert_eq!(hello, "Hello, Bob! Hello, Bob! (for ada)");
/// # Ok::<(), Error>(()) }).unwrap();
/// ```
///
/// - The fn is `async`, returns `Result<T, E>` where `T` is the tool's output and `E`
///   converts into [`Error`], and may take a first parameter `cx: &Context<'_>`.
/// - Every other parameter is an argument: a plain name and an owned type that
///   implements `Clone`, `Debug`, `Serialize`, `Deserialize` and `JsonSchema`. Its doc
///   comment and its `#[serde(...)]` / `#[schemars(...)]` attributes go to the field;
///   `#[serde(...)]` / `#[schemars(...)]` on the fn go to the struct.
/// - The attribute takes the keys of `#[derive(Tool)]`'s `#[tool(...)]`; the slug
///   defaults to the toolkit's name (`local` by default) and the fn name in upper
///   snake case (`LOCAL_GREET`), the name to the fn name in words (`Greet`), the
///   description to the fn's doc comment.
#[cfg(feature = "macros")]
pub use toolsmith_macros::tool;

/// Generates typed tools from a toolkit spec in place: `toolkit!("spec.yaml")`.
#[cfg(feature = "macros")]
pub use toolsmith_macros::toolkit;

/// Includes the toolkits a build script generated with `toolsmith_codegen::Builder`.
///
/// ```ignore
/// // build.rs: toolsmith_codegen::Builder::new().catalog("specs").build().unwrap();
/// toolsmith::include_toolkits!();
/// let registry = toolsmith::Registry::from_compiled(TOOLKITS)?;
/// ```
#[macro_export]
macro_rules! include_toolkits {
    () => {
        include!(concat!(env!("OUT_DIR"), "/toolsmith_toolkits.rs"));
    };
}
