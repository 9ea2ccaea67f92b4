//! Shared by the workbench tests: a workbench in a temporary folder, a fake `Execute`
//! that records its calls, and a resolver that knows one tool and one toolkit.
#![allow(dead_code, clippy::unwrap_used)]

use std::borrow::Cow;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use toolsmith_core::spec::Toolkit;
use toolsmith_core::{BoxFuture, Call, Execute, Outcome, Schemas, Target, ToolDefinition, UserId};
use toolsmith_workbench::{Cell, CellOutput, Resolve, SandboxConfig, ToolAccess, Workbench};

pub(crate) static ECHO: ToolDefinition = ToolDefinition {
    slug: "DEMO_ECHO",
    toolkit: "demo",
    name: "Echo",
    description: Cow::Borrowed("Echoes its arguments."),
    schemas: Schemas::Json { input: Cow::Borrowed(r#"{"type":"object"}"#), output: None },
    tags: &[],
    http: None,
    local: None,
};

/// A Python expression: how many processes of the sandbox are alive (not zombies).
pub(crate) const LIVING: &str =
    "len([p for p in __import__('os').listdir('/proc') if p.isdigit() and open(f'/proc/{p}/stat').read().rsplit(')', 1)[1].split()[0] != 'Z'])";

/// A call as the fake executor saw it: slug, arguments, account, proxy endpoint.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Seen {
    pub(crate) slug: String,
    pub(crate) arguments: Value,
    pub(crate) account: Option<String>,
    pub(crate) endpoint: Option<String>,
}

/// Records every call; answers `{"echo": arguments, "tool": slug}`, or refuses them all.
#[derive(Default)]
pub(crate) struct FakeExecute {
    pub(crate) calls: Mutex<Vec<Seen>>,
    pub(crate) refuse: bool,
}

impl Execute for FakeExecute {
    fn run<'a>(&'a self, call: Call<'a>) -> BoxFuture<'a, Outcome> {
        let slug = call.target.slug().into_owned();
        let endpoint = match call.target {
            Target::Proxy { request, .. } => Some(request.endpoint.clone()),
            _ => None,
        };
        let account = call.options.account.as_ref().map(|a| a.to_string());
        self.calls.lock().unwrap().push(Seen {
            slug: slug.clone(),
            arguments: call.arguments.clone(),
            account,
            endpoint,
        });
        let refuse = self.refuse;
        Box::pin(async move {
            if refuse {
                let reason = "outside the session's scope".to_owned();
                return Outcome::from(Err(toolsmith_core::Error::Refused { slug, reason }));
            }
            Outcome::from(Ok(json!({ "echo": call.arguments, "tool": slug })))
        })
    }
}

/// Knows `DEMO_ECHO` and the toolkit `demo`.
pub(crate) struct Demo {
    toolkit: Toolkit,
}

impl Demo {
    pub(crate) fn new() -> Demo {
        let toolkit = serde_json::from_value(json!({
            "slug": "demo", "name": "Demo", "description": "A demonstration toolkit.",
            "version": "20261122_00", "base_url": "http://127.0.0.1:9", "auth": [{"scheme": "none"}], "tools": []
        }))
        .unwrap();
        Demo { toolkit }
    }
}

impl Resolve for Demo {
    fn tool(&self, slug: &str) -> Result<Target<'_>, toolsmith_core::Error> {
        if slug == ECHO.slug {
            Ok(Target::Definition(&ECHO))
        } else {
            Err(toolsmith_core::Error::UnknownTool(slug.to_owned()))
        }
    }

    fn toolkit(&self, slug: &str) -> Result<&Toolkit, toolsmith_core::Error> {
        if slug == "demo" {
            Ok(&self.toolkit)
        } else {
            Err(toolsmith_core::Error::UnknownToolkit { slug: slug.to_owned(), known: vec!["demo".into()] })
        }
    }
}

/// A workbench in a temporary folder, with short timeouts.
pub(crate) struct Bench {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) workbench: Workbench,
    pub(crate) executor: Arc<FakeExecute>,
    pub(crate) access: Arc<ToolAccess>,
}

impl Bench {
    pub(crate) fn new(tune: impl FnOnce(&mut SandboxConfig)) -> Bench {
        Bench::with_executor(FakeExecute::default(), tune)
    }

    pub(crate) fn with_executor(executor: FakeExecute, tune: impl FnOnce(&mut SandboxConfig)) -> Bench {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        // The sandbox uid must be able to reach the session folders.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o711)).unwrap();
        // Each workbench its own uids: RLIMIT_NPROC counts per uid, and tests run in parallel.
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let base = 300_000 + 100 * NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut config = SandboxConfig {
            uids: Some(base..base + 100),
            cell_timeout: Duration::from_secs(20),
            interrupt_before: Duration::from_secs(2),
            ..SandboxConfig::new(dir.path().join("wb"))
        };
        tune(&mut config);
        let workbench = Workbench::new(config).unwrap_or_else(|e| panic!("the workbench cannot start: {e}"));
        let executor = Arc::new(executor);
        let access = Arc::new(ToolAccess {
            user: UserId::new("user-1"),
            executor: executor.clone(),
            resolver: Arc::new(Demo::new()),
        });
        Bench { dir, workbench, executor, access }
    }

    pub(crate) async fn run(&self, session: &str, cell: Cell) -> CellOutput {
        self.workbench.run(session, self.access.clone(), cell).await.unwrap()
    }

    /// Runs a Python cell that must succeed; returns its output.
    pub(crate) async fn ok(&self, session: &str, code: &str) -> CellOutput {
        let out = self.run(session, Cell::python(code)).await;
        assert_eq!(out.error, None, "cell failed: {code}\n{out:#?}");
        out
    }
}
