//! `toolsmith bench startup`: what a command pays before it does anything: building the
//! registry from the catalog, and the wall time of whole `toolsmith` processes that need
//! it (`tools get`, `search`), each the median of several runs after a warm-up.

use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use miette::{miette, IntoDiagnostic};
use toolsmith::Registry;

use crate::out::outln;

/// What `toolsmith bench startup` was asked to do.
pub(crate) struct Options {
    /// The catalog folders.
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
    let (registry, broken) = Registry::load_valid(&options.paths);
    let tools = registry.tools().count();
    let toolkits = registry.toolkits().count();
    drop(registry);
    let load = median(runs, || {
        let start = Instant::now();
        let loaded = Registry::load_valid(&options.paths);
        let elapsed = start.elapsed();
        drop(loaded);
        Ok(elapsed)
    })?;
    let exe = std::env::current_exe().into_diagnostic()?;
    let catalog = std::env::join_paths(&options.paths).into_diagnostic()?;
    let process = |args: &[&str]| {
        median(runs, || {
            let start = Instant::now();
            let status = Command::new(&exe)
                .args(args)
                .env("TOOLSMITH_CATALOG", &catalog)
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
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let stats = serde_json::json!({
        "toolkits": toolkits,
        "tools": tools,
        "broken_toolkits": broken.len(),
        "iterations": runs,
        "registry_ms": ms(load),
        "tools_get_ms": ms(get),
        "search_ms": ms(search),
    });
    if options.json {
        outln!("{stats}");
    } else {
        outln!(
            "startup with {toolkits} toolkits / {tools} tools (median of {runs}): registry {:.1} ms; \
             `toolsmith tools get {}` {:.1} ms wall; `toolsmith search \"{}\"` {:.1} ms wall",
            ms(load),
            options.tool,
            ms(get),
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
