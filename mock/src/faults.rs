//! Faults injected on demand: a FIFO queue of one-shot faults per vendor, then an optional seeded random rate.
//!
//! Clients are judged by how they handle failures, so tests must be able to make the platform fail exactly
//! when they want (the queue) or often and reproducibly (the seeded random rate, for soak tests).

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

/// The platform an endpoint belongs to: salesync's own [`salesync::Vendor`], so that a test names one type.
pub use salesync::Vendor;

/// Each vendor's fault queue, by index.
pub(crate) const fn index(vendor: Vendor) -> usize {
    match vendor {
        Vendor::Shopline => 0,
        Vendor::Tencent => 1,
    }
}

/// What a faulted request gets instead of normal handling.
///
/// A fault hits a request only after it passed authentication (and, for Shopline, the leaky bucket): a request
/// the platform would reject anyway never uses up a fault. Only [`Fault::StoreThenFail`] and [`Fault::Delay`]
/// (a slow success, not a failure) store records.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Answer this HTTP status (429, 500, 503, anything; an invalid code becomes 500) in the vendor's error
    /// format, with `Retry-After` when given: in whole seconds (rounded up), or exactly with
    /// [`MockConfig::with_exact_retry_after`](crate::MockConfig::with_exact_retry_after).
    Status {
        /// The HTTP status code.
        status: u16,
        /// Sent as `Retry-After: <seconds>`.
        retry_after: Option<Duration>,
    },
    /// Wait, then handle the request normally, storing its records if valid: a slow platform, to push a call
    /// past the client's timeout. The records are stored even if the client gave up, as a real server would.
    Delay(Duration),
    /// Close the TCP connection without sending any response.
    DropConnection,
    /// HTTP 200 with a truncated JSON body.
    MalformedJson,
    /// A platform error code. Tencent: HTTP 200 with the `{code, message, message_cn}` envelope. Shopline:
    /// HTTP 400 with `{"errors": message, "code": code, "message": message}`.
    Code {
        /// Platform error code, e.g. 10000 (busy) or 11017 (rate limit per minute).
        code: i64,
        /// Message text; [`Fault::tencent`] fills in the documented one.
        message: String,
    },
    /// Validate and store the records as usual, then fail anyway: the client must redeliver, and the
    /// platform's upsert must absorb the duplicate (at-least-once delivery).
    StoreThenFail(AfterStore),
}

/// A check of the platform that no schema states (a flow the store does not know, a SKU outside the data
/// set): given one batch item of a valid request as JSON, why the platform refuses it, or `None`. Set with
/// [`MockServer::refuse_items`](crate::MockServer::refuse_items).
pub type ItemRule = Arc<dyn Fn(&serde_json::Value) -> Option<String> + Send + Sync>;

/// How a [`Fault::StoreThenFail`] fails after storing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterStore {
    /// Answer this HTTP status in the vendor's error format.
    Status(u16),
    /// Close the connection without a response.
    DropConnection,
}

impl Fault {
    /// An HTTP status without `Retry-After`.
    pub fn status(status: u16) -> Self {
        Fault::Status {
            status,
            retry_after: None,
        }
    }

    /// 429 with an optional `Retry-After`.
    pub fn too_many_requests(retry_after: Option<Duration>) -> Self {
        Fault::Status {
            status: 429,
            retry_after,
        }
    }

    /// A Tencent error code with its documented English message (e.g. 10000, 11017, 12100, 18001).
    pub fn tencent(code: i64) -> Self {
        Fault::Code {
            code,
            message: crate::tencent::describe(code).0.to_owned(),
        }
    }

    /// The platform's bucket refusing a request, as each platform says it: Shopline's 429
    /// `{"errors":"Too many request"}` without `Retry-After`, Tencent's code 11017 (per-minute limit). A
    /// client cannot tell it from the real bucket's answer: a test of adaptive pacing injects it.
    pub fn bucket_limit(vendor: Vendor) -> Self {
        match vendor {
            Vendor::Shopline => Fault::too_many_requests(None),
            Vendor::Tencent => Fault::tencent(11017),
        }
    }

    /// The platform too busy for one request: Tencent's code 10000 ("system busy"); Shopline, whose
    /// failures are HTTP statuses without codes of their own, 500.
    pub fn overloaded(vendor: Vendor) -> Self {
        match vendor {
            Vendor::Shopline => Fault::status(500),
            Vendor::Tencent => Fault::tencent(10000),
        }
    }

    /// The five kinds of trouble a strict imitation of `vendor` answers at random, one of each, for
    /// [`RandomFaults`]: a 429 with `Retry-After: retry_after`; the bucket's own refusal
    /// ([`Fault::bucket_limit`]); a 503; a request held `hang` before it is handled (a timeout for a client
    /// whose attempt timeout is shorter; the records are stored all the same); and a platform code for one
    /// overloaded request ([`Fault::overloaded`]). Leave out the bucket's refusal to have only the faults
    /// that say nothing of the client's rate.
    pub fn mix(vendor: Vendor, retry_after: Duration, hang: Duration) -> Vec<Fault> {
        vec![
            Fault::too_many_requests(Some(retry_after)),
            Fault::bucket_limit(vendor),
            Fault::status(503),
            Fault::Delay(hang),
            Fault::overloaded(vendor),
        ]
    }

    /// Whether this fault stores the request's records (when they are valid).
    pub fn stores(&self) -> bool {
        matches!(self, Fault::Delay(_) | Fault::StoreThenFail(_))
    }
}

/// A random fault rate for soak tests: each request gets, with probability `rate`, a fault drawn from
/// `faults`. The same seed and the same request order give the same faults.
#[derive(Debug, Clone, PartialEq)]
pub struct RandomFaults {
    /// Probability in `0.0..=1.0` that a request is faulted.
    pub rate: f64,
    /// The faults to draw from, uniformly; empty means none.
    pub faults: Vec<Fault>,
    /// Seed of the generator.
    pub seed: u64,
}

impl RandomFaults {
    /// `rate` of requests get one of `faults`, drawn with `seed`.
    pub fn new(rate: f64, faults: Vec<Fault>, seed: u64) -> Self {
        RandomFaults { rate, faults, seed }
    }
}

/// One vendor's pending faults.
#[derive(Debug, Default)]
pub(crate) struct FaultPlan {
    queue: VecDeque<Fault>,
    random: Option<(RandomFaults, SplitMix64)>,
}

impl FaultPlan {
    pub(crate) fn push(&mut self, fault: Fault) {
        self.queue.push_back(fault);
    }

    pub(crate) fn pending(&self) -> usize {
        self.queue.len()
    }

    pub(crate) fn clear(&mut self) {
        self.queue.clear();
    }

    pub(crate) fn set_random(&mut self, random: Option<RandomFaults>) {
        self.random = random.map(|r| {
            let rng = SplitMix64(r.seed);
            (r, rng)
        });
    }

    /// The fault for the next request: the queue first, then the random rate.
    pub(crate) fn next(&mut self) -> Option<Fault> {
        if let Some(fault) = self.queue.pop_front() {
            return Some(fault);
        }
        let (random, rng) = self.random.as_mut()?;
        // `<` rather than `>=` so that a NaN rate faults nothing.
        let hit = rng.unit() < random.rate;
        if !hit || random.faults.is_empty() {
            return None;
        }
        let index = (rng.next() % random.faults.len() as u64) as usize;
        random.faults.get(index).cloned()
    }
}

/// A tiny seeded generator (SplitMix64): reproducible soak tests without a dependency.
#[derive(Debug, Clone)]
pub(crate) struct SplitMix64(pub(crate) u64);

impl SplitMix64 {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A float in `0.0..1.0`.
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_comes_before_random_and_is_fifo() {
        let mut plan = FaultPlan::default();
        plan.set_random(Some(RandomFaults::new(1.0, vec![Fault::MalformedJson], 1)));
        plan.push(Fault::status(500));
        plan.push(Fault::DropConnection);
        assert_eq!(plan.next(), Some(Fault::status(500)));
        assert_eq!(plan.next(), Some(Fault::DropConnection));
        assert_eq!(plan.next(), Some(Fault::MalformedJson));
    }

    #[test]
    fn random_rate_is_reproducible_and_roughly_right() {
        let draw = |seed| {
            let mut plan = FaultPlan::default();
            let faults = vec![Fault::status(500), Fault::status(503)];
            plan.set_random(Some(RandomFaults::new(0.2, faults, seed)));
            (0..1000).map(|_| plan.next()).collect::<Vec<_>>()
        };
        let first = draw(7);
        assert_eq!(first, draw(7));
        let hits = first.iter().filter(|f| f.is_some()).count();
        assert!((150..250).contains(&hits), "{hits}");
    }

    #[test]
    fn the_mix_has_one_fault_of_each_kind_per_vendor() {
        let second = Duration::from_secs(1);
        let shopline = Fault::mix(Vendor::Shopline, second, second);
        assert_eq!(shopline.len(), 5);
        assert!(shopline.contains(&Fault::too_many_requests(None)));
        assert!(shopline.contains(&Fault::too_many_requests(Some(second))));
        let tencent = Fault::mix(Vendor::Tencent, second, second);
        assert!(tencent.contains(&Fault::tencent(11017)));
        assert!(tencent.contains(&Fault::tencent(10000)));
        assert!(tencent.contains(&Fault::Delay(second)));
    }

    #[test]
    fn odd_rates_never_panic() {
        for rate in [f64::NAN, -1.0, 2.0] {
            let mut plan = FaultPlan::default();
            plan.set_random(Some(RandomFaults::new(rate, vec![Fault::MalformedJson], 3)));
            plan.next();
        }
    }
}
