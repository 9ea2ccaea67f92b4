//! Validation: everything `toolsmith validate` checks beyond parsing.
//!
//! Each check pushes [`Diagnostic`]s; nothing stops at the first problem.

mod context;
mod providers;
mod schema;
mod shared;
mod tool;
mod toolkit;
mod trigger;
mod walk;

use std::collections::{HashMap, HashSet};

use crate::{Code, Diagnostic, Loaded, NodeRef};
use context::Context;
use shared::Shared;

/// Runs every check over loaded toolkits. Parse diagnostics are not repeated.
///
/// ```
/// let loaded = toolsmith_catalog::Loaded::from_str("demo.yaml", r#"
/// slug: demo
/// name: Demo
/// description: A demonstration toolkit used by the documentation of the validator.
/// version: 20261122_00
/// base_url: https://api.example.com
/// auth: [{ scheme: none }]
/// tools:
///   - slug: DEMO_GET_THING
///     name: Get a thing
///     description: Returns one thing by id; the id comes from listing things first.
///     tags: [readOnlyHint]
///     http: { method: GET, path: "/things/{thing_id}" }
///     input: { type: object, properties: {} }
/// "#);
/// let diagnostics = toolsmith_catalog::validate(&loaded);
/// assert_eq!(diagnostics[0].code, toolsmith_catalog::Code::PathParamUndeclared);
/// ```
pub fn validate(loaded: &Loaded) -> Vec<Diagnostic> {
    let mut tools: HashSet<&str> = loaded.unparsed_slugs.iter().map(String::as_str).collect();
    for toolkit in &loaded.toolkits {
        tools.extend(toolkit.tools.iter().map(|t| t.slug.as_str()));
    }
    let mut out = Vec::new();
    check_duplicates(loaded, &mut out);
    let pairs: Vec<_> = loaded.toolkits.iter().zip(&loaded.sources).collect();
    let per_toolkit = crate::parallel::map(&pairs, |(toolkit, source)| {
        let mut cx = Context { tools: &tools, out: Vec::new(), shared: Shared::new(&toolkit.definitions, source) };
        toolkit::check(toolkit, &source.header, &mut cx.out);
        for (name, definition) in toolkit.definitions.iter() {
            schema::check(definition, &source.definition(name), schema::Use::Other, &mut cx.shared, &mut cx.out);
        }
        for (tool, node) in toolkit.tools.iter().zip(&source.tools) {
            tool::check(tool, toolkit, node, &mut cx);
        }
        for (trigger, node) in toolkit.triggers.iter().zip(&source.triggers) {
            trigger::check(trigger, toolkit, node, &mut cx);
        }
        cx.out
    });
    out.extend(per_toolkit.into_iter().flatten());
    out
}

fn check_duplicates(loaded: &Loaded, out: &mut Vec<Diagnostic>) {
    let mut seen: HashMap<String, NodeRef> = HashMap::new();
    let mut check = |kind: &str, slug: &str, node: NodeRef, out: &mut Vec<Diagnostic>| match seen.get(slug) {
        Some(first) => {
            let loc = first.file.locate(&first.pointer);
            out.push(
                node.diag(Code::DuplicateSlug, format!("{kind} slug `{slug}` is already used"))
                    .label("second definition")
                    .help(format!(
                        "slugs are unique across the catalog; the first is at {}:{}:{} — rename one",
                        first.file.path().display(),
                        loc.line,
                        loc.column
                    )),
            );
        }
        None => {
            seen.insert(slug.to_owned(), node);
        }
    };
    for (toolkit, source) in loaded.toolkits.iter().zip(&loaded.sources) {
        check("toolkit", toolkit.slug.as_str(), source.header.child("slug"), out);
    }
    for (toolkit, source) in loaded.toolkits.iter().zip(&loaded.sources) {
        for (tool, node) in toolkit.tools.iter().zip(&source.tools) {
            check("tool", tool.slug.as_str(), node.child("slug"), out);
        }
        for (trigger, node) in toolkit.triggers.iter().zip(&source.triggers) {
            check("trigger", trigger.slug.as_str(), node.child("slug"), out);
        }
    }
}
