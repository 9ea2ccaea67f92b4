//! Rendering, parsing calls back to canonical names and arguments, and result
//! messages, provider by provider.

#![allow(clippy::unwrap_used)]

use serde_json::{json, Value};
use toolsmith_core::ExecutionResult;
use toolsmith_providers::{
    lint, parse_calls, render, result_message, results_messages, ParseError, Provider, RenderOptions, ToolDescription,
};

fn tools() -> Vec<ToolDescription> {
    vec![
        ToolDescription {
            name: "demo.update thing".into(),
            description: "Updates a thing.".into(),
            input_schema: json!({"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                "properties": {"thing_id": {"type": "string"}, "X-Request-Id": {"type": "string"},
                    "status": {"$ref": "#/$defs/Status", "description": "New status"}},
                "required": ["thing_id"], "additionalProperties": false,
                "$defs": {"Status": {"type": "string", "enum": ["open", "closed"]}}}),
        },
        ToolDescription {
            name: "DEMO_FREE".into(),
            description: "Takes anything.".into(),
            input_schema: json!({"type": "object", "properties": {"extra": {"type": "object"}}}),
        },
    ]
}

fn ok() -> ExecutionResult {
    ExecutionResult::from_result(Ok(json!({"id": 1})), None)
}

#[test]
fn openai_chat_round_trip() {
    let rendered = render(Provider::OpenAiChat, &tools(), &RenderOptions { strict: Some(true) });
    let tool = &rendered.tools[0];
    assert_eq!(tool["function"]["name"], "demo_update_thing");
    assert_eq!(tool["function"]["strict"], true);
    assert!(tool["function"]["parameters"].get("$schema").is_none());
    assert_eq!(tool["function"]["parameters"]["properties"]["status"]["enum"], json!(["open", "closed", null]));
    assert_eq!(rendered.tools[1]["function"]["strict"], false);
    assert_eq!(rendered.fallbacks[0].tool, "DEMO_FREE");
    assert_eq!(rendered.fallbacks[0].reason, "free-form object at /properties/extra");
    for t in &rendered.tools {
        assert!(lint(Provider::OpenAiChat, t).is_empty(), "{:?}", lint(Provider::OpenAiChat, t));
    }
    let completion = json!({"choices": [{"message": {"role": "assistant", "tool_calls": [{"id": "call_9", "type": "function",
        "function": {"name": "demo_update_thing", "arguments": "{\"thing_id\":\"t1\",\"X-Request-Id\":null,\"status\":\"open\"}"}}]}}]});
    let calls = parse_calls(Provider::OpenAiChat, &completion, &rendered.names).unwrap();
    assert_eq!(calls[0].name, "demo.update thing");
    assert_eq!(calls[0].wire_name, "demo_update_thing");
    assert_eq!(calls[0].id, "call_9");
    assert_eq!(calls[0].arguments["thing_id"], "t1");
    let message = result_message(Provider::OpenAiChat, &calls[0], &ok());
    assert_eq!(message["role"], "tool");
    assert_eq!(message["tool_call_id"], "call_9");
    let content: Value = serde_json::from_str(message["content"].as_str().unwrap()).unwrap();
    assert_eq!(content["data"]["id"], 1);
    // the message alone is accepted too
    let calls = parse_calls(Provider::OpenAiChat, &completion["choices"][0]["message"], &rendered.names).unwrap();
    assert_eq!(calls.len(), 1);
}

#[test]
fn bad_arguments_name_the_path_and_serdes_message() {
    let message = json!({"tool_calls": [{"id": "c", "function": {"name": "X", "arguments": "{\"a\": }"}}]});
    let err = parse_calls(Provider::OpenAiChat, &message, &Default::default()).unwrap_err();
    assert!(matches!(err, ParseError::Arguments { .. }));
    let text = err.to_string();
    assert!(
        text.starts_with(
            "tool_calls[0].function.arguments: the arguments are not valid JSON (expected value at line 1 column 7)"
        ),
        "{text}"
    );
    let missing = json!({"output": [{"type": "function_call", "call_id": "c", "arguments": "{}"}]});
    let err = parse_calls(Provider::OpenAiResponses, &missing, &Default::default()).unwrap_err();
    assert_eq!(err.to_string(), "output[0].name: missing");
    let not_object = json!({"content": [{"type": "tool_use", "id": "t", "name": "X", "input": [1]}]});
    let err = parse_calls(Provider::Anthropic, &not_object, &Default::default()).unwrap_err();
    assert_eq!(err.to_string(), "content[0].input: expected a JSON object of arguments, found `[1]`");
}

#[test]
fn responses_are_strict_by_default() {
    let rendered = render(Provider::OpenAiResponses, &tools(), &RenderOptions::default());
    assert_eq!(rendered.tools[0]["type"], "function");
    assert_eq!(rendered.tools[0]["name"], "demo_update_thing");
    assert_eq!(rendered.tools[0]["strict"], true);
    assert_eq!(rendered.tools[0]["parameters"]["required"], json!(["thing_id", "X-Request-Id", "status"]));
    assert_eq!(rendered.tools[1]["strict"], false);
    assert_eq!(rendered.tools[1]["parameters"], tools()[1].input_schema, "the original schema");
    let response = json!({"output": [{"type": "message", "content": []},
        {"type": "function_call", "call_id": "fc_1", "name": "DEMO_FREE", "arguments": "{\"extra\":{\"a\":1}}"}]});
    let calls = parse_calls(Provider::OpenAiResponses, &response, &rendered.names).unwrap();
    assert_eq!(calls[0].id, "fc_1");
    assert_eq!(calls[0].arguments, json!({"extra": {"a": 1}}));
    let item = result_message(Provider::OpenAiResponses, &calls[0], &ok());
    assert_eq!(item["type"], "function_call_output");
    assert_eq!(item["call_id"], "fc_1");
    assert!(item["output"].is_string());
    let not_strict = render(Provider::OpenAiResponses, &tools(), &RenderOptions { strict: Some(false) });
    assert_eq!(not_strict.tools[0]["strict"], false);
    assert!(not_strict.fallbacks.is_empty());
}

#[test]
fn anthropic_round_trip() {
    let rendered = render(Provider::Anthropic, &tools(), &RenderOptions::default());
    let tool = &rendered.tools[0];
    assert_eq!(tool["name"], "demo_update_thing");
    assert_eq!(tool["input_schema"]["type"], "object");
    assert!(tool["input_schema"].get("$schema").is_none());
    assert_eq!(tool["input_schema"]["properties"]["status"]["$ref"], "#/$defs/Status", "local refs are kept");
    assert!(tool.get("strict").is_none());
    let message = json!({"role": "assistant", "content": [{"type": "text", "text": "ok"},
        {"type": "tool_use", "id": "toolu_1", "name": "demo_update_thing", "input": {"thing_id": "t1"}}]});
    let calls = parse_calls(Provider::Anthropic, &message, &rendered.names).unwrap();
    assert_eq!(calls[0].name, "demo.update thing");
    let failed = ExecutionResult::from_result(Err(toolsmith_core::Error::UnknownTool("X".into())), None);
    let block = result_message(Provider::Anthropic, &calls[0], &failed);
    assert_eq!(block["type"], "tool_result");
    assert_eq!(block["tool_use_id"], "toolu_1");
    assert_eq!(block["is_error"], true);
    let messages = results_messages(Provider::Anthropic, vec![block]);
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0]["content"][0]["type"], "tool_result");
    let strict = render(Provider::Anthropic, &tools(), &RenderOptions { strict: Some(true) });
    assert_eq!(strict.tools[0]["strict"], true);
    assert_eq!(strict.fallbacks.len(), 1);
}

#[test]
fn gemini_round_trip_with_renamed_properties() {
    for provider in [Provider::Gemini, Provider::GeminiLegacy] {
        let rendered = render(provider, &tools(), &RenderOptions::default());
        let tool = &rendered.tools[0];
        assert_eq!(tool["name"], "demo.update_thing", "{provider}: dots are allowed, spaces are not");
        let schema = if provider == Provider::Gemini { &tool["parametersJsonSchema"] } else { &tool["parameters"] };
        assert!(schema["properties"].get("X_Request_Id").is_some(), "{provider}: {schema}");
        assert!(lint(provider, tool).is_empty(), "{provider}: {:?}", lint(provider, tool));
        let response = json!({"candidates": [{"content": {"role": "model", "parts": [
            {"functionCall": {"name": "demo.update_thing", "args": {"thing_id": "t1", "X_Request_Id": "r1"}}}]}}]});
        let calls = parse_calls(provider, &response, &rendered.names).unwrap();
        assert_eq!(calls[0].name, "demo.update thing");
        assert_eq!(calls[0].arguments, json!({"thing_id": "t1", "X-Request-Id": "r1"}));
        assert_eq!(calls[0].id, "call_0");
        assert!(calls[0].synthesized_id);
        let part = result_message(provider, &calls[0], &ok());
        assert_eq!(part["functionResponse"]["name"], "demo.update_thing");
        assert_eq!(part["functionResponse"]["response"]["data"]["id"], 1);
        assert!(part["functionResponse"].get("id").is_none());
        let content = results_messages(provider, vec![part]);
        assert_eq!(content[0]["role"], "user");
        assert!(content[0]["parts"][0].get("functionResponse").is_some());
    }
    let legacy = render(Provider::GeminiLegacy, &tools(), &RenderOptions::default());
    assert_eq!(
        legacy.tools[0]["parameters"]["properties"]["status"],
        json!({"type": "STRING", "enum": ["open", "closed"], "description": "New status"})
    );
}
