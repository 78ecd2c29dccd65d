//! Client-side pacing, so a long job stays under the platform's limit instead of living on 429s.
//!
//! A GCRA (the leaky bucket Shopline documents), written out because two things need its state: a rate-limit
//! answer slows the whole client at once and the pace recovers gradually as requests succeed (adaptive pacing,
//! as in the AWS SDKs' adaptive retry mode), and the state can be carried to the next process
//! ([`PaceState`]), so a restarted job does not open with a fresh burst into the bucket its predecessor filled.

use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

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

/// A `const` constructor of a non-zero burst.
const fn nonzero(n: u32) -> NonZeroU32 {
    match NonZeroU32::new(n) {
        Some(n) => n,
        None => panic!("zero"),
    }
}

/// Where a pace stands, to carry to another process: when its bucket is empty again (a time in the past
/// means empty) and how much a rate limit had slowed it. Serializes as
/// `{"busy_until_unix_ms": u64, "slowdown": f64}`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PaceState {
    /// Milliseconds since the Unix epoch at which every request sent so far has drained from the bucket.
    pub busy_until_unix_ms: u64,
    /// The factor the period was stretched by after rate-limit answers (1: not slowed).
    pub slowdown: f64,
}

/// How much one rate-limit answer stretches the period, the most it may be stretched, and how much each
/// success gives back: halve the rate at once, regain it over a dozen successes.
const SLOW_DOWN: f64 = 2.0;
const MOST_SLOWDOWN: f64 = 16.0;
const RECOVERY: f64 = 0.94;

/// The limiter of one client; clones of the client share it.
pub(crate) struct Pacer {
    pace: Pace,
    state: Mutex<Gcra>,
}

/// The GCRA's state: the theoretical arrival time of the next request, and the current stretch of the period.
#[derive(Debug, Clone, Copy)]
struct Gcra {
    tat: Instant,
    slowdown: f64,
}

impl Pacer {
    #[cfg(test)]
    pub(crate) fn new(pace: Pace) -> Self {
        Pacer::resumed(pace, None)
    }

    /// A pacer that starts where `state` left off (or empty).
    pub(crate) fn resumed(pace: Pace, state: Option<PaceState>) -> Self {
        let now = Instant::now();
        let (tat, slowdown) = match state {
            Some(state) => {
                let until = UNIX_EPOCH + Duration::from_millis(state.busy_until_unix_ms);
                let left = until
                    .duration_since(SystemTime::now())
                    .unwrap_or(Duration::ZERO);
                (now + left, state.slowdown.clamp(1.0, MOST_SLOWDOWN))
            }
            None => (now, 1.0),
        };
        Pacer {
            pace,
            state: Mutex::new(Gcra { tat, slowdown }),
        }
    }

    fn period(&self, slowdown: f64) -> Duration {
        self.pace.period.mul_f64(slowdown)
    }

    /// How far ahead of now the bucket may run: `burst - 1` periods.
    fn tolerance(&self, slowdown: f64) -> Duration {
        self.period(slowdown) * (self.pace.burst.get() - 1)
    }

    /// Takes a place now, or says how long to wait for one.
    fn try_acquire(&self, now: Instant) -> Result<(), Duration> {
        let mut state = lock(&self.state);
        let tat = state.tat.max(now);
        let earliest = tat
            .checked_sub(self.tolerance(state.slowdown))
            .unwrap_or(now);
        if earliest > now {
            return Err(earliest - now);
        }
        state.tat = tat + self.period(state.slowdown);
        Ok(())
    }

    /// Waits until one more request fits the pace, and takes its place.
    pub(crate) async fn acquire(&self) {
        loop {
            match self.try_acquire(Instant::now()) {
                Ok(()) => return,
                Err(wait) => {
                    tracing::trace!(?wait, "pacing");
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    /// The platform said "too many requests": its bucket is full. Stretch the period and count the bucket as
    /// full, so that every request of the client waits, not only the one that was refused.
    pub(crate) fn throttled(&self) {
        let mut state = lock(&self.state);
        state.slowdown = (state.slowdown * SLOW_DOWN).min(MOST_SLOWDOWN);
        let full = Instant::now() + self.tolerance(state.slowdown) + self.period(state.slowdown);
        state.tat = state.tat.max(full);
        tracing::debug!(
            slowdown = state.slowdown,
            "rate limited: slowing the client down"
        );
    }

    /// A request got through: give back some of the rate a rate limit took.
    pub(crate) fn succeeded(&self) {
        let mut state = lock(&self.state);
        if state.slowdown > 1.0 {
            state.slowdown = (state.slowdown * RECOVERY).max(1.0);
        }
    }

    /// The state to carry to another process.
    pub(crate) fn state(&self) -> PaceState {
        let state = *lock(&self.state);
        let left = state.tat.saturating_duration_since(Instant::now());
        let until = SystemTime::now() + left;
        let millis = until
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_millis());
        PaceState {
            busy_until_unix_ms: u64::try_from(millis).unwrap_or(u64::MAX),
            slowdown: state.slowdown,
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl std::fmt::Debug for Pacer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pacer")
            .field("pace", &self.pace)
            .field("state", &self.state())
            .finish()
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

    #[test]
    fn a_rate_limit_slows_every_request_and_successes_give_it_back() {
        let pacer = Pacer::new(Pace::every(Duration::from_millis(10), 4));
        let now = Instant::now();
        for _ in 0..4 {
            assert_eq!(pacer.try_acquire(now), Ok(()));
        }
        pacer.throttled();
        // The bucket counts as full at twice the period: the next place is 20 ms away at least.
        let wait = pacer.try_acquire(Instant::now()).unwrap_err();
        assert!(wait >= Duration::from_millis(15), "{wait:?}");
        assert_eq!(pacer.state().slowdown, 2.0);
        for _ in 0..12 {
            pacer.succeeded();
        }
        assert_eq!(pacer.state().slowdown, 1.0);
        for _ in 0..10 {
            pacer.throttled();
        }
        assert_eq!(pacer.state().slowdown, MOST_SLOWDOWN);
    }

    #[test]
    fn the_state_carries_the_bucket_to_another_pacer() {
        let pace = Pace::every(Duration::from_millis(250), 40);
        let first = Pacer::new(pace);
        let now = Instant::now();
        for _ in 0..40 {
            assert_eq!(first.try_acquire(now), Ok(()));
        }
        let state = first.state();
        let json = serde_json::to_value(state).unwrap();
        assert!(json["busy_until_unix_ms"].as_u64().unwrap() > 0);
        // A new process with the state waits as the first would have; without it, it bursts again.
        let resumed = Pacer::resumed(pace, Some(state));
        assert!(resumed.try_acquire(Instant::now()).is_err());
        let fresh = Pacer::resumed(pace, None);
        assert_eq!(fresh.try_acquire(Instant::now()), Ok(()));
        // A state from long ago is an empty bucket.
        let old = PaceState {
            busy_until_unix_ms: 1_000,
            slowdown: 1.0,
        };
        assert_eq!(
            Pacer::resumed(pace, Some(old)).try_acquire(Instant::now()),
            Ok(())
        );
    }
}
