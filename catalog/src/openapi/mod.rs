//! OpenAPI import: Swagger 2.0, OpenAPI 3.0 and 3.1 documents (JSON or YAML) become
//! toolkit specs that `toolsmith validate` accepts and codegen compiles.
//!
//! Anything the spec language cannot express is skipped with an [`ImportWarning`]
//! naming its JSON pointer: never a panic, never a silently wrong tool.
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
mod names;
mod operation;
mod repair;
mod schema;
mod servers;
mod swagger2;
mod text;

use std::path::Path;

use serde_json::Value;

pub use document::{read_document, Document};

use crate::{Toolkit, ToolkitSlug, Version};

/// How to import a document.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    /// The toolkit slug (lower snake case); the prefix of every tool slug.
    pub slug: ToolkitSlug,
    /// The toolkit's version; today's date when absent.
    pub version: Option<Version>,
}

impl ImportOptions {
    /// Options with the toolkit slug.
    pub fn new(slug: &str) -> Self {
        ImportOptions { slug: ToolkitSlug::new(slug), version: None }
    }
}

/// Something of the document that was left out or changed, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportWarning {
    /// JSON pointer into the source document (`/paths/~1pets/get/requestBody`).
    pub pointer: String,
    /// What was skipped or changed, and why.
    pub message: String,
}

/// The result of an import.
#[derive(Clone, Debug)]
pub struct Imported {
    /// The toolkit spec, ready to validate, write and generate.
    pub toolkit: Toolkit,
    /// What was skipped or changed.
    pub warnings: Vec<ImportWarning>,
    /// Operations in the document.
    pub operations: usize,
}

/// Why a document cannot be imported at all.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file cannot be read or parsed.
    #[error("{path}: {message}")]
    Read {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// The document is not Swagger 2.0 or OpenAPI 3.x.
    #[error("not an OpenAPI document: {0}; expected a top-level `openapi: 3.x` or `swagger: \"2.0\"`")]
    NotOpenApi(String),
}

/// Imports an OpenAPI document (already parsed) into a toolkit.
pub fn import(document: &Value, options: &ImportOptions) -> Result<Imported, ImportError> {
    import_document(&Document::in_memory(document.clone()), options)
}

/// Imports a document read with [`read_document`] (relative-file `$ref`s resolve
/// against its folder).
pub fn import_document(document: &Document, options: &ImportOptions) -> Result<Imported, ImportError> {
    operation::import(document, options)
}

/// Reads and imports a file.
pub fn import_file(path: &Path, options: &ImportOptions) -> Result<Imported, ImportError> {
    import_document(&read_document(path)?, options)
}
