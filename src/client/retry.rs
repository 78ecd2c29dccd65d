//! Retries: which failures are worth another attempt, how long to wait, and the attempt loop.
//!
//! The loop is written by hand rather than with a retry crate: each attempt must draw a fresh Tencent nonce and
//! timestamp, wait for the pacer, re-ask the token provider after a 401 exactly once, retry 12100/12101 at once
//! but other failures with backoff, honour `Retry-After`, and stop at an overall deadline. Expressed through a
//! generic backoff iterator, each of those would be a workaround; here each is one line.

use std::future::Future;
use std::time::{Duration, Instant, SystemTime};

use tracing::Instrument;

use super::observe::{Answered, CallScope};
use super::pacing::Pacer;
use crate::classify::Retry;
use crate::error::Error;

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
        how: Retry,
        retry_after: Option<Duration>,
        unit: f64,
    ) -> Duration {
        match how {
            Retry::Immediately => Duration::ZERO,
            _ => {
                let jittered = self.backoff(retry, unit);
                retry_after.map_or(jittered, |after| after.max(jittered))
            }
        }
    }
}

/// A `Retry-After` value: delay-seconds or an HTTP date (RFC 9110 §10.2.3); a date in the past is no wait.
/// Delay-seconds may carry a fraction (`2.0`, `0.25`): RFC 9110 says digits only, but Shopify-style platforms
/// send `2.0`, and reading it as two seconds is better than ignoring the platform's word.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Some(delay) = delay_seconds(value) {
        return Some(delay);
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or(Duration::ZERO))
}

/// `DIGITS` or `DIGITS.DIGITS` as a duration in seconds; `None` for anything else (a sign, an exponent, a
/// bare dot, a value too large for a `Duration`).
fn delay_seconds(value: &str) -> Option<Duration> {
    let digits = |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    match value.split_once('.') {
        None if digits(value) => value.parse().ok().map(Duration::from_secs),
        Some((whole, fraction)) if digits(whole) && digits(fraction) => {
            Duration::try_from_secs_f64(value.parse().ok()?).ok()
        }
        _ => None,
    }
}

/// A uniform number in `[0, 1)` from the OS generator, for jitter.
pub(crate) fn random_unit() -> f64 {
    let mut bytes = [0u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        return 0.5;
    }
    (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}

/// A failed attempt: the error, whether to try again, and the `Retry-After` the platform sent.
#[derive(Debug)]
pub(crate) struct Failure {
    /// Boxed: `Error` is large, and a failure travels through every attempt's `Result`.
    pub error: Box<Error>,
    pub retry: Retry,
    pub retry_after: Option<Duration>,
}

impl Failure {
    /// A failure retried as its class says.
    pub(crate) fn classified(error: Error, retry_after: Option<Duration>) -> Self {
        Failure {
            retry: error.class().retry(),
            error: Box::new(error),
            retry_after,
        }
    }

    /// Whether the platform's bucket refused the attempt, which slows the whole client: a rate limit without
    /// `Retry-After` (Shopline's 429 "Too many request", a Tencent rate-limit code). A rate limit with
    /// `Retry-After` says when this request may come back, not that the client is over the rate: the attempt
    /// waits that long and the pace is left alone; so is it after 5xx, timeouts and busy codes.
    pub(crate) fn slows_the_pace(&self) -> bool {
        self.error
            .class()
            .slows_the_pace(self.retry_after.is_some())
    }

    /// A failure not worth another attempt, whatever its class.
    pub(crate) fn never(error: Error) -> Self {
        Failure {
            error: Box::new(error),
            retry: Retry::Never,
            retry_after: None,
        }
    }
}

/// Runs `attempt` (given the attempt number, from 1) until it succeeds, fails for good, runs out of attempts,
/// or the deadline passes. Each attempt first waits for the pacer and runs in a span of its own under the
/// call's; `scope` hears of every attempt and of the end. Returns the value and the attempts made.
pub(crate) async fn run<T, F, Fut>(
    scope: &CallScope<'_>,
    policy: &RetryPolicy,
    pacer: Option<&Pacer>,
    mut attempt: F,
) -> Result<(T, u32), Error>
where
    T: Answered,
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<T, Failure>>,
{
    let deadline = policy.deadline.map(|limit| Instant::now() + limit);
    let remaining = || deadline.map(|at| at.saturating_duration_since(Instant::now()));
    let mut number = 0;
    let mut last_retry_after = None;
    loop {
        number += 1;
        let span = scope.attempt_span(number);
        let mut started = Instant::now();
        let paced_attempt = async {
            if let Some(pacer) = pacer {
                pacer.acquire().await;
            }
            let sent = Instant::now();
            (attempt(number).await, sent)
        }
        .instrument(span.clone());
        let result = match remaining() {
            Some(left) => match tokio::time::timeout(left, paced_attempt).await {
                Ok((result, sent)) => {
                    started = sent;
                    result
                }
                Err(_) => Err(Failure::never(Error::deadline(scope.vendor))),
            },
            None => {
                let (result, sent) = paced_attempt.await;
                started = sent;
                result
            }
        };
        if let Some(pacer) = pacer {
            match &result {
                Ok(_) => pacer.succeeded(started),
                Err(failure) if failure.slows_the_pace() => pacer.throttled(started),
                Err(_) => {}
            }
        }
        let mut failure = match result {
            Ok(value) => {
                scope.attempt_done(&span, number, started, Ok(&value));
                scope.finish(number, Ok(&value));
                return Ok((value, number));
            }
            Err(failure) => failure,
        };
        last_retry_after = failure.retry_after.or(last_retry_after);
        let delay = policy.delay(number, failure.retry, failure.retry_after, random_unit());
        let out_of_time = remaining().is_some_and(|left| delay >= left);
        if failure.retry == Retry::Never || number >= policy.max_attempts || out_of_time {
            failure.retry = Retry::Never;
        }
        scope.attempt_done::<T>(&span, number, started, Err((&failure.error, failure.retry)));
        if failure.retry == Retry::Never {
            let error = (*failure.error).after(number, last_retry_after);
            // The caller receives this error: debug, not warn, so it is not logged twice by default.
            tracing::debug!(attempts = number, error = %error, out_of_time, "the call failed");
            scope.finish::<T>(number, Err(&error));
            return Err(error);
        }
        tracing::info!(attempt = number, error = %failure.error, ?delay, "retrying");
        tokio::time::sleep(delay).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        // A fraction, as Shopify-style platforms send it.
        assert_eq!(parse_retry_after("2.0", now), Some(Duration::from_secs(2)));
        assert_eq!(
            parse_retry_after("0.25", now),
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            parse_retry_after("1.5", now),
            Some(Duration::from_millis(1500))
        );
        for bad in ["", "-1", "-1.5", "1.", ".5", "1e3", "1.5.2", "+2", "soon"] {
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
            policy.delay(1, Retry::Backoff, after, 0.0),
            Duration::from_secs(5)
        );
        assert_eq!(
            policy.delay(1, Retry::Immediately, after, 0.9),
            Duration::ZERO
        );
        assert!(policy.delay(1, Retry::Backoff, None, 0.9) <= Duration::from_millis(500));
    }

    #[test]
    fn random_units_are_in_range_and_vary() {
        let draws: Vec<f64> = (0..100).map(|_| random_unit()).collect();
        assert!(draws.iter().all(|u| (0.0..1.0).contains(u)));
        assert!(draws.windows(2).any(|w| w[0] != w[1]));
    }

    use std::sync::{Arc, Mutex};

    use crate::client::observe::{Attempt, AttemptHook};
    use crate::error::Vendor;

    impl Answered for () {
        fn status(&self) -> u16 {
            200
        }
        fn trace_id(&self) -> Option<&str> {
            None
        }
    }

    impl Answered for u32 {
        fn status(&self) -> u16 {
            200
        }
        fn trace_id(&self) -> Option<&str> {
            Some("t-1")
        }
    }

    fn scope(hook: Option<&AttemptHook>) -> CallScope<'_> {
        let meta = <crate::tencent::salesinfo_add::SalesinfoAdd as crate::runtime::Operation>::META;
        CallScope::new(meta, Vendor::Tencent, "v1.3", "/v1.3/salesinfo/add", hook)
    }

    #[tokio::test]
    async fn the_hook_hears_every_attempt_and_what_follows_it() {
        let seen: Arc<Mutex<Vec<Attempt>>> = Arc::default();
        let hook: AttemptHook = {
            let seen = seen.clone();
            Arc::new(move |attempt: &Attempt| seen.lock().unwrap().push(attempt.clone()))
        };
        let policy = RetryPolicy::default().initial_backoff(Duration::from_millis(1));
        let (value, _) = run(&scope(Some(&hook)), &policy, None, |n| async move {
            if n < 3 {
                Err(failing(Retry::Backoff))
            } else {
                Ok(n)
            }
        })
        .await
        .unwrap();
        assert_eq!(value, 3);
        let seen = seen.lock().unwrap();
        let summary: Vec<_> = seen
            .iter()
            .map(|a| (a.number, a.error, a.retry, a.trace_id.as_deref()))
            .collect();
        assert_eq!(
            summary,
            [
                (
                    1,
                    Some(crate::ErrorClass::Transport),
                    Some(Retry::Backoff),
                    None
                ),
                (
                    2,
                    Some(crate::ErrorClass::Transport),
                    Some(Retry::Backoff),
                    None
                ),
                (3, None, None, Some("t-1")),
            ]
        );
        assert_eq!(
            (seen[2].operation, seen[2].version.as_str()),
            ("salesinfo_add", "v1.3")
        );
        let json = serde_json::to_value(&seen[0]).unwrap();
        assert_eq!(json["error"], "transport");
        assert_eq!(json["retry"], "backoff");
        assert!(json["elapsed_ms"].is_number());
    }

    fn failing(retry: Retry) -> Failure {
        Failure {
            error: Box::new(Error::deadline(Vendor::Shopline)),
            retry,
            retry_after: None,
        }
    }

    #[tokio::test]
    async fn loop_stops_at_max_attempts_and_on_never() {
        let policy = RetryPolicy::default()
            .max_attempts(3)
            .initial_backoff(Duration::from_millis(1));
        let mut calls = 0;
        let result: Result<((), u32), Error> = run(&scope(None), &policy, None, |_| {
            calls += 1;
            async { Err(failing(Retry::Backoff)) }
        })
        .await;
        assert!(result.is_err());
        assert_eq!(calls, 3);

        let mut calls = 0;
        let _ = run::<(), _, _>(&scope(None), &policy, None, |_| {
            calls += 1;
            async { Err(failing(Retry::Never)) }
        })
        .await;
        assert_eq!(calls, 1);

        let (value, attempts) = run(&scope(None), &policy, None, |n| async move {
            if n < 3 {
                Err(failing(Retry::Immediately))
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
        let result = run::<(), _, _>(&scope(None), &policy, None, |_| {
            calls += 1;
            async {
                Err(Failure {
                    retry_after: Some(Duration::from_secs(60)),
                    ..failing(Retry::Backoff)
                })
            }
        })
        .await;
        assert!(result.is_err());
        assert_eq!(calls, 1);
        assert!(started.elapsed() < Duration::from_secs(1));

        // An attempt that hangs is cut at the deadline.
        let result = run::<(), _, _>(&scope(None), &policy, None, |_| async {
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
