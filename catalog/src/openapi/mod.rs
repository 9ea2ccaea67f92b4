//! OpenAPI import: Swagger 2.0, OpenAPI 3.0 and 3.1 documents (JSON or YAML) become
//! toolkit specs that `toolsmith validate` accepts and codegen compiles.
//!
//! Anything the spec language cannot express is skipped with an [`ImportWarning`]
//! naming its JSON pointer: never a panic, never a silently wrong tool.
//!
//! The modules here convert a document into a toolkit; `import` (in the crate's
//! `import.rs`, above both this module and the validator) validates the result and
//! leaves out what still has an error.
//!
//! ```
//! use toolsmith_catalog::openapi::{import, ImportOptions};
//! let document = serde_json::json!({
//!     "openapi": "3.0.3",
//!     "info": { "title": "Pets", "version": "1" },
//!     "servers": [{ "url": "https://pets.example.com/v1" }],
//!     "paths": { "/pets/{id}": { "get": {
//!         "operationId": "getPet", "summary": "Get a pet by its id",
//!         "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
//!         "responses": { "200": { "description": "The pet" } }
//!     } } }
//! });
//! let imported = import(&document, &ImportOptions::new("pets")).unwrap();
//! assert_eq!(imported.toolkit.tools[0].slug.as_str(), "PETS_GET_PET");
//! assert_eq!(imported.toolkit.base_url, "https://pets.example.com/v1");
//! ```

mod auth;
mod document;
mod keys;
mod methods;
mod names;
mod operation;
mod read;
#[cfg(test)]
mod read_tests;
mod schema;
#[cfg(test)]
mod scratch;
mod servers;
mod swagger2;
mod text;
mod types;
mod usage;

pub use crate::import::{import, import_document, import_file};
pub use document::{read_document, read_document_with, Document};
pub(crate) use methods::OPERATION_KEYS;
pub(crate) use operation::{convert, Converted};
pub(crate) use types::check_slug;
pub use types::{ImportError, ImportOptions, ImportWarning, Imported, ReadOptions, DEFAULT_MAX_FILE_BYTES};
