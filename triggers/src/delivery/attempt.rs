//! One attempt at a delivery: the envelope POSTed, signed, to the subscription's URL, and
//! what the app answered, kept short and free of secrets.

use std::time::{Duration, Instant, SystemTime};

use toolsmith_store::{DeliveryAttempt, PendingDelivery};

use crate::signature::sign_delivery;

/// The most characters of an app's answer kept in an attempt's error.
pub const EXCERPT_CHARS: usize = 200;

/// What an attempt found.
#[derive(Debug)]
pub(crate) struct Attempted {
    /// The attempt, to record.
    pub(crate) attempt: DeliveryAttempt,
    /// The app answered 2xx.
    pub(crate) delivered: bool,
    /// The app's `Retry-After` (delta-seconds) on a 429 or 503.
    pub(crate) retry_after: Option<Duration>,
}

/// POSTs `delivery`'s envelope to its subscription's URL, signed at `now`.
pub(crate) async fn attempt(http: &reqwest::Client, delivery: &PendingDelivery, timeout: Duration) -> Attempted {
    let at = SystemTime::now();
    let started = Instant::now();
    let body = match serde_json::to_vec(&delivery.event.envelope) {
        Ok(body) => body,
        Err(e) => return failed(at, started, None, format!("the envelope cannot be written as JSON: {e}"), None),
    };
    let signed = sign_delivery(&delivery.subscription.secret, delivery.event.id.as_str(), at, &body);
    let mut request = http
        .post(delivery.subscription.url.clone())
        .timeout(timeout)
        .header(reqwest::header::CONTENT_TYPE, "application/json");
    for (name, value) in signed.pairs() {
        request = request.header(name, value);
    }
    let response = match request.body(body).send().await {
        Ok(response) => response,
        Err(e) => return failed(at, started, None, transport_error(&e, timeout), None),
    };
    let status = response.status();
    if status.is_success() {
        return Attempted {
            attempt: DeliveryAttempt { at, status: Some(status.as_u16()), error: None, duration: started.elapsed() },
            delivered: true,
            retry_after: None,
        };
    }
    let retry_after = match status.as_u16() {
        429 | 503 => response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs),
        _ => None,
    };
    let excerpt = excerpt(response).await;
    let error = if excerpt.is_empty() { format!("HTTP {status}") } else { format!("HTTP {status}: {excerpt}") };
    failed(at, started, Some(status.as_u16()), error, retry_after)
}

fn failed(
    at: SystemTime,
    started: Instant,
    status: Option<u16>,
    error: String,
    retry_after: Option<Duration>,
) -> Attempted {
    Attempted {
        attempt: DeliveryAttempt { at, status, error: Some(error), duration: started.elapsed() },
        delivered: false,
        retry_after,
    }
}

/// Why no answer came, without the URL (it may carry a token).
fn transport_error(error: &reqwest::Error, timeout: Duration) -> String {
    if error.is_timeout() {
        return format!("no answer within {} s", timeout.as_secs_f32());
    }
    let mut text = if error.is_connect() { "could not connect".to_owned() } else { "the request failed".to_owned() };
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    shorten(&text)
}

/// The first [`EXCERPT_CHARS`] characters of the answer's body, on one line; read no
/// further than needed.
async fn excerpt(mut response: reqwest::Response) -> String {
    let mut bytes = Vec::new();
    while bytes.len() < EXCERPT_CHARS * 4 {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            _ => break,
        }
    }
    let text = String::from_utf8_lossy(&bytes);
    shorten(&text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// At most [`EXCERPT_CHARS`] characters, `…` marking a cut.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortens_to_the_excerpt() {
        assert_eq!(shorten("short"), "short");
        let long = "é".repeat(EXCERPT_CHARS + 5);
        let cut = shorten(&long);
        assert_eq!(cut.chars().count(), EXCERPT_CHARS + 1);
        assert!(cut.ends_with('…'));
    }
}
