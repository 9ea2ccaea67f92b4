//! Running app tools through the session: one at a time (`execute`), several at once
//! (`COMPOSIO_MULTI_EXECUTE_TOOL`) and raw requests (`COMPOSIO_PROXY_EXECUTE`). Every call
//! goes through the one executor; the session adds its scope, its account pins, its
//! memory and Connect Links for missing connections.

use serde::Deserialize;
use serde_json::{json, Map, Value};
use toolsmith_core::{Call, CallOptions, ConnectedAccountId, Error, ExecutionResult, ProxyRequest, Remedy, Target};
use toolsmith_spec::Method;

use crate::accounts::account_for_call;
use crate::context::{arguments, Cx, StepNotes};
use crate::error::SessionError;
use crate::meta::connections::link;
use crate::meta::tools::MetaTool;
use crate::meta::workbench;

/// A tool's result and, when its toolkit needs connecting, the Connect Link.
pub(crate) struct Ran {
    pub(crate) result: ExecutionResult,
    pub(crate) connect: Option<Value>,
}

/// Runs an app tool in the session's scope.
pub(crate) async fn run_tool(cx: &Cx, slug: &str, args: Value, account: Option<ConnectedAccountId>) -> Ran {
    let failed = |e: &dyn std::fmt::Display| Ran {
        result: ExecutionResult { data: json!({}), error: Some(e.to_string()), successful: false, log_id: None },
        connect: None,
    };
    if MetaTool::parse(slug).is_some() {
        return failed(&format!("{slug} is a meta tool: call it directly, not through another tool"));
    }
    let found = match cx.tool(slug) {
        Ok(found) => found,
        Err(e) => return failed(&e),
    };
    let target = match cx.registry().resolve(&found.slug, None) {
        Ok(resolved) => resolved.target(),
        Err(e) => return failed(&e),
    };
    let account = match (account, found.spec) {
        (Some(id), _) => Some(id),
        (None, Some((toolkit, _))) => match account_for_call(cx, toolkit).await {
            Ok(id) => id,
            Err(e) => return failed(&e),
        },
        (None, None) => None,
    };
    let options = CallOptions { account, ..CallOptions::default() };
    let call = Call { target, user: cx.user(), arguments: args.clone(), options };
    let outcome = cx.shared.executor.run(call).await;
    match outcome.result {
        Ok(data) => {
            let facts = cx.shared.learner.facts(&found.toolkit, &found.slug, found.spec.map(|(_, t)| t), &args, &data);
            cx.remember(&facts).await;
            Ran { result: ExecutionResult::from_result(Ok(data), outcome.log_id), connect: None }
        }
        Err(error) => {
            let connect = match (needs_connection(&error), found.spec) {
                (true, Some((toolkit, _))) if cx.config.manage_connections.enable => link(cx, toolkit, None).await.ok(),
                _ => None,
            };
            let mut result = ExecutionResult::from_result(Err(error), outcome.log_id);
            let connect = connect.map(|l| {
                result.error = Some(format!(
                    "{} The user has not connected {}: show them {} to authorize, then call COMPOSIO_WAIT_FOR_CONNECTIONS and run the tool again.",
                    result.error.as_deref().unwrap_or_default(),
                    l.toolkit,
                    l.redirect_url
                ));
                json!({
                    "toolkit": l.toolkit,
                    "redirect_url": l.redirect_url,
                    "connected_account_id": l.connected_account_id.as_str(),
                    "status": "initiated",
                })
            });
            Ran { result, connect }
        }
    }
}

/// Whether the error asks for an account to be connected (or reconnected).
fn needs_connection(error: &Error) -> bool {
    matches!(error.remedy(), Some(Remedy::ConnectAccount { .. } | Remedy::ReconnectAccount { .. }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Item {
    tool_slug: String,
    #[serde(default)]
    arguments: Value,
}

#[derive(Deserialize)]
struct MultiArgs {
    tools: Vec<Item>,
    #[serde(default)]
    sync_response_to_workbench: Option<bool>,
    #[serde(flatten)]
    _notes: StepNotes,
}

/// At most this many calls in one `COMPOSIO_MULTI_EXECUTE_TOOL`.
pub(crate) const MAX_CALLS: usize = 50;

/// `COMPOSIO_MULTI_EXECUTE_TOOL`: the calls run concurrently; results in input order.
/// With a workbench, large results are offloaded into it (`remote_file_info`).
pub(crate) async fn multi(cx: &Cx, args: Value) -> Result<Value, SessionError> {
    let args: MultiArgs = arguments("COMPOSIO_MULTI_EXECUTE_TOOL", args)?;
    let bad =
        |path: String, message: String| SessionError::Arguments { tool: "COMPOSIO_MULTI_EXECUTE_TOOL", path, message };
    if args.tools.is_empty() || args.tools.len() > MAX_CALLS {
        return Err(bad("tools".into(), format!("give 1 to {MAX_CALLS} calls, not {}", args.tools.len())));
    }
    for (i, item) in args.tools.iter().enumerate() {
        if item.tool_slug.trim().is_empty() {
            return Err(bad(format!("tools[{i}].tool_slug"), "name the tool".into()));
        }
        if !(item.arguments.is_object() || item.arguments.is_null()) {
            return Err(bad(format!("tools[{i}].arguments"), "arguments are a JSON object".into()));
        }
    }
    let runs = args.tools.iter().map(|item| run_tool(cx, &item.tool_slug, item.arguments.clone(), None));
    let ran = futures_util::future::join_all(runs).await;
    let mut results = Vec::with_capacity(ran.len());
    let (mut ok, mut failed) = (0, 0);
    let mut links = Vec::new();
    for (index, (item, ran)) in args.tools.iter().zip(ran).enumerate() {
        if ran.result.successful {
            ok += 1;
        } else {
            failed += 1;
        }
        let error = ran.result.error.clone();
        let mut entry = json!({
            "index": index,
            "tool_slug": item.tool_slug,
            "response": ran.result,
            "error": error,
        });
        if let Some(connect) = ran.connect {
            links.push(connect["redirect_url"].clone());
            entry["connect"] = connect;
        }
        results.push(entry);
    }
    let next_steps = if !links.is_empty() {
        Some("Some toolkits are not connected: show the user each connect.redirect_url, call COMPOSIO_WAIT_FOR_CONNECTIONS, then run the failed calls again.".to_owned())
    } else if failed > 0 {
        Some("Fix the failed calls (see each error) and run only those again.".to_owned())
    } else {
        None
    };
    let remote_file_info = workbench::offload(cx, &mut results, args.sync_response_to_workbench == Some(true))?;
    let memory: Map<String, Value> = cx.memory().await.into_iter().map(|f| (f.key, Value::String(f.value))).collect();
    Ok(json!({
        "results": results,
        "total_count": args.tools.len(),
        "success_count": ok,
        "error_count": failed,
        "memory": memory,
        "next_steps": next_steps,
        "remote_file_info": remote_file_info,
        "session": cx.session_info(),
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProxyArgs {
    toolkit_slug: String,
    endpoint: String,
    method: Method,
    #[serde(default)]
    body: Option<Value>,
    #[serde(default)]
    parameters: Vec<Parameter>,
    #[serde(default, rename = "session_id")]
    _session_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Parameter {
    name: String,
    #[serde(rename = "type")]
    kind: ParameterKind,
    value: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum ParameterKind {
    Header,
    Query,
}

/// `COMPOSIO_PROXY_EXECUTE`: the executor's proxy, with the session's account.
pub(crate) async fn proxy(cx: &Cx, args: Value) -> Result<Value, SessionError> {
    let result = proxy_result(cx, args).await?;
    Ok(json!({
        "response": result,
        "session": cx.session_info(),
    }))
}

/// The proxy request of `args`, run.
pub(crate) async fn proxy_result(cx: &Cx, args: Value) -> Result<ExecutionResult, SessionError> {
    let args: ProxyArgs = arguments("COMPOSIO_PROXY_EXECUTE", args)?;
    let toolkit = cx.toolkit(&args.toolkit_slug)?;
    let mut request =
        ProxyRequest { method: args.method, endpoint: args.endpoint, body: args.body, ..Default::default() };
    for p in args.parameters {
        match p.kind {
            ParameterKind::Header => request.headers.push((p.name, p.value)),
            ParameterKind::Query => request.query.push((p.name, p.value)),
        }
    }
    let account = account_for_call(cx, toolkit).await?;
    let call = Call {
        target: Target::Proxy { toolkit, request: &request },
        user: cx.user(),
        arguments: Value::Null,
        options: CallOptions { account, ..CallOptions::default() },
    };
    Ok(cx.shared.executor.run(call).await.into())
}
