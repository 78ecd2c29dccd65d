//! Retries: which failures are worth another attempt, how long to wait, and the attempt loop.
//!
//! The loop is written by hand rather than with a retry crate: each attempt must draw a fresh Tencent nonce and
//! timestamp, wait for the pacer, re-ask the token provider after a 401 exactly once, retry 12100/12101 at once
//! but other failures with backoff, honour `Retry-After`, and stop at an overall deadline. Expressed through a
//! generic backoff iterator, each of those would be a workaround; here each is one line.

use std::future::Future;
use std::time::{Duration, Instant, SystemTime};

use super::pacing::Pacer;
use crate::error::{Error, Vendor};

/// What kind of failure a Tencent `code` reports, from the platform's error code list (API-NOTES.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TencentCodeClass {
    /// 0.
    Success,
    /// 10000 busy, 10001 maintenance, 12700, 51001, 60000: retried with backoff.
    Busy,
    /// 11008, 11016 (per second), 11017 (per minute), 11019, 60005: retried with backoff.
    RateLimited,
    /// 11018, the per-day limit: not retried, it cannot succeed before tomorrow.
    DailyLimit,
    /// 12100 nonce reused, 12101 timestamp expired: retried at once with a fresh nonce and timestamp.
    Replay,
    /// 11000 expired, 11002 invalid, 11004, 11005 empty, 11007, 11014 out of scope: never retried.
    Auth,
    /// 12000 missing access_token/timestamp/nonce, 12003 bad JSON, 12201/12203 account invalid or not
    /// permitted: never retried.
    Request,
    /// 18001..18014, parameter validation: never retried (a batch is split to find the bad items).
    Parameter,
    /// Any other code: not retried, since resending an unknown failure may repeat it forever.
    Other,
}

impl TencentCodeClass {
    /// The class of a Tencent `code` (or `retcode`).
    pub fn of(code: i64) -> Self {
        match code {
            0 => Self::Success,
            10000 | 10001 | 12700 | 51001 | 60000 => Self::Busy,
            11008 | 11016 | 11017 | 11019 | 60005 => Self::RateLimited,
            11018 => Self::DailyLimit,
            12100 | 12101 => Self::Replay,
            11000 | 11002 | 11004 | 11005 | 11007 | 11014 => Self::Auth,
            12000 | 12003 | 12201 | 12203 => Self::Request,
            18001..=18014 => Self::Parameter,
            _ => Self::Other,
        }
    }

    pub(crate) fn advice(self) -> Advice {
        match self {
            Self::Busy | Self::RateLimited => Advice::Backoff,
            Self::Replay => Advice::Immediately,
            _ => Advice::Never,
        }
    }
}

/// Whether and how soon a failed attempt is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Advice {
    Never,
    /// After an exponential, jittered delay, or `Retry-After` when sent.
    Backoff,
    /// At once: the cause is fixed by the next attempt itself (fresh nonce, refreshed token).
    Immediately,
}

/// 408, 429 and 5xx (except 501 Not Implemented) are worth another attempt; other statuses are answers.
pub(crate) fn status_advice(status: u16) -> Advice {
    match status {
        408 | 429 => Advice::Backoff,
        501 => Advice::Never,
        500..=599 => Advice::Backoff,
        _ => Advice::Never,
    }
}

/// How many attempts, how long between them, and how long in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    deadline: Option<Duration>,
}

impl Default for RetryPolicy {
    /// 5 attempts, backoff from 500 ms doubling up to 30 s, full jitter, 2 minutes in all.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            deadline: Some(Duration::from_secs(120)),
        }
    }
}

impl RetryPolicy {
    /// One attempt, no retry.
    pub fn no_retries() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Most attempts per call, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The backoff before the first retry; it doubles for each later one.
    pub fn initial_backoff(mut self, delay: Duration) -> Self {
        self.initial_backoff = delay;
        self
    }

    /// The longest backoff between two attempts (a `Retry-After` may ask for longer).
    pub fn max_backoff(mut self, delay: Duration) -> Self {
        self.max_backoff = delay;
        self
    }

    /// The most time one call may take, waits and retries included; `None` for no limit beyond the attempts.
    pub fn deadline(mut self, deadline: Option<Duration>) -> Self {
        self.deadline = deadline;
        self
    }

    /// The configured attempts.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Full jitter: a uniform delay in `[0, min(max, initial * 2^(retry-1))]`, `unit` in `[0, 1)`.
    /// Spreads clients that failed together instead of sending them back together.
    pub(crate) fn backoff(&self, retry: u32, unit: f64) -> Duration {
        let exponent = retry.saturating_sub(1).min(31);
        let ceiling = self
            .initial_backoff
            .saturating_mul(1u32 << exponent)
            .min(self.max_backoff);
        ceiling.mul_f64(unit.clamp(0.0, 1.0))
    }

    /// The wait before retry number `retry` (1 for the first retry).
    pub(crate) fn delay(
        &self,
        retry: u32,
        advice: Advice,
        retry_after: Option<Duration>,
        unit: f64,
    ) -> Duration {
        match advice {
            Advice::Immediately => Duration::ZERO,
            _ => {
                let jittered = self.backoff(retry, unit);
                retry_after.map_or(jittered, |after| after.max(jittered))
            }
        }
    }
}

/// A `Retry-After` value: delay-seconds or an HTTP date (RFC 9110 §10.2.3); a date in the past is no wait.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A uniform number in `[0, 1)` from the OS generator, for jitter.
pub(crate) fn random_unit() -> f64 {
    let mut bytes = [0u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        return 0.5;
    }
    (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}

/// A failed attempt: the error and what to do about it.
#[derive(Debug)]
pub(crate) struct Failure {
    /// Boxed: `Error` is large, and a failure travels through every attempt's `Result`.
    pub error: Box<Error>,
    pub advice: Advice,
    pub retry_after: Option<Duration>,
}

impl Failure {
    pub(crate) fn never(error: Error) -> Self {
        Failure {
            error: Box::new(error),
            advice: Advice::Never,
            retry_after: None,
        }
    }
}

/// Runs `attempt` (given the attempt number, from 1) until it succeeds, fails for good, runs out of attempts,
/// or the deadline passes. Each attempt first waits for the pacer. Returns the value and the attempts made.
pub(crate) async fn run<T, F, Fut>(
    vendor: Vendor,
    policy: &RetryPolicy,
    pacer: Option<&Pacer>,
    mut attempt: F,
) -> Result<(T, u32), Error>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<T, Failure>>,
{
    let deadline = policy.deadline.map(|limit| Instant::now() + limit);
    let remaining = || deadline.map(|at| at.saturating_duration_since(Instant::now()));
    let mut number = 0;
    loop {
        number += 1;
        tracing::debug!(attempt = number, "sending");
        let paced_attempt = async {
            if let Some(pacer) = pacer {
                pacer.acquire().await;
            }
            attempt(number).await
        };
        let result = match remaining() {
            Some(left) => tokio::time::timeout(left, paced_attempt)
                .await
                .unwrap_or_else(|_| Err(Failure::never(Error::deadline(vendor)))),
            None => paced_attempt.await,
        };
        let failure = match result {
            Ok(value) => {
                tracing::debug!(attempt = number, "succeeded");
                return Ok((value, number));
            }
            Err(failure) => failure,
        };
        if failure.advice == Advice::Never || number >= policy.max_attempts {
            tracing::warn!(attempt = number, error = %failure.error, "giving up");
            return Err(*failure.error);
        }
        let delay = policy.delay(number, failure.advice, failure.retry_after, random_unit());
        if remaining().is_some_and(|left| delay >= left) {
            tracing::warn!(attempt = number, error = %failure.error, ?delay, "giving up: the wait would pass the deadline");
            return Err(*failure.error);
        }
        tracing::info!(attempt = number, error = %failure.error, ?delay, "retrying");
        tokio::time::sleep(delay).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tencent_codes_have_their_documented_class() {
        use TencentCodeClass as C;
        let table: &[(&[i64], C, Advice)] = &[
            (&[0], C::Success, Advice::Never),
            (
                &[10000, 10001, 12700, 51001, 60000],
                C::Busy,
                Advice::Backoff,
            ),
            (
                &[11008, 11016, 11017, 11019, 60005],
                C::RateLimited,
                Advice::Backoff,
            ),
            (&[11018], C::DailyLimit, Advice::Never),
            (&[12100, 12101], C::Replay, Advice::Immediately),
            (
                &[11000, 11002, 11004, 11005, 11007, 11014],
                C::Auth,
                Advice::Never,
            ),
            (&[12000, 12003, 12201, 12203], C::Request, Advice::Never),
            (&[18001, 18007, 18014], C::Parameter, Advice::Never),
            (&[18000, 18015, 1, -1, 99999], C::Other, Advice::Never),
        ];
        for (codes, class, advice) in table {
            for &code in *codes {
                assert_eq!(C::of(code), *class, "{code}");
                assert_eq!(C::of(code).advice(), *advice, "{code}");
            }
        }
    }

    #[test]
    fn statuses_worth_retrying() {
        for status in [408, 429, 500, 502, 503, 504, 599] {
            assert_eq!(status_advice(status), Advice::Backoff, "{status}");
        }
        for status in [200, 400, 401, 403, 404, 412, 422, 423, 433, 501] {
            assert_eq!(status_advice(status), Advice::Never, "{status}");
        }
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after("3", now), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(7));
        assert_eq!(parse_retry_after(&later, now), Some(Duration::from_secs(7)));
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(7));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now),
            Some(Duration::ZERO)
        );
        for bad in ["", "-1", "1.5", "soon"] {
            assert_eq!(parse_retry_after(bad, now), None, "{bad}");
        }
    }

    #[test]
    fn backoff_is_full_jitter_within_a_doubling_capped_ceiling() {
        let policy = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_secs(1));
        assert_eq!(policy.backoff(1, 0.0), Duration::ZERO);
        assert_eq!(policy.backoff(1, 1.0), Duration::from_millis(100));
        assert_eq!(policy.backoff(2, 1.0), Duration::from_millis(200));
        assert_eq!(policy.backoff(3, 0.5), Duration::from_millis(200));
        assert_eq!(policy.backoff(10, 1.0), Duration::from_secs(1));
        assert_eq!(policy.backoff(u32::MAX, 1.0), Duration::from_secs(1));
        for retry in 1..20 {
            let delay = policy.backoff(retry, random_unit());
            assert!(delay <= Duration::from_secs(1));
        }
    }

    #[test]
    fn retry_after_is_a_floor_and_replays_go_at_once() {
        let policy = RetryPolicy::default();
        let after = Some(Duration::from_secs(5));
        assert_eq!(
            policy.delay(1, Advice::Backoff, after, 0.0),
            Duration::from_secs(5)
        );
        assert_eq!(
            policy.delay(1, Advice::Immediately, after, 0.9),
            Duration::ZERO
        );
        assert!(policy.delay(1, Advice::Backoff, None, 0.9) <= Duration::from_millis(500));
    }

    #[test]
    fn random_units_are_in_range_and_vary() {
        let draws: Vec<f64> = (0..100).map(|_| random_unit()).collect();
        assert!(draws.iter().all(|u| (0.0..1.0).contains(u)));
        assert!(draws.windows(2).any(|w| w[0] != w[1]));
    }

    fn failing(advice: Advice) -> Failure {
        Failure {
            error: Box::new(Error::deadline(Vendor::Shopline)),
            advice,
            retry_after: None,
        }
    }

    #[tokio::test]
    async fn loop_stops_at_max_attempts_and_on_never() {
        let policy = RetryPolicy::default()
            .max_attempts(3)
            .initial_backoff(Duration::from_millis(1));
        let mut calls = 0;
        let result: Result<((), u32), Error> = run(Vendor::Shopline, &policy, None, |_| {
            calls += 1;
            async { Err(failing(Advice::Backoff)) }
        })
        .await;
        assert!(result.is_err());
        assert_eq!(calls, 3);

        let mut calls = 0;
        let _ = run::<(), _, _>(Vendor::Shopline, &policy, None, |_| {
            calls += 1;
            async { Err(failing(Advice::Never)) }
        })
        .await;
        assert_eq!(calls, 1);

        let (value, attempts) = run(Vendor::Shopline, &policy, None, |n| async move {
            if n < 3 {
                Err(failing(Advice::Immediately))
            } else {
                Ok(n * 10)
            }
        })
        .await
        .unwrap();
        assert_eq!((value, attempts), (30, 3));
    }

    #[tokio::test]
    async fn loop_gives_up_when_the_wait_would_pass_the_deadline() {
        let policy = RetryPolicy::default()
            .max_attempts(10)
            .deadline(Some(Duration::from_millis(200)));
        let started = Instant::now();
        let mut calls = 0;
        let result = run::<(), _, _>(Vendor::Shopline, &policy, None, |_| {
            calls += 1;
            async {
                Err(Failure {
                    retry_after: Some(Duration::from_secs(60)),
                    ..failing(Advice::Backoff)
                })
            }
        })
        .await;
        assert!(result.is_err());
        assert_eq!(calls, 1);
        assert!(started.elapsed() < Duration::from_secs(1));

        // An attempt that hangs is cut at the deadline.
        let result = run::<(), _, _>(Vendor::Shopline, &policy, None, |_| async {
            tokio::time::sleep(Duration::from_secs(60)).await;
            Ok(())
        })
        .await;
        assert!(matches!(
            result,
            Err(Error::Transport {
                timeout: true,
                source: None,
                ..
            })
        ));
    }
}
