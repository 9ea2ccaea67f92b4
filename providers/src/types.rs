//! The data every provider module speaks: the neutral tool description, the provider
//! names, render options and results, parsed calls and their errors.

use std::fmt;
use std::str::FromStr;

use serde_json::Value;

use crate::names::NameMap;

/// A tool as a provider sees it, independent of sessions and registries.
///
/// ```
/// let tool = toolsmith_providers::ToolDescription {
///     name: "GITHUB_CREATE_ISSUE".into(),
///     description: "Creates an issue.".into(),
///     input_schema: serde_json::json!({"type": "object", "properties": {"title": {"type": "string"}}}),
/// };
/// assert_eq!(tool.name, "GITHUB_CREATE_ISSUE");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ToolDescription {
    /// The canonical slug, e.g. `GITHUB_CREATE_ISSUE`.
    pub name: String,
    /// What the tool does and when to use it.
    pub description: String,
    /// The tool's input JSON Schema (2020-12), self-contained.
    pub input_schema: Value,
}

impl From<&toolsmith_core::ToolDefinition> for ToolDescription {
    fn from(definition: &toolsmith_core::ToolDefinition) -> Self {
        ToolDescription {
            name: definition.slug.to_owned(),
            description: definition.description.trim().to_owned(),
            input_schema: definition.input_schema_value(),
        }
    }
}

/// A provider's tool format.
///
/// ```
/// use toolsmith_providers::Provider;
/// let provider: Provider = "openai-responses".parse()?;
/// assert_eq!(provider, Provider::OpenAiResponses);
/// assert_eq!(provider.to_string(), "openai-responses");
/// assert!("mistral".parse::<Provider>().unwrap_err().to_string().contains("openai, openai-responses"));
/// # Ok::<(), toolsmith_providers::UnknownProvider>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Provider {
    /// OpenAI Chat Completions `tools` (`openai`).
    OpenAiChat,
    /// OpenAI Responses `tools` (`openai-responses`), strict by default.
    OpenAiResponses,
    /// Anthropic Messages `tools` (`anthropic`).
    Anthropic,
    /// Gemini function declarations with `parametersJsonSchema` (`gemini`).
    Gemini,
    /// Gemini function declarations with the older OpenAPI-subset `parameters`
    /// (`gemini-openapi`).
    GeminiLegacy,
}

impl Provider {
    /// Every provider, in the order of their CLI names.
    pub const ALL: [Provider; 5] = [
        Provider::OpenAiChat,
        Provider::OpenAiResponses,
        Provider::Anthropic,
        Provider::Gemini,
        Provider::GeminiLegacy,
    ];

    /// The CLI name: `openai`, `openai-responses`, `anthropic`, `gemini`, `gemini-openapi`.
    pub fn name(self) -> &'static str {
        match self {
            Provider::OpenAiChat => "openai",
            Provider::OpenAiResponses => "openai-responses",
            Provider::Anthropic => "anthropic",
            Provider::Gemini => "gemini",
            Provider::GeminiLegacy => "gemini-openapi",
        }
    }

    /// Whether tools are rendered strict when [`RenderOptions::strict`] is not set:
    /// only for the Responses API.
    pub fn strict_by_default(self) -> bool {
        self == Provider::OpenAiResponses
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A provider name that is not one of [`Provider::ALL`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown provider `{0}`; use one of: openai, openai-responses, anthropic, gemini, gemini-openapi")]
pub struct UnknownProvider(pub String);

impl FromStr for Provider {
    type Err = UnknownProvider;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Provider::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownProvider(s.to_owned()))
    }
}

/// How to render.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// Strict (grammar-constrained) tools: `Some(true)` asks for them, `Some(false)`
    /// refuses them, `None` takes the provider's default
    /// ([`Provider::strict_by_default`]). Gemini has no strict mode and ignores it.
    pub strict: Option<bool>,
}

/// A tool that could not be rendered strict and was sent non-strict, with why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fallback {
    /// The tool's canonical name.
    pub tool: String,
    /// Why: the construct and its JSON path, e.g. `free-form object at /properties/extra`.
    pub reason: String,
}

/// What [`render`](crate::render) returns.
#[derive(Clone, Debug, Default)]
pub struct Rendered {
    /// Exactly what goes into the API request's `tools` array (for Gemini, what goes
    /// into `functionDeclarations`).
    pub tools: Vec<Value>,
    /// The map from rendered names back to canonical ones, for parsing calls.
    pub names: NameMap,
    /// The tools rendered non-strict although strict was asked for.
    pub fallbacks: Vec<Fallback>,
}

/// A tool call the model made, with canonical names.
#[derive(Clone, Debug, PartialEq)]
pub struct ToolCall {
    /// The call's id (the provider's, or `call_N` synthesized when it gave none).
    pub id: String,
    /// Whether `id` was synthesized here (Gemini calls may have none).
    pub synthesized_id: bool,
    /// The tool's canonical name, e.g. `GITHUB_CREATE_ISSUE`.
    pub name: String,
    /// The name as the model sent it (what the tool was rendered as).
    pub wire_name: String,
    /// The arguments, with property names mapped back to the original ones.
    pub arguments: Value,
}

/// Why a provider response could not be read as tool calls.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// A field is missing or has the wrong type.
    #[error("{path}: {message}")]
    Shape {
        /// Where, as a JSON path (`choices[0].message.tool_calls[1].function.name`).
        path: String,
        /// What was expected.
        message: String,
    },
    /// The `arguments` string is not a JSON object.
    #[error("{path}: the arguments are not valid JSON ({source}); the model must send a JSON object as a string")]
    Arguments {
        /// Where, as a JSON path.
        path: String,
        /// serde's message.
        source: serde_json::Error,
    },
}

impl ParseError {
    pub(crate) fn shape(path: &str, message: impl Into<String>) -> Self {
        ParseError::Shape { path: path.to_owned(), message: message.into() }
    }
}

/// One broken rule in a rendered tool, found by [`lint`](crate::lint).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LintIssue {
    /// Where in the rendered tool, as a JSON pointer (`/function/parameters/properties/x`).
    pub path: String,
    /// What rule it breaks.
    pub message: String,
}

impl fmt::Display for LintIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", if self.path.is_empty() { "/" } else { &self.path }, self.message)
    }
}
