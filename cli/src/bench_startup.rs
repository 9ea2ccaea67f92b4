//! `toolsmith bench startup`: what a command pays before it does anything: building the
//! registry from the embedded catalog (and, as the baseline, from the spec folders), and
//! the wall time of whole `toolsmith` processes that need it (`tools get`, `search`),
//! each the median of several runs after a warm-up.

use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use miette::{miette, IntoDiagnostic};
use toolsmith::Registry;

use crate::out::outln;

/// What `toolsmith bench startup` was asked to do.
pub(crate) struct Options {
    /// The spec folders of the same catalog, for the baseline.
    pub(crate) paths: Vec<PathBuf>,
    /// The tool `tools get` looks up.
    pub(crate) tool: String,
    /// What `search` looks for.
    pub(crate) query: String,
    /// Timed runs of each measurement, after one warm-up.
    pub(crate) iterations: usize,
    /// One JSON object instead of text.
    pub(crate) json: bool,
}

pub(crate) fn run(options: &Options) -> miette::Result<ExitCode> {
    let runs = options.iterations.max(1);
    let builtin = toolsmith_builtin::toolkits().into_diagnostic()?;
    let (tools, toolkits) = (builtin.iter().map(|t| t.tools.len()).sum::<usize>(), builtin.len());
    drop(builtin);
    // The registry from the embedded catalog (what every command does by default), and
    // from the spec folders (what it did before the catalog was embedded).
    let embedded = median(runs, || {
        let start = Instant::now();
        let registry = Registry::from_toolkits(toolsmith_builtin::toolkits().into_diagnostic()?);
        let elapsed = start.elapsed();
        drop(registry);
        Ok(elapsed)
    })?;
    let folders = median(runs, || {
        let start = Instant::now();
        let loaded = Registry::load_valid(&options.paths);
        let elapsed = start.elapsed();
        drop(loaded);
        Ok(elapsed)
    })?;
    let exe = std::env::current_exe().into_diagnostic()?;
    let process = |args: &[&str]| {
        median(runs, || {
            let start = Instant::now();
            let status = Command::new(&exe)
                .args(args)
                .env_remove("TOOLSMITH_CATALOG")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .into_diagnostic()?;
            let elapsed = start.elapsed();
            if !status.success() {
                return Err(miette!("`toolsmith {}` failed ({status}); run it to see why", args.join(" ")));
            }
            Ok(elapsed)
        })
    };
    let get = process(&["tools", "get", &options.tool])?;
    let search = process(&["search", &options.query])?;
    let mut from_folders = vec!["tools", "get", options.tool.as_str(), "--no-builtin"];
    let paths: Vec<String> = options.paths.iter().map(|p| p.display().to_string()).collect();
    for path in &paths {
        from_folders.extend(["--catalog", path.as_str()]);
    }
    let get_folders = process(&from_folders)?;
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let stats = serde_json::json!({
        "toolkits": toolkits,
        "tools": tools,
        "iterations": runs,
        "registry_ms": ms(embedded),
        "registry_from_folders_ms": ms(folders),
        "tools_get_ms": ms(get),
        "tools_get_from_folders_ms": ms(get_folders),
        "search_ms": ms(search),
    });
    if options.json {
        outln!("{stats}");
    } else {
        outln!(
            "startup, built-in catalog of {toolkits} toolkits / {tools} tools (median of {runs}):\n  \
             registry {:.1} ms (from the spec folders: {:.1} ms)\n  \
             `toolsmith tools get {}` {:.1} ms wall (from the spec folders: {:.1} ms)\n  \
             `toolsmith search \"{}\"` {:.1} ms wall",
            ms(embedded),
            ms(folders),
            options.tool,
            ms(get),
            ms(get_folders),
            options.query,
            ms(search)
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The median of `runs` timings of `measure`, after one untimed warm-up.
fn median(runs: usize, mut measure: impl FnMut() -> miette::Result<Duration>) -> miette::Result<Duration> {
    measure()?;
    let mut times = (0..runs).map(|_| measure()).collect::<miette::Result<Vec<_>>>()?;
    times.sort();
    Ok(times[times.len() / 2])
}
