//! `toolsmith bench startup`: what a command pays before it does anything: building the
//! registry from the embedded catalog (and, as the baseline, from the spec folders), and
//! the wall time of whole `toolsmith` processes that need it (`tools get`, `search`),
//! each the median of several runs after a warm-up.

use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use miette::{miette, IntoDiagnostic};
use toolsmith::{LazyToolkit, Registry};

use crate::catalog::builtin;
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
    let (tools, toolkits) = (toolsmith_builtin::tool_count(), builtin().count());
    // The registry from the embedded catalog (what every command does: toolkits are
    // parsed when first used), the same with every toolkit parsed, the embedded catalog
    // copied up to 12,000 tools, and the spec folders (what commands did before).
    let embedded = median(runs, || Ok(Registry::from_lazy(builtin())))?;
    let parsed = median(runs, || Ok(Registry::from_toolkits(toolsmith_builtin::toolkits().into_diagnostic()?)))?;
    let copies = copies_to(12_000);
    let large_tools: usize = copies.iter().map(|t| t.tools.len()).sum();
    let large = median(runs, || Ok(Registry::from_lazy(copies.iter().copied())))?;
    let folders = median(runs, || Ok(Registry::load_valid(&options.paths)))?;
    let exe = std::env::current_exe().into_diagnostic()?;
    let process = |args: &[&str]| {
        median(runs, || {
            let status = Command::new(&exe)
                .args(args)
                .env_remove("TOOLSMITH_CATALOG")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .into_diagnostic()?;
            if !status.success() {
                return Err(miette!("`toolsmith {}` failed ({status}); run it to see why", args.join(" ")));
            }
            Ok(())
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
        "registry_parsed_ms": ms(parsed),
        "registry_large_tools": large_tools,
        "registry_large_ms": ms(large),
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
             registry {:.2} ms (every toolkit parsed: {:.1} ms; {large_tools} tools: {:.2} ms; \
             from the spec folders: {:.1} ms)\n  \
             `toolsmith tools get {}` {:.1} ms wall (from the spec folders: {:.1} ms)\n  \
             `toolsmith search \"{}\"` {:.1} ms wall",
            ms(embedded),
            ms(parsed),
            ms(large),
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

/// The embedded catalog copied (toolkit and tool slugs suffixed `_c<n>`) until it has at
/// least `tools` tools: a catalog of the size the registry is meant for.
fn copies_to(tools: usize) -> Vec<LazyToolkit> {
    let leak = |text: String| -> &'static str { Box::leak(text.into_boxed_str()) };
    let originals: Vec<LazyToolkit> = builtin().collect();
    let mut out: Vec<LazyToolkit> = Vec::new();
    let mut count = 0;
    for (n, toolkit) in originals.iter().cycle().enumerate() {
        if count >= tools {
            break;
        }
        let copy = n / originals.len();
        let slugs: Vec<&'static str> = toolkit.tools.iter().map(|t| leak(format!("{t}_C{copy}"))).collect();
        count += slugs.len();
        out.push(LazyToolkit {
            slug: leak(format!("{}_c{copy}", toolkit.slug)),
            tools: Box::leak(slugs.into_boxed_slice()),
            ..*toolkit
        });
    }
    out
}

/// The median time of `runs` calls of `run` (what it returns is dropped after the
/// clock stops), after one untimed warm-up.
fn median<T>(runs: usize, mut run: impl FnMut() -> miette::Result<T>) -> miette::Result<Duration> {
    run()?;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let output = run()?;
        times.push(start.elapsed());
        drop(output);
    }
    times.sort();
    Ok(times[times.len() / 2])
}
