//! The session's tools in every provider format: each meta tool renders valid (the
//! provider lint), and a model's calls in each format run through the session.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use serde_json::{json, Value};
use toolsmith_providers::{lint, Provider, RenderOptions};
use toolsmith_runtime::{Client, Registry, ToolSearch};
use toolsmith_session::{handle_direct_tool_calls, MetaTool, RouterOptions, Session, SessionConfig, ToolRouter};
use toolsmith_store::{KeyRing, SqliteStore, Store};

async fn session(config: SessionConfig) -> (Session, Registry, Arc<Client>) {
    let registry = Registry::from_toolkits(toolsmith_builtin::toolkits().unwrap());
    let store: Arc<dyn Store> = Arc::new(SqliteStore::in_memory(KeyRing::generate().unwrap()).unwrap());
    let client = Arc::new(Client::builder().store(store.clone()).build());
    // A workbench (no sandbox starts: its tools are only listed), so every meta tool is offered.
    let root = std::env::temp_dir().join(format!("toolsmith-providers-wb-{}", std::process::id()));
    let workbench = toolsmith_workbench::Workbench::new(toolsmith_workbench::SandboxConfig::new(root)).unwrap();
    let mut options = RouterOptions::new("http://127.0.0.1:9".parse().unwrap());
    options.workbench = Some(Arc::new(workbench));
    let router = ToolRouter::new(Arc::new(ToolSearch::new(&registry)), client.clone(), store, options);
    (router.create(config).await.unwrap(), registry, client)
}

fn everything() -> SessionConfig {
    let mut config = SessionConfig::new("ada");
    config.manage_connections.enable_wait_for_connections = true;
    config.proxy_execute.enable = true;
    config.preload.tools =
        toolsmith_session::PreloadTools::Some(vec!["GITHUB_CREATE_ISSUE".into(), "SLACK_SEND_MESSAGE".into()]);
    config
}

#[tokio::test]
async fn every_meta_tool_renders_valid_for_every_provider() {
    let (session, _, _) = session(everything()).await;
    let slugs: Vec<String> = session.tools().into_iter().map(|t| t.slug).collect();
    assert_eq!(slugs.len(), MetaTool::ALL.len() + 2, "{slugs:?}");
    for provider in Provider::ALL {
        for strict in [None, Some(false), Some(true)] {
            let rendered = session.provider_tools(provider, &RenderOptions { strict });
            assert_eq!(rendered.tools.len(), slugs.len());
            for tool in &rendered.tools {
                let issues = lint(provider, tool);
                assert!(issues.is_empty(), "{provider} strict={strict:?}: {issues:?}\n{tool:#}");
            }
            let fallbacks: Vec<String> =
                rendered.fallbacks.iter().map(|f| format!("{}: {}", f.tool, f.reason)).collect();
            println!(
                "{provider} strict={strict:?}: {} tools, {} fallbacks {fallbacks:?}",
                rendered.tools.len(),
                fallbacks.len()
            );
            // Every name maps back to its slug.
            for slug in &slugs {
                let wire = rendered.names.rendered(slug).unwrap();
                assert_eq!(rendered.names.canonical(wire), Some(slug.as_str()));
            }
        }
    }
}

/// A response of `provider` calling `name` with `arguments` (as the model would send it).
fn response(provider: Provider, name: &str, arguments: Value) -> Value {
    match provider {
        Provider::OpenAiChat => json!({"choices": [{"message": {"role": "assistant", "content": null, "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": name, "arguments": arguments.to_string()}}]}}]}),
        Provider::OpenAiResponses => json!({"output": [
            {"type": "function_call", "id": "fc_1", "call_id": "call_1", "name": name, "arguments": arguments.to_string()}]}),
        Provider::Anthropic => json!({"role": "assistant", "content": [
            {"type": "text", "text": "Let me look."}, {"type": "tool_use", "id": "toolu_1", "name": name, "input": arguments}]}),
        Provider::Gemini | Provider::GeminiLegacy => json!({"candidates": [{"content": {"role": "model", "parts": [
            {"functionCall": {"name": name, "args": arguments}}]}}]}),
    }
}

#[tokio::test]
async fn a_model_in_each_format_searches_and_is_refused_outside_the_session() {
    let mut config = SessionConfig::new("ada");
    config.toolkits = Some(toolsmith_session::ToolkitFilter::Enable(vec!["github".into()]));
    let (session, registry, client) = session(config).await;
    for provider in Provider::ALL {
        let rendered = session.provider_tools(provider, &RenderOptions::default());
        let wire = |slug: &str| rendered.names.rendered(slug).unwrap().to_owned();
        let search = response(
            provider,
            &wire("COMPOSIO_SEARCH_TOOLS"),
            json!({"queries": [{"use_case": "create a GitHub issue for the login bug"}]}),
        );
        let messages = session.handle_tool_calls(provider, &search, &rendered.names).await.unwrap();
        let text = messages.iter().map(Value::to_string).collect::<String>();
        assert!(text.contains("GITHUB_CREATE_ISSUE"), "{provider}: {text}");
        let id_field = match provider {
            Provider::OpenAiChat => "tool_call_id",
            Provider::OpenAiResponses => "call_id",
            Provider::Anthropic => "tool_use_id",
            Provider::Gemini | Provider::GeminiLegacy => "functionResponse",
        };
        assert!(text.contains(id_field), "{provider}: {text}");

        let slack = response(
            provider,
            &wire("COMPOSIO_MULTI_EXECUTE_TOOL"),
            json!({"tools": [{"tool_slug": "SLACK_SEND_MESSAGE", "arguments": {"channel": "C1", "text": "hi"}}],
                   "sync_response_to_workbench": false}),
        );
        let messages = session.handle_tool_calls(provider, &slack, &rendered.names).await.unwrap();
        let text = messages.iter().map(Value::to_string).collect::<String>();
        assert!(text.contains("is not enabled in this session"), "{provider}: {text}");

        // Meta tools do not exist on the direct path.
        let user = toolsmith_core::UserId::new("ada");
        let direct =
            handle_direct_tool_calls(&registry, &*client, &user, provider, &search, &rendered.names).await.unwrap();
        let text = direct.iter().map(Value::to_string).collect::<String>();
        assert!(text.contains("can only be called inside a tool-router session"), "{provider}: {text}");
    }
    // A malformed response is an error that names where.
    let bad = json!({"choices": [{"message": {"tool_calls": [{"id": "c", "type": "function", "function": {"name": "X", "arguments": "{oops"}}]}}]});
    let err = session.handle_tool_calls(Provider::OpenAiChat, &bad, &Default::default()).await.unwrap_err();
    assert!(err.to_string().contains("arguments"), "{err}");
}
