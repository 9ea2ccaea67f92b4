use serde::{Deserialize, Serialize};

/// Lower case.
#[derive(Serialize, Deserialize, schemars::JsonSchema, toolsmith::Tool)]
#[tool(slug = "math_add")]
struct LowerCase {}

/// One word: no toolkit prefix.
#[derive(Serialize, Deserialize, schemars::JsonSchema, toolsmith::Tool)]
#[tool(slug = "ADD")]
struct OneWord {}

/// Too long for LLM providers.
#[derive(Serialize, Deserialize, schemars::JsonSchema, toolsmith::Tool)]
#[tool(slug = "MATH_ADD_TWO_NUMBERS_TOGETHER_AND_RETURN_THE_SUM_AS_A_DOUBLE_PRECISION_FLOAT")]
struct TooLong {}

/// Not the toolkit's prefix.
#[derive(Serialize, Deserialize, schemars::JsonSchema, toolsmith::Tool)]
#[tool(slug = "CALC_ADD", toolkit = "math")]
struct OtherToolkit {}

/// Not a toolkit slug.
#[derive(Serialize, Deserialize, schemars::JsonSchema, toolsmith::Tool)]
#[tool(slug = "MY_MATH_ADD", toolkit = "My-Math")]
struct BadToolkit {}

fn main() {}
