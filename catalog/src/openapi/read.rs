//! Reading one input file of an import, within the limits of [`ReadOptions`]: only
//! regular files (never a device or a FIFO, which could block or never end), at most
//! [`ReadOptions::max_file_bytes`] of them, parsed as JSON or YAML.

use std::io::Read;
use std::path::Path;

use serde_json::{Map, Value};

use super::{ImportError, ReadOptions};

/// Reads and parses one file: by its extension first (`.json` as JSON, `.yaml` and
/// `.yml` as YAML), then the other format. A file that cannot be opened or parsed
/// is [`ImportError::Read`]; one the options refuse is [`ImportError::NotAFile`] or
/// [`ImportError::TooLarge`].
pub(super) fn read_value(path: &Path, options: &ReadOptions) -> Result<Value, ImportError> {
    let bytes = read_bytes(path, options.max_file_bytes)?;
    parse(&bytes, path).map_err(|message| ImportError::Read { path: path.display().to_string(), message })
}

/// The bytes of a regular file of at most `limit` bytes.
fn read_bytes(path: &Path, limit: u64) -> Result<Vec<u8>, ImportError> {
    let shown = || path.display().to_string();
    let io = |e: std::io::Error| ImportError::Read { path: shown(), message: e.to_string() };
    // Checked before opening: opening a FIFO blocks until someone writes to it.
    let metadata = std::fs::metadata(path).map_err(io)?;
    refuse_special(&metadata, path)?;
    let file = std::fs::File::open(path).map_err(io)?;
    // Checked again on what was opened, in case the path changed in between.
    refuse_special(&file.metadata().map_err(io)?, path)?;
    let mut bytes = Vec::new();
    // One byte more than the limit tells a file at the limit from a larger one.
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(ImportError::TooLarge { path: shown(), limit });
    }
    Ok(bytes)
}

fn refuse_special(metadata: &std::fs::Metadata, path: &Path) -> Result<(), ImportError> {
    if metadata.is_file() {
        return Ok(());
    }
    let kind = if metadata.is_dir() { "a folder" } else { "a device, FIFO or socket" };
    Err(ImportError::NotAFile { path: path.display().to_string(), kind })
}

/// Parses `bytes` read from `path` (whose extension says which format to try first).
fn parse(bytes: &[u8], path: &Path) -> Result<Value, String> {
    let text = String::from_utf8_lossy(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
    let yaml_first = matches!(extension.as_str(), "yaml" | "yml");
    if yaml_first {
        parse_yaml(text).or_else(|yaml_error| parse_json(text).map_err(|_| yaml_error))
    } else {
        parse_json(text).or_else(|json_error| {
            parse_yaml(text).map_err(|yaml_error| {
                // A file that looks like JSON gets the JSON error; others the YAML one.
                let json_like = extension == "json" || text.trim_start().starts_with(['{', '[']);
                if json_like {
                    json_error
                } else {
                    yaml_error
                }
            })
        })
    }
}

fn parse_json(text: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|e| {
        let message = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        let message = message.strip_suffix(&suffix).unwrap_or(&message);
        format!("line {}, column {}: invalid JSON: {message}", e.line(), e.column())
    })
}

fn parse_yaml(text: &str) -> Result<Value, String> {
    let mut value: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| match e.location() {
        Some(location) => {
            let message = e.to_string();
            let suffix = format!(" at line {} column {}", location.line(), location.column());
            let message = message.strip_suffix(&suffix).unwrap_or(&message).to_owned();
            format!("line {}, column {}: invalid YAML: {message}", location.line(), location.column())
        }
        None => format!("invalid YAML: {e}"),
    })?;
    // `<<: *defaults` merge keys, which YAML-authored documents use.
    value.apply_merge().map_err(|e| format!("invalid YAML merge key: {e}"))?;
    Ok(yaml_to_json(value))
}

/// YAML → JSON: non-string keys (`200:`, `true:`) become strings, tags are
/// dropped, non-finite floats become null.
fn yaml_to_json(value: serde_yaml::Value) -> Value {
    match value {
        serde_yaml::Value::Null => Value::Null,
        serde_yaml::Value::Bool(b) => Value::Bool(b),
        serde_yaml::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::from(i)
            } else if let Some(u) = n.as_u64() {
                Value::from(u)
            } else {
                n.as_f64().and_then(serde_json::Number::from_f64).map_or(Value::Null, Value::Number)
            }
        }
        serde_yaml::Value::String(s) => Value::String(s),
        serde_yaml::Value::Sequence(items) => Value::Array(items.into_iter().map(yaml_to_json).collect()),
        serde_yaml::Value::Mapping(mapping) => {
            let mut out = Map::new();
            for (key, value) in mapping {
                let key = match key {
                    serde_yaml::Value::String(s) => s,
                    serde_yaml::Value::Null => "null".to_owned(),
                    serde_yaml::Value::Bool(b) => b.to_string(),
                    serde_yaml::Value::Number(n) => n.to_string(),
                    other => match yaml_to_json(other) {
                        Value::String(s) => s,
                        complex => complex.to_string(),
                    },
                };
                out.insert(key, yaml_to_json(value));
            }
            Value::Object(out)
        }
        serde_yaml::Value::Tagged(tagged) => yaml_to_json(tagged.value),
    }
}
