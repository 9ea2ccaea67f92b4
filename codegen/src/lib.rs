//! Generates typed Rust tools from toolkit specs.
//!
//! One generator, three front ends (progenitor's pattern):
//!
//! - a build script: [`Builder`] writes the code into `OUT_DIR`, and the crate
//!   includes it with `toolsmith::include_toolkits!()`;
//! - the proc macro `toolsmith::toolkit!("spec.yaml")`, which expands in place;
//! - the CLI: `toolsmith generate <spec-or-folder>... --out tools.rs`.
//!
//! For each toolkit the output has a module (`github`) with, per tool, an input
//! struct (`CreateIssue`), an output type (`CreateIssueOutput`) and an
//! `impl toolsmith::Tool`; plus `TOOLKITS`, the list `toolsmith::Registry::from_compiled`
//! takes. Generated code names only `::toolsmith::…` and `::std::…` paths, so a crate
//! whose only dependency is `toolsmith` compiles it.
//!
//! ```
//! let loaded = toolsmith_catalog::Loaded::from_str("demo.yaml", r#"
//! slug: demo
//! name: Demo
//! description: A demonstration toolkit.
//! version: 20261122_00
//! base_url: https://api.example.com
//! auth: [{ scheme: none }]
//! tools:
//!   - slug: DEMO_GET_THING
//!     name: Get a thing
//!     description: Returns one thing by its id.
//!     http: { method: GET, path: "/things/{id}" }
//!     input:
//!       type: object
//!       required: [id]
//!       properties:
//!         id: { type: string, in: path, description: Id of the thing }
//! "#);
//! let code = toolsmith_codegen::Generator::new().source(&loaded.toolkits);
//! assert!(code.contains("pub struct GetThing"));
//! assert!(code.contains("impl ::toolsmith::Tool for GetThing"));
//! ```

mod builder;
mod docs;
mod error;
mod generator;
pub mod handwritten;
mod load;
mod names;
mod tool;
mod toolkit;
mod toolkit_macro;
mod types;

pub use builder::Builder;
pub use error::Error;
pub use generator::Generator;
pub use load::load;
pub use toolkit_macro::toolkit_macro;
