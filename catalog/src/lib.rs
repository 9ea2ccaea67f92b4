//! The toolsmith spec language: the model of a toolkit, loading YAML with
//! `file:line:col` diagnostics, and validation.
//!
//! A toolkit is `catalog/toolkits/<slug>/toolkit.yaml` (plus, optionally, more YAML
//! files in the same folder holding `tools:` and `triggers:`). See
//! `catalog/toolkits/README.md` for the format, and `catalog/schema/toolkit.schema.json`
//! for its JSON Schema.
//!
//! ```
//! use toolsmith_catalog::{check_paths, has_errors};
//!
//! let dir = std::env::temp_dir().join(format!("toolsmith-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! std::fs::write(dir.join("toolkit.yaml"), r#"
//! slug: demo
//! name: Demo
//! description: A demonstration toolkit used by the crate documentation.
//! version: 20261122_00
//! base_url: https://api.example.com
//! auth: [{ scheme: none }]
//! tools:
//!   - slug: DEMO_GET_THING
//!     name: Get a thing
//!     description: Returns one thing by its id, as given by the thing listing.
//!     tags: [readOnlyHint]
//!     http: { method: GET, path: "/things/{id}" }
//!     input:
//!       type: object
//!       required: [id]
//!       properties:
//!         id: { type: string, in: path, description: Id of the thing }
//! "#).unwrap();
//!
//! let (loaded, diagnostics) = check_paths(&[&dir]);
//! assert!(!has_errors(&diagnostics), "{diagnostics:?}");
//! assert_eq!(loaded.toolkits[0].tools[0].slug.as_str(), "DEMO_GET_THING");
//! # std::fs::remove_dir_all(&dir).unwrap();
//! ```

//!
//! Inside, every module depends only on the ones below it: `loaded` (what reading
//! yields) and `diagnostic` at the bottom, `openapi/` (converting a document) and
//! `validate/` beside each other, `import` (convert → validate → repair) above both,
//! then `overlay`, `load` (reading files) and `check` (load + validate) on top. `load`
//! uses `yaml` (YAML to JSON, noting repeated keys), `shape` (every shape mistake of a
//! value, against the published schemas of `schema`) and `structural` (the wording of
//! those mistakes, shared with serde's errors).

pub mod openapi;

/// The spec model, now the `toolsmith-spec` crate; re-exported under its old paths.
pub use toolsmith_spec as model;

mod check;
mod diagnostic;
mod import;
mod load;
mod loaded;
mod overlay;
mod parallel;
mod report;
mod schema;
mod shape;
mod source;
mod structural;
mod validate;
mod violations;
mod yaml;

pub use check::check_paths;
pub use diagnostic::{did_you_mean, has_errors, sort, Code, Diagnostic, Severity};
pub use load::TOOLKIT_FILE;
pub use loaded::{Loaded, NodeRef, ToolkitSource};
pub use report::{count, render_human, render_json, Style};
pub use schema::{published_schemas, toolkit_part_schema, toolkit_schema};
pub use source::{Location, SourceFile};
pub use toolsmith_spec::*;
pub use validate::validate;
pub use violations::{violations, Wording};
