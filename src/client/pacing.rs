//! Client-side pacing, so a long job stays under the platform's limit instead of living on 429s.
//!
//! Built on governor's GCRA limiter (a leaky bucket, the model Shopline documents). Waiting uses tokio's timer
//! rather than governor's `until_ready`, which would bring its own timer thread.

use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{Quota, RateLimiter};

/// A request rate: one request per `period` on average, with up to `burst` at once after a quiet spell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pace {
    period: Duration,
    burst: NonZeroU32,
}

impl Pace {
    /// `per_second` requests a second on average, `burst` at once. Shopline's documented bucket is `(4, 40)`.
    /// Zeros are taken as 1.
    pub fn per_second(per_second: u32, burst: u32) -> Self {
        Pace::every(Duration::from_secs(1) / per_second.max(1), burst)
    }

    /// `per_minute` requests a minute on average, `burst` at once: Tencent budgets calls per minute.
    pub fn per_minute(per_minute: u32, burst: u32) -> Self {
        Pace::every(Duration::from_secs(60) / per_minute.max(1), burst)
    }

    /// One request every `period` (at least 1 ns), `burst` at once.
    pub fn every(period: Duration, burst: u32) -> Self {
        Pace {
            period: period.max(Duration::from_nanos(1)),
            burst: NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN),
        }
    }

    /// The time between two requests on average.
    pub fn period(&self) -> Duration {
        self.period
    }

    /// The most requests sent at once.
    pub fn burst(&self) -> u32 {
        self.burst.get()
    }

    /// Shopline's leaky bucket is 4 requests a second with a bucket of 40, per app and store. The pace keeps
    /// one request of headroom (a burst of 39): pacing exactly at the limit still met a 429 whenever the
    /// requests of a burst were slowed by opening connections and the next one, on a warm connection, was not.
    pub const SHOPLINE: Pace = Pace {
        period: Duration::from_millis(250),
        burst: nonzero(39),
    };

    /// 1,000 calls a minute (the published default per interface), at most 10 at once.
    pub const TENCENT: Pace = Pace {
        period: Duration::from_millis(60),
        burst: nonzero(10),
    };
}

/// `Option::unwrap` is not `const` on the crate's minimum Rust (1.80).
const fn nonzero(n: u32) -> NonZeroU32 {
    match NonZeroU32::new(n) {
        Some(n) => n,
        None => panic!("zero"),
    }
}

/// The limiter of one client; clones of the client share it.
pub(crate) struct Pacer {
    limiter: RateLimiter<governor::state::NotKeyed, governor::state::InMemoryState, DefaultClock>,
    clock: DefaultClock,
}

impl Pacer {
    pub(crate) fn new(pace: Pace) -> Self {
        let quota = Quota::with_period(pace.period)
            .expect("a pace's period is at least 1 ns")
            .allow_burst(pace.burst);
        let clock = DefaultClock::default();
        Pacer {
            limiter: RateLimiter::direct_with_clock(quota, clock.clone()),
            clock,
        }
    }

    /// Waits until one more request fits the pace, and takes its place.
    pub(crate) async fn acquire(&self) {
        loop {
            match self.limiter.check() {
                Ok(()) => return,
                Err(not_until) => {
                    let wait = not_until.wait_time_from(self.clock.now());
                    tracing::trace!(?wait, "pacing");
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }
}

impl std::fmt::Debug for Pacer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pacer")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn constructors_compute_the_period() {
        assert_eq!(Pace::per_second(4, 39), Pace::SHOPLINE);
        assert_eq!(Pace::per_minute(1000, 10), Pace::TENCENT);
        assert_eq!(Pace::per_second(0, 0).burst(), 1);
        assert_eq!(Pace::per_second(0, 0).period(), Duration::from_secs(1));
    }

    #[tokio::test]
    async fn burst_goes_at_once_then_the_pace_holds() {
        let pacer = Pacer::new(Pace::every(Duration::from_millis(40), 5));
        let started = Instant::now();
        for _ in 0..5 {
            pacer.acquire().await;
        }
        assert!(
            started.elapsed() < Duration::from_millis(15),
            "the burst waited"
        );
        for _ in 0..5 {
            pacer.acquire().await;
        }
        // Five more at one per 40 ms: about 200 ms.
        let elapsed = started.elapsed();
        assert!(elapsed >= Duration::from_millis(160), "{elapsed:?}");
        assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    }
}
