//! How a document's operations use its security schemes: how many need each scheme,
//! and each distinct requirement (schemes needed together).

use std::collections::HashMap;

use serde_json::Value;

use toolsmith_spec::pointer;

use super::methods::{tool_method, OPERATION_KEYS};

/// How the document's operations use its security schemes.
#[derive(Default)]
pub(crate) struct Usage {
    /// How many operations require each scheme (the global `security` counting as one
    /// more).
    pub(crate) by_scheme: HashMap<String, usize>,
    /// Each distinct requirement, in the order it first appears.
    pub(crate) requirements: Vec<Requirement>,
}

/// One security requirement object: schemes needed together.
pub(crate) struct Requirement {
    /// Where it first appears.
    pub(crate) pointer: String,
    /// Its schemes, in the order written.
    pub(crate) names: Vec<String>,
    /// How many operations have it (the global `security` counting as one more).
    pub(crate) operations: usize,
}

impl Usage {
    /// Counts one operation's (or the global) requirements.
    fn count(&mut self, requirements: &Value, pointer: &str) {
        let Some(requirements) = requirements.as_array() else { return };
        let mut names: Vec<&str> = Vec::new();
        let mut counted: Vec<usize> = Vec::new();
        for (i, requirement) in requirements.iter().enumerate() {
            let Some(requirement) = requirement.as_object() else { continue };
            if requirement.is_empty() {
                continue;
            }
            let together: Vec<String> = requirement.keys().cloned().collect();
            let same =
                |r: &Requirement| r.names.len() == together.len() && together.iter().all(|n| r.names.contains(n));
            let at = match self.requirements.iter().position(same) {
                Some(at) => at,
                None => {
                    self.requirements.push(Requirement {
                        pointer: format!("{pointer}/{i}"),
                        names: together,
                        operations: 0,
                    });
                    self.requirements.len() - 1
                }
            };
            if !counted.contains(&at) {
                counted.push(at);
                self.requirements[at].operations += 1;
            }
            names.extend(requirement.keys().map(String::as_str));
        }
        names.sort_unstable();
        names.dedup();
        for name in names {
            *self.by_scheme.entry(name.to_owned()).or_default() += 1;
        }
    }
}

/// How the global `security` and every operation that becomes a tool use the schemes.
pub(crate) fn usage(document: &Value) -> Usage {
    let mut usage = Usage::default();
    let global = document.get("security");
    if let Some(global) = global {
        usage.count(global, "/security");
    }
    if let Some(paths) = document.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            let Some(item) = item.as_object() else { continue };
            // Operations that become tools: `trace` ones are left out by the converter.
            for method in OPERATION_KEYS.into_iter().filter(|key| tool_method(key).is_ok()) {
                let Some(operation) = item.get(method).and_then(Value::as_object) else { continue };
                match operation.get("security") {
                    Some(security) => {
                        usage.count(security, &format!("/paths/{}/{method}/security", pointer::escape(path)));
                    }
                    None => {
                        if let Some(global) = global {
                            usage.count(global, "/security");
                        }
                    }
                }
            }
        }
    }
    usage
}
