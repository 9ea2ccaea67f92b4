// The spec's path parameter `{comment_id}` is undeclared: the build fails with the
// validator's diagnostic, pointing at the macro call.
toolsmith::toolkit!("../../../../catalog/tests/fixtures/invalid/E010-path-param-undeclared.yaml");

fn main() {}
