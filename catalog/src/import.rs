//! Importing an OpenAPI document: convert it (`openapi/`), validate the toolkit as
//! `toolsmith validate` would (`validate/`), and leave out (with a warning naming the
//! operation) any tool that still has an error, so an import always yields a spec
//! that validates and generates.
//!
//! This module sits above both the converter and the validator, which know nothing
//! of each other.

use std::path::Path;

use serde_json::Value;
use toolsmith_spec::pointer;

use crate::openapi::{
    check_slug, convert, read_document_with, Converted, Document, ImportError, ImportOptions, ImportWarning, Imported,
};
use crate::{validate, AuthScheme, Loaded, Severity, Tool, Toolkit};

/// Imports an OpenAPI document (already parsed) into a toolkit. An invalid toolkit
/// slug is refused ([`ImportError::Slug`]) before anything else.
pub fn import(document: &Value, options: &ImportOptions) -> Result<Imported, ImportError> {
    import_document(&Document::in_memory(document.clone()), options)
}

/// Imports a document read with [`read_document`](crate::openapi::read_document)
/// (relative-file `$ref`s resolve against its folder). An invalid toolkit slug is
/// refused ([`ImportError::Slug`]).
pub fn import_document(document: &Document, options: &ImportOptions) -> Result<Imported, ImportError> {
    check_slug(options.slug.as_str())?;
    import_unchecked(document, options)
}

/// [`import_document`] without the slug check: for an `openapi:` overlay, whose
/// toolkit's slug validation reports on its own.
pub(crate) fn import_unchecked(document: &Document, options: &ImportOptions) -> Result<Imported, ImportError> {
    let Converted { toolkit, pointers, mut warnings, operations } = convert(document, options)?;
    let toolkit = repair(toolkit, pointers, &mut warnings);
    Ok(Imported { toolkit, warnings, operations })
}

/// Reads (within `options.read`) and imports a file; the slug is checked first.
pub fn import_file(path: &Path, options: &ImportOptions) -> Result<Imported, ImportError> {
    check_slug(options.slug.as_str())?;
    import_unchecked(&read_document_with(path, &options.read)?, options)
}

/// Drops the tools (and auth schemes) with validation errors; `pointers[i]` is
/// where `toolkit.tools[i]` came from in the source document.
fn repair(mut toolkit: Toolkit, mut pointers: Vec<String>, warnings: &mut Vec<ImportWarning>) -> Toolkit {
    for _ in 0..3 {
        // Pretty: one line per value keeps location lookups cheap (columns are counted per line).
        let text = serde_json::to_string_pretty(&toolkit).unwrap_or_default();
        let mut loaded = Loaded::from_toolkit("imported.json", toolkit, text);
        let errors: Vec<_> = validate(&loaded).into_iter().filter(|d| d.severity() == Severity::Error).collect();
        // `from_toolkit` holds exactly the one toolkit given.
        toolkit = loaded.toolkits.swap_remove(0);
        if errors.is_empty() {
            return toolkit;
        }
        let file = &loaded.sources[0].header.file;
        let text = file.text();
        let tool_starts: Vec<usize> =
            (0..toolkit.tools.len()).map(|i| file.locate(&format!("/tools/{i}")).offset).collect();
        let auth_starts: Vec<usize> =
            (0..toolkit.auth.len()).map(|i| file.locate(&format!("/auth/{i}")).offset).collect();
        let names: Vec<String> = toolkit.definitions.iter().map(|(n, _)| n.clone()).collect();
        let definition_starts: Vec<usize> =
            names.iter().map(|n| file.locate(&pointer::child("/definitions", n)).offset).collect();
        let tools_end = definition_starts.first().copied().unwrap_or(text.len());
        let mut relax = vec![false; names.len()];
        let mut drop_tools = vec![false; toolkit.tools.len()];
        let mut drop_auth = vec![false; toolkit.auth.len()];
        for error in &errors {
            let offset = error.location.map_or(0, |l| l.offset);
            let owner = |starts: &[usize]| starts.iter().rposition(|&s| s <= offset);
            if let Some(i) = owner(&definition_starts).filter(|_| offset >= tools_end) {
                if !relax[i] {
                    warnings.push(ImportWarning {
                        pointer: String::new(),
                        message: format!("schema `{}` accepts any value: {} {}", names[i], error.code, error.message),
                    });
                }
                relax[i] = true;
                continue;
            }
            match owner(&tool_starts) {
                Some(i) if offset < tools_end && offset >= tool_starts[0] => {
                    if !drop_tools[i] {
                        warnings.push(ImportWarning {
                            pointer: pointers[i].clone(),
                            message: format!("operation left out: {} {}", error.code, error.message),
                        });
                    }
                    drop_tools[i] = true;
                }
                _ => match owner(&auth_starts) {
                    Some(i)
                        if auth_starts.first().is_some_and(|&s| offset >= s)
                            && tool_starts.first().is_none_or(|&t| offset < t) =>
                    {
                        if !drop_auth[i] {
                            warnings.push(ImportWarning {
                                pointer: "/components/securitySchemes".into(),
                                message: format!(
                                    "auth scheme `{}` left out: {} {}",
                                    toolkit.auth[i].name(),
                                    error.code,
                                    error.message
                                ),
                            });
                        }
                        drop_auth[i] = true;
                    }
                    _ => warnings.push(ImportWarning {
                        pointer: String::new(),
                        message: format!("the imported toolkit has an error: {} {}", error.code, error.message),
                    }),
                },
            }
        }
        for (name, _) in names.iter().zip(&relax).filter(|(_, r)| **r) {
            toolkit.definitions.relax(name);
        }
        if !drop_tools.contains(&true) && !drop_auth.contains(&true) && !relax.contains(&true) {
            return toolkit;
        }
        let mut keep = drop_tools.iter().map(|d| !d);
        let tools = std::mem::take(&mut toolkit.tools);
        let kept: Vec<(Tool, String)> =
            tools.into_iter().zip(pointers).filter(|_| keep.next().unwrap_or(true)).collect();
        (toolkit.tools, pointers) = kept.into_iter().unzip();
        let mut keep = drop_auth.iter().map(|d| !d);
        toolkit.auth.retain(|_| keep.next().unwrap_or(true));
        if toolkit.auth.is_empty() {
            toolkit.auth.push(AuthScheme::None(Default::default()));
        }
        toolkit.prune_definitions();
    }
    toolkit
}
