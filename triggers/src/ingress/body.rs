//! A delivery's body as JSON: parsed as JSON, or a form's fields as an object.

use serde_json::{Map, Value};

use super::IngressError;

/// The body as JSON: an `application/x-www-form-urlencoded` body (Slack's slash
/// commands) is the object of its fields (the last of a repeated one), anything else
/// must be JSON.
pub(super) fn parse(headers: &[(&str, &str)], body: &[u8]) -> Result<Value, IngressError> {
    let form = super::header(headers, "content-type")
        .is_some_and(|t| t.to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
    if form {
        let fields: Map<String, Value> =
            url::form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), Value::String(v.into_owned()))).collect();
        return Ok(Value::Object(fields));
    }
    serde_json::from_slice(body).map_err(|e| {
        IngressError::Malformed(format!(
            "the body is not JSON ({e}); the provider must send application/json or application/x-www-form-urlencoded"
        ))
    })
}
