//! Shopline's leaky bucket: per app and store, requests fill a bucket that drains at a fixed rate; a request
//! that would overflow it is refused with 429. Clients are meant to pace themselves under it.

use std::collections::HashMap;
use std::hash::Hash;
use std::time::Instant;

/// The leaky bucket's size and drain rate. The platform's documented default is 4 requests/s, bucket 40.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    /// Requests drained per second.
    pub per_second: f64,
    /// Requests the bucket holds: the largest burst admitted at once.
    pub burst: u32,
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit {
            per_second: 4.0,
            burst: 40,
        }
    }
}

/// Which store a bucket belongs to: the platform keeps one bucket per app per store, and names the store by
/// its host. The route without a store in its path names it by the body's `store_id`; `/stores/{handle}/...`
/// by the handle, so two handles never share a bucket whatever their bodies say.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Shop {
    /// The body's `store_id` (the route without `/stores/{handle}`).
    StoreId(String),
    /// A registered store's handle.
    Handle(String),
}

/// One bucket per key: the app (`app_key`, or the token when the body has none) and its store.
#[derive(Debug)]
pub(crate) struct Buckets<K = (String, Shop)> {
    limit: RateLimit,
    /// Created on a key's first request: a registered store that never calls costs nothing here.
    levels: HashMap<K, (f64, Instant)>,
}

impl<K: Hash + Eq> Buckets<K> {
    pub(crate) fn new(limit: RateLimit) -> Self {
        Buckets {
            limit,
            levels: HashMap::new(),
        }
    }

    /// Requests drained per second; an odd rate (negative, not a number, infinite) drains nothing.
    fn rate(&self) -> f64 {
        if self.limit.per_second.is_finite() {
            self.limit.per_second.max(0.0)
        } else {
            0.0
        }
    }

    /// How many requests `key`'s bucket holds at `now` (0 for a bucket never used).
    pub(crate) fn level(&self, key: &K, now: Instant) -> f64 {
        self.levels.get(key).map_or(0.0, |(level, last)| {
            let drained = now.saturating_duration_since(*last).as_secs_f64() * self.rate();
            (level - drained).max(0.0)
        })
    }

    /// Admits one request for `key` at `now` (and counts it), or refuses it (and does not).
    pub(crate) fn admit(&mut self, key: K, now: Instant) -> bool {
        let rate = self.rate();
        let capacity = f64::from(self.limit.burst);
        let (level, last) = self.levels.entry(key).or_insert((0.0, now));
        let drained = now.saturating_duration_since(*last).as_secs_f64() * rate;
        *level = (*level - drained).max(0.0);
        *last = now;
        if *level + 1.0 > capacity {
            return false;
        }
        *level += 1.0;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn key(store: &str) -> (String, String) {
        ("app".to_owned(), store.to_owned())
    }

    #[test]
    fn burst_then_refuse_then_drain() {
        let mut buckets = Buckets::new(RateLimit::default());
        let start = Instant::now();
        let admitted = (0..45).filter(|_| buckets.admit(key("s"), start)).count();
        assert_eq!(admitted, 40);
        assert!(!buckets.admit(key("s"), start + Duration::from_millis(200)));
        assert!(buckets.admit(key("s"), start + Duration::from_millis(250)));
    }

    #[test]
    fn the_level_drains_as_time_passes() {
        let mut buckets = Buckets::new(RateLimit::default());
        let start = Instant::now();
        assert_eq!(buckets.level(&key("s"), start), 0.0);
        for _ in 0..10 {
            buckets.admit(key("s"), start);
        }
        assert_eq!(buckets.level(&key("s"), start), 10.0);
        assert_eq!(
            buckets.level(&key("s"), start + Duration::from_millis(500)),
            8.0
        );
        assert_eq!(
            buckets.level(&key("s"), start + Duration::from_secs(9)),
            0.0
        );
    }

    #[test]
    fn stores_have_separate_buckets() {
        let mut buckets = Buckets::new(RateLimit {
            per_second: 1.0,
            burst: 1,
        });
        let now = Instant::now();
        assert!(buckets.admit(key("a"), now));
        assert!(buckets.admit(key("b"), now));
        assert!(!buckets.admit(key("a"), now));
    }
}
