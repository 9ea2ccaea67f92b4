//! Generates typed Rust tools from toolkit specs.
