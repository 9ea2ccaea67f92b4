//! Sets `cfg(toolsmith_builtin_embeddings)` when `data/static-embeddings.bin` exists, so that
//! the crate builds with or without the data file (`StaticModel::builtin()` is `None`
//! without it). Cargo reruns this script when anything under `data/` changes (a file added,
//! replaced or removed), so adding the file later needs no `cargo clean`.

use std::path::Path;

fn main() {
    println!("cargo:rustc-check-cfg=cfg(toolsmith_builtin_embeddings)");
    // A directory: cargo scans it, so a file appearing in it is noticed too (a missing
    // file as the argument would rerun the script on every build instead).
    println!("cargo:rerun-if-changed=data");
    println!("cargo:rerun-if-changed=build.rs");
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default();
    if Path::new(&manifest).join("data/static-embeddings.bin").is_file() {
        println!("cargo:rustc-cfg=toolsmith_builtin_embeddings");
    }
}
