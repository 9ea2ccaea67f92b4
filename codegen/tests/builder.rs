//! The build-script front end: one file in OUT_DIR, rerun-if-changed for the specs,
//! and a failure that shows the validator's diagnostics.

use toolsmith_codegen::{Builder, Error};

#[test]
fn writes_one_file_into_out_dir_and_fails_with_diagnostics() {
    let out_dir = std::env::temp_dir().join(format!("toolsmith-builder-{}", std::process::id()));
    std::fs::create_dir_all(&out_dir).unwrap();
    let written = Builder::new()
        .toolkit("../catalog/tests/fixtures/valid/demo")
        .out_dir(&out_dir)
        .build()
        .expect("a valid spec builds");
    assert_eq!(written, out_dir.join("toolsmith_toolkits.rs"));
    let code = std::fs::read_to_string(&written).unwrap();
    assert!(code.contains("pub mod demo"));
    assert!(code.contains("pub static TOOLKITS"));

    let error = Builder::new()
        .toolkit("../catalog/tests/fixtures/invalid/E010-path-param-undeclared.yaml")
        .out_file("broken.rs")
        .out_dir(&out_dir)
        .build()
        .expect_err("an invalid spec fails the build");
    assert!(matches!(error, Error::Invalid(_)));
    // `.unwrap()` in a build script prints Debug: it must read like `toolsmith validate`.
    let shown = format!("{error:?}");
    assert!(shown.contains("E010 path-param-undeclared"), "{shown}");
    assert!(shown.contains("E010-path-param-undeclared.yaml:12:32"), "{shown}");
    assert!(!out_dir.join("broken.rs").exists());
    std::fs::remove_dir_all(&out_dir).unwrap();
}
