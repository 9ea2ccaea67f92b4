//! Schema passes the provider renderings share: walking subschemas, inlining `$ref`s,
//! merging `allOf`, moving unsupported keywords into descriptions, the strict subset,
//! the Gemini OpenAPI subset, and renaming property keys.

pub(crate) mod keys;
pub(crate) mod keywords;
pub(crate) mod legacy;
pub(crate) mod refs;
pub(crate) mod strict;
pub(crate) mod walk;
