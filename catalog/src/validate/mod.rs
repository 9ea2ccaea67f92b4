//! Validation: everything `toolsmith validate` checks beyond parsing.
//!
//! Each check pushes [`Diagnostic`]s; nothing stops at the first problem.

pub(crate) mod schema;
mod shared;
mod tool;
mod toolkit;
mod trigger;

use std::collections::{HashMap, HashSet};

use crate::{Code, Diagnostic, Loaded, NodeRef, Severity};

/// Descriptions shorter than this get `W101 description-short`.
pub const MIN_DESCRIPTION: usize = 40;

/// Everything known across the catalog while checking one toolkit.
pub(crate) struct Context<'a> {
    /// Tool slugs of the whole catalog (parsed or not).
    pub tools: &'a HashSet<&'a str>,
    /// The diagnostics found so far.
    pub out: Vec<Diagnostic>,
    /// The toolkit's shared definitions.
    pub shared: shared::Shared<'a>,
}

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
        let mut cx =
            Context { tools: &tools, out: Vec::new(), shared: shared::Shared::new(&toolkit.definitions, source) };
        toolkit::check(toolkit, &source.header, &mut cx.out);
        for (name, definition) in toolkit.definitions.iter() {
            schema::check(definition, &source.definition(name), schema::Use::Other, &mut cx.shared, &mut cx.out);
        }
        let prefix = toolkit.slug.tool_prefix();
        for (tool, node) in toolkit.tools.iter().zip(&source.tools) {
            tool::check(tool, toolkit, &prefix, node, &mut cx);
        }
        for (trigger, node) in toolkit.triggers.iter().zip(&source.triggers) {
            trigger::check(trigger, &prefix, node, &mut cx);
        }
        cx.out
    });
    out.extend(per_toolkit.into_iter().flatten());
    out
}

/// Loads and validates in one go: all diagnostics, errors first within each file.
pub fn check_paths<P: AsRef<std::path::Path>>(paths: &[P]) -> (Loaded, Vec<Diagnostic>) {
    let mut loaded = Loaded::read(paths);
    let mut diagnostics = std::mem::take(&mut loaded.diagnostics);
    diagnostics.extend(validate(&loaded));
    sort(&mut diagnostics);
    (loaded, diagnostics)
}

/// Orders diagnostics by file, then position, then code; stable for snapshots.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        let key = |d: &Diagnostic| {
            (d.file.as_ref().map(|f| f.path().to_path_buf()), d.location.map(|l| l.offset), d.code, d.message.clone())
        };
        key(a).cmp(&key(b))
    });
}

/// Whether any diagnostic is an error.
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(|d| d.severity() == Severity::Error)
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

/// `E022` for an empty description, `W101` for a short one.
pub(crate) fn check_description(text: &str, what: &str, node: NodeRef, out: &mut Vec<Diagnostic>) {
    let len = text.trim().chars().count();
    if len == 0 {
        out.push(
            node.diag(Code::DescriptionMissing, format!("{what} has an empty description"))
                .help("say what it does, when to use it, and which ids it needs and where they come from"),
        );
    } else if len < MIN_DESCRIPTION {
        out.push(
            node.diag(
                Code::DescriptionShort,
                format!(
                    "{what}'s description is {len} characters; an LLM needs at least {MIN_DESCRIPTION} to choose well"
                ),
            )
            .help("say what it does, when to use it, and which ids it needs and where they come from"),
        );
    }
}

/// `E006` unless `slug` is upper snake case with the toolkit prefix and ≤ 64 characters.
pub(crate) fn check_slug(slug: &str, prefix: &str, what: &str, node: NodeRef, out: &mut Vec<Diagnostic>) {
    let problem = if slug.len() > 64 {
        Some(format!("is {} characters long; LLM providers accept at most 64", slug.len()))
    } else if !regex_is_match(crate::ToolSlug::PATTERN, slug) {
        Some("is not upper snake case (`A-Z`, `0-9`, single `_` between words)".to_owned())
    } else if !slug.starts_with(prefix) || slug.len() == prefix.len() {
        Some(format!("does not start with the toolkit prefix `{prefix}`"))
    } else {
        None
    };
    if let Some(problem) = problem {
        let suggestion: String = {
            let upper: String =
                slug.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect();
            let trimmed = upper.trim_matches('_').split('_').filter(|s| !s.is_empty()).collect::<Vec<_>>().join("_");
            let with_prefix = if trimmed.starts_with(prefix) { trimmed } else { format!("{prefix}{trimmed}") };
            with_prefix.chars().take(64).collect::<String>().trim_end_matches('_').to_owned()
        };
        out.push(
            node.diag(Code::ToolSlug, format!("{what} slug `{slug}` {problem}"))
                .help(format!("use something like `{suggestion}`")),
        );
    }
}

pub(crate) fn regex_is_match(pattern: &str, text: &str) -> bool {
    use std::sync::{Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<String, regex::Regex>>> = OnceLock::new();
    let mut cache = CACHE.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    let re = cache.entry(pattern.to_owned()).or_insert_with(|| regex::Regex::new(pattern).expect("built-in pattern"));
    re.is_match(text)
}

/// Whether a URL (templates allowed) is absolute http(s) with a host.
pub(crate) fn is_http_url(url: &str) -> bool {
    let filled = url.replace(['{', '}'], "");
    regex_is_match(r"^https?://[A-Za-z0-9._~%\-]+(:[0-9]+)?(/\S*)?$", &filled)
}
