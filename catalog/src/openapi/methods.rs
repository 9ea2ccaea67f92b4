//! The operations of a path item: which keys hold them, and the tool method each
//! becomes. One list for the converter, the auth-usage count, the Swagger 2.0
//! upgrade and the overlay's `include`/`exclude` selection.

use crate::Method;

/// The keys of an OpenAPI path item that hold operations, in the order the importer
/// visits them (and so the order of the imported tools). `trace` is an operation
/// too: it is counted and selected like the others, and [`tool_method`] says that no
/// tool can send it.
pub(crate) const OPERATION_KEYS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// The method of the tool an operation key becomes; `Err` with the import warning's
/// message for an operation no tool can send (`trace`).
pub(crate) fn tool_method(key: &str) -> Result<Method, String> {
    Method::from_name(key).ok_or_else(|| {
        let methods: Vec<&str> = Method::ALL.iter().map(|m| m.as_str()).collect();
        format!("operation left out: tools send {}, not {}", methods.join(", "), key.to_ascii_uppercase())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tool_method_has_its_key() {
        for method in Method::ALL {
            assert!(OPERATION_KEYS.contains(&method.as_str().to_ascii_lowercase().as_str()), "{method:?}");
        }
        assert_eq!(OPERATION_KEYS.iter().filter(|k| tool_method(k).is_err()).collect::<Vec<_>>(), [&"trace"]);
    }
}
