//! Checks of tools: parameters against the path, body kinds, schemas, references,
//! examples and tags.

use std::collections::HashSet;

use super::context::{check_description, check_slug, check_tool_description_length, Context};
use super::providers::gemini_name;
use super::schema::{self, Use};
use crate::{
    did_you_mean, placeholders, Code, Diagnostic, Method, NodeRef, ParamLocation, Severity, Tag, Tool, Toolkit,
};

pub(crate) fn check(tool: &Tool, toolkit: &Toolkit, at: &NodeRef, cx: &mut Context<'_>) {
    let out = &mut cx.out;
    let slug = tool.slug.as_str();
    check_slug(slug, &toolkit.slug, "tool", at.child("slug"), out);
    check_description(&tool.description, &format!("tool `{slug}`"), at.child("description"), out);
    check_tool_description_length(&tool.description, slug, at.child("description"), out);

    let path_node = at.child("http").child("path");
    let path = &tool.http.path;
    if !path.starts_with('/') || path.contains("://") {
        out.push(
            path_node
                .diag(Code::InvalidUrl, format!("path `{path}` must start with `/` and be relative to the base URL"))
                .help(format!(
                    "requests only go to the toolkit's base URL ({}); write the path after it",
                    toolkit.base_url
                )),
        );
    }

    let input = at.child("input");
    let props = at.child("input").child("properties");
    let required: HashSet<&str> = tool.input.required.iter().map(String::as_str).collect();
    let path_params: Vec<&str> = placeholders(path).collect();
    for name in &path_params {
        match tool.input.properties.get(*name) {
            None => out.push(
                path_node.diag(Code::PathParamUndeclared, format!("`{{{name}}}` in the path has no parameter"))
                    .label(format!("`{name}` is not declared"))
                    .help(format!("add `{name}: {{ type: string, in: path, description: ... }}` to input.properties and `{name}` to input.required")),
            ),
            Some(p) if p.location != Some(ParamLocation::Path) && p.location.is_some() => out.push(
                props.child(name).diag_key(Code::PathParamUndeclared, format!("`{{{name}}}` is in the path but this parameter is declared `in: {}`", p.location.map_or("", |l| l.as_str())))
                    .help("set `in: path`"),
            ),
            Some(_) if !required.contains(name) => out.push(
                props.child(name).diag_key(Code::PathParamNotRequired, format!("path parameter `{name}` is not required"))
                    .help(format!("a path cannot be built without it: add `{name}` to input.required")),
            ),
            Some(_) => {}
        }
    }
    for (i, name) in tool.input.required.iter().enumerate() {
        if !tool.input.properties.contains_key(name) {
            let names: Vec<&str> = tool.input.properties.keys().map(String::as_str).collect();
            let help = match did_you_mean(name, &names) {
                Some(best) => format!("did you mean `{best}`?"),
                None => "remove it, or declare the property".to_owned(),
            };
            out.push(
                input
                    .child("required")
                    .child(i)
                    .diag(Code::RequiredUnknown, format!("`{name}` is required but not a property"))
                    .help(help),
            );
        }
    }

    let mut body_kinds: Vec<(ParamLocation, &str)> = Vec::new();
    for (name, param) in &tool.input.properties {
        let node = props.child(name);
        if !gemini_name(name) {
            let safe: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
            let safe = safe.trim_matches('_');
            out.push(
                node.diag_key(Code::ParamName, format!("parameter name `{name}` is rejected by Gemini (letters, digits, `_`; ≤ 64; not starting with a digit)"))
                    .help(format!("rename it (e.g. `{}`) and keep the API's name in `wire_name: \"{name}\"`", if safe.is_empty() { "value" } else { safe })),
            );
        }
        match param.location {
            None => out.push(
                node.diag_key(Code::ParamLocationMissing, format!("parameter `{name}` does not say where it goes"))
                    .help(format!(
                    "add `in:` with one of path, query, header, body, form, multipart (for a {} request, usually `{}`)",
                    tool.http.method.as_str(),
                    if tool.http.method.allows_body() { "body" } else { "query" }
                )),
            ),
            Some(ParamLocation::Path) if !path_params.contains(&name.as_str()) => out.push(
                node.diag_key(
                    Code::PathParamUnused,
                    format!("parameter `{name}` is `in: path` but the path `{path}` has no `{{{name}}}`"),
                )
                .help(format!("add `{{{name}}}` to http.path, or change `in:` to query/body")),
            ),
            Some(location) if location.is_body() => body_kinds.push((location, name)),
            _ => {}
        }
        if param.description().is_none_or(|d| d.trim().is_empty()) {
            out.push(
                node.diag_key(Code::ParamDescriptionMissing, format!("parameter `{name}` has no description"))
                    .help("say what the value is, its format, and where to get it"),
            );
        }
        if let Some(from) = &param.from {
            match (from.tool(), from.path()) {
                (Some(producer), Some(_)) if !cx.tools.contains(producer.as_str()) => out.push(
                    node.child("from").diag(Code::UnknownTool, format!("`from` names tool `{producer}`, which does not exist"))
                        .help("name the catalog tool whose output holds this value"),
                ),
                (Some(_), Some(_)) => {}
                _ => out.push(
                    node.child("from").diag(Code::UnknownTool, format!("`from: {}` is not `TOOL_SLUG $.json.path`", from.as_str()))
                        .help("write the producing tool's slug, a space, and the JSON path of the value in its output, e.g. `GITHUB_LIST_ISSUES $[*].number`"),
                ),
            }
        }
    }
    let kinds: HashSet<ParamLocation> = body_kinds.iter().map(|(k, _)| *k).collect();
    if kinds.len() > 1 {
        let list: Vec<String> = body_kinds.iter().map(|(k, n)| format!("`{n}` ({})", k.as_str())).collect();
        out.push(
            input
                .diag_key(Code::BodyKindConflict, format!("body parameters of different kinds: {}", list.join(", ")))
                .help("a request has one body: use `body` (JSON), `form` (urlencoded) or `multipart` for all of them"),
        );
    }
    let method = tool.http.method;
    if let (Some((_, name)), true) = (body_kinds.first(), matches!(method, Method::Get | Method::Head | Method::Delete))
    {
        out.push(
            props.child(name).diag_key(Code::BodyOnSafeMethod, format!("a {} request with body parameter `{name}`", method.as_str()))
                .help("many servers and proxies drop bodies of GET/HEAD/DELETE; use `in: query` unless the API documents a body"),
        );
    }

    let tags: HashSet<Tag> = tool.tags.iter().copied().collect();
    let tag_problem = if tags.contains(&Tag::ReadOnly) && tags.contains(&Tag::Destructive) {
        Some("is tagged both readOnlyHint and destructiveHint")
    } else if matches!(method, Method::Get | Method::Head) && tags.contains(&Tag::Destructive) {
        Some("is a GET but tagged destructiveHint")
    } else if matches!(method, Method::Get | Method::Head) && !tags.contains(&Tag::ReadOnly) {
        Some("is a GET without readOnlyHint")
    } else if method == Method::Delete && !tags.contains(&Tag::Destructive) {
        Some("is a DELETE without destructiveHint")
    } else {
        None
    };
    if let Some(problem) = tag_problem {
        out.push(at.child("tags").diag_key(Code::TagMismatch, format!("tool `{slug}` {problem}")).help(
            "MCP clients use these hints to decide what needs the user's approval; make them match what the call does",
        ));
    }

    if let Some(deprecation) = &tool.deprecated {
        if let Some(replacement) = &deprecation.replaced_by {
            if !cx.tools.contains(replacement.as_str()) {
                out.push(
                    at.child("deprecated")
                        .child("replaced_by")
                        .diag(Code::UnknownTool, format!("replacement tool `{replacement}` does not exist"))
                        .help("name an existing tool, or remove `replaced_by`"),
                );
            }
        }
    }

    let input_schema = tool.input.json_schema();
    let before = out.len();
    for name in tool.input.defs.keys().filter(|n| toolkit.definitions.get(n).is_some()) {
        out.push(
            input
                .child("$defs")
                .child(name)
                .diag_key(Code::DefinitionConflict, format!("`{name}` is also a definition of the toolkit"))
                .help("rename one of them: `#/$defs/Name` must name one schema in the whole toolkit"),
        );
    }
    schema::check(&input_schema, &input, Use::ToolInput, &mut cx.shared, out);
    if let Some(output) = &tool.output {
        schema::check(output, &at.child("output"), Use::Other, &mut cx.shared, out);
    }
    if out.len() == before || out[before..].iter().all(|d| d.severity() == Severity::Warning) {
        check_examples(tool, &toolkit.input_schema(tool), at, out);
    }
}

fn check_examples(tool: &Tool, schema: &serde_json::Value, at: &NodeRef, out: &mut Vec<Diagnostic>) {
    if tool.examples.is_empty() {
        return;
    }
    let Ok(validator) = jsonschema::draft202012::new(schema) else {
        return;
    };
    for (i, example) in tool.examples.iter().enumerate() {
        let node = at.child("examples").child(i).child("arguments");
        for error in validator.iter_errors(&example.arguments) {
            let path = error.instance_path().as_str().to_owned();
            let at = NodeRef { file: node.file.clone(), pointer: format!("{}{}", node.pointer, path) };
            let shown = if path.is_empty() {
                "the arguments".to_owned()
            } else {
                format!("`{}`", path.trim_start_matches('/').replace('/', "."))
            };
            out.push(
                at.diag(
                    Code::ExampleInvalid,
                    format!("example {} does not satisfy the input schema: {shown}: {error}", i + 1),
                )
                .help("fix the example, or the schema if the example is right"),
            );
        }
    }
}
