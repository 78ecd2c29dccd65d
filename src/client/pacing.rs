//! Client-side pacing, so a long job stays under the platform's limit instead of living on 429s.
//!
//! A GCRA (the leaky bucket Shopline documents), written out because two things need its state: a bucket rate
//! limit (Shopline's 429 without `Retry-After`, a Tencent rate-limit code) slows the whole client at once and
//! the pace regains the documented rate after a fixed number of successes (adaptive pacing, as in the AWS
//! SDKs' adaptive retry mode, with a bounded recovery), and the state can be carried to the next process
//! ([`PaceState`]), so a restarted job does not open with a fresh burst into the bucket its predecessor filled.
//!
//! Only bucket rate limits move the pace. A 429 with `Retry-After` is the platform saying "this request, not
//! before then": the retry loop waits that long for that request, and the others keep the pace. 5xx answers,
//! timeouts and busy codes say nothing about the rate: they are retried with backoff, the pace untouched.

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

/// Where a pace stands, to carry to another process: when the platform's bucket is empty again of every request
/// sent so far (a time in the past means empty) and how much bucket rate limits had slowed the pace. Serializes
/// as `{"busy_until_unix_ms": u64, "slowdown": f64}`.
///
/// `busy_until_unix_ms` is reckoned at the documented rate, whatever the slowdown (the platform drains its
/// bucket at its own rate), so it is never more than one bucket drain (`burst × period`) after the moment the
/// state was taken: a state whose time has passed is [stale](PaceState::is_stale), and a pace resumed from it
/// starts afresh.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PaceState {
    /// Milliseconds since the Unix epoch at which every request sent so far has drained from the bucket.
    pub busy_until_unix_ms: u64,
    /// The factor the period was stretched by after bucket rate limits (1: not slowed).
    pub slowdown: f64,
}

impl PaceState {
    /// Whether the bucket this state describes had drained by `now`. A stale state tells nothing about the
    /// platform any more: a pace resumed from it starts with an empty bucket at the documented rate, and its
    /// slowdown is dropped (it was learnt of a bucket that has emptied since).
    pub fn is_stale(&self, now: SystemTime) -> bool {
        self.busy_until().is_none_or(|until| until <= now)
    }

    /// `busy_until_unix_ms` as a time; `None` past what the platform's clock can hold (no real state).
    fn busy_until(&self) -> Option<SystemTime> {
        UNIX_EPOCH.checked_add(Duration::from_millis(self.busy_until_unix_ms))
    }
}

/// How much one bucket rate limit stretches the period, the most it may be stretched, and how many successes
/// give it all back. The rate is multiplied by 0.7 at once (the AWS SDKs' adaptive mode's factor; halving it
/// cost up to a third more time when refusals came close together). The stretch falls linearly, so the
/// documented rate is back after exactly four requests get through, however slowed the pace was; eight cost
/// more than a small bucket such as Tencent's (10) lets the pace make up afterwards.
const SLOW_DOWN: f64 = 1.0 / 0.7;
const MOST_SLOWDOWN: f64 = 16.0;
const RECOVERY_SUCCESSES: u32 = 4;

/// The longest wait the pacer computes: far enough to mean "not now", near enough that no `Instant` overflows
/// whatever `Pace` a caller builds.
const FAR: Duration = Duration::from_secs(365 * 24 * 3600);

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
///
/// Two constraints, kept apart so that neither distorts the other: the platform's bucket as documented (a GCRA
/// at the documented period, never stretched: the platform drains at its own rate), and, while a bucket rate
/// limit has slowed the pace, a spacing of the stretched period between two requests. Stretching the bucket's
/// own period instead would move its theoretical arrival time by the stretch and then, as the stretch is given
/// back, leave the pace waiting for a bucket that has long drained.
pub(crate) struct Pacer {
    pace: Pace,
    state: Mutex<Gcra>,
    hook: OnPace,
}

/// The pacer's state.
#[derive(Debug, Clone, Copy)]
struct Gcra {
    /// The theoretical arrival time of the next request at the documented period: the platform's bucket.
    tat: Instant,
    /// No place before this: the last place plus the stretched period while slowed, else the last place.
    spaced_until: Instant,
    slow: Slowdown,
    /// The last overload, while the requests in flight with it may still confirm or refute it.
    overload: Option<Overload>,
}

/// What the requests sent together with a refused one say of the bucket.
///
/// A full bucket refuses every request that reaches it until it has drained a place. So a second refusal of a
/// request sent before the stretch (the rest of a burst in flight) confirms the overload, and the bucket is
/// counted full; but a request sent after the first refused one and before the stretch that got through says
/// the bucket had room: the refusals were of those requests (a glitch, a proxy, a fault a test injects), not
/// the bucket's, and counting it full would throw away what it still holds, up to a whole burst.
#[derive(Debug, Clone, Copy)]
struct Overload {
    /// When the refused request that opened it was sent.
    first_sent: Instant,
    /// A request sent after it and before the stretch got through.
    refuted: bool,
    /// How far confirming refusals moved the bucket's arrival time: undone if a refutation comes after them.
    moved: Duration,
}

/// The stretch of the period after bucket rate limits, and how it is given back.
#[derive(Debug, Clone, Copy)]
struct Slowdown {
    /// The stretch right after the last bucket rate limit (1: none).
    peak: f64,
    /// Successes still to come before the stretch is all given back; it falls linearly from `peak` to 1.
    left: u32,
    /// When it was last stretched: answers to requests sent before then tell of the same overload (the rest
    /// of a burst in flight) and neither stretch it again nor count toward giving it back.
    at: Option<Instant>,
}

impl Slowdown {
    const NONE: Slowdown = Slowdown {
        peak: 1.0,
        left: 0,
        at: None,
    };

    /// A stretch carried from another process, given back over the same number of successes. Not a number
    /// is no stretch (no `PaceState` a caller builds can make the pacer panic).
    fn carried(factor: f64) -> Self {
        let peak = if factor.is_nan() {
            1.0
        } else {
            factor.clamp(1.0, MOST_SLOWDOWN)
        };
        if peak > 1.0 {
            Slowdown {
                peak,
                left: RECOVERY_SUCCESSES,
                at: None,
            }
        } else {
            Slowdown::NONE
        }
    }

    /// The factor the period is stretched by now.
    fn factor(&self) -> f64 {
        1.0 + (self.peak - 1.0) * f64::from(self.left) / f64::from(RECOVERY_SUCCESSES)
    }

    /// Whether an answer to a request sent at `sent` is news: sent after the last stretch.
    fn is_news(&self, sent: Instant) -> bool {
        self.at.is_none_or(|at| sent >= at)
    }
}

impl Pacer {
    #[cfg(test)]
    pub(crate) fn new(pace: Pace) -> Self {
        Pacer::resumed(pace, None, OnPace::default())
    }

    /// A pacer that starts where `state` left off (or empty). A stale state (its bucket drained by now) is no
    /// state: neither its bucket nor its slowdown says anything about the platform any more. A fresh one gives
    /// its bucket (at most a full one) and its slowdown, which is given back over the usual successes.
    pub(crate) fn resumed(pace: Pace, state: Option<PaceState>, hook: OnPace) -> Self {
        let now = Instant::now();
        let wall = SystemTime::now();
        let (tat, slow) = match state.filter(|state| !state.is_stale(wall)) {
            Some(state) => {
                // Never more than a full bucket: no real state is further ahead, and a file written by hand,
                // a clock set back or another pace must not make a new process wait longer than a drain.
                let left = state
                    .busy_until()
                    .and_then(|until| until.duration_since(wall).ok())
                    .unwrap_or_default();
                let full = pace.period.saturating_mul(pace.burst.get());
                (
                    later(now, left.min(full)),
                    Slowdown::carried(state.slowdown),
                )
            }
            None => (now, Slowdown::NONE),
        };
        Pacer {
            pace,
            state: Mutex::new(Gcra {
                tat,
                spaced_until: now,
                slow,
                overload: None,
            }),
            hook,
        }
    }

    /// The period stretched by `factor`.
    fn stretched(&self, factor: f64) -> Duration {
        Duration::try_from_secs_f64(self.pace.period.as_secs_f64() * factor)
            .unwrap_or(FAR)
            .min(FAR)
    }

    /// How far ahead of now the bucket may run: `burst - 1` documented periods.
    fn tolerance(&self) -> Duration {
        self.pace
            .period
            .saturating_mul(self.pace.burst.get() - 1)
            .min(FAR)
    }

    /// Takes a place now, or says how long to wait for one.
    fn try_acquire(&self, now: Instant) -> Result<(), Duration> {
        let mut state = lock(&self.state);
        let tat = state.tat.max(now);
        let by_bucket = tat.checked_sub(self.tolerance()).unwrap_or(now);
        let earliest = by_bucket.max(state.spaced_until);
        if earliest > now {
            return Err(earliest - now);
        }
        state.tat = later(tat, self.pace.period);
        let factor = state.slow.factor();
        state.spaced_until = if factor > 1.0 {
            later(now, self.stretched(factor))
        } else {
            now
        };
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

    /// The platform's bucket refused a request `sent` then (Shopline's 429 without `Retry-After`, a Tencent
    /// rate-limit code): the client is over the rate, as far as the platform can tell. Stretch the period at
    /// once, so that every request of the client waits, not only the refused one, and no burst goes while it
    /// is stretched; once per overload: a refusal of a request sent before the last stretch (the rest of a
    /// burst in flight) does not stretch it again, but confirms the overload, unless a request in flight
    /// with them got through ([`Overload`]): the bucket is full (something else fills it too, or it drains
    /// slower than documented), and is counted so. One refusal alone never counts the bucket full.
    pub(crate) fn throttled(&self, sent: Instant) {
        self.throttle(sent, Instant::now());
        self.tell();
    }

    /// [`throttled`](Self::throttled) with the answer heard at `now`.
    fn throttle(&self, sent: Instant, now: Instant) {
        let mut state = lock(&self.state);
        if state.slow.is_news(sent) {
            let peak = (state.slow.factor() * SLOW_DOWN).min(MOST_SLOWDOWN);
            state.slow = Slowdown {
                peak,
                left: RECOVERY_SUCCESSES,
                at: Some(now),
            };
            state.overload = Some(Overload {
                first_sent: sent,
                refuted: false,
                moved: Duration::ZERO,
            });
        } else {
            self.confirm(&mut state, now);
        }
        let spaced = later(now, self.stretched(state.slow.factor()));
        state.spaced_until = state.spaced_until.max(spaced);
        tracing::debug!(
            slowdown = state.slow.factor(),
            "bucket rate limit: slowing the client down"
        );
    }

    /// A second refusal of the overload: the bucket is counted full, unless a request got through meanwhile.
    fn confirm(&self, state: &mut Gcra, now: Instant) {
        if state.overload.is_some_and(|overload| overload.refuted) {
            return;
        }
        let full = later(now, self.tolerance().saturating_add(self.pace.period));
        let before = state.tat;
        state.tat = state.tat.max(full);
        if let Some(overload) = &mut state.overload {
            let moved = state.tat.saturating_duration_since(before);
            overload.moved = overload.moved.saturating_add(moved);
        }
    }

    /// Gives the hook, if any, the state as it is now (outside the lock: the hook may take its time).
    fn tell(&self) {
        if let Some(hook) = &self.hook.0 {
            hook(self.state());
        }
    }

    /// A request `sent` then got through: give back one step of the stretch, if it was sent since the last
    /// one (a request of the overload itself proves nothing about the slowed pace); if it was in flight with
    /// the refusals of the last overload, it refutes them ([`Overload`]).
    pub(crate) fn succeeded(&self, sent: Instant) {
        let mut state = lock(&self.state);
        Self::refute(&mut state, sent);
        if state.slow.left > 0 && state.slow.is_news(sent) {
            state.slow.left -= 1;
        }
    }

    /// A request `sent` after the first refused one and before the stretch got through: the bucket had room,
    /// so the refusals were not the bucket's; what counting it full moved is undone.
    fn refute(state: &mut Gcra, sent: Instant) {
        let Some(stretched_at) = state.slow.at else {
            return;
        };
        let Some(overload) = &mut state.overload else {
            return;
        };
        if overload.refuted || sent <= overload.first_sent || sent >= stretched_at {
            return;
        }
        overload.refuted = true;
        let moved = std::mem::take(&mut overload.moved);
        state.tat = state.tat.checked_sub(moved).unwrap_or(state.tat);
    }

    /// The state to carry to another process.
    pub(crate) fn state(&self) -> PaceState {
        let state = *lock(&self.state);
        let left = state.tat.saturating_duration_since(Instant::now());
        let now = SystemTime::now();
        let until = now.checked_add(left).unwrap_or(now);
        let millis = until
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.as_millis());
        PaceState {
            busy_until_unix_ms: u64::try_from(millis).unwrap_or(u64::MAX),
            slowdown: state.slow.factor(),
        }
    }
}

/// `wait` after `at`, never overflowing: a wait past [`FAR`] is cut to it.
fn later(at: Instant, wait: Duration) -> Instant {
    at.checked_add(wait.min(FAR)).unwrap_or(at)
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

    const MS: Duration = Duration::from_millis(1);

    /// `period` stretched once, as the pacer computes it.
    fn stretched(period: Duration) -> Duration {
        Duration::from_secs_f64(period.as_secs_f64() * SLOW_DOWN)
    }

    /// Sends `count` requests as fast as the pacer lets them from `now`, each succeeding at once, on a
    /// simulated clock; gives the clock after the last one.
    fn run(pacer: &Pacer, mut now: Instant, count: usize) -> Instant {
        for _ in 0..count {
            while let Err(wait) = pacer.try_acquire(now) {
                now += wait;
            }
            pacer.succeeded(now);
        }
        now
    }

    #[test]
    fn a_bucket_limit_slows_every_request_and_a_bounded_number_of_successes_gives_it_back() {
        let pacer = Pacer::new(Pace::every(10 * MS, 4));
        let t0 = Instant::now();
        for _ in 0..4 {
            assert_eq!(pacer.try_acquire(t0), Ok(()));
        }
        pacer.throttle(t0, t0 + MS);
        // The period stretched at once, for every request: the next place is a stretched period after the
        // answer.
        assert_eq!(pacer.try_acquire(t0 + MS), Err(stretched(10 * MS)));
        assert_eq!(pacer.state().slowdown, SLOW_DOWN);
        // The rest of the burst, sent before the slowdown, is refused too: the same overload, no new stretch;
        // and its successes prove nothing about the slowed pace.
        for _ in 0..3 {
            pacer.throttle(t0, t0 + 2 * MS);
            pacer.succeeded(t0);
        }
        assert_eq!(pacer.state().slowdown, SLOW_DOWN);
        // Successes of requests sent since give the stretch back linearly, all of it after exactly
        // RECOVERY_SUCCESSES of them.
        let since = t0 + 20 * MS;
        for _ in 0..RECOVERY_SUCCESSES / 2 {
            pacer.succeeded(since);
        }
        assert_eq!(pacer.state().slowdown, 1.0 + (SLOW_DOWN - 1.0) / 2.0);
        for _ in 0..RECOVERY_SUCCESSES / 2 {
            pacer.succeeded(since);
        }
        assert_eq!(pacer.state().slowdown, 1.0);
        // Requests sent after each slowdown and refused all the same: each stretches it, up to the most; and
        // the way back from the most is as long as from any other stretch.
        let mut now = t0;
        for _ in 0..10 {
            now += MS;
            pacer.throttle(now, now);
        }
        assert_eq!(pacer.state().slowdown, MOST_SLOWDOWN);
        for _ in 0..RECOVERY_SUCCESSES {
            pacer.succeeded(now);
        }
        assert_eq!(pacer.state().slowdown, 1.0);
    }

    #[test]
    fn one_refusal_holds_the_burst_back_and_a_second_of_one_overload_counts_the_bucket_full() {
        let pace = Pace::every(10 * MS, 40);
        // One refusal among the first requests of a burst: the period is stretched and no burst goes while
        // it is given back, but what our own requests put in the bucket is all it is counted to hold: once
        // the pace is back, it bursts again (here the whole bucket, drained meanwhile).
        let pacer = Pacer::new(pace);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(pacer.try_acquire(t0), Ok(()));
        }
        pacer.throttle(t0, t0 + MS);
        assert_eq!(
            pacer.try_acquire(t0 + MS),
            Err(stretched(10 * MS)),
            "no burst"
        );
        let back = run(&pacer, t0 + MS, RECOVERY_SUCCESSES as usize) + 20 * MS;
        assert_eq!(pacer.state().slowdown, 1.0);
        let at_once = (0..50).take_while(|_| pacer.try_acquire(back).is_ok());
        assert_eq!(at_once.count(), 40);

        // A second refusal of a request sent with the first (before the stretch) confirms the overload:
        // the bucket is counted full, and the pace, back at the documented rate, has no burst to send.
        let pacer = Pacer::new(pace);
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(pacer.try_acquire(t0), Ok(()));
        }
        pacer.throttle(t0, t0 + MS);
        pacer.throttle(t0 + MS / 2, t0 + MS);
        assert_eq!(
            pacer.state().slowdown,
            SLOW_DOWN,
            "one stretch per overload"
        );
        let back = run(&pacer, t0 + MS, RECOVERY_SUCCESSES as usize) + 20 * MS;
        let at_once = (0..50).take_while(|_| pacer.try_acquire(back).is_ok());
        assert!(at_once.count() < 10);
    }

    #[test]
    fn a_request_in_flight_with_the_refused_ones_that_got_through_refutes_the_overload() {
        let pace = Pace::every(10 * MS, 40);
        // Refused, got through, refused: all three sent together, before the first refusal was heard. A full
        // bucket would have refused the second too: it had room, and is not counted full, whichever of the
        // answers comes first.
        for success_first in [true, false] {
            let pacer = Pacer::new(pace);
            let t0 = Instant::now();
            for _ in 0..3 {
                assert_eq!(pacer.try_acquire(t0), Ok(()));
            }
            pacer.throttle(t0, t0 + 2 * MS);
            if success_first {
                pacer.succeeded(t0 + MS / 2);
                pacer.throttle(t0 + MS, t0 + 2 * MS);
            } else {
                pacer.throttle(t0 + MS, t0 + 2 * MS);
                pacer.succeeded(t0 + MS / 2);
            }
            let back = run(&pacer, t0 + 2 * MS, RECOVERY_SUCCESSES as usize) + 20 * MS;
            let at_once = (0..50).take_while(|_| pacer.try_acquire(back).is_ok());
            assert_eq!(at_once.count(), 40, "success first: {success_first}");
        }
        // A success of a request sent before the refused one, or after the stretch, says nothing of it.
        let pacer = Pacer::new(pace);
        let t0 = Instant::now() + MS;
        for _ in 0..3 {
            assert_eq!(pacer.try_acquire(t0), Ok(()));
        }
        pacer.throttle(t0, t0 + 2 * MS);
        pacer.succeeded(t0 - MS / 2);
        pacer.succeeded(t0 + 3 * MS);
        pacer.throttle(t0 + MS, t0 + 3 * MS);
        let back = run(&pacer, t0 + 3 * MS, RECOVERY_SUCCESSES as usize) + 20 * MS;
        let at_once = (0..50).take_while(|_| pacer.try_acquire(back).is_ok());
        assert!(at_once.count() < 10);
    }

    #[test]
    fn giving_the_stretch_back_never_lengthens_a_wait() {
        // A full bucket of 40 at 10 ms, then a confirmed overload. The old pacer stretched the bucket's own
        // period, so that giving the stretch back shrank its tolerance under a theoretical arrival time
        // reckoned at the stretched period, and the pace stalled for about half a drain.
        let pace = Pace::every(10 * MS, 40);
        let pacer = Pacer::new(pace);
        let t0 = Instant::now();
        for _ in 0..40 {
            assert_eq!(pacer.try_acquire(t0), Ok(()));
        }
        pacer.throttle(t0, t0 + MS);
        pacer.throttle(t0, t0 + MS);
        let done = run(&pacer, t0, 50);
        // Fifty more requests take what fifty take from a bucket full when the refusal was heard (1 ms after
        // the burst) at the documented pace, one per period:
        // the first few are spaced wider while the stretch is given back, and the bucket drains meanwhile, so
        // the next ones catch up.
        assert_eq!(done - t0, 501 * MS);
        assert_eq!(pacer.state().slowdown, 1.0);
        // Back at the documented pace: one request per period.
        let next = run(&pacer, done, 10);
        assert_eq!(next - done, 100 * MS);
    }

    #[test]
    fn the_state_carries_the_bucket_to_another_pacer_while_it_is_fresh() {
        let pace = Pace::every(Duration::from_millis(250), 40);
        let first = Pacer::new(pace);
        let now = Instant::now();
        for _ in 0..40 {
            assert_eq!(first.try_acquire(now), Ok(()));
        }
        let state = first.state();
        assert!(!state.is_stale(SystemTime::now()));
        let json = serde_json::to_value(state).unwrap();
        assert!(json["busy_until_unix_ms"].as_u64().unwrap() > 0);
        // A new process with the state waits as the first would have; without it, it bursts again.
        let resumed = Pacer::resumed(pace, Some(state), OnPace::default());
        assert!(resumed.try_acquire(Instant::now()).is_err());
        let fresh = Pacer::resumed(pace, None, OnPace::default());
        assert_eq!(fresh.try_acquire(Instant::now()), Ok(()));
    }

    #[test]
    fn a_stale_state_does_not_slow_a_new_pacer() {
        let pace = Pace::every(Duration::from_millis(250), 40);
        // Written long ago, slowed: its bucket has drained since, and its slowdown is dropped with it.
        let old = PaceState {
            busy_until_unix_ms: 1_000,
            slowdown: 8.0,
        };
        assert!(old.is_stale(SystemTime::now()));
        let resumed = Pacer::resumed(pace, Some(old), OnPace::default());
        assert_eq!(resumed.state().slowdown, 1.0);
        let now = Instant::now();
        for _ in 0..40 {
            assert_eq!(resumed.try_acquire(now), Ok(()), "a burst of 40 at once");
        }
        // A state is never more than one drain ahead when it is taken, so one older than a drain is stale.
        let full = Pacer::new(pace);
        let now = Instant::now();
        for _ in 0..40 {
            assert_eq!(full.try_acquire(now), Ok(()));
        }
        full.throttle(now, now);
        let state = full.state();
        let drain = pace.period() * pace.burst();
        assert!(!state.is_stale(SystemTime::now()));
        assert!(state.is_stale(SystemTime::now() + drain + Duration::from_millis(20)));
    }

    #[test]
    fn a_fresh_slowed_state_is_carried_and_given_back_like_any_other() {
        let pace = Pace::every(10 * MS, 4);
        let busy = SystemTime::now() + Duration::from_secs(5);
        let state = PaceState {
            busy_until_unix_ms: busy.duration_since(UNIX_EPOCH).unwrap().as_millis() as u64,
            slowdown: 3.0,
        };
        let resumed = Pacer::resumed(pace, Some(state), OnPace::default());
        assert_eq!(resumed.state().slowdown, 3.0);
        // At most a full bucket ahead (40 ms here), whatever the state says (5 s).
        let now = Instant::now();
        let wait = resumed.try_acquire(now).unwrap_err();
        assert!(wait <= 40 * MS, "{wait:?}");
        let start = now + wait;
        run(&resumed, start, RECOVERY_SUCCESSES as usize);
        assert_eq!(resumed.state().slowdown, 1.0);
    }

    #[test]
    fn no_state_or_pace_makes_the_pacer_panic() {
        let states = [
            (u64::MAX, f64::NAN),
            (u64::MAX, f64::INFINITY),
            (0, f64::NEG_INFINITY),
            (u64::MAX / 2, -3.0),
        ];
        for (busy_until_unix_ms, slowdown) in states {
            for pace in [
                Pace::every(Duration::MAX, u32::MAX),
                Pace::every(Duration::ZERO, 0),
            ] {
                let state = PaceState {
                    busy_until_unix_ms,
                    slowdown,
                };
                let pacer = Pacer::resumed(pace, Some(state), OnPace::default());
                let now = Instant::now();
                let _ = pacer.try_acquire(now);
                pacer.throttle(now, now);
                pacer.throttle(now + MS, now + MS);
                let _ = pacer.try_acquire(now);
                pacer.succeeded(now);
                let state = pacer.state();
                assert!((1.0..=MOST_SLOWDOWN).contains(&state.slowdown), "{state:?}");
            }
        }
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
        assert_eq!((lock(&heard).len(), last.slowdown), (4, SLOW_DOWN));
        // A restart from the last state heard waits: the bucket is full of the three requests.
        let resumed = Pacer::resumed(
            Pace::every(Duration::from_millis(100), 3),
            Some(last),
            OnPace::default(),
        );
        assert!(resumed.try_acquire(Instant::now()).is_err());
    }
}
