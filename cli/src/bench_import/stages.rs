//! The vocabulary of `toolsmith bench import` that its parts share: what it was asked to
//! do ([`Options`]), the stages, a spec to run and what happened to it, the progress bar,
//! and commands run under a memory limit.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// What `toolsmith bench import` was asked to do.
pub(crate) struct Options {
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
pub(super) const STAGES: [&str; 4] = ["import", "validate", "generate", "compile"];
pub(super) const IMPORT: usize = 0;
pub(super) const VALIDATE: usize = 1;
pub(super) const GENERATE: usize = 2;
pub(super) const COMPILE: usize = 3;

/// One spec to run.
pub(super) struct Spec {
    pub(super) path: PathBuf,
    /// The path relative to the corpus folder, for reports.
    pub(super) name: String,
    pub(super) slug: String,
}

/// What happened to one spec.
#[derive(Clone, Default, serde::Serialize, serde::Deserialize)]
pub(super) struct Outcome {
    /// Stages passed, in order (0: the import failed).
    pub(super) passed: usize,
    /// Why the first stage not passed failed: the normalized causes (several for
    /// validation: one per distinct error) and the first raw message.
    pub(super) causes: Vec<String>,
    pub(super) message: String,
    /// Operations in the document.
    pub(super) operations: usize,
    /// Tools imported.
    pub(super) tools: usize,
    /// Wall time of each stage run.
    pub(super) times: [Duration; 3],
    /// Tool slugs imported.
    pub(super) names: Vec<String>,
    /// `{var}`s in tool paths, and those with an `in: path` property of that name.
    pub(super) path_vars: usize,
    pub(super) path_vars_bound: usize,
    /// `{var}`s without an argument, as `TOOL_SLUG {var}` (the first few).
    pub(super) unbound: Vec<String>,
    /// Operations the importer left out: normalized cause and the warning as written.
    pub(super) dropped: Vec<(String, String)>,
    /// The import warnings, normalized.
    pub(super) warnings: Vec<String>,
    /// Bytes of generated Rust code.
    pub(super) code_bytes: usize,
}

/// A progress bar over `len` items called `unit`.
pub(super) fn progress(len: u64, unit: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    let template = format!("{{spinner}} {{elapsed_precise}} [{{bar:40}}] {{pos}}/{{len}} {unit} (eta {{eta}}) {{msg}}");
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.enable_steady_tick(Duration::from_millis(250));
    bar
}

/// A command for `program` whose address space is limited to `gib` GiB (0: no limit;
/// Unix only): past the limit an allocation fails and the process aborts, instead of
/// the machine's OOM killer picking some process.
pub(super) fn limited(program: &Path, gib: u64) -> Command {
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
