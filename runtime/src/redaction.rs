//! Taking the secrets a call sent out of everything that leaves the executor: the
//! result's data and error (and so the execution log), and the request a dry run shows.
//! The secrets and their wire forms come from [`Redactor`].

use serde_json::Value;
use toolsmith_auth::{Redactor, REDACTED};
use toolsmith_core::{DryRun, Error};

/// A call's result with every secret the call sent taken out of its data and its error.
pub(crate) fn redacted(result: Result<Value, Error>, redactor: &Redactor) -> Result<Value, Error> {
    match result {
        Ok(mut data) => {
            redactor.redact_value(&mut data);
            Ok(data)
        }
        Err(error) => Err(redact_error(error, redactor)),
    }
}

/// An error with every secret taken out of the text it carries from the API or the
/// transport (the body of an API error, a refusal's reason, a message).
pub(crate) fn redact_error(error: Error, redactor: &Redactor) -> Error {
    if redactor.is_empty() {
        return error;
    }
    let text = |mut s: String| {
        redactor.redact_string(&mut s);
        s
    };
    match error {
        Error::Api { slug, status, body } => Error::Api { slug, status, body: text(body) },
        Error::Request { slug, message, source } => Error::Request { slug, message: text(message), source },
        Error::Timeout { slug, message, source } => Error::Timeout { slug, message: text(message), source },
        Error::Refused { slug, reason } => Error::Refused { slug, reason: text(reason) },
        Error::Decode { slug, message } => Error::Decode { slug, message: text(message) },
        Error::Auth { slug, message, remedy, source } => Error::Auth { slug, message: text(message), remedy, source },
        other => other,
    }
}

/// The request with secrets replaced wherever they landed (URL, headers, body): the
/// account's secret values in every wire form, the query parameters that carry a
/// credential, and sensitive headers in which no known secret was found.
pub(crate) fn dry_run(request: &reqwest::Request, secret_query: &[String], redactor: &Redactor) -> DryRun {
    let mut url = request.url().clone();
    if !secret_query.is_empty() {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let hidden = secret_query.iter().any(|s| *s == k);
                (k.into_owned(), if hidden { REDACTED.to_owned() } else { v.into_owned() })
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    let headers = request
        .headers()
        .iter()
        .map(|(name, value)| {
            let shown = match value.to_str() {
                Ok(text) => match redactor.redact(text) {
                    // A credential too short to search for, or not the account's own.
                    std::borrow::Cow::Borrowed(_) if value.is_sensitive() => REDACTED.to_owned(),
                    shown => shown.into_owned(),
                },
                Err(_) if value.is_sensitive() => REDACTED.to_owned(),
                Err(_) => "(binary)".to_owned(),
            };
            (name.as_str().to_owned(), shown)
        })
        .collect();
    let body = request.body().map(|body| match body.as_bytes() {
        Some(bytes) => match std::str::from_utf8(bytes) {
            Ok(text) => redactor.redact(text).into_owned(),
            Err(_) => format!("({} bytes of binary data)", bytes.len()),
        },
        None => "(a multipart body, streamed)".to_owned(),
    });
    let url = redactor.redact(url.as_str()).into_owned();
    DryRun { method: request.method().as_str().to_owned(), url, headers, body }
}
