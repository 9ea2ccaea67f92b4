//! `toolsmith bench generate`: generation speed and size, and the compile time the
//! generated code adds.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use miette::{miette, IntoDiagnostic};
use toolsmith_catalog::{ToolSlug, Toolkit, ToolkitSlug};
use toolsmith_codegen::{load, Generator};

use crate::out::outln;

pub(crate) fn run(
    paths: &[PathBuf],
    tools: usize,
    iterations: usize,
    compile: bool,
    json: bool,
) -> miette::Result<ExitCode> {
    let (toolkits, _) = load(paths).map_err(|e| miette!("{e}"))?;
    let generator = Generator::new();
    let catalog_tools: usize = toolkits.iter().map(|t| t.tools.len()).sum();
    let (catalog_time, catalog_code) = time(iterations, || generator.source(&toolkits));
    let big = synthetic(&toolkits, tools).ok_or_else(|| miette!("the catalog has no tool to copy"))?;
    let (big_time, big_code) = time(iterations, || generator.source(std::slice::from_ref(&big)));
    let compiled = if compile { Some(compile_time(&catalog_code)?) } else { None };

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let stats = serde_json::json!({
        "catalog_toolkits": toolkits.len(),
        "catalog_tools": catalog_tools,
        "catalog_generate_ms": ms(catalog_time),
        "catalog_lines": catalog_code.lines().count(),
        "catalog_bytes": catalog_code.len(),
        "synthetic_tools": tools,
        "synthetic_generate_ms": ms(big_time),
        "synthetic_lines": big_code.lines().count(),
        "compile_baseline_s": compiled.map(|c| c.0.as_secs_f64()),
        "compile_with_catalog_s": compiled.map(|c| c.1.as_secs_f64()),
        "compile_added_s": compiled.map(|c| c.1.as_secs_f64() - c.0.as_secs_f64()),
    });
    if json {
        outln!("{stats}");
    } else {
        outln!(
            "catalog: {} toolkits, {catalog_tools} tools -> {} lines in {:.1} ms (median of {iterations})",
            toolkits.len(),
            catalog_code.lines().count(),
            ms(catalog_time)
        );
        outln!("synthetic toolkit: {tools} tools -> {} lines in {:.1} ms", big_code.lines().count(), ms(big_time));
        if let Some((baseline, with_catalog)) = compiled {
            outln!(
                "compile (debug, -j2): empty crate {:.1} s, with the generated catalog {:.1} s, added {:.1} s",
                baseline.as_secs_f64(),
                with_catalog.as_secs_f64(),
                with_catalog.as_secs_f64() - baseline.as_secs_f64()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The median time of `iterations` runs of `f` (after a warm-up), and its output.
fn time(iterations: usize, f: impl Fn() -> String) -> (Duration, String) {
    let output = f();
    let mut times: Vec<Duration> = (0..iterations.max(1))
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed()
        })
        .collect();
    times.sort();
    (times[times.len() / 2], output)
}

/// One toolkit of `count` tools: the catalog's tools, copied with new slugs.
fn synthetic(toolkits: &[Toolkit], count: usize) -> Option<Toolkit> {
    let all: Vec<_> = toolkits.iter().flat_map(|t| t.tools.iter()).collect();
    let mut big = toolkits.first()?.clone();
    big.slug = ToolkitSlug::new("synthetic");
    big.triggers.clear();
    big.tools = (0..count)
        .map(|i| {
            let mut tool = all[i % all.len()].clone();
            let rest = tool.slug.as_str().split_once('_').map_or("TOOL", |(_, r)| r).to_owned();
            tool.slug = ToolSlug::new(format!("SYNTHETIC_{rest}_{i}"));
            tool
        })
        .collect();
    Some(big)
}

/// Builds a scratch crate that depends on toolsmith, empty and then with `code`;
/// returns both build times. The first, untimed, build compiles the dependencies.
fn compile_time(code: &str) -> miette::Result<(Duration, Duration)> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = workspace.join("target/bench-compile");
    std::fs::create_dir_all(dir.join("src")).into_diagnostic()?;
    let runtime = workspace.join("runtime").canonicalize().into_diagnostic()?;
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"bench-compile\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\ntoolsmith = {{ path = {:?} }}\n\n[workspace]\n",
            runtime.display().to_string()
        ),
    )
    .into_diagnostic()?;
    std::fs::write(dir.join("src/generated.rs"), code).into_diagnostic()?;
    let build = |lib: &str| -> miette::Result<Duration> {
        std::fs::write(dir.join("src/lib.rs"), lib).into_diagnostic()?;
        let start = Instant::now();
        let status =
            Command::new(env!("CARGO")).args(["build", "-q", "-j2"]).current_dir(&dir).status().into_diagnostic()?;
        if !status.success() {
            return Err(miette!("the scratch crate in {} does not build", dir.display()));
        }
        Ok(start.elapsed())
    };
    build("//! Empty.\n")?;
    let baseline = build("//! Empty again.\n")?;
    let with_catalog = build("#![deny(warnings)]\ninclude!(\"generated.rs\");\n")?;
    Ok((baseline, with_catalog))
}
