//! Procedural macros of toolsmith.
