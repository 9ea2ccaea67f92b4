//! One JSON Schema violation of a value (tool arguments, a trigger's config) as
//! `(JSON pointer, message)` entries, shared by every front end that checks a value
//! against a spec's schema.

use jsonschema::error::ValidationErrorKind;

/// The words for the two violations that are reported at the property's own path; each
/// front end says them in its own terms ("add it to trigger_config").
///
/// ```
/// let wording = toolsmith_catalog::Wording { missing: "is required", unknown: "is not a known property" };
/// let schema = serde_json::json!({
///     "type": "object", "properties": {"title": {"type": "string"}},
///     "required": ["title"], "additionalProperties": false,
/// });
/// let validator = jsonschema::draft202012::new(&schema).unwrap();
/// let value = serde_json::json!({"titel": "x"});
/// let found: Vec<_> = validator.iter_errors(&value).flat_map(|e| toolsmith_catalog::violations(&e, &wording)).collect();
/// assert!(found.contains(&("/title".to_owned(), "is required".to_owned())), "{found:?}");
/// assert!(found.contains(&("/titel".to_owned(), "is not a known property".to_owned())));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Wording<'a> {
    /// After a required property that is missing.
    pub missing: &'a str,
    /// After a property the schema does not allow.
    pub unknown: &'a str,
}

/// The entries of one violation. A missing or unexpected property is reported at its own
/// path (`/title`), not at its parent's; no message repeats the offending value (it may
/// be a secret).
pub fn violations(error: &jsonschema::ValidationError<'_>, wording: &Wording<'_>) -> Vec<(String, String)> {
    let at = error.instance_path().as_str().to_owned();
    let child = |name: &str| toolsmith_spec::pointer::child(&at, name);
    match error.kind() {
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().map_or_else(|| property.to_string(), str::to_owned);
            vec![(child(&name), wording.missing.to_owned())]
        }
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
            unexpected.iter().map(|name| (child(name), wording.unknown.to_owned())).collect()
        }
        _ => vec![(at, error.masked().to_string())],
    }
}
