//! When a failed delivery is tried again: exponential backoff with jitter, a cap, and a
//! retry period after which the worker gives up.

use std::time::{Duration, SystemTime};

use toolsmith_store::DeliveryNext;

/// How failed deliveries are retried.
///
/// The n-th failed attempt waits `first × 2ⁿ⁻¹` (at most `cap`), drawn at random in its
/// upper half (jitter, so that many deliveries failing together do not come back
/// together); an app's `Retry-After` on 429 or 503 lengthens the wait, up to `cap`. Once
/// `give_up_after` has passed since the delivery was first due, a failed attempt is the
/// last one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The wait after the first failed attempt (5 s).
    pub first: Duration,
    /// The longest wait between attempts (1 h).
    pub cap: Duration,
    /// How long after the first due time a delivery is still retried (24 h).
    pub give_up_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            first: Duration::from_secs(5),
            cap: Duration::from_secs(3600),
            give_up_after: Duration::from_secs(24 * 3600),
        }
    }
}

impl RetryPolicy {
    /// What follows failed attempt number `attempt` (1 for the first) of a delivery first
    /// due at `first_due`, made at `now`; `retry_after` is the app's hint, if any.
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    /// use toolsmith_store::DeliveryNext;
    /// use toolsmith_triggers::delivery::RetryPolicy;
    /// let policy = RetryPolicy::default();
    /// let now = SystemTime::now();
    /// let DeliveryNext::RetryAt(at) = policy.after_failure(1, now, now, None) else { panic!() };
    /// let wait = at.duration_since(now).unwrap();
    /// assert!(wait >= Duration::from_millis(2500) && wait <= Duration::from_secs(5));
    /// let day_later = now + Duration::from_secs(24 * 3600);
    /// assert_eq!(policy.after_failure(30, now, day_later, None), DeliveryNext::GiveUp);
    /// ```
    pub fn after_failure(
        &self,
        attempt: u32,
        first_due: SystemTime,
        now: SystemTime,
        retry_after: Option<Duration>,
    ) -> DeliveryNext {
        let elapsed = now.duration_since(first_due).unwrap_or_default();
        if elapsed >= self.give_up_after {
            return DeliveryNext::GiveUp;
        }
        let doublings = attempt.saturating_sub(1).min(30);
        let backoff = self.first.saturating_mul(1u32 << doublings).min(self.cap);
        let wait = jittered(backoff).max(retry_after.unwrap_or_default()).min(self.cap);
        DeliveryNext::RetryAt(now + wait)
    }
}

/// A wait drawn in `[wait / 2, wait]`.
fn jittered(wait: Duration) -> Duration {
    let half = wait / 2;
    let nanos = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX);
    let random = getrandom::u64().unwrap_or(0);
    let extra = if nanos == 0 { 0 } else { random % (nanos + 1) };
    half + Duration::from_nanos(extra)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn wait(next: DeliveryNext, now: SystemTime) -> Duration {
        match next {
            DeliveryNext::RetryAt(at) => at.duration_since(now).unwrap(),
            other => panic!("expected a retry, got {other:?}"),
        }
    }

    #[test]
    fn doubles_with_jitter_up_to_the_cap() {
        let policy = RetryPolicy::default();
        let now = SystemTime::now();
        for (attempt, full) in [(1, 5), (2, 10), (3, 20), (4, 40), (10, 2560), (11, 3600), (40, 3600)] {
            let full = Duration::from_secs(full);
            for _ in 0..20 {
                let got = wait(policy.after_failure(attempt, now, now, None), now);
                assert!(got >= full / 2 && got <= full, "attempt {attempt}: {got:?} not in [{:?}, {full:?}]", full / 2);
            }
        }
    }

    #[test]
    fn retry_after_lengthens_the_wait_within_the_cap() {
        let policy = RetryPolicy { cap: Duration::from_secs(60), ..RetryPolicy::default() };
        let now = SystemTime::now();
        let got = wait(policy.after_failure(1, now, now, Some(Duration::from_secs(30))), now);
        assert_eq!(got, Duration::from_secs(30));
        let got = wait(policy.after_failure(1, now, now, Some(Duration::from_secs(7200))), now);
        assert_eq!(got, Duration::from_secs(60), "capped");
        let got = wait(policy.after_failure(1, now, now, Some(Duration::from_millis(1))), now);
        assert!(got >= Duration::from_millis(2500), "a short hint does not shorten the backoff");
    }

    #[test]
    fn gives_up_once_the_period_passed_since_first_due() {
        let policy = RetryPolicy::default();
        let first_due = SystemTime::now();
        let almost = first_due + Duration::from_secs(24 * 3600 - 1);
        assert!(matches!(policy.after_failure(25, first_due, almost, None), DeliveryNext::RetryAt(_)));
        let past = first_due + Duration::from_secs(24 * 3600);
        assert_eq!(policy.after_failure(25, first_due, past, None), DeliveryNext::GiveUp);
        let tiny = RetryPolicy { give_up_after: Duration::ZERO, ..policy };
        assert_eq!(tiny.after_failure(1, first_due, first_due, None), DeliveryNext::GiveUp);
    }
}
