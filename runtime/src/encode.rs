//! Turning JSON argument values into wire text: path segments, query strings in the
//! OpenAPI styles, header values and bracket-style form bodies.
//!
//! Every function here returns text that is already percent-encoded where the target
//! needs it; the caller only joins the pieces.

use base64::Engine as _;
use serde_json::{Map, Value};
use toolsmith_catalog::ParamStyle;

/// RFC 3986 unreserved characters: never encoded.
fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Kept in a path segment with `allow_reserved`: RFC 3986 reserved characters except
/// `?` and `#`, which would end the path.
fn path_reserved(b: u8) -> bool {
    unreserved(b) || b":/[]@!$&'()*+,;=".contains(&b)
}

/// Kept in a query value with `allow_reserved`: reserved characters that do not
/// delimit query parameters (`&`, `=`, `+` and `#` are still encoded).
fn query_reserved(b: u8) -> bool {
    unreserved(b) || b":/?[]@!$()*,;".contains(&b)
}

/// Kept in a query or form key taken from the spec (`fields[]`, `page[size]`, `$top`).
fn key_char(b: u8) -> bool {
    unreserved(b) || b"[]$!()*,;:@/".contains(&b)
}

/// Percent-encodes every byte of `text` for which `keep` is false (upper-case hex).
pub(crate) fn percent(text: &str, keep: fn(u8) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    for &b in text.as_bytes() {
        if keep(b) {
            out.push(char::from(b));
        } else {
            push_escape(&mut out, b);
        }
    }
    out
}

fn push_escape(out: &mut String, b: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.push('%');
    out.push(char::from(HEX[usize::from(b >> 4)]));
    out.push(char::from(HEX[usize::from(b & 0x0f)]));
}

/// A value as text: strings as they are, numbers and booleans as their JSON text,
/// arrays and objects as compact JSON. `None` for `null`.
pub(crate) fn text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        other => Some(other.to_string()),
    }
}

/// Encodes a path parameter: one segment (`/` encoded) unless `allow_reserved`, in
/// the OpenAPI path styles (`simple` by default, `label`, `matrix`). `None` for `null`.
///
/// ```text
/// "a b/c"            → a%20b%2Fc        (allow_reserved: a%20b/c)
/// [1, 2]             → 1,2              (label: .1.2 exploded, matrix: ;id=1;id=2)
/// {"x": 1, "y": 2}   → x,1,y,2          (exploded: x=1,y=2)
/// ```
pub(crate) fn path_value(
    name: &str,
    value: &Value,
    style: Option<ParamStyle>,
    explode: Option<bool>,
    allow_reserved: bool,
) -> Option<String> {
    let keep: fn(u8) -> bool = if allow_reserved { path_reserved } else { unreserved };
    let enc = |v: &Value| text(v).map(|t| percent(&t, keep));
    let explode = explode.unwrap_or(false);
    let style = style.unwrap_or(ParamStyle::Simple);
    let name = percent(name, unreserved);
    // The items, encoded; `object` tells whether they come from an object's entries.
    let (items, object): (Vec<String>, bool) = match value {
        Value::Null => return None,
        Value::Array(a) => (a.iter().filter_map(enc).collect(), false),
        Value::Object(o) => {
            let entries = o.iter().filter_map(|(k, v)| Some((percent(k, keep), enc(v)?)));
            if explode {
                (entries.map(|(k, v)| format!("{k}={v}")).collect(), true)
            } else {
                (entries.flat_map(|(k, v)| [k, v]).collect(), true)
            }
        }
        scalar => {
            let v = enc(scalar)?;
            return Some(match style {
                ParamStyle::Label => format!(".{v}"),
                ParamStyle::Matrix => format!(";{name}={v}"),
                _ => v,
            });
        }
    };
    Some(match style {
        ParamStyle::Label if explode => items.iter().map(|i| format!(".{i}")).collect(),
        ParamStyle::Label => format!(".{}", items.join(",")),
        ParamStyle::Matrix if explode && object => items.iter().map(|i| format!(";{i}")).collect(),
        ParamStyle::Matrix if explode => items.iter().map(|i| format!(";{name}={i}")).collect(),
        ParamStyle::Matrix => format!(";{name}={}", items.join(",")),
        _ => items.join(","),
    })
}

/// Appends the query pairs (`k=v`, encoded) of one parameter in its OpenAPI style:
/// `form` (exploded by default), `spaceDelimited`, `pipeDelimited` or `deepObject`.
/// `null` values, and `null` items of arrays and objects, are left out; so are empty
/// arrays and objects.
pub(crate) fn query_pairs(
    key: &str,
    value: &Value,
    style: Option<ParamStyle>,
    explode: Option<bool>,
    allow_reserved: bool,
    out: &mut Vec<String>,
) {
    let keep: fn(u8) -> bool = if allow_reserved { query_reserved } else { unreserved };
    let enc = |v: &Value| text(v).map(|t| percent(&t, keep));
    let style = style.unwrap_or(ParamStyle::Form);
    let explode = explode.unwrap_or(matches!(style, ParamStyle::Form));
    if style == ParamStyle::DeepObject {
        let mut pairs = Vec::new();
        brackets(key.to_owned(), value, &mut pairs);
        out.extend(pairs.into_iter().map(|(k, v)| format!("{}={}", percent(&k, key_char), percent(&v, keep))));
        return;
    }
    let key = percent(key, key_char);
    let delimiter = match style {
        ParamStyle::SpaceDelimited => "%20",
        ParamStyle::PipeDelimited => "|",
        _ => ",",
    };
    match value {
        Value::Null => {}
        Value::Array(items) if explode => {
            out.extend(items.iter().filter_map(enc).map(|v| format!("{key}={v}")));
        }
        Value::Object(fields) if explode => {
            for (k, v) in fields {
                if let Some(v) = enc(v) {
                    out.push(format!("{}={v}", percent(k, key_char)));
                }
            }
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().filter_map(enc).collect();
            if !items.is_empty() {
                out.push(format!("{key}={}", items.join(delimiter)));
            }
        }
        Value::Object(fields) => {
            let items: Vec<String> =
                fields.iter().filter_map(|(k, v)| Some([percent(k, keep), enc(v)?])).flatten().collect();
            if !items.is_empty() {
                out.push(format!("{key}={}", items.join(delimiter)));
            }
        }
        scalar => out.extend(enc(scalar).map(|v| format!("{key}={v}"))),
    }
}

/// Flattens a value into bracket-style pairs (not yet encoded): `k[sub]=v`, `k[a][b]=v`,
/// `k[0][price]=v`; a key ending in `[]` with an array repeats it (`expand[]=a`).
/// `null` values are left out.
pub(crate) fn brackets(key: String, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Null => {}
        Value::Object(fields) => {
            for (k, v) in fields {
                brackets(format!("{key}[{k}]"), v, out);
            }
        }
        Value::Array(items) if key.ends_with("[]") => {
            for v in items {
                brackets(key.clone(), v, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                brackets(format!("{key}[{i}]"), v, out);
            }
        }
        scalar => out.extend(text(scalar).map(|t| (key, t))),
    }
}

/// An `application/x-www-form-urlencoded` body from bracket-style pairs: keys keep
/// their brackets (as Stripe's and Rails' clients send them), spaces become `+`.
pub(crate) fn form_body(pairs: &[(String, String)]) -> String {
    fn form(text: &str, key: bool) -> String {
        let mut out = String::with_capacity(text.len());
        for &b in text.as_bytes() {
            if b == b' ' {
                out.push('+');
            } else if unreserved(b) || (key && matches!(b, b'[' | b']')) {
                out.push(char::from(b));
            } else {
                push_escape(&mut out, b);
            }
        }
        out
    }
    pairs.iter().map(|(k, v)| format!("{}={}", form(k, true), form(v, false))).collect::<Vec<_>>().join("&")
}

/// A header value: scalars as text, arrays joined with `,`, objects as
/// `k1,v1,k2,v2` (`k1=v1,k2=v2` exploded). `None` for `null` and empty collections.
pub(crate) fn header_value(value: &Value, explode: Option<bool>) -> Option<String> {
    let joined = match value {
        Value::Array(items) => items.iter().filter_map(text).collect::<Vec<_>>().join(","),
        Value::Object(fields) => {
            let entries = fields.iter().filter_map(|(k, v)| Some((k.clone(), text(v)?)));
            if explode.unwrap_or(false) {
                entries.map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",")
            } else {
                entries.flat_map(|(k, v)| [k, v]).collect::<Vec<_>>().join(",")
            }
        }
        scalar => return text(scalar),
    };
    (!joined.is_empty()).then_some(joined)
}

/// Whether a parameter's schema says its string value is a file given in base64:
/// `contentEncoding: base64` or `format: binary`.
pub(crate) fn is_base64_file(schema: &Map<String, Value>) -> bool {
    schema.get("contentEncoding").and_then(Value::as_str).is_some_and(|e| e.eq_ignore_ascii_case("base64"))
        || schema.get("format").and_then(Value::as_str) == Some("binary")
}

/// Decodes base64 in either alphabet (standard or URL-safe), with or without padding,
/// ignoring line breaks and spaces (MIME style).
pub(crate) fn decode_base64(text: &str) -> Result<Vec<u8>, String> {
    use base64::alphabet;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    let config = GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent);
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let alphabet = if compact.contains(['-', '_']) { &alphabet::URL_SAFE } else { &alphabet::STANDARD };
    GeneralPurpose::new(alphabet, config).decode(compact.as_bytes()).map_err(|e| format!("not valid base64 ({e})"))
}

/// Encodes bytes in standard base64 with padding.
pub(crate) fn encode_base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn query(value: Value, style: Option<ParamStyle>, explode: Option<bool>) -> String {
        let mut out = Vec::new();
        query_pairs("k", &value, style, explode, false, &mut out);
        out.join("&")
    }

    #[test]
    fn path_segments() {
        assert_eq!(path_value("p", &json!("a b/c?d#e%f"), None, None, false).as_deref(), Some("a%20b%2Fc%3Fd%23e%25f"));
        assert_eq!(path_value("p", &json!("a b/c?d#e%f"), None, None, true).as_deref(), Some("a%20b/c%3Fd%23e%25f"));
        assert_eq!(path_value("p", &json!("é"), None, None, false).as_deref(), Some("%C3%A9"));
        assert_eq!(path_value("p", &json!(12.5), None, None, false).as_deref(), Some("12.5"));
        assert_eq!(path_value("p", &json!(true), None, None, false).as_deref(), Some("true"));
        assert_eq!(path_value("p", &json!(["a", 1]), None, None, false).as_deref(), Some("a,1"));
        assert_eq!(path_value("p", &json!({"x": 1, "y": "b"}), None, None, false).as_deref(), Some("x,1,y,b"));
        assert_eq!(path_value("p", &json!({"x": 1, "y": "b"}), None, Some(true), false).as_deref(), Some("x=1,y=b"));
        assert_eq!(
            path_value("p", &json!([1, 2]), Some(ParamStyle::Label), Some(true), false).as_deref(),
            Some(".1.2")
        );
        assert_eq!(path_value("p", &json!([1, 2]), Some(ParamStyle::Label), None, false).as_deref(), Some(".1,2"));
        assert_eq!(
            path_value("p", &json!([1, 2]), Some(ParamStyle::Matrix), Some(true), false).as_deref(),
            Some(";p=1;p=2")
        );
        assert_eq!(path_value("p", &json!([1, 2]), Some(ParamStyle::Matrix), None, false).as_deref(), Some(";p=1,2"));
        assert_eq!(path_value("p", &json!(3), Some(ParamStyle::Matrix), None, false).as_deref(), Some(";p=3"));
        assert_eq!(path_value("p", &Value::Null, None, None, false), None);
    }

    #[test]
    fn query_styles() {
        assert_eq!(query(json!(["a b", "c"]), None, None), "k=a%20b&k=c");
        assert_eq!(query(json!({"x": 1, "y": null, "z": true}), None, None), "x=1&z=true");
        assert_eq!(query(json!(["a", "b,c"]), Some(ParamStyle::Form), Some(false)), "k=a,b%2Cc");
        assert_eq!(query(json!({"x": 1, "y": "b"}), Some(ParamStyle::Form), Some(false)), "k=x,1,y,b");
        assert_eq!(query(json!(["a", "b"]), Some(ParamStyle::SpaceDelimited), None), "k=a%20b");
        assert_eq!(query(json!(["a", "b"]), Some(ParamStyle::PipeDelimited), None), "k=a|b");
        assert_eq!(query(json!(["a", "b"]), Some(ParamStyle::PipeDelimited), Some(true)), "k=a&k=b");
        assert_eq!(
            query(json!({"a": {"b": 1}, "arr": ["x", {"y": 2}]}), Some(ParamStyle::DeepObject), None),
            "k[a][b]=1&k[arr][0]=x&k[arr][1][y]=2"
        );
        assert_eq!(query(json!([]), None, None), "");
        assert_eq!(query(json!([]), Some(ParamStyle::Form), Some(false)), "");
        assert_eq!(query(Value::Null, None, None), "");
        assert_eq!(query(json!("a&b=c+d"), None, None), "k=a%26b%3Dc%2Bd");
        let mut out = Vec::new();
        query_pairs("fields[]", &json!(["a/b"]), None, None, true, &mut out);
        assert_eq!(out, ["fields[]=a/b"]);
    }

    #[test]
    fn form_bodies() {
        let mut pairs = Vec::new();
        brackets("metadata".into(), &json!({"order id": "a b", "n": 1}), &mut pairs);
        brackets("expand[]".into(), &json!(["x", "y"]), &mut pairs);
        brackets("items".into(), &json!([{"price": "p_1", "quantity": 2}]), &mut pairs);
        assert_eq!(
            form_body(&pairs),
            "metadata[order+id]=a+b&metadata[n]=1&expand[]=x&expand[]=y&items[0][price]=p_1&items[0][quantity]=2"
        );
    }

    #[test]
    fn headers_and_base64() {
        assert_eq!(header_value(&json!(["a", 1, true]), None).as_deref(), Some("a,1,true"));
        assert_eq!(header_value(&json!({"a": 1}), Some(true)).as_deref(), Some("a=1"));
        assert_eq!(header_value(&json!([]), None), None);
        assert_eq!(decode_base64("aGVs\nbG8").as_deref(), Ok(&b"hello"[..]));
        assert_eq!(decode_base64("_-8=").as_deref(), Ok(&[0xff, 0xef][..]));
        assert!(decode_base64("not base64!").is_err());
        assert_eq!(encode_base64(&[0xff, 0, 1]), "/wAB");
        let schema = |v: Value| v.as_object().cloned().unwrap_or_default();
        assert!(is_base64_file(&schema(json!({"type": "string", "contentEncoding": "base64"}))));
        assert!(is_base64_file(&schema(json!({"type": "string", "format": "binary"}))));
        assert!(!is_base64_file(&schema(json!({"type": "string", "format": "byte"}))));
    }
}
