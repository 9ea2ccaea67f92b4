//! The vocabulary of an import: the options that go in, and what comes out (the
//! toolkit, the warnings, or why there is none).

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
