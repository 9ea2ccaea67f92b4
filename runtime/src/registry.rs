//! The registry: every toolkit and tool the runtime knows, looked up by slug.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use serde::de::DeserializeOwned;
use serde_json::Value;
use toolsmith_catalog::{check_paths, has_errors, Diagnostic, Severity};
use toolsmith_core::{Call, ErrorKind, Execute, Target};
use toolsmith_spec::{Tool, Toolkit, ToolkitSlug, Version};

use crate::{CallOptions, CompiledToolkit, Error, ExecutionResult, ToolDefinition, UserId};

/// Why a catalog could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The specs have errors; every diagnostic is kept.
    #[error("the catalog has {} error(s); run `toolsmith validate` for details", .0.iter().filter(|d| d.severity() == toolsmith_catalog::Severity::Error).count())]
    Invalid(Vec<Diagnostic>),
    /// A compiled toolkit's embedded spec does not load.
    #[error(transparent)]
    Compiled(#[from] Error),
}

impl LoadError {
    /// Always [`ErrorKind::Internal`]: the deployment's catalog is broken, not the
    /// caller's request.
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::Internal
    }
}

/// A toolkit known by its slug, version and tool slugs whose spec is parsed only when
/// one of its tools (or the toolkit) is first asked for: what an embedded catalog hands
/// the registry (the `toolsmith-builtin` crate), so that start-up parses nothing.
///
/// ```
/// let lazy = toolsmith::LazyToolkit {
///     slug: "demo",
///     version: "20261122_00",
///     tools: &["DEMO_PING"],
///     json: r#"{"slug":"demo","name":"Demo","description":"A demonstration toolkit.","version":"20261122_00",
///              "base_url":"https://x.example","auth":[{"scheme":"none"}],
///              "tools":[{"slug":"DEMO_PING","name":"Ping","description":"Checks that the service answers.",
///                        "http":{"method":"GET","path":"/ping"},"input":{"type":"object"}}]}"#,
/// };
/// let registry = toolsmith::Registry::from_lazy([lazy]);
/// assert_eq!(registry.tool("demo_ping").unwrap().toolkit.name, "Demo"); // parsed here
/// ```
#[derive(Clone, Copy, Debug)]
pub struct LazyToolkit {
    /// The toolkit slug.
    pub slug: &'static str,
    /// Its version.
    pub version: &'static str,
    /// Its tool slugs, in the order of the spec's `tools`.
    pub tools: &'static [&'static str],
    /// The toolkit as JSON (a serialized [`Toolkit`]).
    pub json: &'static str,
}

/// A toolkit of the registry: parsed, or parsed on first use.
#[derive(Clone, Debug)]
struct Slot {
    slug: String,
    version: Version,
    /// The spec; `Err` when lazy JSON did not parse (the toolkit then counts as absent).
    toolkit: OnceLock<Result<Arc<Toolkit>, String>>,
    json: Option<&'static str>,
}

impl Slot {
    fn parsed(toolkit: Toolkit) -> Slot {
        let (slug, version) = (toolkit.slug.as_str().to_owned(), toolkit.version.clone());
        Slot { slug, version, toolkit: OnceLock::from(Ok(Arc::new(toolkit))), json: None }
    }

    fn lazy(lazy: &LazyToolkit) -> Slot {
        Slot {
            slug: lazy.slug.to_owned(),
            version: Version::new(lazy.version),
            toolkit: OnceLock::new(),
            json: Some(lazy.json),
        }
    }

    /// The toolkit, parsed on first use.
    fn get(&self) -> Option<&Arc<Toolkit>> {
        let parsed = self.toolkit.get_or_init(|| {
            let json = self.json.unwrap_or("null");
            serde_json::from_str(json).map(Arc::new).map_err(|e| {
                tracing::error!(toolkit = %self.slug, error = %e, "an embedded toolkit does not parse; it is left out");
                e.to_string()
            })
        });
        parsed.as_ref().ok()
    }
}

/// A toolkit left out by [`Registry::load_valid`] because its spec has errors.
#[derive(Clone, Debug)]
pub struct Broken {
    /// The folder (or file) it was read from.
    pub path: PathBuf,
    /// Its slug, when its own fields parsed.
    pub slug: Option<ToolkitSlug>,
    /// What is wrong with it (its warnings too).
    pub diagnostics: Vec<Diagnostic>,
}

/// The folder a spec file belongs to: a toolkit folder for `toolkit.yaml` and the part
/// files beside it, the file itself for a one-file spec.
fn spec_home(file: &Path) -> PathBuf {
    let in_folder =
        file.parent().is_some_and(|folder| folder.join("toolkit.yaml").exists() || folder.join("toolkit.yml").exists());
    match file.parent() {
        Some(folder) if in_folder || file.file_stem().is_some_and(|s| s == "toolkit") => folder.to_owned(),
        _ => file.to_owned(),
    }
}

/// A tool found by [`Registry::resolve`]: a hand-written one or one of a toolkit spec.
#[derive(Clone, Copy, Debug)]
pub enum Resolved<'a> {
    /// A hand-written tool.
    Local(&'static ToolDefinition),
    /// A tool of a loaded or compiled toolkit.
    Spec(ToolRef<'a>),
}

impl<'a> Resolved<'a> {
    /// What a [`Call`] runs for this tool.
    pub fn target(self) -> Target<'a> {
        match self {
            Resolved::Local(definition) => Target::Definition(definition),
            Resolved::Spec(found) => Target::Spec { toolkit: found.toolkit, tool: found.tool },
        }
    }
}

/// A tool together with its toolkit.
#[derive(Clone, Copy, Debug)]
pub struct ToolRef<'a> {
    /// The toolkit the tool belongs to.
    pub toolkit: &'a Toolkit,
    /// The tool.
    pub tool: &'a Tool,
}

/// Toolkits and tools by slug. Tool lookups ignore case (`github_create_issue` finds
/// `GITHUB_CREATE_ISSUE`). Several versions of a toolkit (`20261122_00`) may be loaded;
/// lookups without a version use the newest, and a pinned version is used exactly.
///
/// ```
/// let toolkit: toolsmith::Toolkit = serde_yaml::from_str(r#"
/// slug: demo
/// name: Demo
/// description: A demonstration toolkit.
/// version: 20261122_00
/// base_url: https://api.example.com
/// auth: [{ scheme: none }]
/// tools:
///   - slug: DEMO_PING
///     name: Ping
///     description: Checks that the service answers.
///     http: { method: GET, path: /ping }
///     input: { type: object }
/// "#).unwrap();
/// let registry = toolsmith::Registry::from_toolkits(vec![toolkit]);
/// assert_eq!(registry.tool("demo_ping").unwrap().tool.name, "Ping");
/// assert_eq!(registry.tools().count(), 1);
/// ```
#[derive(Clone, Debug, Default)]
pub struct Registry {
    toolkits: Vec<Slot>,
    /// Toolkit slug (lower case) → indexes into `toolkits`, newest version first.
    toolkit_index: HashMap<String, Vec<usize>>,
    /// Tool slug (upper case) → (toolkit index, tool index) of each version, newest first.
    tool_index: HashMap<String, Vec<(usize, usize)>>,
    /// Hand-written tools (their definitions carry their handlers).
    local: Vec<&'static ToolDefinition>,
}

/// Which tools [`Registry::list`] returns. Empty fields match everything.
///
/// ```
/// let query = toolsmith::ToolQuery { toolkit: Some("github".into()), tags: vec!["readOnlyHint".into()], ..Default::default() };
/// assert_eq!(query.limit, 20);
/// ```
#[derive(Clone, Debug)]
pub struct ToolQuery {
    /// Only this toolkit's tools (any case).
    pub toolkit: Option<String>,
    /// Only tools with all of these tags.
    pub tags: Vec<String>,
    /// Only tools tagged `important`.
    pub important: bool,
    /// At most this many (20 by default, like Composio's `tools.get`).
    pub limit: usize,
    /// Where the previous page ended (its `next_cursor`).
    pub cursor: Option<String>,
}

impl Default for ToolQuery {
    fn default() -> Self {
        ToolQuery { toolkit: None, tags: Vec::new(), important: false, limit: 20, cursor: None }
    }
}

/// One page of [`Registry::list`].
#[derive(Clone, Debug)]
pub struct Page<'a> {
    /// The tools of this page.
    pub items: Vec<ToolRef<'a>>,
    /// Pass it as [`ToolQuery::cursor`] for the next page; `None` on the last one.
    pub next_cursor: Option<String>,
}

impl Registry {
    /// Builds a registry from toolkits. A later toolkit or tool with a slug already
    /// present is ignored (the validator reports such duplicates).
    pub fn from_toolkits(toolkits: impl IntoIterator<Item = Toolkit>) -> Self {
        let mut registry = Registry::default();
        for toolkit in toolkits {
            registry.insert(toolkit);
        }
        registry
    }

    /// Loads and validates spec folders or files; fails when any spec has an error.
    pub fn load<P: AsRef<Path>>(paths: &[P]) -> Result<Self, LoadError> {
        let (loaded, diagnostics) = check_paths(paths);
        if has_errors(&diagnostics) {
            return Err(LoadError::Invalid(diagnostics));
        }
        Ok(Registry::from_toolkits(loaded.toolkits))
    }

    /// Loads spec folders or files, keeping every toolkit that validates: a toolkit
    /// whose spec has an error is left out and returned as [`Broken`], with its
    /// diagnostics, so that one broken toolkit does not take the others down. Errors
    /// that belong to no toolkit (a missing folder) are one more [`Broken`].
    ///
    /// ```
    /// let dir = std::env::temp_dir().join(format!("toolsmith-doc-load-valid-{}", std::process::id()));
    /// std::fs::create_dir_all(dir.join("broken"))?;
    /// std::fs::write(dir.join("broken/toolkit.yaml"), "slug: broken\nname: [\n")?;
    /// let (registry, broken) = toolsmith::Registry::load_valid(&[&dir]);
    /// assert_eq!(registry.toolkits().count(), 0);
    /// assert_eq!(broken[0].path, dir.join("broken"));
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn load_valid<P: AsRef<Path>>(paths: &[P]) -> (Self, Vec<Broken>) {
        let (loaded, diagnostics) = check_paths(paths);
        // The folder (or single file) each toolkit was read from.
        let homes: Vec<PathBuf> = loaded.sources.iter().map(|s| spec_home(s.header.file.path())).collect();
        let owner = |file: &Path| {
            homes.iter().enumerate().filter(|(_, home)| file.starts_with(home)).max_by_key(|(_, h)| h.as_os_str().len())
        };
        let mut broken: Vec<Broken> = Vec::new();
        let mut failed = vec![false; homes.len()];
        let mut by_toolkit: HashMap<usize, Vec<Diagnostic>> = HashMap::new();
        for diagnostic in diagnostics {
            let file = diagnostic.file.as_ref().map(|f| f.path().to_owned());
            match file.as_deref().and_then(owner) {
                Some((i, _)) => {
                    failed[i] |= diagnostic.severity() == Severity::Error;
                    by_toolkit.entry(i).or_default().push(diagnostic);
                }
                None if diagnostic.severity() == Severity::Error => {
                    let path = file.as_deref().map(spec_home).unwrap_or_default();
                    match broken.iter_mut().find(|b| b.path == path) {
                        Some(b) => b.diagnostics.push(diagnostic),
                        None => broken.push(Broken { path, slug: None, diagnostics: vec![diagnostic] }),
                    }
                }
                None => {}
            }
        }
        let mut registry = Registry::default();
        for (i, toolkit) in loaded.toolkits.into_iter().enumerate() {
            if failed[i] {
                let diagnostics = by_toolkit.remove(&i).unwrap_or_default();
                broken.push(Broken { path: homes[i].clone(), slug: Some(toolkit.slug), diagnostics });
            } else {
                registry.insert(toolkit);
            }
        }
        broken.sort_by(|a, b| a.path.cmp(&b.path));
        (registry, broken)
    }

    /// Builds a registry from generated toolkits (`TOOLKITS` in the output of
    /// `toolsmith-codegen`): no YAML is read.
    pub fn from_compiled(toolkits: &[&CompiledToolkit]) -> Result<Self, LoadError> {
        let mut registry = Registry::default();
        for compiled in toolkits {
            registry.insert(compiled.toolkit()?.clone());
        }
        Ok(registry)
    }

    /// Adds toolkits (e.g. loaded from YAML at run time) to the registry.
    pub fn extend(&mut self, toolkits: impl IntoIterator<Item = Toolkit>) {
        for toolkit in toolkits {
            self.insert(toolkit);
        }
    }

    /// Registers a hand-written tool (`#[derive(toolsmith::Tool)]` or
    /// `#[toolsmith::tool]`), callable by slug beside the catalog's tools. A tool
    /// without a handler in its definition (a generated one) is not registered: its
    /// toolkit is added with [`Registry::from_compiled`].
    pub fn register<T: crate::Tool + DeserializeOwned>(&mut self) {
        let definition = T::definition();
        if definition.local.is_none() {
            return;
        }
        self.local.retain(|t| !t.slug.eq_ignore_ascii_case(T::SLUG));
        self.local.push(definition);
    }

    /// The definitions of the hand-written tools.
    pub fn local_tools(&self) -> impl Iterator<Item = &'static ToolDefinition> + '_ {
        self.local.iter().copied()
    }

    /// The tool a slug names, in `version` of its toolkit when given (used exactly,
    /// never replaced by another version), else in the newest loaded one; hand-written
    /// tools first. The one place where slugs and versions become tools.
    ///
    /// ```
    /// # let toolkit: toolsmith::Toolkit = serde_yaml::from_str("{slug: demo, name: Demo, description: A demonstration toolkit., version: 20261122_00, base_url: 'https://x.example', auth: [{scheme: none}], tools: [{slug: DEMO_PING, name: Ping, description: Checks that the service answers., http: {method: GET, path: /ping}, input: {type: object}}]}").unwrap();
    /// let registry = toolsmith::Registry::from_toolkits(vec![toolkit]);
    /// assert!(matches!(registry.resolve("demo_ping", None), Ok(toolsmith::Resolved::Spec(_))));
    /// assert!(registry.resolve("DEMO_PING", Some(&"20250101_00".into())).is_err());
    /// assert!(registry.resolve("DEMO_PONG", None).is_err());
    /// ```
    pub fn resolve(&self, slug: &str, version: Option<&Version>) -> Result<Resolved<'_>, Error> {
        if let Some(local) = self.local.iter().find(|t| t.slug.eq_ignore_ascii_case(slug)) {
            return Ok(Resolved::Local(local));
        }
        match version {
            Some(version) => self.tool_at(slug, version.as_str()).map(Resolved::Spec),
            None => self.tool(slug).map(Resolved::Spec).ok_or_else(|| Error::UnknownTool(slug.to_owned())),
        }
    }

    /// Runs any registered tool by slug with JSON arguments through `executor` (a
    /// [`Client`](crate::Client), or a layer around one) and returns its data.
    pub async fn execute<E: Execute + ?Sized>(
        &self,
        executor: &E,
        slug: &str,
        user: &UserId,
        arguments: Value,
    ) -> Result<Value, Error> {
        let target = self.resolve(slug, None)?.target();
        executor.run(Call { target, user, arguments, options: CallOptions::default() }).await.result
    }

    /// Runs a tool by slug and returns Composio's result shape
    /// (`{data, error, successful, log_id}`): the account and toolkit version in
    /// `options` are honoured (an unknown version is an error, never another version).
    pub async fn execute_tool<E: Execute + ?Sized>(
        &self,
        executor: &E,
        slug: &str,
        user: &UserId,
        arguments: Value,
        options: &CallOptions,
    ) -> ExecutionResult {
        match self.resolve(slug, options.version.as_ref()) {
            Ok(found) => {
                let call = Call { target: found.target(), user, arguments, options: options.clone() };
                executor.run(call).await.into()
            }
            Err(error) => ExecutionResult::from_result(Err(error), None),
        }
    }

    fn insert(&mut self, toolkit: Toolkit) {
        let tools: Vec<String> = toolkit.tools.iter().map(|t| t.slug.as_str().to_owned()).collect();
        self.insert_slot(Slot::parsed(toolkit), tools.iter().map(String::as_str));
    }

    /// Adds toolkits whose specs are parsed on first use ([`LazyToolkit`]); a toolkit
    /// with the slug and version of one already present is ignored.
    pub fn extend_lazy(&mut self, toolkits: impl IntoIterator<Item = LazyToolkit>) {
        for lazy in toolkits {
            self.insert_slot(Slot::lazy(&lazy), lazy.tools.iter().copied());
        }
    }

    /// A registry of toolkits parsed on first use; see [`LazyToolkit`].
    pub fn from_lazy(toolkits: impl IntoIterator<Item = LazyToolkit>) -> Self {
        let mut registry = Registry::default();
        registry.extend_lazy(toolkits);
        registry
    }

    fn insert_slot<'t>(&mut self, slot: Slot, tools: impl Iterator<Item = &'t str>) {
        let key = slot.slug.to_ascii_lowercase();
        let versions = self.toolkit_index.entry(key).or_default();
        if versions.iter().any(|&i| self.toolkits[i].version == slot.version) {
            return; // the same version twice: the validator reports duplicates
        }
        let index = self.toolkits.len();
        versions.push(index);
        let toolkits = &self.toolkits;
        let newest_first = |a: &usize, b: &usize| -> std::cmp::Ordering {
            let version = |i: usize| if i == index { &slot.version } else { &toolkits[i].version };
            version(*b).as_str().cmp(version(*a).as_str())
        };
        versions.sort_by(newest_first);
        for (i, tool) in tools.enumerate() {
            let entries = self.tool_index.entry(tool.to_ascii_uppercase()).or_default();
            entries.push((index, i));
            entries.sort_by(|a, b| newest_first(&a.0, &b.0));
        }
        self.toolkits.push(slot);
    }

    /// A tool by slug, ignoring case, in the newest loaded version of its toolkit.
    pub fn tool(&self, slug: &str) -> Option<ToolRef<'_>> {
        let &(k, t) = self.tool_index.get(&slug.to_ascii_uppercase())?.first()?;
        let toolkit = self.toolkits[k].get()?;
        Some(ToolRef { toolkit, tool: toolkit.tools.get(t)? })
    }

    /// A tool in a given version of its toolkit (`20261122_00`): a pinned version is
    /// honoured exactly, never replaced by another one. The error lists the loaded
    /// versions.
    ///
    /// ```
    /// # let toolkit: toolsmith::Toolkit = serde_yaml::from_str("{slug: demo, name: Demo, description: A demonstration toolkit., version: 20261122_00, base_url: 'https://x.example', auth: [{scheme: none}], tools: [{slug: DEMO_PING, name: Ping, description: Checks that the service answers., http: {method: GET, path: /ping}, input: {type: object}}]}").unwrap();
    /// let registry = toolsmith::Registry::from_toolkits(vec![toolkit]);
    /// assert!(registry.tool_at("DEMO_PING", "20261122_00").is_ok());
    /// let err = registry.tool_at("DEMO_PING", "20250101_00").unwrap_err();
    /// assert_eq!(err.to_string(), "unknown tool `DEMO_PING` at version 20250101_00; loaded versions of toolkit `demo`: 20261122_00");
    /// ```
    pub fn tool_at(&self, slug: &str, version: &str) -> Result<ToolRef<'_>, Error> {
        let entries =
            self.tool_index.get(&slug.to_ascii_uppercase()).ok_or_else(|| Error::UnknownTool(slug.to_owned()))?;
        if let Some(&(k, t)) = entries.iter().find(|(k, _)| self.toolkits[*k].version.as_str() == version) {
            let found =
                self.toolkits[k].get().and_then(|toolkit| Some(ToolRef { toolkit, tool: toolkit.tools.get(t)? }));
            return found.ok_or_else(|| Error::UnknownTool(slug.to_owned()));
        }
        let newest =
            entries.first().map(|&(k, _)| &self.toolkits[k]).ok_or_else(|| Error::UnknownTool(slug.to_owned()))?;
        let loaded = self.toolkit_index[&newest.slug.to_ascii_lowercase()]
            .iter()
            .map(|&i| self.toolkits[i].version.as_str().to_owned())
            .collect();
        Err(Error::UnknownVersion {
            slug: slug.to_owned(),
            version: version.to_owned(),
            toolkit: newest.slug.clone(),
            loaded,
        })
    }

    /// A toolkit by slug, ignoring case: its newest loaded version.
    pub fn toolkit(&self, slug: &str) -> Option<&Toolkit> {
        self.toolkit_index
            .get(&slug.to_ascii_lowercase())
            .and_then(|v| v.first())
            .and_then(|&i| self.toolkits[i].get())
            .map(AsRef::as_ref)
    }

    /// Every toolkit (newest version of each), in load order.
    pub fn toolkits(&self) -> impl Iterator<Item = &Toolkit> {
        self.newest().map(AsRef::as_ref)
    }

    /// Every tool (of the newest version of each toolkit), toolkit by toolkit.
    pub fn tools(&self) -> impl Iterator<Item = ToolRef<'_>> {
        self.newest().flat_map(|toolkit| toolkit.tools.iter().map(move |tool| ToolRef { toolkit, tool }))
    }

    /// The newest version of each toolkit, in load order.
    fn newest(&self) -> impl Iterator<Item = &Arc<Toolkit>> {
        self.toolkits.iter().enumerate().filter_map(|(i, slot)| {
            let versions = &self.toolkit_index[&slot.slug.to_ascii_lowercase()];
            if versions.first() == Some(&i) {
                slot.get()
            } else {
                None
            }
        })
    }

    /// Lists tools by toolkit, tags and `important`, a page at a time (20 by default).
    /// The cursor is the last slug of the previous page, so pages stay right when
    /// toolkits are added between two calls.
    ///
    /// ```
    /// # let toolkit: toolsmith::Toolkit = serde_yaml::from_str("{slug: demo, name: Demo, description: A demonstration toolkit., version: 20261122_00, base_url: 'https://x.example', auth: [{scheme: none}], tools: [{slug: DEMO_A, name: A, description: The first demo tool here., http: {method: GET, path: /a}, input: {type: object}}, {slug: DEMO_B, name: B, description: The second demo tool here., http: {method: GET, path: /b}, input: {type: object}}]}").unwrap();
    /// let registry = toolsmith::Registry::from_toolkits(vec![toolkit]);
    /// let first = registry.list(&toolsmith::ToolQuery { limit: 1, ..Default::default() }).unwrap();
    /// assert_eq!(first.items[0].tool.slug.as_str(), "DEMO_A");
    /// let cursor = first.next_cursor.clone();
    /// let second = registry.list(&toolsmith::ToolQuery { limit: 1, cursor, ..Default::default() }).unwrap();
    /// assert_eq!(second.items[0].tool.slug.as_str(), "DEMO_B");
    /// assert!(second.next_cursor.is_none());
    /// ```
    pub fn list(&self, query: &ToolQuery) -> Result<Page<'_>, Error> {
        if let Some(slug) = &query.toolkit {
            if self.toolkit(slug).is_none() {
                let known = self.toolkits().map(|t| t.slug.as_str().to_owned()).collect();
                return Err(Error::UnknownToolkit { slug: slug.clone(), known });
            }
        }
        let matches = |t: &ToolRef<'_>| {
            query.toolkit.as_deref().is_none_or(|s| t.toolkit.slug.as_str().eq_ignore_ascii_case(s))
                && query.tags.iter().all(|tag| t.tool.tags.iter().any(|have| have.as_str().eq_ignore_ascii_case(tag)))
                && (!query.important || t.tool.tags.iter().any(|have| have.as_str() == "important"))
        };
        let mut tools = self.tools().filter(matches).peekable();
        if let Some(cursor) = &query.cursor {
            if self.tool(cursor).is_none() {
                return Err(Error::InvalidCursor(cursor.clone()));
            }
            for t in tools.by_ref() {
                if t.tool.slug.as_str().eq_ignore_ascii_case(cursor) {
                    break;
                }
            }
        }
        let items: Vec<ToolRef<'_>> = tools.by_ref().take(query.limit.max(1)).collect();
        let next_cursor = match (tools.peek(), items.last()) {
            (Some(_), Some(last)) => Some(last.tool.slug.as_str().to_owned()),
            _ => None,
        };
        Ok(Page { items, next_cursor })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEMO: &str = r#"{"slug":"demo","name":"Demo","description":"A demonstration toolkit.","version":"20261122_00",
        "base_url":"https://x.example","auth":[{"scheme":"none"}],
        "tools":[{"slug":"DEMO_PING","name":"Ping","description":"Checks that the service answers.",
                  "http":{"method":"GET","path":"/ping"},"input":{"type":"object"}}]}"#;

    #[test]
    fn lazy_toolkits_are_parsed_on_first_use_and_a_broken_one_counts_as_absent() {
        let demo = LazyToolkit { slug: "demo", version: "20261122_00", tools: &["DEMO_PING"], json: DEMO };
        let broken = LazyToolkit { slug: "broken", version: "20261122_00", tools: &["BROKEN_PING"], json: "{" };
        let registry = Registry::from_lazy([demo, broken]);
        assert!(registry.toolkits.iter().all(|slot| slot.toolkit.get().is_none()), "nothing parsed yet");
        assert_eq!(registry.tool("DEMO_PING").map(|t| t.toolkit.name.as_str()), Some("Demo"));
        assert!(registry.toolkits[0].toolkit.get().is_some() && registry.toolkits[1].toolkit.get().is_none());
        assert!(registry.tool("BROKEN_PING").is_none());
        assert_eq!(registry.toolkits().count(), 1);
        // A parsed toolkit of the same slug and version, added first, wins.
        let mut mine: Toolkit = serde_json::from_str(DEMO).unwrap();
        mine.name = "Mine".into();
        let mut registry = Registry::from_toolkits([mine]);
        registry.extend_lazy([demo]);
        assert_eq!(registry.tool("demo_ping").map(|t| t.toolkit.name.as_str()), Some("Mine"));
    }
}
