//! OAuth 2.0 tokens (skeleton: the oauth helper replaces this file).
