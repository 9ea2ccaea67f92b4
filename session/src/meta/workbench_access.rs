//! What a session's sandbox may call back: `run_composio_tool` and `proxy_execute`
//! resolve slugs with the session's scope ([`SessionResolver`]) and run through the
//! router's executor with the session's account choice ([`SessionExecutor`]) — the same
//! executor and rules as `COMPOSIO_MULTI_EXECUTE_TOOL`.

use std::sync::Arc;

use toolsmith_core::{BoxFuture, Call, Error, Execute, Outcome, Target};
use toolsmith_spec::Toolkit;
use toolsmith_workbench::{Resolve, ToolAccess};

use crate::accounts::account_for_call;
use crate::context::Cx;
use crate::meta::tools::MetaTool;

/// The [`ToolAccess`] of a session's sandbox.
pub(crate) fn access(cx: &Cx) -> Arc<ToolAccess> {
    Arc::new(ToolAccess {
        user: cx.user().clone(),
        executor: Arc::new(SessionExecutor { cx: cx.clone() }),
        resolver: Arc::new(SessionResolver { cx: cx.clone() }),
    })
}

fn refused(slug: &str, reason: impl std::fmt::Display) -> Error {
    Error::Refused { slug: slug.to_owned(), reason: reason.to_string() }
}

/// Slugs as the session sees them: tools and toolkits outside its scope are refused with
/// the session's reason; `workbench.enable_tool_execution: false` and a session without
/// proxy execution refuse the helpers.
struct SessionResolver {
    cx: Cx,
}

impl Resolve for SessionResolver {
    fn tool(&self, slug: &str) -> Result<Target<'_>, Error> {
        if self.cx.config.workbench.enable_tool_execution == Some(false) {
            return Err(refused(slug, "this session's workbench.enable_tool_execution is false"));
        }
        if MetaTool::parse(slug).is_some() {
            return Err(refused(slug, "meta tools cannot be called from the workbench"));
        }
        let found = self.cx.tool(slug).map_err(|e| refused(slug, e))?;
        self.cx.registry().resolve(&found.slug, None).map(|resolved| resolved.target())
    }

    fn toolkit(&self, slug: &str) -> Result<&Toolkit, Error> {
        let c = &self.cx.config;
        if !c.proxy_execute.enable || c.workbench.enable_proxy_execution == Some(false) {
            return Err(refused(
                slug,
                "proxy execution is off in this session (proxy_execute.enable, workbench.enable_proxy_execution)",
            ));
        }
        self.cx.toolkit(slug).map_err(|e| refused(slug, e))
    }
}

/// The router's executor, with the session's account for calls that name none.
struct SessionExecutor {
    cx: Cx,
}

impl Execute for SessionExecutor {
    fn run<'a>(&'a self, mut call: Call<'a>) -> BoxFuture<'a, Outcome> {
        Box::pin(async move {
            if call.options.account.is_none() {
                let toolkit = match call.target {
                    Target::Spec { toolkit, .. } | Target::Proxy { toolkit, .. } => Some(toolkit),
                    Target::Definition(definition) => self.cx.registry().toolkit(definition.toolkit),
                    _ => None,
                };
                if let Some(toolkit) = toolkit {
                    match account_for_call(&self.cx, toolkit).await {
                        Ok(account) => call.options.account = account,
                        Err(e) => return Outcome::from(Err(refused(toolkit.slug.as_str(), e))),
                    }
                }
            }
            self.cx.shared.executor.run(call).await
        })
    }
}
