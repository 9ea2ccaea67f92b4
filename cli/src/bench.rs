//! `toolsmith bench …`: repeatable measurements of the hot paths.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use toolsmith_catalog::{check_paths, count};

/// `toolsmith bench …`
#[derive(clap::Subcommand)]
pub enum Command {
    /// Time loading and validating specs (the work of `toolsmith validate`).
    Validate {
        /// Toolkit folders, spec files, or folders of toolkits.
        #[arg(default_value = "catalog/toolkits")]
        paths: Vec<PathBuf>,
        /// Timed runs, after one warm-up run.
        #[arg(long, default_value_t = 20)]
        iterations: usize,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Time code generation: the given catalog, and one synthetic toolkit of
    /// `--tools` tools; with `--compile`, also the debug compile time the generated
    /// catalog adds to a crate that depends on toolsmith.
    Generate {
        /// Toolkit folders, spec files, or folders of toolkits.
        #[arg(default_value = "catalog/toolkits")]
        paths: Vec<PathBuf>,
        /// Tools in the synthetic toolkit (copies of the catalog's tools).
        #[arg(long, default_value_t = 1000)]
        tools: usize,
        /// Timed runs, after one warm-up run.
        #[arg(long, default_value_t = 5)]
        iterations: usize,
        /// Also measure compile time (builds a scratch crate under target/; slow).
        #[arg(long)]
        compile: bool,
        /// Print one JSON object instead of text.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(command: Command) -> miette::Result<ExitCode> {
    match command {
        Command::Generate { paths, tools, iterations, compile, json } => {
            crate::bench_generate::run(&paths, tools, iterations, compile, json)
        }
        Command::Validate { paths, iterations, json } => {
            let (loaded, diagnostics) = check_paths(&paths);
            let (errors, warnings) = count(&diagnostics);
            let mut times: Vec<Duration> = (0..iterations.max(1))
                .map(|_| {
                    let start = Instant::now();
                    let result = check_paths(&paths);
                    let elapsed = start.elapsed();
                    drop(result);
                    elapsed
                })
                .collect();
            times.sort();
            let ms = |d: Duration| d.as_secs_f64() * 1000.0;
            let pick = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
            let tools: usize = loaded.toolkits.iter().map(|t| t.tools.len()).sum();
            let stats = serde_json::json!({
                "toolkits": loaded.toolkits.len(),
                "tools": tools,
                "errors": errors,
                "warnings": warnings,
                "iterations": times.len(),
                "min_ms": ms(times[0]),
                "median_ms": ms(pick(0.5)),
                "p95_ms": ms(pick(0.95)),
                "tools_per_second": tools as f64 / pick(0.5).as_secs_f64(),
            });
            if json {
                println!("{stats}");
            } else {
                println!(
                    "validate {} toolkits / {tools} tools: min {:.1} ms, median {:.1} ms, p95 {:.1} ms over {} runs ({:.0} tools/s); {errors} errors, {warnings} warnings",
                    loaded.toolkits.len(),
                    ms(times[0]),
                    ms(pick(0.5)),
                    ms(pick(0.95)),
                    times.len(),
                    stats["tools_per_second"].as_f64().unwrap_or_default(),
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
