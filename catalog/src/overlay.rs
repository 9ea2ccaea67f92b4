//! Expanding an `openapi:` overlay while loading a toolkit: import the document,
//! keep the selected operations, apply the overrides, and fill in what `toolkit.yaml`
//! leaves out. The result is then checked like any hand-written toolkit.

use std::sync::Arc;

use serde_json::{Map, Value};

use toolsmith_spec::pointer;

use crate::import::import_unchecked;
use crate::loaded::Items;
use crate::openapi::{read_document, ImportOptions, OPERATION_KEYS};
use crate::{did_you_mean, Code, Diagnostic, NodeRef, OpenApiSource, Selection, SourceFile, ToolOverride};

/// Keys of `toolkit.yaml` that the import fills in when they are absent.
const FILLED: &[&str] = &["name", "description", "version", "base_url", "auth", "docs_url"];

/// Imports the overlay's document into `root`: the filled-in keys and the shared
/// definitions; returns its tools as items placed at `/openapi` of `file`
/// (diagnostics about them point there).
pub(crate) fn expand(
    root: &mut Map<String, Value>,
    file: &Arc<SourceFile>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Expanded {
    let node = NodeRef { file: file.clone(), pointer: "/openapi".into() };
    // A malformed section is reported when the toolkit is deserialized.
    let Some(Ok(source)) = root.get("openapi").map(|v| serde_json::from_value::<OpenApiSource>(v.clone())) else {
        return Expanded::default();
    };
    let folder = file.path().parent().unwrap_or(std::path::Path::new("."));
    let path = folder.join(&source.source);
    let mut document = match read_document(&path) {
        Ok(document) => document,
        Err(e) => {
            diagnostics.push(
                node.child("source")
                    .diag(Code::OpenApiSource, format!("cannot read the OpenAPI document: {e}"))
                    .help("give the document's path relative to the toolkit folder, e.g. `openapi/api.json`"),
            );
            return Expanded::default();
        }
    };
    let (kept, total) = select(&mut document.root, &source.include, &source.exclude);
    if kept == 0 && total > 0 {
        diagnostics.push(
            node.diag_key(
                Code::OpenApiSource,
                format!("`include`/`exclude` leave none of the document's {total} operations"),
            )
            .help("check the tags, paths and operationIds listed"),
        );
    }
    let slug = root.get("slug").and_then(Value::as_str).unwrap_or("toolkit");
    let imported = match import_unchecked(&document, &ImportOptions::new(slug)) {
        Ok(imported) => imported,
        Err(e) => {
            diagnostics.push(
                node.child("source")
                    .diag(Code::OpenApiSource, e.to_string())
                    .help("the document must be Swagger 2.0 or OpenAPI 3.x (JSON or YAML)"),
            );
            return Expanded::default();
        }
    };
    let Ok(Value::Object(toolkit)) = serde_json::to_value(&imported.toolkit) else { return Expanded::default() };
    for key in FILLED {
        if !root.contains_key(*key) {
            if let Some(value) = toolkit.get(*key) {
                root.insert((*key).to_owned(), value.clone());
            }
        }
    }
    let mut imported_definitions = Vec::new();
    if let Some(Value::Object(definitions)) = toolkit.get("definitions") {
        let written = root.entry("definitions").or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(written) = written {
            for (name, schema) in definitions {
                if written.contains_key(name) {
                    diagnostics.push(
                        NodeRef { file: file.clone(), pointer: pointer::child("/definitions", name) }
                            .diag_key(
                                Code::DefinitionConflict,
                                format!("definition `{name}` is also imported from the OpenAPI document"),
                            )
                            .help("rename the written definition; imported tools refer to the imported one"),
                    );
                } else {
                    written.insert(name.clone(), schema.clone());
                    imported_definitions.push(name.clone());
                }
            }
        }
    }
    let mut tools: Vec<Value> = toolkit.get("tools").and_then(Value::as_array).cloned().unwrap_or_default();
    for (slug, change) in &source.overrides {
        let Some(tool) = tools.iter_mut().find(|t| t.get("slug").and_then(Value::as_str) == Some(slug)) else {
            let known: Vec<&str> = imported.toolkit.tools.iter().map(|t| t.slug.as_str()).collect();
            let help = match did_you_mean(slug, &known) {
                Some(best) => format!("did you mean `{best}`? Overrides name tools by their imported slug"),
                None => "overrides name tools by their imported slug; `toolsmith tools list` shows them".to_owned(),
            };
            diagnostics.push(
                node.child("overrides")
                    .child(slug)
                    .diag_key(Code::UnknownTool, format!("no imported tool `{slug}`"))
                    .help(help),
            );
            continue;
        };
        apply(tool, change);
    }
    Expanded { tools: tools.into_iter().map(|tool| (tool, node.clone())).collect(), definitions: imported_definitions }
}

/// What an overlay adds to its toolkit.
#[derive(Default)]
pub(crate) struct Expanded {
    /// The imported tools, placed at `/openapi`.
    pub tools: Items,
    /// The names of the imported shared definitions (now in `definitions`).
    pub definitions: Vec<String>,
}

/// Removes the operations that the selection leaves out; returns (kept, total).
fn select(document: &mut Value, include: &Selection, exclude: &Selection) -> (usize, usize) {
    let (mut kept, mut total) = (0, 0);
    let Some(Value::Object(paths)) = document.get_mut("paths") else { return (0, 0) };
    for (path, item) in paths.iter_mut() {
        let Value::Object(item) = item else { continue };
        item.retain(|method, operation| {
            if !OPERATION_KEYS.contains(&method.as_str()) {
                return true;
            }
            total += 1;
            let tags: Vec<&str> = operation
                .get("tags")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let id = operation.get("operationId").and_then(Value::as_str);
            let keep = (include.is_empty() || include.matches(&tags, path, id)) && !exclude.matches(&tags, path, id);
            kept += usize::from(keep);
            keep
        });
    }
    (kept, total)
}

/// Applies one override to an imported tool (as JSON).
fn apply(tool: &mut Value, change: &ToolOverride) {
    let Value::Object(tool) = tool else { return };
    let mut set = |key: &str, value: Option<Value>| {
        if let Some(value) = value {
            tool.insert(key.to_owned(), value);
        }
    };
    set("slug", change.slug.as_ref().map(|s| Value::String(s.to_string())));
    set("name", change.name.clone().map(Value::String));
    set("description", change.description.clone().map(Value::String));
    set("tags", change.tags.as_ref().and_then(|t| serde_json::to_value(t).ok()));
    set("hints", change.hints.as_ref().and_then(|h| serde_json::to_value(h).ok()));
    set("deprecated", change.deprecated.as_ref().and_then(|d| serde_json::to_value(d).ok()));
    for (name, param) in &change.params {
        let Some(Value::Object(schema)) =
            tool.get_mut("input").and_then(|i| i.get_mut("properties")).and_then(|p| p.get_mut(name))
        else {
            continue;
        };
        if let Some(d) = &param.description {
            schema.insert("description".into(), Value::String(d.clone()));
        }
        if let Some(from) = &param.from {
            schema.insert("from".into(), Value::String(from.as_str().to_owned()));
        }
    }
}
