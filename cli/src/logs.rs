//! `toolsmith logs [LOG_ID] [--user U] [--tool SLUG] [--limit N]`

use std::process::ExitCode;

use miette::{miette, IntoDiagnostic};
use serde_json::{json, Value};
use toolsmith::store::{ExecutionLog, LogFilter};
use toolsmith::{LogId, ToolSlug, UserId};

use crate::home::{runtime, time, Database};
use crate::out::outln;

/// Arguments of `toolsmith logs`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// One entry (`log_…`, as returned with a result).
    id: Option<LogId>,
    /// Only this user's executions.
    #[arg(long)]
    user: Option<String>,
    /// Only this tool's executions.
    #[arg(long)]
    tool: Option<String>,
    /// At most this many, newest first (1 or more).
    #[arg(long, default_value_t = 20, value_parser = crate::limit::parse)]
    limit: usize,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    db: Database,
}

pub(crate) fn run(args: Args) -> miette::Result<ExitCode> {
    let rt = runtime()?;
    let store = rt.block_on(args.db.open())?.store();
    if let Some(id) = &args.id {
        let Some(entry) = rt.block_on(store.log(id)).map_err(|e| miette!("{e}"))? else {
            eprintln!("error: no log entry {id}; `toolsmith logs` lists the latest");
            return Ok(ExitCode::from(1));
        };
        outln!("{}", serde_json::to_string_pretty(&describe(&entry)).into_diagnostic()?);
        return Ok(ExitCode::SUCCESS);
    }
    let filter = LogFilter {
        user_id: args.user.map(UserId::new),
        tool: args.tool.map(|t| ToolSlug::new(t.to_ascii_uppercase())),
        limit: args.limit,
    };
    let entries = rt.block_on(store.logs(&filter)).map_err(|e| miette!("{e}"))?;
    if args.json {
        let list: Vec<Value> = entries.iter().map(describe).collect();
        outln!("{}", serde_json::to_string_pretty(&list).into_diagnostic()?);
        return Ok(ExitCode::SUCCESS);
    }
    outln!("{:<24}  {:<20}  {:<40}  {:<12}  {:>6}  {:>8}  OK", "LOG", "STARTED", "TOOL", "USER", "STATUS", "MS");
    for e in &entries {
        outln!(
            "{:<24}  {:<20}  {:<40}  {:<12}  {:>6}  {:>8}  {}",
            e.id,
            time(e.started_at),
            e.tool,
            e.user_id,
            e.status.map_or("-".to_owned(), |s| s.to_string()),
            e.duration_ms,
            if e.successful { "yes" } else { "no" }
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn describe(e: &ExecutionLog) -> Value {
    json!({
        "log_id": e.id,
        "tool": e.tool,
        "user_id": e.user_id,
        "account": e.account,
        "status": e.status,
        "successful": e.successful,
        "error": e.error,
        "attempts": e.attempts,
        "duration_ms": e.duration_ms,
        "started_at": time(e.started_at),
    })
}
