//! The registry: every toolkit and tool the runtime knows, looked up by slug.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::Value;
use toolsmith_catalog::{check_paths, has_errors, Diagnostic, Tool, Toolkit};

use crate::{Client, CompiledToolkit, Error, ToolDefinition, UserId};

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

type LocalRunner = Arc<
    dyn Fn(Client, UserId, Value) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Value, Error>> + Send>>
        + Send
        + Sync,
>;

/// A hand-written tool registered with [`Registry::register`].
#[derive(Clone)]
struct LocalTool {
    definition: &'static ToolDefinition,
    run: LocalRunner,
}

impl std::fmt::Debug for LocalTool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalTool").field("slug", &self.definition.slug).finish_non_exhaustive()
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
/// `GITHUB_CREATE_ISSUE`).
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
    toolkits: Vec<Arc<Toolkit>>,
    toolkit_index: HashMap<String, usize>,
    tool_index: HashMap<String, (usize, usize)>,
    local: Vec<LocalTool>,
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
    /// `#[toolsmith::tool]`), callable by slug beside the catalog's tools.
    pub fn register<T: crate::Tool + DeserializeOwned>(&mut self) {
        let run: LocalRunner = Arc::new(|client: Client, user: UserId, arguments: Value| {
            Box::pin(async move {
                let input: T = serde_json::from_value(arguments).map_err(|e| Error::InvalidArguments {
                    slug: T::SLUG.to_owned(),
                    problems: vec![(String::new(), e.to_string())],
                })?;
                let output = input.execute(&client, &user).await?;
                serde_json::to_value(output)
                    .map_err(|e| Error::Decode { slug: T::SLUG.to_owned(), message: e.to_string() })
            })
        });
        self.local.retain(|t| !t.definition.slug.eq_ignore_ascii_case(T::SLUG));
        self.local.push(LocalTool { definition: T::definition(), run });
    }

    /// The definitions of the hand-written tools.
    pub fn local_tools(&self) -> impl Iterator<Item = &'static ToolDefinition> + '_ {
        self.local.iter().map(|t| t.definition)
    }

    /// Runs any registered tool by slug with JSON arguments: hand-written tools run
    /// their handler, catalog tools go through [`Client::call`].
    pub async fn execute(&self, client: &Client, slug: &str, user: &UserId, arguments: Value) -> Result<Value, Error> {
        if let Some(local) = self.local.iter().find(|t| t.definition.slug.eq_ignore_ascii_case(slug)) {
            return (local.run)(client.clone(), user.clone(), arguments).await;
        }
        let found = self.tool(slug).ok_or_else(|| Error::UnknownTool(slug.to_owned()))?;
        client.call(found.toolkit, found.tool, user, &arguments).await
    }

    fn insert(&mut self, toolkit: Toolkit) {
        let key = toolkit.slug.as_str().to_ascii_lowercase();
        if self.toolkit_index.contains_key(&key) {
            return;
        }
        let index = self.toolkits.len();
        for (i, tool) in toolkit.tools.iter().enumerate() {
            self.tool_index.entry(tool.slug.as_str().to_ascii_uppercase()).or_insert((index, i));
        }
        self.toolkit_index.insert(key, index);
        self.toolkits.push(Arc::new(toolkit));
    }

    /// A tool by slug, ignoring case.
    pub fn tool(&self, slug: &str) -> Option<ToolRef<'_>> {
        let &(k, t) = self.tool_index.get(&slug.to_ascii_uppercase())?;
        let toolkit = &self.toolkits[k];
        Some(ToolRef { toolkit, tool: &toolkit.tools[t] })
    }

    /// A toolkit by slug, ignoring case.
    pub fn toolkit(&self, slug: &str) -> Option<&Toolkit> {
        self.toolkit_index.get(&slug.to_ascii_lowercase()).map(|&i| self.toolkits[i].as_ref())
    }

    /// Every toolkit, in load order.
    pub fn toolkits(&self) -> impl Iterator<Item = &Toolkit> {
        self.toolkits.iter().map(AsRef::as_ref)
    }

    /// Every tool, toolkit by toolkit.
    pub fn tools(&self) -> impl Iterator<Item = ToolRef<'_>> {
        self.toolkits.iter().flat_map(|toolkit| toolkit.tools.iter().map(move |tool| ToolRef { toolkit, tool }))
    }
}
