//! When a failed request is sent again, and after how long.
//!
//! Only idempotent methods (GET, HEAD, OPTIONS, PUT, DELETE) are retried, only on the
//! toolkit's retry statuses (429 and 5xx by default), with exponential backoff; a
//! `Retry-After` answer (seconds or an HTTP date) is honoured, and a wait longer than
//! the client's limit ends the retries instead of blocking the caller.

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;
use toolsmith_catalog::{Method, Toolkit};

/// Attempts when the toolkit says nothing.
const DEFAULT_ATTEMPTS: u32 = 3;
/// First backoff when the toolkit says nothing; doubled on each attempt.
const DEFAULT_BACKOFF: Duration = Duration::from_millis(500);
/// Longest backoff between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(8);

/// The retry rules of one toolkit.
#[derive(Clone, Debug)]
pub(crate) struct Policy<'a> {
    max_attempts: u32,
    on_status: &'a [u16],
    backoff: Duration,
    retry_after_header: &'a str,
    max_wait: Duration,
}

impl<'a> Policy<'a> {
    /// The toolkit's rules (its `retry:` section), with waits capped at `max_wait`.
    pub(crate) fn of(toolkit: &'a Toolkit, max_wait: Duration) -> Self {
        let retry = toolkit.retry.as_ref();
        Policy {
            max_attempts: retry.map_or(DEFAULT_ATTEMPTS, |r| r.max_attempts.max(1)),
            on_status: retry.map_or(&[][..], |r| r.on_status.as_slice()),
            backoff: retry.and_then(|r| r.backoff_ms).map_or(DEFAULT_BACKOFF, |ms| Duration::from_millis(ms.into())),
            retry_after_header: retry.and_then(|r| r.retry_after_header.as_deref()).unwrap_or("retry-after"),
            max_wait,
        }
    }

    /// How long to wait before attempt `attempt + 1`, or `None` to stop: after a
    /// response with `status` and `headers` to attempt number `attempt` (from 1).
    pub(crate) fn next(&self, method: Method, attempt: u32, status: u16, headers: &HeaderMap) -> Option<Duration> {
        let idempotent = method.is_idempotent();
        let retryable = if self.on_status.is_empty() {
            status == 429 || (500..600).contains(&status) && status != 501
        } else {
            self.on_status.contains(&status)
        };
        if !idempotent || !retryable || attempt >= self.max_attempts {
            return None;
        }
        let backoff = self.backoff.saturating_mul(1 << (attempt - 1).min(16)).min(MAX_BACKOFF);
        let wait = match retry_after(headers, self.retry_after_header) {
            Some(hint) => hint,
            None => backoff,
        };
        (wait <= self.max_wait).then_some(wait)
    }
}

/// A `Retry-After` value: delay seconds or an HTTP date.
fn retry_after(headers: &HeaderMap, name: &str) -> Option<Duration> {
    let text = headers.get(name)?.to_str().ok()?.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(text).ok()?;
    Some(at.duration_since(SystemTime::now()).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toolkit(retry: &str) -> Toolkit {
        serde_yaml::from_str(&format!(
            "{{ slug: demo, name: Demo, description: A demo toolkit for tests., version: 20261122_00, \
             base_url: 'https://x.example', auth: [{{ scheme: none }}] {retry} }}"
        ))
        .unwrap()
    }

    #[test]
    fn only_idempotent_methods_on_retry_statuses() {
        let toolkit = toolkit("");
        let policy = Policy::of(&toolkit, Duration::from_secs(60));
        let none = HeaderMap::new();
        assert_eq!(policy.next(Method::Get, 1, 503, &none), Some(Duration::from_millis(500)));
        assert_eq!(policy.next(Method::Get, 2, 429, &none), Some(Duration::from_secs(1)));
        assert_eq!(policy.next(Method::Get, 3, 503, &none), None, "three attempts in all");
        assert_eq!(policy.next(Method::Post, 1, 503, &none), None);
        assert_eq!(policy.next(Method::Patch, 1, 429, &none), None);
        assert_eq!(policy.next(Method::Delete, 1, 502, &none), Some(Duration::from_millis(500)));
        assert_eq!(policy.next(Method::Get, 1, 404, &none), None);
        assert_eq!(policy.next(Method::Get, 1, 501, &none), None, "not implemented does not get better");
    }

    #[test]
    fn retry_after_seconds_and_dates_and_the_cap() {
        let toolkit = toolkit(", retry: { max_attempts: 5, on_status: [429], backoff_ms: 10 }");
        let policy = Policy::of(&toolkit, Duration::from_secs(30));
        let mut headers = HeaderMap::new();
        assert_eq!(policy.next(Method::Get, 1, 503, &headers), None, "503 is not in on_status");
        assert_eq!(policy.next(Method::Get, 2, 429, &headers), Some(Duration::from_millis(20)));
        headers.insert("retry-after", "7".parse().unwrap());
        assert_eq!(policy.next(Method::Get, 1, 429, &headers), Some(Duration::from_secs(7)));
        headers.insert("retry-after", "120".parse().unwrap());
        assert_eq!(policy.next(Method::Get, 1, 429, &headers), None, "longer than the cap: give up");
        let soon = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(5));
        headers.insert("retry-after", soon.parse().unwrap());
        let wait = policy.next(Method::Get, 1, 429, &headers).unwrap();
        assert!(wait <= Duration::from_secs(5) && wait >= Duration::from_secs(3), "{wait:?}");
    }
}
