//! The [`Tool`] trait: what generated and hand-written tools implement.

use std::borrow::Cow;
use std::fmt;
use std::future::Future;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::{Client, CompiledToolkit, Error, UserId};

/// A typed tool: its input is `Self`, its result is [`Tool::Output`].
///
/// Generated tools (from a toolkit spec, see `toolsmith-codegen`) call their API over
/// HTTP; hand-written tools (`#[derive(toolsmith::Tool)]` or `#[toolsmith::tool]`)
/// run a [`Handler`]. Both are called the same way:
///
/// ```ignore
/// let issue = github::CreateIssue { owner: "octocat".into(), repo: "hello".into(), title: "Bug".into(), ..Default::default() }
///     .execute(&client, &user)
///     .await?;
/// println!("opened #{}", issue.number.unwrap_or_default());
/// ```
pub trait Tool: Serialize + Send + Sync + 'static {
    /// The tool slug, `GITHUB_CREATE_ISSUE`.
    const SLUG: &'static str;
    /// The toolkit slug, `github`.
    const TOOLKIT: &'static str;
    /// What a successful call returns.
    type Output: DeserializeOwned + Serialize + Send + 'static;

    /// Name, description, schemas, tags and HTTP binding.
    fn definition() -> &'static ToolDefinition;

    /// Calls the tool for `user`.
    fn execute(&self, client: &Client, user: &UserId) -> impl Future<Output = Result<Self::Output, Error>> + Send;
}

/// What a tool is, as static data: enough to list it, describe it to an LLM, and
/// call it. Generated code builds these as `static`s.
#[derive(Clone, Debug)]
pub struct ToolDefinition {
    /// `GITHUB_CREATE_ISSUE`
    pub slug: &'static str,
    /// `github`
    pub toolkit: &'static str,
    /// Short human name.
    pub name: &'static str,
    /// What it does and when to use it.
    pub description: Cow<'static, str>,
    /// Its input and output JSON Schemas.
    pub schemas: Schemas,
    /// MCP hints and `important`.
    pub tags: &'static [&'static str],
    /// The HTTP operation; `None` for a hand-written tool.
    pub http: Option<HttpBinding>,
}

/// Where a tool's JSON Schemas (2020-12) come from.
#[derive(Clone)]
pub enum Schemas {
    /// JSON text: what `#[derive(Tool)]` derives with schemars.
    Json {
        /// The input schema.
        input: Cow<'static, str>,
        /// The output schema, when published.
        output: Option<Cow<'static, str>>,
    },
    /// The tool at `index` of a compiled toolkit's embedded spec: its schemas are
    /// read from there (with the toolkit definitions they use), not stored twice.
    Compiled {
        /// The toolkit.
        toolkit: &'static CompiledToolkit,
        /// The tool's place in the toolkit's spec.
        index: usize,
    },
}

impl fmt::Debug for Schemas {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Schemas::Json { input, output } => {
                f.debug_struct("Json").field("input", input).field("output", output).finish()
            }
            Schemas::Compiled { toolkit, index } => {
                f.debug_struct("Compiled").field("toolkit", &toolkit.slug()).field("index", index).finish()
            }
        }
    }
}

impl ToolDefinition {
    /// The input schema as a JSON value: self-contained (the shared definitions it
    /// uses are in its `$defs`).
    ///
    /// ```
    /// let def = toolsmith::ToolDefinition {
    ///     slug: "DEMO_PING", toolkit: "demo", name: "Ping", description: "Checks the service.".into(),
    ///     schemas: toolsmith::Schemas::Json { input: r#"{"type":"object"}"#.into(), output: None },
    ///     tags: &[], http: None,
    /// };
    /// assert_eq!(def.input_schema_value()["type"], "object");
    /// ```
    pub fn input_schema_value(&self) -> serde_json::Value {
        match &self.schemas {
            Schemas::Json { input, .. } => serde_json::from_str(input).unwrap_or_default(),
            Schemas::Compiled { toolkit, index } => toolkit
                .toolkit()
                .ok()
                .and_then(|spec| spec.tools.get(*index).map(|tool| spec.input_schema(tool)))
                .unwrap_or_default(),
        }
    }

    /// The output schema as a JSON value, when known.
    pub fn output_schema_value(&self) -> Option<serde_json::Value> {
        match &self.schemas {
            Schemas::Json { output, .. } => output.as_deref().and_then(|s| serde_json::from_str(s).ok()),
            Schemas::Compiled { toolkit, index } => {
                let spec = toolkit.toolkit().ok()?;
                spec.output_schema(spec.tools.get(*index)?)
            }
        }
    }
}

/// The HTTP side of a generated tool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HttpBinding {
    /// `GET`, `POST`, …
    pub method: &'static str,
    /// Path template relative to the toolkit's base URL: `/repos/{owner}/{repo}/issues`.
    pub path: &'static str,
}

/// The body of a hand-written tool: what `#[derive(toolsmith::Tool)]` calls.
///
/// ```
/// use toolsmith::{Context, Error, Handler};
///
/// #[derive(serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
/// struct Add { a: f64, b: f64 }
///
/// impl Handler for Add {
///     type Output = f64;
///     async fn call(&self, _cx: &Context<'_>) -> Result<f64, Error> {
///         Ok(self.a + self.b)
///     }
/// }
/// ```
pub trait Handler: Send + Sync {
    /// What a successful call returns.
    type Output: DeserializeOwned + Serialize + Send + 'static;

    /// Runs the tool.
    fn call(&self, cx: &Context<'_>) -> impl Future<Output = Result<Self::Output, Error>> + Send;
}

/// What a hand-written tool gets to work with.
#[derive(Clone, Copy, Debug)]
pub struct Context<'a> {
    /// The client, to call other tools.
    pub client: &'a Client,
    /// The user the call is made for.
    pub user: &'a UserId,
}

/// Visits tool types generically: every generated toolkit module has a
/// `visit_tools(&mut impl ToolVisitor)` that calls [`ToolVisitor::visit`] once per tool,
/// so code can work on all of them with their static types (register them, compare
/// schemas, build provider definitions).
///
/// ```
/// struct Count(usize);
/// impl toolsmith::ToolVisitor for Count {
///     fn visit<T>(&mut self)
///     where
///         T: toolsmith::Tool + serde::de::DeserializeOwned + schemars::JsonSchema,
///     {
///         self.0 += 1;
///     }
/// }
/// ```
pub trait ToolVisitor {
    /// Called once per tool type.
    fn visit<T>(&mut self)
    where
        T: Tool + DeserializeOwned + schemars::JsonSchema;
}
