//! Checking arguments against a tool's input schema, with each schema compiled once.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError, RwLock};

use serde_json::Value;
use toolsmith_catalog::{InputSchema, Tool, Toolkit};

use crate::Error;

/// Compiled input schemas by `(toolkit slug, tool slug)`, shared by a client's clones.
///
/// Each entry keeps the schema it was compiled from: a tool of the same slugs with a
/// different schema (a reloaded spec) is compiled again instead of checked against the
/// old one.
#[derive(Clone, Default)]
pub(crate) struct Validators {
    compiled: Arc<RwLock<HashMap<(String, String), Entry>>>,
}

#[derive(Clone)]
struct Entry {
    /// The tool's input as it was.
    input: Arc<InputSchema>,
    /// The toolkit definitions it reaches, as they were.
    definitions: Arc<Vec<(String, Value)>>,
    validator: Arc<jsonschema::Validator>,
}

impl Entry {
    /// Whether the entry was compiled from this input and these definitions: compared
    /// in place, without building the JSON Schema (this runs on every call).
    fn matches(&self, input: &InputSchema, toolkit: &Toolkit) -> bool {
        let (a, b) = (&*self.input, input);
        a.required == b.required
            && a.additional_properties == b.additional_properties
            && a.defs == b.defs
            && a.properties.len() == b.properties.len()
            && a.properties.iter().zip(&b.properties).all(|((n, p), (m, q))| n == m && p.schema == q.schema)
            && self.definitions.iter().all(|(name, value)| toolkit.definitions.get(name) == Some(value))
    }
}

impl std::fmt::Debug for Validators {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count = self.compiled.read().unwrap_or_else(PoisonError::into_inner).len();
        f.debug_struct("Validators").field("compiled", &count).finish()
    }
}

impl Validators {
    /// Checks `arguments` against the tool's input schema; every violation is reported,
    /// ordered by path.
    pub(crate) fn check(&self, toolkit: &Toolkit, tool: &Tool, arguments: &Value) -> Result<(), Error> {
        let validator = self.validator(toolkit, tool)?;
        if validator.is_valid(arguments) {
            return Ok(()); // the fast path: no error collection
        }
        let mut problems: Vec<(String, String)> =
            validator.iter_errors(arguments).flat_map(|e| toolsmith_catalog::violations(&e, &WORDING)).collect();
        problems.sort_by(|a, b| a.0.cmp(&b.0));
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::InvalidArguments { slug: tool.slug.as_str().to_owned(), problems })
        }
    }

    /// The compiled schema of a tool, compiled on first use.
    fn validator(&self, toolkit: &Toolkit, tool: &Tool) -> Result<Arc<jsonschema::Validator>, Error> {
        let key = (toolkit.slug.as_str().to_owned(), tool.slug.as_str().to_owned());
        if let Some(entry) = self.compiled.read().unwrap_or_else(PoisonError::into_inner).get(&key) {
            if entry.matches(&tool.input, toolkit) {
                return Ok(entry.validator.clone());
            }
        }
        let schema = tool.input.json_schema();
        let reached = toolkit.definitions.reached(&schema);
        let definitions: Vec<(String, Value)> = reached
            .into_iter()
            .filter_map(|name| toolkit.definitions.get(&name).map(|v| (name.clone(), v.clone())))
            .collect();
        let validator =
            jsonschema::draft202012::new(&toolkit.definitions.complete(&schema)).map_err(|e| Error::Spec {
                slug: tool.slug.as_str().to_owned(),
                message: format!("the input schema does not compile: {e}"),
            })?;
        let entry = Entry {
            input: Arc::new(tool.input.clone()),
            definitions: Arc::new(definitions),
            validator: Arc::new(validator),
        };
        let validator = entry.validator.clone();
        self.compiled.write().unwrap_or_else(PoisonError::into_inner).insert(key, entry);
        Ok(validator)
    }

    /// How many schemas are compiled (for tests of the cache).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.compiled.read().unwrap_or_else(PoisonError::into_inner).len()
    }
}

/// How the runtime words a missing or unknown argument.
const WORDING: toolsmith_catalog::Wording<'static> =
    toolsmith_catalog::Wording { missing: "is required", unknown: "is not a known property" };

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn toolkit() -> Toolkit {
        serde_yaml::from_str(
            r#"
slug: demo
name: Demo
description: A demonstration toolkit.
version: 20261122_00
base_url: https://api.example.com
auth: [{ scheme: none }]
tools:
  - slug: DEMO_CREATE
    name: Create
    description: Creates a thing.
    http: { method: POST, path: /things }
    input:
      type: object
      required: [title]
      properties:
        title: { type: string, in: body, minLength: 1 }
        labels: { type: array, items: { type: string }, in: body }
"#,
        )
        .unwrap()
    }

    #[test]
    fn reports_every_violation_once_compiled() {
        let toolkit = toolkit();
        let tool = &toolkit.tools[0];
        let validators = Validators::default();
        let shared = validators.clone();
        let err = validators.check(&toolkit, tool, &json!({"labels": ["ok", 7], "colour": "x"})).unwrap_err();
        let Error::InvalidArguments { slug, problems } = err else { panic!("{err:?}") };
        assert_eq!(slug, "DEMO_CREATE");
        assert_eq!(
            problems,
            [
                ("/colour".to_owned(), "is not a known property".to_owned()),
                ("/labels/1".to_owned(), r#"value is not of type "string""#.to_owned()),
                ("/title".to_owned(), "is required".to_owned()),
            ]
        );
        assert!(shared.check(&toolkit, tool, &json!({"title": "x"})).is_ok());
        assert_eq!(shared.len(), 1);

        let mut changed = toolkit.clone();
        changed.tools[0].input.required.clear();
        assert!(validators.check(&changed, &changed.tools[0], &json!({})).is_ok());
        assert_eq!(validators.len(), 1);
    }
}
