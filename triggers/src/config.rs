//! A trigger instance's configuration: checked against the type's config schema, then
//! split into its clear values and its secrets.

use std::collections::BTreeMap;

use secrecy::SecretString;
use serde_json::{Map, Value};
use toolsmith_spec::Trigger;

use crate::types::secret_field;

/// One way a configuration breaks its schema: where (a JSON pointer into the
/// configuration, `/repo`; empty for the whole object) and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigProblem {
    /// JSON pointer of the offending value, from the configuration's root.
    pub path: String,
    /// What is wrong, without the offending value (it may be a secret).
    pub message: String,
}

impl std::fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = if self.path.is_empty() { "/" } else { &self.path };
        write!(f, "trigger_config{path}: {}", self.message)
    }
}

/// A configuration that passed its schema, split for the store.
#[derive(Clone, Debug)]
pub struct CheckedConfig {
    /// The values kept in clear.
    pub config: Map<String, Value>,
    /// The webhook's signing secret (the spec's `secret_field`), sealed by the store.
    pub secrets: BTreeMap<String, SecretString>,
}

/// Checks `config` against the trigger's config schema (JSON Schema 2020-12): every
/// violation, each at its JSON pointer; `Ok` splits out the secret field. A trigger
/// without a config schema takes an object with any properties.
pub fn check_config(trigger: &Trigger, config: &Value) -> Result<CheckedConfig, Vec<ConfigProblem>> {
    let problem = |path: &str, message: &str| ConfigProblem { path: path.to_owned(), message: message.to_owned() };
    let Value::Object(object) = config else {
        return Err(vec![problem("", "must be a JSON object of the trigger type's config properties")]);
    };
    if let Some(schema) = &trigger.config {
        let validator = jsonschema::draft202012::new(schema).map_err(|e| {
            vec![problem("", &format!("cannot be checked: the trigger's config schema is invalid ({e}); fix the spec"))]
        })?;
        let problems: Vec<ConfigProblem> = validator
            .iter_errors(config)
            .flat_map(|e| toolsmith_catalog::violations(&e, &WORDING))
            .map(|(path, message)| ConfigProblem { path, message })
            .collect();
        if !problems.is_empty() {
            return Err(problems);
        }
    }
    let mut clear = object.clone();
    let mut secrets = BTreeMap::new();
    if let Some(field) = secret_field(trigger) {
        if let Some(value) = clear.remove(field) {
            let text = match value {
                Value::String(s) => s,
                other => other.to_string(),
            };
            secrets.insert(field.to_owned(), SecretString::from(text));
        }
    }
    Ok(CheckedConfig { config: clear, secrets })
}

/// How a trigger's config problems are worded.
const WORDING: toolsmith_catalog::Wording<'static> = toolsmith_catalog::Wording {
    missing: "is required: add it to trigger_config",
    unknown: "is not a property of this trigger's config: remove it",
};

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use secrecy::ExposeSecret;
    use serde_json::json;

    use super::*;
    use crate::fixtures::demo;

    #[test]
    fn problems_name_their_json_path_and_secrets_are_split_out() {
        let toolkit = demo();
        let trigger = &toolkit.triggers[0];
        let err =
            check_config(trigger, &json!({"project": "x", "labels": ["ok", 7], "colour": "crimson"})).unwrap_err();
        let text: Vec<String> = err.iter().map(ToString::to_string).collect();
        assert!(text.contains(&"trigger_config/signing_secret: is required: add it to trigger_config".to_owned()));
        assert!(text.iter().any(|t| t.starts_with("trigger_config/project: ")), "{text:?}");
        assert!(text.iter().any(|t| t.starts_with("trigger_config/labels/1: ")), "{text:?}");
        assert!(text.iter().any(|t| t.starts_with("trigger_config/colour: is not a property")), "{text:?}");
        assert!(!text.iter().any(|t| t.contains("crimson")), "values are not repeated: {text:?}");
        assert_eq!(check_config(trigger, &json!([1])).unwrap_err()[0].path, "");

        let ok = check_config(trigger, &json!({"project": "abc", "signing_secret": "s3cr3t"})).unwrap();
        assert_eq!(Value::Object(ok.config), json!({"project": "abc"}));
        assert_eq!(ok.secrets["signing_secret"].expose_secret(), "s3cr3t");
        // A trigger without a config schema takes any object.
        assert!(check_config(&toolkit.triggers[1], &json!({"anything": 1})).is_ok());
    }
}
