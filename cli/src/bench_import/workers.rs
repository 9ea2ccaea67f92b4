//! The worker process of `bench import`: runs the stages of each spec, catching panics
//! and memory exhaustion, and reports each outcome to the supervising process.

use super::compile::Scratch;
use super::stages::*;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::ProgressBar;
use miette::{miette, IntoDiagnostic};
use serde_json::{json, Value};
use toolsmith_catalog::openapi::{import_file, ImportOptions};
use toolsmith_catalog::{validate, Loaded, ParamLocation, Severity, Toolkit};
use toolsmith_codegen::Generator;

/// The worker process: runs the specs whose indices are on stdin on `jobs` threads,
/// and prints one JSON line per event: `{"spec": i}` when a spec starts, then
/// `{"spec": i, "outcome": …, "done": false}` after each stage it passes, and
/// `"done": true` at its end. A crash (stack overflow, out of memory) ends the process;
/// the supervisor knows from the events which spec was where.
pub(super) fn worker(options: &Options, specs: &[Spec], jobs: usize) -> miette::Result<ExitCode> {
    use std::io::{Read, Write};
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input).into_diagnostic()?;
    let indices: Vec<usize> =
        input.split_whitespace().filter_map(|i| i.parse().ok()).filter(|&i| i < specs.len()).collect();
    let scratch = options.compile.then(Scratch::open);
    install_panic_hook();
    let emit = |line: Value| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    };
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(indices.len()) {
            // Deeply nested schemas recurse deeply.
            let spawned = std::thread::Builder::new().stack_size(64 << 20).spawn_scoped(scope, || {
                while let Some(&i) = indices.get(next.fetch_add(1, Ordering::Relaxed)) {
                    emit(json!({ "spec": i }));
                    run_one(&specs[i], scratch.as_ref(), |outcome, done| {
                        emit(json!({ "spec": i, "outcome": outcome, "done": done }));
                    });
                }
            });
            if let Err(e) = spawned {
                eprintln!("cannot start a worker thread: {e}");
            }
        }
    });
    Ok(ExitCode::SUCCESS)
}

/// One worker process's run: which specs it started and finished, how it ended, and
/// the last lines of its stderr.
pub(super) struct WorkerRun {
    started: HashSet<usize>,
    finished: HashSet<usize>,
    status: std::process::ExitStatus,
    stderr: Vec<String>,
}

/// Runs every spec in worker processes (this binary, `--worker`) under an address-space
/// limit, so that a spec that crashes the process (a stack overflow or an allocation
/// failure cannot be caught) is recorded as a failure and the rest goes on: after a
/// crash, the specs that were running are rerun one per process to find the culprit,
/// and a new worker takes the specs not started yet.
pub(super) fn supervise(
    options: &Options,
    specs: &[Spec],
    jobs: usize,
    bar: &ProgressBar,
) -> miette::Result<Vec<Outcome>> {
    let mut outcomes: Vec<Option<Outcome>> = specs.iter().map(|_| None).collect();
    let running: Mutex<BTreeMap<usize, String>> = Mutex::new(BTreeMap::new());
    let mut pending: Vec<usize> = (0..specs.len()).collect();
    let mut suspects: Vec<usize> = Vec::new();
    let live = std::sync::atomic::AtomicBool::new(true);
    std::thread::scope(|scope| -> miette::Result<()> {
        if bar.is_hidden() {
            scope.spawn(|| ticker(&live, &running, bar, specs.len()));
        }
        let mut result = Ok(());
        while !pending.is_empty() || !suspects.is_empty() {
            let (batch, batch_jobs, alone) = if pending.is_empty() {
                (vec![suspects.remove(0)], 1, true)
            } else {
                (std::mem::take(&mut pending), jobs, false)
            };
            let run = match run_worker(options, specs, &batch, batch_jobs, &mut outcomes, &running, bar) {
                Ok(run) => run,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            };
            let crashed: Vec<usize> =
                batch.iter().copied().filter(|i| run.started.contains(i) && !run.finished.contains(i)).collect();
            pending.extend(batch.iter().copied().filter(|i| !run.started.contains(i)));
            if crashed.is_empty() {
                if !run.status.success() && run.started.is_empty() {
                    result = Err(miette!("the worker process failed ({}):\n{}", run.status, run.stderr.join("\n")));
                    break;
                }
                continue;
            }
            set_running(&running, bar, |r| r.retain(|i, _| !crashed.contains(i)));
            if alone || crashed.len() == 1 {
                let message = crash_message(&run.status.to_string(), &run.stderr, options.max_memory_gb);
                for i in crashed {
                    let mut outcome = outcomes[i].take().unwrap_or_default();
                    if outcome.passed == IMPORT {
                        outcome.operations = count_operations(&specs[i].path);
                    }
                    outcome.causes = vec![normalize(&message)];
                    outcome.message = message.clone();
                    outcomes[i] = Some(outcome);
                    bar.inc(1);
                }
            } else {
                suspects.extend(crashed);
            }
        }
        live.store(false, Ordering::Relaxed);
        result
    })?;
    Ok(outcomes.into_iter().map(Option::unwrap_or_default).collect())
}

/// Runs one worker process on `batch`, recording the outcomes it reports.
pub(super) fn run_worker(
    options: &Options,
    specs: &[Spec],
    batch: &[usize],
    jobs: usize,
    outcomes: &mut [Option<Outcome>],
    running: &Mutex<BTreeMap<usize, String>>,
    bar: &ProgressBar,
) -> miette::Result<WorkerRun> {
    use std::io::{BufRead, BufReader, Write};
    use std::process::Stdio;

    // This very binary, even when a rebuild has replaced the file since it started.
    let exe = match PathBuf::from(format!("/proc/{}/exe", std::process::id())) {
        proc if proc.exists() => proc,
        _ => std::env::current_exe().into_diagnostic()?,
    };
    let mut args: Vec<String> = vec![
        "bench".into(),
        "import".into(),
        options.dir.display().to_string(),
        "--worker".into(),
        format!("--jobs={jobs}"),
    ];
    if let Some(limit) = options.limit {
        args.push(format!("--limit={limit}"));
    }
    if options.compile {
        args.push("--compile".into());
    }
    let mut child = limited(&exe, options.max_memory_gb)
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| miette!("cannot start the worker process {}: {e}", exe.display()))?;
    let list: String = batch.iter().map(|i| format!("{i}\n")).collect();
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(list.as_bytes()).into_diagnostic()?;
    }
    let stderr = child.stderr.take();
    let stderr = std::thread::spawn(move || {
        let mut last: Vec<String> = Vec::new();
        for line in stderr.map(BufReader::new).into_iter().flat_map(|r| r.lines()).map_while(Result::ok) {
            last.push(line);
            if last.len() > 40 {
                last.remove(0);
            }
        }
        last
    });
    let mut started = HashSet::new();
    let mut finished = HashSet::new();
    for line in child.stdout.take().map(BufReader::new).into_iter().flat_map(|r| r.lines()).map_while(Result::ok) {
        let Ok(event) = serde_json::from_str::<Value>(&line) else { continue };
        let Some(i) = event["spec"].as_u64().and_then(|i| usize::try_from(i).ok()).filter(|&i| i < specs.len()) else {
            continue;
        };
        match event.get("outcome") {
            None => {
                started.insert(i);
                outcomes[i] = Some(Outcome::default());
                set_running(running, bar, |r| {
                    r.insert(i, specs[i].name.clone());
                });
            }
            Some(outcome) => {
                if let Ok(outcome) = serde_json::from_value::<Outcome>(outcome.clone()) {
                    outcomes[i] = Some(outcome);
                }
                if event["done"] == Value::Bool(true) {
                    finished.insert(i);
                    set_running(running, bar, |r| {
                        r.remove(&i);
                    });
                    bar.inc(1);
                }
            }
        }
    }
    let status = child.wait().into_diagnostic()?;
    let stderr = stderr.join().unwrap_or_default();
    Ok(WorkerRun { started, finished, status, stderr })
}

/// Without a terminal (a log, CI): a line every 30 s instead of the bar.
pub(super) fn ticker(
    live: &std::sync::atomic::AtomicBool,
    running: &Mutex<BTreeMap<usize, String>>,
    bar: &ProgressBar,
    total: usize,
) {
    let start = Instant::now();
    let mut last = Instant::now();
    while live.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(200));
        if last.elapsed() >= Duration::from_secs(30) {
            last = Instant::now();
            let running = running.lock().unwrap_or_else(|e| e.into_inner());
            let names: Vec<&str> = running.values().map(String::as_str).collect();
            eprintln!(
                "bench import: {}/{total} specs after {:.0} s; running: {}",
                bar.position(),
                start.elapsed().as_secs_f64(),
                names.join(", ")
            );
        }
    }
}

/// `crash: <what the runtime printed> (<exit status>)`, for a worker that died.
pub(super) fn crash_message(status: &str, stderr: &[String], max_memory_gb: u64) -> String {
    let said = stderr
        .iter()
        .rev()
        .map(|l| l.trim())
        .find(|l| {
            !l.is_empty()
                && !l.starts_with("note:")
                && !l.starts_with("stack backtrace")
                && !l.starts_with("skipping backtrace")
                && !l.starts_with("fatal runtime error: stack overflow")
        })
        .unwrap_or("no message");
    let said = if said.starts_with("memory allocation of") {
        format!("{said}; the worker's limit is {max_memory_gb} GiB")
    } else {
        said.to_owned()
    };
    format!("crash: {said} ({status})")
}

/// Updates the specs in progress, shown beside the bar (a slow spec stays visible).
pub(super) fn set_running(
    running: &Mutex<BTreeMap<usize, String>>,
    bar: &ProgressBar,
    f: impl FnOnce(&mut BTreeMap<usize, String>),
) {
    let mut running = running.lock().unwrap_or_else(|e| e.into_inner());
    f(&mut running);
    bar.set_message(running.values().cloned().collect::<Vec<_>>().join(", "));
}

/// Import, validate and generate one spec (and write its code for the compile stage);
/// `emit` gets the outcome after each stage passed (`false`) and at the end (`true`).
pub(super) fn run_one(spec: &Spec, scratch: Option<&Scratch>, emit: impl Fn(&Outcome, bool)) {
    let outcome = stages(spec, scratch, &emit);
    emit(&outcome, true);
}

pub(super) fn stages(spec: &Spec, scratch: Option<&Scratch>, emit: &impl Fn(&Outcome, bool)) -> Outcome {
    let mut out = Outcome::default();
    let fail = |out: &mut Outcome, message: String| {
        let message = message.replace(&spec.path.display().to_string(), "<file>");
        out.causes = vec![normalize(&message)];
        out.message = message;
    };

    let t = Instant::now();
    let imported = guard(|| import_file(&spec.path, &ImportOptions::new(&spec.slug)));
    out.times[IMPORT] = t.elapsed();
    let imported = match imported {
        Ok(Ok(imported)) => imported,
        Ok(Err(e)) => {
            out.operations = count_operations(&spec.path);
            fail(&mut out, e.to_string());
            return out;
        }
        Err(panic) => {
            out.operations = count_operations(&spec.path);
            fail(&mut out, panic);
            return out;
        }
    };
    for w in &imported.warnings {
        let cause = normalize(&w.message);
        if w.message.starts_with("operation ") {
            out.dropped.push((cause.clone(), format!("{}: {}", w.pointer, w.message)));
        }
        out.warnings.push(cause);
    }
    let toolkit = imported.toolkit;
    out.operations = imported.operations;
    out.tools = toolkit.tools.len();
    out.names = toolkit.tools.iter().map(|t| t.slug.as_str().to_owned()).collect();
    for tool in &toolkit.tools {
        for var in tool.http.path_params() {
            out.path_vars += 1;
            match tool.input.properties.get(var) {
                Some(p) if p.location == Some(ParamLocation::Path) => out.path_vars_bound += 1,
                _ if out.unbound.len() < 3 => out.unbound.push(format!("{} {{{var}}}", tool.slug)),
                _ => {}
            }
        }
    }
    out.passed = VALIDATE;
    emit(&out, false);

    let t = Instant::now();
    let validated = guard(|| check(&toolkit, &spec.slug));
    out.times[VALIDATE] = t.elapsed();
    match validated {
        Ok(Ok(())) => {}
        Ok(Err((causes, first))) => {
            out.causes = causes;
            out.message = first;
            return out;
        }
        Err(panic) => {
            fail(&mut out, panic);
            return out;
        }
    }
    out.passed = GENERATE;
    emit(&out, false);

    let t = Instant::now();
    let generated = guard(|| {
        let code = Generator::new().source(std::slice::from_ref(&toolkit));
        match syn::parse_file(&code) {
            Ok(_) => Ok(code),
            Err(e) => Err(format!("generated code does not parse: {e}")),
        }
    });
    out.times[GENERATE] = t.elapsed();
    let code = match generated {
        Ok(Ok(code)) => code,
        Ok(Err(message)) | Err(message) => {
            fail(&mut out, message);
            return out;
        }
    };
    out.passed = COMPILE;
    out.code_bytes = code.len();
    if let Some(scratch) = scratch {
        if let Err(e) = std::fs::write(scratch.module_file(&spec.slug), code) {
            fail(&mut out, format!("cannot write the generated code: {e}"));
            out.passed = GENERATE;
        }
    }
    out
}

/// Writes the toolkit as YAML, loads it back and validates it: the error diagnostics'
/// normalized causes (one per distinct cause) and the first one as written.
pub(super) fn check(toolkit: &Toolkit, slug: &str) -> Result<(), (Vec<String>, String)> {
    let yaml = serde_yaml::to_string(toolkit).map_err(|e| {
        let message = format!("cannot write YAML: {e}");
        (vec![normalize(&message)], message)
    })?;
    let mut loaded = Loaded::from_str(format!("{slug}/toolkit.yaml"), &yaml);
    let mut diagnostics = std::mem::take(&mut loaded.diagnostics);
    diagnostics.extend(validate(&loaded));
    toolsmith_catalog::sort(&mut diagnostics);
    let errors: Vec<_> = diagnostics.iter().filter(|d| d.severity() == Severity::Error).collect();
    let Some(first) = errors.first() else { return Ok(()) };
    let mut causes: Vec<String> = Vec::new();
    for d in &errors {
        let cause = format!("{}: {}", d.code, normalize(&d.message));
        if !causes.contains(&cause) {
            causes.push(cause);
        }
    }
    Err((causes, first.one_line()))
}

/// Counts the operations of a document the importer rejected (0 when it cannot be read).
pub(super) fn count_operations(path: &Path) -> usize {
    let Ok(text) = std::fs::read_to_string(path) else { return 0 };
    let value: Value = if path.extension().is_some_and(|e| e == "json") {
        serde_json::from_str(&text).unwrap_or_default()
    } else {
        serde_yaml::from_str(&text).unwrap_or_default()
    };
    let methods = ["get", "put", "post", "delete", "options", "head", "patch"];
    value.get("paths").and_then(Value::as_object).map_or(0, |paths| {
        paths
            .values()
            .filter_map(Value::as_object)
            .map(|item| methods.iter().filter(|m| item.contains_key(**m)).count())
            .sum()
    })
}

thread_local! {
    /// Set while a stage runs under [`guard`]: the panic hook records the message here
    /// instead of printing it.
    static PANIC: RefCell<Option<Option<String>>> = const { RefCell::new(None) };
}

/// Panics inside [`guard`] are recorded with their location, silently; elsewhere the
/// usual hook prints them.
pub(super) fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let guarded = PANIC.with(|p| {
            let mut p = p.borrow_mut();
            match p.as_mut() {
                Some(slot) => {
                    let location =
                        info.location().map(|l| format!(" (at {}:{})", l.file(), l.line())).unwrap_or_default();
                    *slot = Some(format!("{}{location}", payload_message(info.payload())));
                    true
                }
                None => false,
            }
        });
        if !guarded {
            previous(info);
        }
    }));
}

pub(super) fn payload_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_owned())
}

/// Runs `f`, turning a panic into `Err("panic: <message> (at file:line)")`.
pub(super) fn guard<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    PANIC.with(|p| *p.borrow_mut() = Some(None));
    let result = catch_unwind(AssertUnwindSafe(f));
    let recorded = PANIC.with(|p| p.borrow_mut().take().flatten());
    result.map_err(|payload| format!("panic: {}", recorded.unwrap_or_else(|| payload_message(payload.as_ref()))))
}

/// A failure message with the particulars taken out so that similar causes group:
/// quoted names become `…`, paths `<path>`, numbers `N`. A panic keeps its source location.
pub(super) fn normalize(message: &str) -> String {
    let (message, location) = match message.strip_prefix("panic: ").and_then(|m| m.rsplit_once(" (at ")) {
        Some((m, at)) => (m, Some(at.trim_end_matches(')'))),
        None => (message, None),
    };
    let mut out = String::new();
    let mut chars = message.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '`' | '"' | '\'' if c != '\'' || !out.ends_with(|p: char| p.is_alphanumeric()) => {
                let rest: String = chars.clone().collect();
                match rest.find(c) {
                    // A quote closed on the same line: its contents are particulars.
                    Some(end) if !rest[..end].contains('\n') && (c != '\'' || end <= 60) => {
                        out.push(c);
                        out.push('…');
                        out.push(c);
                        for _ in 0..rest[..end].chars().count() + 1 {
                            chars.next();
                        }
                    }
                    _ => out.push(c),
                }
            }
            c if c.is_ascii_digit() && !out.ends_with(|p: char| p.is_ascii_alphanumeric()) => {
                while chars.peek().is_some_and(|c| c.is_ascii_digit() || *c == '.') {
                    chars.next();
                }
                if !out.ends_with('N') {
                    out.push('N');
                }
            }
            _ => out.push(c),
        }
    }
    let mut words: Vec<String> = out
        .split_whitespace()
        .map(|w| {
            let path_like = w.contains('/') && !w.starts_with('`') || w.ends_with(".json") || w.ends_with(".yaml");
            if path_like {
                "<path>".to_owned()
            } else {
                w.to_owned()
            }
        })
        .collect();
    words.dedup();
    let mut text: String = words.join(" ").chars().take(160).collect();
    if let Some(location) = location {
        // The location is kept as it is: it names the code to fix.
        text = format!("panic: {text} (at {location})");
    }
    text
}
