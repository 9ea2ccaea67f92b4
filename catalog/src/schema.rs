//! The JSON Schema of the spec format itself, for editors
//! (`# yaml-language-server: $schema=../../schema/toolkit.schema.json`).

use std::sync::OnceLock;

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema};
use serde_json::Value;

use crate::{Toolkit, ToolkitPart};

/// The schema of `toolkit.yaml`, pretty-printed with a trailing newline.
pub fn toolkit_schema() -> String {
    render(root_schema::<Toolkit>())
}

/// The schema of the other YAML files of a toolkit folder (`tools:` and `triggers:`).
pub fn toolkit_part_schema() -> String {
    render(root_schema::<ToolkitPart>())
}

/// The published schemas of `toolkit.yaml` and of the other files, as values, built
/// once: the loader checks each file's shape against them.
pub(crate) fn schema_values() -> &'static [Value; 2] {
    static VALUES: OnceLock<[Value; 2]> = OnceLock::new();
    VALUES.get_or_init(|| [root_schema::<Toolkit>().to_value(), root_schema::<ToolkitPart>().to_value()])
}

fn root_schema<T: JsonSchema>() -> Schema {
    SchemaSettings::draft2020_12().into_generator().into_root_schema_for::<T>()
}

/// The published schemas: file name and content, as committed in `catalog/schema/`.
///
/// ```
/// let files = toolsmith_catalog::published_schemas();
/// assert_eq!(files[0].0, "toolkit.schema.json");
/// ```
pub fn published_schemas() -> [(&'static str, String); 2] {
    [("toolkit.schema.json", toolkit_schema()), ("toolkit-part.schema.json", toolkit_part_schema())]
}

fn render(schema: schemars::Schema) -> String {
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
