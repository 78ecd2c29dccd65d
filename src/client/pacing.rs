//! Client-side pacing, so a long job stays under the platform's limit instead of living on 429s.
//!
//! A GCRA (the leaky bucket Shopline documents), written out because two things need its state: a rate-limit
//! answer slows the whole client at once and the pace recovers gradually as requests succeed (adaptive pacing,
//! as in the AWS SDKs' adaptive retry mode), and the state can be carried to the next process
//! ([`PaceState`]), so a restarted job does not open with a fresh burst into the bucket its predecessor filled.

use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
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

/// Hears of every change of the pace, before the request that made it is sent (`ClientBuilder::on_pace`).
pub(crate) type PaceHook = Arc<dyn Fn(PaceState) + Send + Sync>;

/// The hook, if one is set; `Debug` only says whether.
#[derive(Clone, Default)]
pub(crate) struct OnPace(pub Option<PaceHook>);

impl std::fmt::Debug for OnPace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Some(<hook>)"
        } else {
            "None"
        })
    }
}

/// The limiter of one client; clones of the client share it.
pub(crate) struct Pacer {
    pace: Pace,
    state: Mutex<Gcra>,
    hook: OnPace,
}

/// The GCRA's state: the theoretical arrival time of the next request, and the current stretch of the period.
#[derive(Debug, Clone, Copy)]
struct Gcra {
    tat: Instant,
    slowdown: f64,
    /// When a rate limit last stretched the period: the answers to requests sent before then tell of the
    /// same overload, and do not stretch it again.
    slowed_at: Option<Instant>,
}

impl Pacer {
    #[cfg(test)]
    pub(crate) fn new(pace: Pace) -> Self {
        Pacer::resumed(pace, None, OnPace::default())
    }

    /// A pacer that starts where `state` left off (or empty).
    pub(crate) fn resumed(pace: Pace, state: Option<PaceState>, hook: OnPace) -> Self {
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
            state: Mutex::new(Gcra {
                tat,
                slowdown,
                slowed_at: None,
            }),
            hook,
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
                Ok(()) => return self.tell(),
                Err(wait) => {
                    tracing::trace!(?wait, "pacing");
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    /// The platform said "too many requests" to a request `sent` then: its bucket is full. Count the bucket as
    /// full, so that every request of the client waits, not only the one that was refused, and stretch the
    /// period, once per overload: the answers to requests sent before the last stretch (the rest of a burst
    /// in flight) do not stretch it again.
    pub(crate) fn throttled(&self, sent: Instant) {
        {
            let mut state = lock(&self.state);
            let now = Instant::now();
            if state.slowed_at.is_none_or(|at| sent >= at) {
                state.slowdown = (state.slowdown * SLOW_DOWN).min(MOST_SLOWDOWN);
                state.slowed_at = Some(now);
            }
            let full = now + self.tolerance(state.slowdown) + self.period(state.slowdown);
            state.tat = state.tat.max(full);
            tracing::debug!(
                slowdown = state.slowdown,
                "rate limited: slowing the client down"
            );
        }
        self.tell();
    }

    /// Gives the hook, if any, the state as it is now (outside the lock: the hook may take its time).
    fn tell(&self) {
        if let Some(hook) = &self.hook.0 {
            hook(self.state());
        }
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
        pacer.throttled(now);
        // The bucket counts as full at twice the period: the next place is 20 ms away at least.
        let wait = pacer.try_acquire(Instant::now()).unwrap_err();
        assert!(wait >= Duration::from_millis(15), "{wait:?}");
        assert_eq!(pacer.state().slowdown, 2.0);
        // The rest of the burst, sent before the slowdown, is refused too: the same overload, no new stretch.
        for _ in 0..3 {
            pacer.throttled(now);
        }
        assert_eq!(pacer.state().slowdown, 2.0);
        for _ in 0..12 {
            pacer.succeeded();
        }
        assert_eq!(pacer.state().slowdown, 1.0);
        // Requests sent after each slowdown and refused all the same: each stretches it, up to the most.
        for _ in 0..10 {
            pacer.throttled(Instant::now());
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
        let resumed = Pacer::resumed(pace, Some(state), OnPace::default());
        assert!(resumed.try_acquire(Instant::now()).is_err());
        let fresh = Pacer::resumed(pace, None, OnPace::default());
        assert_eq!(fresh.try_acquire(Instant::now()), Ok(()));
        // A state from long ago is an empty bucket.
        let old = PaceState {
            busy_until_unix_ms: 1_000,
            slowdown: 1.0,
        };
        assert_eq!(
            Pacer::resumed(pace, Some(old), OnPace::default()).try_acquire(Instant::now()),
            Ok(())
        );
    }

    #[tokio::test]
    async fn the_hook_hears_of_each_place_taken_before_it_is_used() {
        let heard = Arc::new(Mutex::new(Vec::new()));
        let hook = OnPace(Some(Arc::new({
            let heard = heard.clone();
            move |state: PaceState| lock(&heard).push(state)
        })));
        let pacer = Pacer::resumed(Pace::every(Duration::from_millis(100), 3), None, hook);
        for n in 1..=3 {
            pacer.acquire().await;
            // Heard before acquire returned (before the request goes out), each later than the last.
            let heard = lock(&heard);
            assert_eq!(heard.len(), n);
            assert!(n == 1 || heard[n - 1].busy_until_unix_ms > heard[n - 2].busy_until_unix_ms);
        }
        pacer.throttled(Instant::now());
        let last = *lock(&heard).last().unwrap();
        assert_eq!((lock(&heard).len(), last.slowdown), (4, 2.0));
        // A restart from the last state heard waits: the bucket counts as full.
        let resumed = Pacer::resumed(
            Pace::every(Duration::from_millis(100), 3),
            Some(last),
            OnPace::default(),
        );
        assert!(resumed.try_acquire(Instant::now()).is_err());
    }
}
