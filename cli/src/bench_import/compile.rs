//! The `--compile` stage: `cargo check` of generated code in a scratch crate, in
//! batches; a failing batch is narrowed down to its failing specs.

use super::stages::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use miette::{miette, IntoDiagnostic};

/// The scratch crate the compile stage checks: `target/bench-import/`.
pub(super) struct Scratch {
    pub(super) dir: PathBuf,
    /// Address-space limit of `cargo check` (and so of rustc), in GiB.
    max_memory_gb: u64,
}

/// Most bytes of generated code checked in one batch: rustc needs some 250 bytes of
/// memory per byte of it, and the largest specs generate tens of megabytes.
pub(super) const BATCH_BYTES: usize = 4 << 20;

/// What the compile stage found.
pub(super) struct Compiled {
    /// Spec index → the first compiler error line of its code (with its position).
    pub(super) failures: HashMap<usize, String>,
    /// `cargo check` runs (batches and their bisection).
    pub(super) checks: usize,
    /// Time of the first, empty check (compiles the dependencies).
    pub(super) warm_up: Duration,
    /// Batches (before narrowing down).
    pub(super) batches: usize,
}

impl Scratch {
    /// Creates the crate, without modules (those of an earlier run are removed).
    pub(super) fn create(max_memory_gb: u64) -> miette::Result<Scratch> {
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
    pub(super) fn open() -> Scratch {
        Scratch { dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-import"), max_memory_gb: 0 }
    }

    fn module(slug: &str) -> String {
        format!("spec_{slug}")
    }

    pub(super) fn module_file(&self, slug: &str) -> PathBuf {
        self.dir.join("src").join(format!("{}.rs", Scratch::module(slug)))
    }

    /// Checks the code of `ready` specs in batches; a failing batch is narrowed down.
    pub(super) fn compile(
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
pub(super) fn narrow(
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
pub(super) fn strip_position(line: &str) -> String {
    match line.find(": error") {
        Some(at) => line[at + 2..].to_owned(),
        None => line.to_owned(),
    }
}
