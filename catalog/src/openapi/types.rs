//! The vocabulary of an import: the options that go in, and what comes out (the
//! toolkit, the warnings, or why there is none).

use std::path::PathBuf;

use crate::{check_toolkit_slug, suggest_toolkit_slug, SlugProblem, Toolkit, ToolkitSlug, Version};

/// How to import a document.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    /// The toolkit slug (lower snake case); the prefix of every tool slug.
    pub slug: ToolkitSlug,
    /// The toolkit's version; today's date when absent.
    pub version: Option<Version>,
    /// What reading the document and the files its `$ref`s name may open.
    pub read: ReadOptions,
}

impl ImportOptions {
    /// Options with the toolkit slug (checked when importing).
    pub fn new(slug: &str) -> Self {
        ImportOptions { slug: ToolkitSlug::new(slug), version: None, read: ReadOptions::default() }
    }

    /// Options with the toolkit slug, refused when it is not a valid toolkit slug.
    ///
    /// ```
    /// use toolsmith_catalog::openapi::ImportOptions;
    /// assert!(ImportOptions::checked("my_api").is_ok());
    /// let error = ImportOptions::checked("my-api").unwrap_err();
    /// assert!(error.to_string().contains("`my_api`"), "{error}");
    /// ```
    pub fn checked(slug: &str) -> Result<Self, ImportError> {
        check_slug(slug)?;
        Ok(ImportOptions::new(slug))
    }
}

/// `Ok` for a valid toolkit slug, else [`ImportError::Slug`] with a suggestion.
pub(crate) fn check_slug(slug: &str) -> Result<(), ImportError> {
    check_toolkit_slug(slug).map_err(|problem| ImportError::Slug {
        slug: slug.to_owned(),
        problem,
        suggestion: suggest_toolkit_slug(slug),
    })
}

/// The default of [`ReadOptions::max_file_bytes`]: 128 MiB, several times the largest
/// public API descriptions.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 128 * 1024 * 1024;

/// What reading a document may open. A document names other files with `$ref`s;
/// since documents come from elsewhere, those files must lie in the document's own
/// folder (or below it), or in a folder allowed here.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// More folders (with everything below them) whose files `$ref`s may name.
    pub allowed_folders: Vec<PathBuf>,
    /// Most bytes read from any one file, the document or a file it names.
    pub max_file_bytes: u64,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions { allowed_folders: Vec::new(), max_file_bytes: DEFAULT_MAX_FILE_BYTES }
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
    /// A regular file is all an import reads: not a folder, device, FIFO or socket.
    #[error("{path}: is {kind}, not a regular file; give the path of an OpenAPI document (JSON or YAML)")]
    NotAFile {
        /// The path.
        path: String,
        /// What it is instead.
        kind: &'static str,
    },
    /// A file larger than [`ReadOptions::max_file_bytes`].
    #[error("{path}: larger than {limit} bytes, the most an import reads from one file; raise the limit if the file is really an API description")]
    TooLarge {
        /// The file.
        path: String,
        /// The limit, in bytes.
        limit: u64,
    },
    /// A `$ref` names a file outside the document's folder and the allowed folders.
    #[error(
        "{at}: `$ref: {reference}` names `{path}`, outside the folders a document's references may read ({folders}); \
         move the file below the document's folder, or allow its folder if you trust it"
    )]
    RefOutside {
        /// Where the reference is: the file and the JSON pointer in it.
        at: String,
        /// The reference as written.
        reference: String,
        /// The file it names.
        path: String,
        /// The folders references may read, comma-separated.
        folders: String,
    },
    /// The toolkit slug is not lower snake case.
    #[error("toolkit slug `{slug}` {problem}; {}", match suggestion {
        Some(suggestion) => format!("use `{suggestion}` instead"),
        None => "use lower snake case, e.g. `my_service`".to_owned(),
    })]
    Slug {
        /// The slug given.
        slug: String,
        /// What is wrong with it.
        problem: SlugProblem,
        /// A valid slug close to it.
        suggestion: Option<String>,
    },
    /// The document is not Swagger 2.0 or OpenAPI 3.x.
    #[error("not an OpenAPI document: {0}; expected a top-level `openapi: 3.x` or `swagger: \"2.0\"`")]
    NotOpenApi(String),
}
