//! Tools for LLM providers: render a tool list as OpenAI Chat Completions, OpenAI
//! Responses, Anthropic or Gemini tools; parse the tool calls a model makes; build the
//! tool-result messages; and lint rendered tools against each provider's rules.
//!
//! It works on a neutral [`ToolDescription`] (a canonical name, a description and a
//! JSON Schema) and knows no sessions or registries.
//!
//! ```
//! use serde_json::json;
//! use toolsmith_providers::{lint, parse_calls, render, result_message, Provider, RenderOptions, ToolDescription};
//!
//! let tools = [ToolDescription {
//!     name: "GITHUB_CREATE_ISSUE".into(),
//!     description: "Creates an issue.".into(),
//!     input_schema: json!({"type": "object", "properties": {
//!         "title": {"type": "string"}, "body": {"type": "string"}}, "required": ["title"]}),
//! }];
//! let rendered = render(Provider::OpenAiResponses, &tools, &RenderOptions::default());
//! assert_eq!(rendered.tools[0]["strict"], true);
//! assert_eq!(rendered.tools[0]["parameters"]["properties"]["body"]["type"], json!(["string", "null"]));
//! assert!(lint(Provider::OpenAiResponses, &rendered.tools[0]).is_empty());
//!
//! let response = json!({"output": [{"type": "function_call", "call_id": "call_1",
//!     "name": "GITHUB_CREATE_ISSUE", "arguments": "{\"title\":\"Bug\",\"body\":null}"}]});
//! let calls = parse_calls(Provider::OpenAiResponses, &response, &rendered.names)?;
//! assert_eq!(calls[0].arguments["title"], "Bug");
//! let result = toolsmith_core::ExecutionResult::from_result(Ok(json!({"number": 1})), None);
//! let item = result_message(Provider::OpenAiResponses, &calls[0], &result);
//! assert_eq!(item["type"], "function_call_output");
//! # Ok::<(), toolsmith_providers::ParseError>(())
//! ```

mod anthropic;
mod gemini;
mod json;
mod lint;
mod names;
mod openai;
mod responses;
mod schema;
mod types;

use std::collections::HashSet;

use serde_json::{json, Value};
use toolsmith_core::ExecutionResult;

pub use lint::lint;
pub use names::NameMap;
pub use types::{
    Fallback, LintIssue, ParseError, Provider, RenderOptions, Rendered, ToolCall, ToolDescription, UnknownProvider,
};

use names::{ANTHROPIC_PROPERTY, GEMINI_PROPERTY, GEMINI_TOOL, OPENAI_TOOL};
use schema::keys::rename_properties;

/// Renders `tools` for `provider`: the `tools` array of an API request (for Gemini,
/// the `functionDeclarations`), the names to map calls back, and the tools that fell
/// back to non-strict. Names (and, for Anthropic and Gemini, property names) that break
/// the provider's rules are renamed reversibly.
pub fn render(provider: Provider, tools: &[ToolDescription], options: &RenderOptions) -> Rendered {
    let want_strict = options.strict.unwrap_or(provider.strict_by_default());
    let (tool_rule, property_rule) = match provider {
        Provider::OpenAiChat | Provider::OpenAiResponses => (OPENAI_TOOL, None),
        Provider::Anthropic => (OPENAI_TOOL, Some(ANTHROPIC_PROPERTY)),
        Provider::Gemini | Provider::GeminiLegacy => (GEMINI_TOOL, Some(GEMINI_PROPERTY)),
    };
    let mut taken = HashSet::new();
    let mut out = Rendered::default();
    let mut strict_tools = 0;
    for tool in tools {
        let wire = tool_rule.map(&tool.name, &mut taken);
        out.names.insert_tool(wire.clone(), tool.name.clone());
        let mut schema = tool.input_schema.clone();
        if let Some(rule) = &property_rule {
            out.names.insert_properties(&tool.name, rename_properties(&mut schema, rule));
        }
        let description = tool.description.as_str();
        let (value, fallback) = match provider {
            Provider::OpenAiChat => openai::tool(&wire, description, &schema, want_strict),
            Provider::OpenAiResponses => responses::tool(&wire, description, &schema, want_strict),
            Provider::Anthropic => {
                let room = strict_tools < anthropic::MAX_STRICT_TOOLS;
                let (value, fallback) = anthropic::tool(&wire, description, &schema, want_strict && room);
                strict_tools += usize::from(value.get("strict") == Some(&Value::Bool(true)));
                let over = (want_strict && !room).then(|| {
                    format!("more than {} strict tools in one request (Anthropic's limit)", anthropic::MAX_STRICT_TOOLS)
                });
                (value, fallback.or(over))
            }
            Provider::Gemini => gemini::declaration(&wire, description, &schema),
            Provider::GeminiLegacy => gemini::legacy_declaration(&wire, description, &schema),
        };
        if let Some(reason) = fallback {
            out.fallbacks.push(Fallback { tool: tool.name.clone(), reason });
        }
        out.tools.push(value);
    }
    out
}

/// The tool calls in a provider's response, with canonical names and arguments:
/// OpenAI chat `message.tool_calls` (the completion or the message), Responses
/// `function_call` items (the response or its `output`), Anthropic `tool_use` blocks
/// (the message or its `content`), Gemini `functionCall` parts (the response, a
/// content or its `parts`). `names` comes from [`render`]; a name it does not know
/// is kept as sent.
pub fn parse_calls(provider: Provider, response: &Value, names: &NameMap) -> Result<Vec<ToolCall>, ParseError> {
    match provider {
        Provider::OpenAiChat => openai::parse(response, names),
        Provider::OpenAiResponses => responses::parse(response, names),
        Provider::Anthropic => anthropic::parse(response, names),
        Provider::Gemini | Provider::GeminiLegacy => gemini::parse(response, names),
    }
}

/// The provider's answer to one call: an OpenAI `role: tool` message, a Responses
/// `function_call_output` item, an Anthropic `tool_result` block, or a Gemini
/// `functionResponse` part. [`results_messages`] wraps several into what goes into
/// the conversation.
pub fn result_message(provider: Provider, call: &ToolCall, result: &ExecutionResult) -> Value {
    match provider {
        Provider::OpenAiChat => openai::result_message(call, result),
        Provider::OpenAiResponses => responses::result_message(call, result),
        Provider::Anthropic => anthropic::result_block(call, result),
        Provider::Gemini | Provider::GeminiLegacy => gemini::response_part(call, result),
    }
}

/// What to append to the conversation for several [`result_message`]s: the OpenAI
/// messages and Responses items as they are; for Anthropic one
/// `{"role":"user","content":[…]}` message; for Gemini one `{"role":"user","parts":[…]}`
/// content.
///
/// ```
/// use toolsmith_providers::{results_messages, Provider};
/// let blocks = vec![serde_json::json!({"type": "tool_result", "tool_use_id": "t1", "content": "{}"})];
/// let messages = results_messages(Provider::Anthropic, blocks);
/// assert_eq!(messages[0]["role"], "user");
/// assert_eq!(messages[0]["content"][0]["tool_use_id"], "t1");
/// ```
pub fn results_messages(provider: Provider, results: Vec<Value>) -> Vec<Value> {
    match provider {
        Provider::OpenAiChat | Provider::OpenAiResponses => results,
        Provider::Anthropic => vec![json!({"role": "user", "content": results})],
        Provider::Gemini | Provider::GeminiLegacy => vec![json!({"role": "user", "parts": results})],
    }
}
