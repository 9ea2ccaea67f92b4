//! The JSON Schema of the spec format itself, for editors
//! (`# yaml-language-server: $schema=../../schema/toolkit.schema.json`).

use schemars::generate::SchemaSettings;

use crate::{Toolkit, ToolkitPart};

/// The schema of `toolkit.yaml`, pretty-printed with a trailing newline.
pub fn toolkit_schema() -> String {
    render(SchemaSettings::draft2020_12().into_generator().into_root_schema_for::<Toolkit>())
}

/// The schema of the other YAML files of a toolkit folder (`tools:` and `triggers:`).
pub fn toolkit_part_schema() -> String {
    render(SchemaSettings::draft2020_12().into_generator().into_root_schema_for::<ToolkitPart>())
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
