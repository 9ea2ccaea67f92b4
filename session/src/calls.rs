//! Provider formats on both paths: a session's tools rendered for OpenAI, Anthropic or
//! Gemini, and a model's tool calls executed — through a session, or directly for a
//! user — with the provider's tool-result messages built from the results.

use serde_json::Value;
use toolsmith_core::{Execute, ExecutionResult, UserId};
use toolsmith_providers::{
    parse_calls, render, result_message, results_messages, NameMap, ParseError, Provider, RenderOptions, Rendered,
    ToolCall, ToolDescription,
};
use toolsmith_runtime::Registry;

use crate::meta::tools::MetaTool;
use crate::session::{Session, SessionTool};

impl From<&SessionTool> for ToolDescription {
    fn from(tool: &SessionTool) -> Self {
        ToolDescription {
            name: tool.slug.clone(),
            description: tool.description.clone(),
            input_schema: tool.input_parameters.clone(),
        }
    }
}

impl Session {
    /// The session's tools (meta tools and preloaded app tools) in a provider's format:
    /// the `tools` array of a request, and the names to map the model's calls back.
    pub fn provider_tools(&self, provider: Provider, options: &RenderOptions) -> Rendered {
        let tools: Vec<ToolDescription> = self.tools().iter().map(ToolDescription::from).collect();
        render(provider, &tools, options)
    }

    /// Runs the tool calls of a model's response (in `provider`'s format; `names` from
    /// [`provider_tools`](Self::provider_tools)) through the session, in order, and
    /// returns the messages that carry their results back to the model
    /// ([`results_messages`]).
    pub async fn handle_tool_calls(
        &self,
        provider: Provider,
        response: &Value,
        names: &NameMap,
    ) -> Result<Vec<Value>, ParseError> {
        answer(provider, response, names, |call| async move { self.execute(&call.name, call.arguments, None).await })
            .await
    }
}

/// Runs the tool calls of a model's response directly (no session) for `user`: each
/// app tool through `executor`; meta tools are refused, since they only exist in a
/// session. Returns the provider's result messages.
pub async fn handle_direct_tool_calls(
    registry: &Registry,
    executor: &dyn Execute,
    user: &UserId,
    provider: Provider,
    response: &Value,
    names: &NameMap,
) -> Result<Vec<Value>, ParseError> {
    answer(provider, response, names, |call| async move { direct(registry, executor, user, &call).await }).await
}

/// Parses the calls of `response`, runs each in order with `run`, and builds the
/// provider's result messages.
async fn answer<F, Fut>(provider: Provider, response: &Value, names: &NameMap, run: F) -> Result<Vec<Value>, ParseError>
where
    F: Fn(ToolCall) -> Fut,
    Fut: std::future::Future<Output = ExecutionResult>,
{
    let calls = parse_calls(provider, response, names)?;
    let mut results = Vec::with_capacity(calls.len());
    for call in &calls {
        let result = run(call.clone()).await;
        results.push(result_message(provider, call, &result));
    }
    Ok(results_messages(provider, results))
}

async fn direct(registry: &Registry, executor: &dyn Execute, user: &UserId, call: &ToolCall) -> ExecutionResult {
    if MetaTool::parse(&call.name).is_some() {
        return ExecutionResult {
            data: Value::Object(Default::default()),
            error: Some(format!("{} can only be called inside a tool-router session", call.name)),
            successful: false,
            log_id: None,
        };
    }
    registry.execute_tool(executor, &call.name, user, call.arguments.clone(), &Default::default()).await
}
