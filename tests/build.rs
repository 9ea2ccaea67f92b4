//! Generates typed tools for the codegen test specs and for the whole built-in
//! catalog, so that `cargo test` compiles them (the Builder path of codegen).

/// A spec error fails the build with the validator's diagnostics (the error's `Debug`).
fn main() -> Result<(), toolsmith_codegen::Error> {
    toolsmith_codegen::Builder::new()
        .toolkit("../codegen/tests/specs/constructs.yaml")
        .toolkit("../catalog/tests/fixtures/valid/demo")
        .out_file("specs.rs")
        .build()?;
    toolsmith_codegen::Builder::new().catalog("../catalog/toolkits").out_file("catalog.rs").build()?;
    Ok(())
}
