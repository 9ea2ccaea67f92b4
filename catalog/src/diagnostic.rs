//! Diagnostics: what is wrong in a spec, where, and how to fix it.

use std::fmt;
use std::sync::Arc;

use miette::{LabeledSpan, SourceSpan};
use serde::Serialize;

use crate::{Location, SourceFile};

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth fixing; the spec still works.
    Warning,
    /// The spec is rejected.
    Error,
}

macro_rules! codes {
    ($($variant:ident = $code:literal $name:literal $severity:ident : $doc:literal,)*) => {
        /// A stable diagnostic code. The number and the name never change meaning.
        ///
        /// ```
        /// use toolsmith_catalog::Code;
        /// assert_eq!(Code::PathParamUndeclared.to_string(), "E010 path-param-undeclared");
        /// assert_eq!(Code::from_name("E010"), Some(Code::PathParamUndeclared));
        /// ```
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $(#[doc = $doc] $variant,)*
        }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The number: `E010`.
            pub fn id(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// The name: `path-param-undeclared`.
            pub fn name(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// What the code is about.
            pub fn description(self) -> &'static str {
                match self { $(Code::$variant => $doc,)* }
            }

            /// The severity diagnostics of this code have.
            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }
        }
    };
}

codes! {
    YamlSyntax = "E001" "yaml-syntax" Error: "The file is not valid YAML.",
    UnknownKey = "E002" "unknown-key" Error: "A key the spec language (or JSON Schema 2020-12) does not know.",
    InvalidValue = "E003" "invalid-value" Error: "A value of the wrong type, or not one of the allowed values.",
    MissingKey = "E004" "missing-key" Error: "A required key is absent.",
    ToolkitSlug = "E005" "toolkit-slug" Error: "A toolkit slug is not lower snake case of at most 40 characters.",
    ToolSlug = "E006" "tool-slug" Error: "A tool or trigger slug is not upper snake case, lacks the toolkit prefix, or is longer than 64 characters.",
    DuplicateSlug = "E007" "duplicate-slug" Error: "Two toolkits, tools or triggers share a slug.",
    VersionFormat = "E008" "version-format" Error: "A version is not `YYYYMMDD_NN` with a real date.",
    FileRead = "E009" "file-read" Error: "A file cannot be read, or is not UTF-8.",
    PathParamUndeclared = "E010" "path-param-undeclared" Error: "A `{param}` of a path template has no property with `in: path`.",
    PathParamNotRequired = "E011" "path-param-not-required" Error: "A path parameter is not listed in `required`.",
    PathParamUnused = "E012" "path-param-unused" Error: "A property with `in: path` does not appear in the path template.",
    ParamLocationMissing = "E013" "param-location-missing" Error: "A top-level property does not say where it goes (`in:`).",
    ParamName = "E014" "param-name" Error: "A parameter name that some LLM provider rejects.",
    RequiredUnknown = "E015" "required-unknown" Error: "`required` names a property that does not exist.",
    BodyKindConflict = "E016" "body-kind-conflict" Error: "One tool mixes JSON, form and multipart body parameters.",
    InvalidSchema = "E017" "invalid-schema" Error: "A schema is not valid JSON Schema 2020-12.",
    UnresolvedRef = "E018" "unresolved-ref" Error: "A `$ref` does not resolve inside its schema or the toolkit's definitions.",
    TemplateField = "E019" "template-field" Error: "A URL or value template uses a connection field no auth scheme declares.",
    AuthIncomplete = "E020" "auth-incomplete" Error: "An auth scheme lacks what it needs to work.",
    UnknownTool = "E021" "unknown-tool" Error: "A reference (provenance, replacement, polled tool) names a tool that does not exist.",
    DescriptionMissing = "E022" "description-missing" Error: "A toolkit, tool or trigger has an empty description.",
    ProviderIncompatible = "E023" "provider-incompatible" Error: "A schema construct no LLM provider can take, with no fallback.",
    ExampleInvalid = "E024" "example-invalid" Error: "An example's arguments do not satisfy the input schema.",
    TriggerSource = "E025" "trigger-source" Error: "A trigger is not exactly one of webhook or poll, its signature secret is not in its config, or a webhook has neither a signature nor `unsigned: true` (or both).",
    InvalidUrl = "E026" "invalid-url" Error: "A URL is not absolute http(s).",
    InvalidPattern = "E027" "invalid-pattern" Error: "A regular expression does not compile.",
    NoToolkit = "E028" "no-toolkit" Error: "A folder has YAML files but no `toolkit.yaml`, or a path does not exist.",
    OpenApiSource = "E029" "openapi-source" Error: "An overlay's OpenAPI document cannot be read or imported, or its selection keeps no operation.",
    DefinitionConflict = "E030" "definition-conflict" Error: "Two schemas claim one name: a tool's `$defs` entry and a toolkit definition, or a written and an imported definition.",
    DuplicateKey = "E031" "duplicate-key" Error: "A mapping writes the same key twice (the later value would silently replace the earlier one).",
    DescriptionShort = "W101" "description-short" Warning: "A description too short to help an LLM choose.",
    ParamDescriptionMissing = "W102" "param-description-missing" Warning: "A parameter without a description.",
    ProviderFallback = "W103" "provider-fallback" Warning: "A schema construct some provider's strict mode rejects; a fallback exists.",
    BodyOnSafeMethod = "W104" "body-on-safe-method" Warning: "A GET, HEAD or DELETE tool with body parameters.",
    TagMismatch = "W105" "tag-mismatch" Warning: "Tags contradict the HTTP method (a GET marked destructive, a DELETE without destructiveHint).",
    DescriptionLong = "W106" "description-long" Warning: "A tool description longer than LLM providers take (1,024 characters).",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.id(), self.name())
    }
}

impl Code {
    /// Looks a code up by number (`E010`) or name (`path-param-undeclared`).
    pub fn from_name(s: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.id().eq_ignore_ascii_case(s) || c.name() == s)
    }
}

/// One finding: a code, a message, where, and how to fix it.
///
/// It renders through miette (with the offending YAML lines) or as JSON.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    /// The stable code.
    pub code: Code,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// Text under the marked span.
    pub label: Option<String>,
    /// The file, when the diagnostic is about one.
    pub file: Option<Arc<SourceFile>>,
    /// Where in the file.
    pub location: Option<Location>,
}

impl Diagnostic {
    /// A diagnostic with a code and a message, nowhere in particular.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Diagnostic { code, message: message.into(), help: None, label: None, file: None, location: None }
    }

    /// Places the diagnostic at a location of a file.
    pub fn at(mut self, file: &Arc<SourceFile>, location: Location) -> Self {
        self.file = Some(file.clone());
        self.location = Some(location);
        self
    }

    /// Names the file or folder the diagnostic is about, without a position in it.
    pub fn in_path(mut self, path: &std::path::Path) -> Self {
        self.file = Some(Arc::new(SourceFile::new(path, String::new())));
        self.location = None;
        self
    }

    /// Adds a help line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a label under the marked text.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// The severity (from the code).
    pub fn severity(&self) -> Severity {
        self.code.severity()
    }

    /// `file:line:col`, or the file alone, or nothing.
    pub fn position(&self) -> Option<String> {
        let file = self.file.as_ref()?;
        Some(match self.location {
            Some(l) => format!("{}:{}:{}", file.path().display(), l.line, l.column),
            None => file.path().display().to_string(),
        })
    }

    /// The machine-readable form printed by `toolsmith validate --format json`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "code": self.code.id(),
            "name": self.code.name(),
            "severity": self.severity(),
            "file": self.file.as_ref().map(|f| f.path().display().to_string()),
            "line": self.location.map(|l| l.line),
            "column": self.location.map(|l| l.column),
            "message": self.message,
            "help": self.help,
        })
    }
}

impl Diagnostic {
    /// `file:line:col: CODE name: message`, for logs and one-line output.
    pub fn one_line(&self) -> String {
        match self.position() {
            Some(pos) => format!("{pos}: {}: {}", self.code, self.message),
            None => format!("{}: {}", self.code, self.message),
        }
    }
}

/// The message alone (miette prints the position beside the source lines).
impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity() {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.file.as_ref().map(|f| f.as_ref() as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let loc = self.location?;
        self.file.as_ref()?;
        let span = SourceSpan::new(loc.offset.into(), loc.len);
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(self.label.clone(), span))))
    }
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

/// Help for the most common YAML trap in specs: an unquoted comma inside `{ ... }`.
pub(crate) const COMMA_SPLIT_HELP: &str = "inside `{ ... }` a comma ends a value: this looks like the rest of a text cut at a comma; put the whole text in quotes";

/// Whether the key a diagnostic points at stands in a flow mapping with no `:` after
/// it, i.e. it is the tail of an unquoted value that contained a comma.
pub(crate) fn comma_split(d: &Diagnostic) -> bool {
    let (Some(file), Some(loc)) = (&d.file, d.location) else { return false };
    let text = file.text();
    let line_start = text[..loc.offset].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..loc.offset];
    let after = text[loc.offset + loc.len..].trim_start_matches([' ', '\t']);
    before.contains('{') && before.trim_end().ends_with(',') && (after.starts_with(',') || after.starts_with('}'))
}

/// The candidate closest to `word`, if it is close enough to be a likely typo
/// (Jaro-Winkler similarity of at least 0.8, ignoring ASCII case): the one
/// did-you-mean of the validator, the loader and the `#[derive(Tool)]` macros.
///
/// ```
/// use toolsmith_catalog::did_you_mean;
/// assert_eq!(did_you_mean("descripton", &["name", "description"]), Some("description"));
/// assert_eq!(did_you_mean("http", &["name", "description"]), None);
/// ```
pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::jaro_winkler(&word.to_ascii_lowercase(), &c.to_ascii_lowercase()), *c))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Reads spans with the file's line index: miette's own reader for `str` scans from
/// the start of the text for every report, which is quadratic on large specs.
impl miette::SourceCode for SourceFile {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let text = self.text();
        let (offset, len) = (span.offset(), span.len());
        if offset + len > text.len() {
            return Err(miette::MietteError::OutOfBounds);
        }
        let first = self.line_index(offset).saturating_sub(context_lines_before);
        let last = (self.line_index(offset + len.saturating_sub(1)) + context_lines_after)
            .min(self.line_count().saturating_sub(1));
        // Like miette's reader for `str`: without context, the data is the span itself
        // (miette reads the header position that way).
        let (start, column) = if context_lines_before == 0 {
            (offset, text[self.line_start(first)..offset].chars().count())
        } else {
            (self.line_start(first), 0)
        };
        let end = if context_lines_after == 0 { offset + len } else { self.line_start(last + 1).min(text.len()) };
        let data = text[start..end].trim_end_matches('\n');
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.path().display().to_string(),
            data.as_bytes(),
            SourceSpan::new(start.into(), data.len()),
            first,
            column,
            last - first + 1,
        )))
    }
}
