//! Generates typed tools for the codegen test specs and for the whole built-in
//! catalog, so that `cargo test` compiles them (the Builder path of codegen).

fn main() {
    toolsmith_codegen::Builder::new()
        .toolkit("../codegen/tests/specs/constructs.yaml")
        .toolkit("../catalog/tests/fixtures/valid/demo")
        .out_file("specs.rs")
        .build()
        .unwrap();
    toolsmith_codegen::Builder::new().catalog("../catalog/toolkits").out_file("catalog.rs").build().unwrap();
}
