//! Schemas that refer to themselves, directly, through shared definitions, or
//! through `allOf`: the generator ends, and boxes what recurses.

use toolsmith_catalog::Toolkit;
use toolsmith_codegen::Generator;

#[test]
fn self_referencing_schemas_generate() {
    let toolkit: Toolkit = serde_yaml::from_str(
        r##"
slug: loops
name: Loops
description: Schemas that refer to themselves in every way real API descriptions do.
version: 20261122_00
base_url: https://api.example.com
auth: [{ scheme: none }]
tools:
  - slug: LOOPS_FILTER
    name: Filter
    description: Filters with a recursive expression, like AWS Cost Explorer's.
    http: { method: POST, path: /filter }
    input:
      type: object
      properties:
        expression: { $ref: "#/$defs/Expression", in: body, description: The filter }
        inherited: { $ref: "#/$defs/Inherits", in: body, description: An allOf of itself }
    output: { $ref: "#/$defs/Expression" }
definitions:
  Expression:
    type: object
    properties:
      and: { type: array, items: { $ref: "#/$defs/Expression" } }
      not: { allOf: [{ $ref: "#/$defs/Expression" }, { properties: { negated: { type: boolean } } }] }
  Inherits:
    allOf: [{ $ref: "#/$defs/Inherits" }, { properties: { name: { type: string } } }]
"##,
    )
    .expect("parses");
    let code = Generator::new().source(&[toolkit]);
    assert!(code.contains("pub struct Expression"), "{code}");
    assert!(code.contains("::std::boxed::Box<Expression>") || code.contains("Vec<Expression>"), "{code}");
}
