//! The [`Tool`] trait: what generated and hand-written tools implement.

use std::future::Future;

use serde::de::DeserializeOwned;
use serde::Serialize;

use serde_json::Value;

use crate::execute::{BoxFuture, Call, CallOptions, Context, Execute, LocalHandler, Target, ToolDefinition};
use crate::{Error, UserId};

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

impl LocalHandler {
    /// The handler of tool `T`: reads the arguments as `T`, runs [`Handler::call`], and
    /// returns its output as JSON.
    pub fn of<T: Tool + Handler + DeserializeOwned>() -> Self {
        LocalHandler(run_local::<T>)
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
