//! Helpers of the tests that run an official SDK as a child process.

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Cargo's target directory (the test binary is `<target>/<profile>/deps/<name>`), where
/// the tests keep the SDKs and runtimes they install.
pub(crate) fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    match exe.ancestors().nth(3) {
        Some(dir) if exe.parent().is_some_and(|p| p.ends_with("deps")) => dir.to_owned(),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"),
    }
}

/// Runs `command` to completion; panics with its output unless it succeeds.
pub(crate) fn run(what: &str, command: &mut Command) {
    let out = command.stdin(Stdio::null()).output().unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs `command`, killed after `limit`: its stdout, its stderr and its exit code (`None`
/// when killed or ended by a signal).
pub(crate) fn run_with_limit(command: &mut Command, limit: Duration) -> (String, String, Option<i32>) {
    command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = command.spawn().unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
    let read = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        })
    };
    let stdout = read(Box::new(child.stdout.take().expect("piped stdout")));
    let stderr = read(Box::new(child.stderr.take().expect("piped stderr")));
    let start = Instant::now();
    let code = loop {
        if let Some(status) = child.try_wait().expect("the child's status") {
            break status.code();
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    (stdout.join().unwrap_or_default(), stderr.join().unwrap_or_default(), code)
}
