//! Generates the built-in GitHub toolkit into `OUT_DIR`.

fn main() -> Result<(), toolsmith_codegen::Error> {
    toolsmith_codegen::Builder::new().toolkit("../../catalog/toolkits/github").build()?;
    Ok(())
}
