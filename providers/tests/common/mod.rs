//! What the integration tests share: the built-in catalog as tool descriptions.

use toolsmith_providers::ToolDescription;

/// Every tool of the built-in catalog, with its self-contained input schema.
pub(crate) fn catalog() -> Vec<ToolDescription> {
    let mut tools = Vec::new();
    for toolkit in toolsmith_builtin::toolkits().unwrap() {
        for tool in &toolkit.tools {
            tools.push(ToolDescription {
                name: tool.slug.as_str().to_owned(),
                description: tool.description.trim().to_owned(),
                input_schema: toolkit.input_schema(tool),
            });
        }
    }
    tools
}
