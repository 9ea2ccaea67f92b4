//! Rendered tools, sample tool calls and result messages checked against the
//! providers' published request schemas (`tests/published/`, see its README).

#![allow(clippy::unwrap_used)]

mod common;

use serde_json::{json, Value};
use toolsmith_core::ExecutionResult;
use toolsmith_providers::{parse_calls, render, result_message, Provider, RenderOptions};

fn validator(file: &str) -> jsonschema::Validator {
    let path = format!("{}/tests/published/{file}", env!("CARGO_MANIFEST_DIR"));
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    jsonschema::draft202012::new(&schema).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn check(validator: &jsonschema::Validator, file: &str, what: &str, value: &Value) {
    let errors: Vec<String> = validator.iter_errors(value).map(|e| format!("{}: {e}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{what} does not match {file}: {errors:?}\n{value}");
}

#[test]
fn every_rendered_catalog_tool_matches_the_published_schema() {
    let tools = common::catalog();
    let files = [
        (Provider::OpenAiChat, "openai-chat-tool.json"),
        (Provider::OpenAiResponses, "openai-responses-tool.json"),
        (Provider::Anthropic, "anthropic-tool.json"),
        (Provider::Gemini, "gemini-function-declaration.json"),
        (Provider::GeminiLegacy, "gemini-function-declaration.json"),
    ];
    // The schemas do tell shapes apart: a chat tool is not a Responses tool, nor an Anthropic one.
    let chat = render(Provider::OpenAiChat, &tools[..1], &RenderOptions::default()).tools.remove(0);
    assert!(!validator("openai-responses-tool.json").is_valid(&chat));
    assert!(!validator("anthropic-tool.json").is_valid(&chat));
    assert!(!validator("gemini-function-declaration.json")
        .is_valid(&json!({"name": "T", "parameters": {"type": "OBJECT"}, "parametersJsonSchema": {}})));
    for (provider, file) in files {
        let v = validator(file);
        for strict in [false, true] {
            let rendered = render(provider, &tools, &RenderOptions { strict: Some(strict) });
            for (tool, value) in tools.iter().zip(&rendered.tools) {
                check(&v, file, &format!("{provider} strict={strict} {}", tool.name), value);
            }
        }
    }
}

#[test]
fn sample_calls_and_result_messages_match_the_published_schemas() {
    let ok = ExecutionResult::from_result(Ok(json!({"id": 1})), None);
    let failed = ExecutionResult { data: json!({}), error: Some("boom".into()), successful: false, log_id: None };
    let names = Default::default();

    let chat_call = json!({"id": "call_1", "type": "function", "function": {"name": "T", "arguments": "{\"a\":1}"}});
    check(&validator("openai-chat-tool-call.json"), "openai-chat-tool-call.json", "sample call", &chat_call);
    let calls =
        parse_calls(Provider::OpenAiChat, &json!({"role": "assistant", "tool_calls": [chat_call]}), &names).unwrap();
    let message = result_message(Provider::OpenAiChat, &calls[0], &ok);
    check(&validator("openai-chat-tool-message.json"), "openai-chat-tool-message.json", "tool message", &message);

    let item = json!({"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": "T", "arguments": "{}", "status": "completed"});
    check(
        &validator("openai-responses-function-call.json"),
        "openai-responses-function-call.json",
        "sample item",
        &item,
    );
    let calls = parse_calls(Provider::OpenAiResponses, &json!({"output": [item]}), &names).unwrap();
    let output = result_message(Provider::OpenAiResponses, &calls[0], &ok);
    let file = "openai-responses-function-call-output.json";
    check(&validator(file), file, "function_call_output", &output);

    let message = json!({"content": [{"type": "tool_use", "id": "toolu_1", "name": "T", "input": {}}]});
    let calls = parse_calls(Provider::Anthropic, &message, &names).unwrap();
    for result in [&ok, &failed] {
        let block = result_message(Provider::Anthropic, &calls[0], result);
        check(&validator("anthropic-tool-result.json"), "anthropic-tool-result.json", "tool_result", &block);
    }

    let response = json!({"candidates": [{"content": {"parts": [{"functionCall": {"name": "T", "args": {}}},
        {"functionCall": {"id": "g1", "name": "T", "args": {"a": 1}}}]}}]});
    let calls = parse_calls(Provider::Gemini, &response, &names).unwrap();
    for call in &calls {
        let part = result_message(Provider::Gemini, call, &failed);
        check(&validator("gemini-function-response-part.json"), "gemini-function-response-part.json", "part", &part);
    }
}
