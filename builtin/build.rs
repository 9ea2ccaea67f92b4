//! Validates `catalog/toolkits` and embeds it: one JSON document per toolkit (the spec as
//! loaded, overlays applied), and an index of tool slugs, in `OUT_DIR/builtin.rs`. A
//! catalog with an error fails the build with its diagnostics.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() -> Result<(), String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../catalog/toolkits");
    let out = PathBuf::from(std::env::var("OUT_DIR").map_err(|e| format!("OUT_DIR: {e}"))?);
    let (loaded, diagnostics) = toolsmith_catalog::check_paths(&[&root]);
    println!("cargo:rerun-if-changed={}", root.display());
    for file in &loaded.files {
        println!("cargo:rerun-if-changed={}", file.display());
    }
    if toolsmith_catalog::has_errors(&diagnostics) {
        let lines: Vec<String> = diagnostics.iter().map(|d| d.one_line()).collect();
        return Err(format!(
            "the built-in catalog {} does not validate; run `toolsmith validate catalog/toolkits`:\n{}",
            root.display(),
            lines.join("\n")
        ));
    }
    let mut code = String::from("/// The built-in toolkits: slug, version, the spec as JSON, and its tool slugs.\n");
    code.push_str("pub(crate) static TOOLKITS: &[Embedded] = &[\n");
    let mut toolkits = loaded.toolkits;
    toolkits.sort_by(|a, b| a.slug.as_str().cmp(b.slug.as_str()));
    for toolkit in &toolkits {
        let slug = toolkit.slug.as_str();
        let file = out.join(format!("{slug}.json"));
        let json = serde_json::to_string(toolkit).map_err(|e| format!("toolkit `{slug}`: {e}"))?;
        std::fs::write(&file, json).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
        let tools: Vec<String> = toolkit.tools.iter().map(|t| format!("{:?}", t.slug.as_str())).collect();
        let _ = writeln!(
            code,
            "    Embedded {{ slug: {slug:?}, version: {:?}, json: include_str!({file:?}), tools: &[{}] }},",
            toolkit.version.as_str(),
            tools.join(", "),
            file = file.display().to_string()
        );
    }
    code.push_str("];\n");
    let target = out.join("builtin.rs");
    std::fs::write(&target, code).map_err(|e| format!("cannot write {}: {e}", target.display()))?;
    Ok(())
}
