//! When a poll instance polls: its first poll jittered over its interval, the next one
//! after a restart from its persisted last poll, and backoff after failures.

use std::time::{Duration, SystemTime};

use toolsmith_core::TriggerInstanceId;

use super::executor::PollFailure;

/// The longest wait after retryable failures (never shorter than the interval).
pub const MAX_BACKOFF: Duration = Duration::from_secs(60 * 60);

/// The wait after a permanent failure (an expired account): long, so that a broken
/// instance is not hammered, and reset as soon as the instance changes.
pub const PERMANENT_BACKOFF: Duration = Duration::from_secs(6 * 60 * 60);

/// The longest spread of overdue polls after a restart.
const OVERDUE_SPREAD: Duration = Duration::from_secs(30);

/// A stable point in `[0, span)` for an instance: its id hashed (FNV-1a), so the
/// instances of a store spread over their interval and an instance keeps its place.
pub(crate) fn jitter(id: &TriggerInstanceId, span: Duration) -> Duration {
    let hash =
        id.as_str().bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    let fraction = (hash >> 11) as f64 / (1_u64 << 53) as f64;
    span.mul_f64(fraction)
}

/// When an instance's next poll is due, as the poller starts watching it at `now`: one
/// interval after its last recorded poll (a restart keeps the rhythm; an overdue poll is
/// spread over a few seconds), or, for a new instance, at its jittered place in its
/// first interval.
pub(crate) fn first_due(
    id: &TriggerInstanceId,
    last_poll: Option<SystemTime>,
    interval: Duration,
    now: SystemTime,
) -> SystemTime {
    match last_poll {
        Some(last) => {
            let due = last + interval;
            if due > now {
                due
            } else {
                now + jitter(id, interval.min(OVERDUE_SPREAD))
            }
        }
        None => now + jitter(id, interval),
    }
}

/// How long to wait after `failures` failures in a row, the last one `failure`:
/// retryable ones double the interval each time up to [`MAX_BACKOFF`], and never wait
/// less than the API's `Retry-After`; permanent ones wait [`PERMANENT_BACKOFF`].
pub(crate) fn backoff(failure: &PollFailure, failures: u32, interval: Duration) -> Duration {
    match failure {
        PollFailure::Retryable { retry_after, .. } => {
            let doubled = interval.saturating_mul(1_u32 << failures.min(20));
            let wait = doubled.min(MAX_BACKOFF.max(interval));
            retry_after.map_or(wait, |hint| wait.max(hint))
        }
        PollFailure::Permanent { .. } => PERMANENT_BACKOFF.max(interval),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn retryable(after: Option<u64>) -> PollFailure {
        PollFailure::Retryable { message: "429".into(), retry_after: after.map(Duration::from_secs) }
    }

    #[test]
    fn jitter_stays_in_its_span_stable_and_spread() {
        let span = Duration::from_secs(60);
        let ids: Vec<TriggerInstanceId> = (0..200).map(|_| TriggerInstanceId::generate()).collect();
        let points: Vec<Duration> = ids.iter().map(|id| jitter(id, span)).collect();
        assert!(points.iter().all(|p| *p < span));
        assert_eq!(jitter(&ids[0], span), points[0], "an instance keeps its place");
        // Spread: every quarter of the interval gets some of 200 instances.
        for quarter in 0..4 {
            let (lo, hi) = (span * quarter / 4, span * (quarter + 1) / 4);
            assert!(points.iter().any(|p| *p >= lo && *p < hi), "quarter {quarter} is empty");
        }
        assert_eq!(jitter(&ids[0], Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn the_first_poll_follows_the_last_one_or_the_jitter() {
        let id = TriggerInstanceId::generate();
        let interval = Duration::from_secs(300);
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let new = first_due(&id, None, interval, now);
        assert!(new >= now && new < now + interval);
        let recent = now - Duration::from_secs(100);
        assert_eq!(first_due(&id, Some(recent), interval, now), recent + interval, "a restart keeps the rhythm");
        let overdue = first_due(&id, Some(now - Duration::from_secs(3_000)), interval, now);
        assert!(overdue >= now && overdue < now + OVERDUE_SPREAD);
    }

    #[test]
    fn backoff_doubles_up_to_a_cap_honours_retry_after_and_waits_long_when_permanent() {
        let interval = Duration::from_secs(60);
        let waits: Vec<u64> = (1..=8).map(|n| backoff(&retryable(None), n, interval).as_secs()).collect();
        assert_eq!(waits, [120, 240, 480, 960, 1920, 3600, 3600, 3600]);
        assert_eq!(backoff(&retryable(Some(900)), 1, interval), Duration::from_secs(900));
        assert_eq!(backoff(&retryable(Some(1)), 1, interval), Duration::from_secs(120));
        let permanent = PollFailure::Permanent { message: "expired".into() };
        assert_eq!(backoff(&permanent, 1, interval), PERMANENT_BACKOFF);
        // An interval longer than the cap is never shortened.
        let daily = Duration::from_secs(86_400);
        assert_eq!(backoff(&retryable(None), 3, daily), daily);
        assert_eq!(backoff(&retryable(None), 40, Duration::from_secs(1)), Duration::from_secs(3600));
    }
}
