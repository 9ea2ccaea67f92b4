//! End-to-end tests live in `tests/tests/`. This library holds the code generated
//! by `build.rs`, compiled as any user's crate would compile it.
#![deny(warnings, missing_docs)]

/// Typed tools of `codegen/tests/specs/constructs.yaml` and of the full-featured
/// `demo` fixture.
pub mod specs {
    include!(concat!(env!("OUT_DIR"), "/specs.rs"));
}

/// Typed tools of the whole built-in catalog (`catalog/toolkits`).
pub mod catalog {
    include!(concat!(env!("OUT_DIR"), "/catalog.rs"));
}
