//! The workbench meta tools — `COMPOSIO_REMOTE_WORKBENCH` (a Python cell) and
//! `COMPOSIO_REMOTE_BASH_TOOL` (a bash command, cwd `/home/user`), both in the session's
//! sandbox — and auto-offload: a `COMPOSIO_MULTI_EXECUTE_TOOL` result larger than the
//! session's `workbench.auto_offload_threshold` goes to the session's `/mnt/files` and
//! the model gets a preview, the path and the structure instead.

use std::sync::Arc;

use serde::Deserialize;
use serde_json::{json, Map, Value};
use toolsmith_workbench::{Cell, CellOutput, Workbench};

use crate::context::{arguments, Cx, StepNotes};
use crate::error::SessionError;
use crate::meta::workbench_access::access;

/// Results larger than this (bytes of JSON) are offloaded when the session sets no
/// `workbench.auto_offload_threshold`.
pub(crate) const DEFAULT_OFFLOAD_THRESHOLD: u64 = 20_000;

/// Characters of an offloaded result shown to the model.
const PREVIEW_CHARS: usize = 1_000;

/// Where offloaded results go, relative to `/mnt/files`.
const OFFLOAD_DIR: &str = ".composio/tool_outputs";

/// The workbench, when the router has one and the session does not switch it off.
pub(crate) fn available(cx: &Cx) -> Option<&Arc<Workbench>> {
    cx.shared.options.workbench.as_ref().filter(|_| cx.config.workbench.enable != Some(false))
}

fn workbench(cx: &Cx) -> Result<&Arc<Workbench>, SessionError> {
    available(cx).ok_or_else(|| SessionError::MetaTool {
        session: cx.id.clone(),
        slug: "COMPOSIO_REMOTE_WORKBENCH".into(),
        reason: "the server has no workbench, or the session's workbench.enable is false".into(),
    })
}

fn failed(cx: &Cx) -> impl FnOnce(toolsmith_workbench::Error) -> SessionError + '_ {
    |source| SessionError::Workbench { session: cx.id.clone(), source }
}

#[derive(Deserialize)]
struct PythonArgs {
    code_to_execute: String,
    #[serde(flatten)]
    _notes: StepNotes,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BashArgs {
    command: String,
    #[serde(default, rename = "session_id")]
    _session_id: Option<String>,
}

/// The last characters of the session id: which sandbox answered.
fn sandbox_suffix(cx: &Cx) -> String {
    let id = cx.id.as_str();
    id[id.len().saturating_sub(8)..].to_owned()
}

/// `COMPOSIO_REMOTE_WORKBENCH`: `{results, stdout, stderr, error, results_file_path,
/// stdout_file_path, stderr_file_path, sandbox_id_suffix, session}`.
pub(crate) async fn python(cx: &Cx, args: Value) -> Result<Value, SessionError> {
    let args: PythonArgs = arguments("COMPOSIO_REMOTE_WORKBENCH", args)?;
    let out = run(cx, Cell::python(args.code_to_execute)).await?;
    Ok(json!({
        "results": out.results.clone().unwrap_or_default(),
        "stdout": out.stdout,
        "stderr": out.stderr,
        "error": error_text(&out),
        "results_file_path": null,
        "stdout_file_path": out.stdout_file_path,
        "stderr_file_path": out.stderr_file_path,
        "sandbox_id_suffix": sandbox_suffix(cx),
        "session": cx.session_info(),
    }))
}

/// `COMPOSIO_REMOTE_BASH_TOOL`: `{stdout, stdoutLines, stderr, stderrLines,
/// stdout_file_path, stderr_file_path, sandbox_id_suffix, session}` (and `error`).
pub(crate) async fn bash(cx: &Cx, args: Value) -> Result<Value, SessionError> {
    let args: BashArgs = arguments("COMPOSIO_REMOTE_BASH_TOOL", args)?;
    let out = run(cx, Cell::bash(args.command)).await?;
    Ok(json!({
        "stdout": out.stdout,
        "stdoutLines": out.stdout.lines().count(),
        "stderr": out.stderr,
        "stderrLines": out.stderr.lines().count(),
        "error": error_text(&out),
        "stdout_file_path": out.stdout_file_path,
        "stderr_file_path": out.stderr_file_path,
        "sandbox_id_suffix": sandbox_suffix(cx),
        "session": cx.session_info(),
    }))
}

async fn run(cx: &Cx, cell: Cell) -> Result<CellOutput, SessionError> {
    workbench(cx)?.run(cx.id.as_str(), access(cx), cell).await.map_err(failed(cx))
}

/// The cell's error, with what a restart means for the model.
fn error_text(out: &CellOutput) -> String {
    let mut error = out.error.clone().unwrap_or_default();
    if out.killed {
        error.push_str(" The sandbox was restarted: variables are lost, files under /mnt/files are kept.");
    }
    error.trim().to_owned()
}

/// Offloads the `response.data` of each entry of `results` (MULTI_EXECUTE's) that is
/// larger than the session's threshold, or of every successful one when `sync` is set
/// (those stay inline when small). Returns `remote_file_info` (`null` when nothing was
/// written).
pub(crate) fn offload(cx: &Cx, results: &mut [Value], sync: bool) -> Result<Value, SessionError> {
    let Some(workbench) = available(cx) else { return Ok(Value::Null) };
    let threshold = threshold(cx);
    let mut files = Vec::new();
    for entry in results.iter_mut() {
        if let Some(info) = offload_entry(cx, workbench, threshold, entry, sync)? {
            files.push(info);
        }
    }
    if files.is_empty() {
        return Ok(Value::Null);
    }
    Ok(json!({
        "files": files,
        "message": format!(
            "{} result(s) were written to the workbench (over {threshold} bytes: a preview is inline). Work on them with COMPOSIO_REMOTE_WORKBENCH or COMPOSIO_REMOTE_BASH_TOOL.",
            files.len()
        ),
    }))
}

/// A session `execute`'s result with `enable_auto_workbench_offload`: its `data`, when
/// larger than the session's threshold, goes to the workbench and is replaced by the
/// preview MULTI_EXECUTE gives (`offloaded_to_workbench`, `file_path`, `preview`,
/// `structure`, …). Without a workbench, or when small or failed, it stays as it is; when
/// the write fails, the data stays inline and `error` says why.
pub(crate) fn offload_result(cx: &Cx, slug: &str, result: &mut toolsmith_core::ExecutionResult) {
    let Some(workbench) = available(cx) else { return };
    let log = result.log_id.as_ref().map(|l| l.to_string());
    let mut entry = json!({
        "index": 0,
        "tool_slug": slug,
        "response": {"data": std::mem::take(&mut result.data), "successful": result.successful, "log_id": log},
    });
    let written = offload_entry(cx, workbench, threshold(cx), &mut entry, false);
    result.data = entry["response"]["data"].take();
    if let Err(e) = written {
        result.error = Some(format!("the result was not offloaded to the workbench: {e}"));
    }
}

fn threshold(cx: &Cx) -> u64 {
    cx.config.workbench.auto_offload_threshold.unwrap_or(DEFAULT_OFFLOAD_THRESHOLD)
}

/// Offloads one MULTI_EXECUTE entry (`{index, tool_slug, response: {data, successful,
/// log_id}}`) when its data is over `threshold` (or, with `sync`, when it succeeded):
/// returns its `remote_file_info` item. Past the session's disk quota a large result is
/// replaced by its preview and the quota's error (`offloaded_to_workbench: false`).
fn offload_entry(
    cx: &Cx,
    workbench: &Workbench,
    threshold: u64,
    entry: &mut Value,
    sync: bool,
) -> Result<Option<Value>, SessionError> {
    let Some(data) = entry.pointer("/response/data") else { return Ok(None) };
    if entry.pointer("/response/successful") != Some(&Value::Bool(true)) {
        return Ok(None);
    }
    let text = data.to_string();
    let large = text.len() as u64 > threshold;
    if !large && !sync {
        return Ok(None);
    }
    let slug = entry["tool_slug"].as_str().unwrap_or("TOOL").to_owned();
    let safe: String = slug.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
    let log = entry.pointer("/response/log_id").and_then(Value::as_str).unwrap_or("call").to_owned();
    let index = entry["index"].as_u64().unwrap_or_default();
    let name = format!("{OFFLOAD_DIR}/{safe}_{index}_{log}.json");
    let structure = structure(data, 0);
    let path = match workbench.write_file(cx.id.as_str(), &name, text.as_bytes()) {
        Ok(path) => path,
        // The workbench is full: the model still gets the preview (the whole result would
        // flood its context), and what to do.
        Err(e @ toolsmith_workbench::Error::DiskQuota { .. }) => {
            if large {
                entry["response"]["data"] = json!({
                    "offloaded_to_workbench": false,
                    "size_bytes": text.len(),
                    "preview": preview(&text),
                    "structure": structure,
                    "error": format!("the result was not written to the workbench, so only this preview is left: {e}"),
                });
            }
            return Ok(None);
        }
        Err(e) => return Err(failed(cx)(e)),
    };
    let info = json!({
        "index": index,
        "tool_slug": slug,
        "file_path": path,
        "size_bytes": text.len(),
        "structure": structure,
    });
    if large {
        entry["response"]["data"] = json!({
            "offloaded_to_workbench": true,
            "file_path": path,
            "size_bytes": text.len(),
            "preview": preview(&text),
            "structure": structure,
            "how_to_read": format!("In COMPOSIO_REMOTE_WORKBENCH: import json; data = json.load(open({path:?}))"),
        });
    }
    Ok(Some(info))
}

/// The first characters of an offloaded result, shown to the model.
fn preview(text: &str) -> String {
    text.chars().take(PREVIEW_CHARS).collect()
}

/// The shape of a JSON value for the model: objects as their keys' shapes (at most 40
/// keys), arrays as their length and first item's shape, scalars as their type; 4
/// levels deep.
fn structure(value: &Value, depth: usize) -> Value {
    match value {
        Value::Object(map) if depth < 4 => {
            let mut shape = Map::new();
            for (key, item) in map.iter().take(40) {
                shape.insert(key.clone(), structure(item, depth + 1));
            }
            if map.len() > 40 {
                shape.insert("…".into(), json!(format!("{} more keys", map.len() - 40)));
            }
            Value::Object(shape)
        }
        Value::Array(items) if depth < 4 => json!({
            "array_length": items.len(),
            "item": items.first().map_or(Value::Null, |first| structure(first, depth + 1)),
        }),
        Value::Object(_) => json!("object"),
        Value::Array(items) => json!(format!("array of {}", items.len())),
        Value::String(_) => json!("string"),
        Value::Number(_) => json!("number"),
        Value::Bool(_) => json!("boolean"),
        Value::Null => json!("null"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structure_shows_keys_and_array_lengths() {
        let value = json!({"items": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}], "next": null});
        assert_eq!(
            structure(&value, 0),
            json!({"items": {"array_length": 2, "item": {"id": "number", "name": "string"}}, "next": "null"})
        );
    }
}
