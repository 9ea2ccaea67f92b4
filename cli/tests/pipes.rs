//! Issue 12, item 16: output into a pipe whose reader has gone (`toolsmith tools list |
//! head`) ends the command quietly, where `println!` used to panic with "Broken pipe".

use std::path::Path;
use std::process::{Command, Stdio};

#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for args in [&["tools", "list"][..], &["search", "send an email"][..]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_toolsmith"))
            .args(args)
            .current_dir(&root)
            .env_remove("TOOLSMITH_CATALOG")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run toolsmith");
        // Close the reading end before the command writes anything: its first write
        // meets a broken pipe.
        drop(child.stdout.take());
        let output = child.wait_with_output().expect("wait for toolsmith");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked") && !stderr.contains("Broken pipe"), "{args:?}: {stderr}");
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
    }
}
