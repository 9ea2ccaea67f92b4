//! The [`Tool`] trait: what generated and hand-written tools implement.

use std::borrow::Cow;
use std::fmt;
use std::future::Future;

use serde::de::DeserializeOwned;
use serde::Serialize;

use serde_json::Value;

use crate::execute::{BoxFuture, Call, CallOptions, Execute, Target};
use crate::{CompiledToolkit, Error, UserId};

/// A typed tool: its input is `Self`, its result is [`Tool::Output`].
///
/// Generated tools (from a toolkit spec, see `toolsmith-codegen`) call their API over
/// HTTP; hand-written tools (`#[derive(toolsmith::Tool)]` or `#[toolsmith::tool]`)
/// run a [`Handler`]. Both are called the same way, through any [`Execute`]: the
/// arguments are checked, the account chosen, the call logged and traced alike.
///
/// ```ignore
/// let issue = github::CreateIssue { owner: "octocat".into(), repo: "hello".into(), title: "Bug".into(), ..Default::default() }
///     .execute(&client, &user)
///     .await?;
/// println!("opened #{}", issue.number.unwrap_or_default());
///
/// // The same call with the user's work account, at a pinned toolkit version:
/// let options = CallOptions { account: Some("ca_work".parse()?), version: Some("20261101_00".into()), ..Default::default() };
/// let issue = github::CreateIssue { /* … */ }.execute_with(&client, &user, options).await?;
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

    /// Calls the tool for `user` with the default options: the user's only active
    /// account of the toolkit.
    fn execute<'a, E>(
        &'a self,
        executor: &'a E,
        user: &'a UserId,
    ) -> impl Future<Output = Result<Self::Output, Error>> + Send + 'a
    where
        E: Execute + ?Sized,
    {
        self.execute_with(executor, user, CallOptions::default())
    }

    /// Calls the tool for `user` with `options`: which connected account, which toolkit
    /// version, a dry run.
    fn execute_with<'a, E>(
        &'a self,
        executor: &'a E,
        user: &'a UserId,
        options: CallOptions,
    ) -> impl Future<Output = Result<Self::Output, Error>> + Send + 'a
    where
        E: Execute + ?Sized,
    {
        async move {
            let arguments = serde_json::to_value(self).map_err(|e| Error::Decode {
                slug: Self::SLUG.to_owned(),
                message: format!("cannot encode the input: {e}"),
            })?;
            let call = Call { target: Target::Definition(Self::definition()), user, arguments, options };
            let data = executor.run(call).await.result?;
            serde_json::from_value(data)
                .map_err(|e| Error::Decode { slug: Self::SLUG.to_owned(), message: e.to_string() })
        }
    }
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
    /// The body of a hand-written tool; `None` for a generated one.
    pub local: Option<LocalHandler>,
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
    /// let def = toolsmith_core::ToolDefinition {
    ///     slug: "DEMO_PING", toolkit: "demo", name: "Ping", description: "Checks the service.".into(),
    ///     schemas: toolsmith_core::Schemas::Json { input: r#"{"type":"object"}"#.into(), output: None },
    ///     tags: &[], http: None, local: None,
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
/// use toolsmith_core::{Context, Error, Handler};
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
#[derive(Clone, Copy)]
pub struct Context<'a> {
    /// The executor running the call, to call other tools (`tool.execute(cx.client, cx.user)`).
    pub client: &'a dyn Execute,
    /// The user the call is made for.
    pub user: &'a UserId,
}

impl fmt::Debug for Context<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context").field("user", &self.user).finish_non_exhaustive()
    }
}

/// The body of a hand-written tool as a function of JSON arguments: what an executor
/// runs for a [`ToolDefinition`] without an HTTP binding. `#[derive(toolsmith::Tool)]`
/// fills it in with [`LocalHandler::of`].
#[derive(Clone, Copy)]
pub struct LocalHandler(for<'a> fn(Value, Context<'a>) -> BoxFuture<'a, Result<Value, Error>>);

impl LocalHandler {
    /// The handler of tool `T`: reads the arguments as `T`, runs [`Handler::call`], and
    /// returns its output as JSON.
    pub fn of<T: Tool + Handler + DeserializeOwned>() -> Self {
        LocalHandler(run_local::<T>)
    }

    /// Runs the tool on `arguments` (already checked against its input schema).
    pub fn call<'a>(&self, arguments: Value, cx: Context<'a>) -> BoxFuture<'a, Result<Value, Error>> {
        (self.0)(arguments, cx)
    }
}

impl fmt::Debug for LocalHandler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LocalHandler")
    }
}

fn run_local<'a, T: Tool + Handler + DeserializeOwned>(
    arguments: Value,
    cx: Context<'a>,
) -> BoxFuture<'a, Result<Value, Error>> {
    Box::pin(async move {
        let input: T = serde_json::from_value(arguments).map_err(|e| Error::InvalidArguments {
            slug: T::SLUG.to_owned(),
            problems: vec![(String::new(), e.to_string())],
        })?;
        let output = Handler::call(&input, &cx).await?;
        serde_json::to_value(output).map_err(|e| Error::Decode { slug: T::SLUG.to_owned(), message: e.to_string() })
    })
}

/// Visits tool types generically: every generated toolkit module has a
/// `visit_tools(&mut impl ToolVisitor)` that calls [`ToolVisitor::visit`] once per tool,
/// so code can work on all of them with their static types (register them, compare
/// schemas, build provider definitions).
///
/// ```
/// struct Count(usize);
/// impl toolsmith_core::ToolVisitor for Count {
///     fn visit<T>(&mut self)
///     where
///         T: toolsmith_core::Tool + serde::de::DeserializeOwned + schemars::JsonSchema,
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
