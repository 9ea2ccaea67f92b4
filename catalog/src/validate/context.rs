//! What every check of a toolkit gets: the catalog-wide context, and the small
//! checks that several of them share (descriptions, slugs, URLs, patterns).

use std::collections::{HashMap, HashSet};

use super::shared::Shared;
use crate::{
    check_tool_slug, suggest_tool_slug, Code, Diagnostic, NodeRef, ToolkitSlug, MAX_TOOL_DESCRIPTION, MIN_DESCRIPTION,
};

/// Everything known across the catalog while checking one toolkit.
pub(crate) struct Context<'a> {
    /// Tool slugs of the whole catalog (parsed or not).
    pub tools: &'a HashSet<&'a str>,
    /// The diagnostics found so far.
    pub out: Vec<Diagnostic>,
    /// The toolkit's shared definitions.
    pub shared: Shared<'a>,
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

/// `W106` for a tool description longer than providers take ([`MAX_TOOL_DESCRIPTION`]).
pub(crate) fn check_tool_description_length(text: &str, slug: &str, node: NodeRef, out: &mut Vec<Diagnostic>) {
    let len = text.trim().chars().count();
    if len > MAX_TOOL_DESCRIPTION {
        out.push(
            node.diag(
                Code::DescriptionLong,
                format!(
                    "tool `{slug}`'s description is {len} characters; LLM providers take at most \
                     {MAX_TOOL_DESCRIPTION} (OpenAI refuses longer ones, others cut them)"
                ),
            )
            .help(format!(
                "keep it within {MAX_TOOL_DESCRIPTION} characters: what the tool does, when to use it, which ids it \
                 needs; move details into the parameters' descriptions"
            )),
        );
    }
}

/// `E006` unless `slug` is a well-formed tool (or trigger) slug of `toolkit`
/// ([`check_tool_slug`]: upper snake case, the toolkit prefix, at most 64 characters).
pub(crate) fn check_slug(slug: &str, toolkit: &ToolkitSlug, what: &str, node: NodeRef, out: &mut Vec<Diagnostic>) {
    let Err(problem) = check_tool_slug(slug, Some(toolkit.as_str())) else { return };
    let help = match suggest_tool_slug(slug, Some(toolkit.as_str())) {
        Some(suggestion) => format!("use something like `{suggestion}`"),
        None => format!("write it in upper snake case, starting with `{}`", toolkit.tool_prefix()),
    };
    out.push(node.diag(Code::ToolSlug, format!("{what} slug `{slug}` {problem}")).help(help));
}

fn regex_is_match(pattern: &str, text: &str) -> bool {
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
