//! Authentication of requests: injection of a connected account's credentials, and
//! OAuth 2.0 token refresh.

pub mod oauth2;
