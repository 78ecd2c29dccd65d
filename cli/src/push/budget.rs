//! The bound on the rows push holds in memory, in bytes: every valid row from the moment the reader has it
//! until the run has accounted for it (confirmed, refused, failed, skipped or counted not sent). Counting rows
//! or batches alone bounds nothing when rows are large (a batch may carry 4 MiB), nor when `--concurrency` is
//! raised; counting bytes keeps the peak flat whatever the rows, the file or the concurrency.
//!
//! The reader adds up the text of the rows it read; the driver adds up the text of the rows it accounted for
//! and publishes the sum after each event. The reader reads on while the difference is under the limit, so at
//! most the limit and one row are held (their text, and with it the parsed item and, once the row is in a
//! request, its share of the body: about three and a half times the text).
//!
//! The limit is at least the batch byte limit, and a reader about to wait hands over the rows of its partial
//! batch first: then the rows held can never all sit in partial batches (the engine's stays under the batch
//! byte limit), so something is always in a request, whose answer frees room. No deadlock.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};

/// Bytes of row text held at once, by default: 24 batches of today's Shopline flows (100 flows of 1.7 KB),
/// 170 of Tencent's items, far more than the requests in flight and prepared need.
pub const DEFAULT_LIMIT: usize = 4 * 1024 * 1024;

/// The shared count of bytes read and accounted for.
#[derive(Debug)]
pub struct Budget {
    limit: u64,
    /// Bytes of row text the driver accounted for, in all.
    released: AtomicU64,
    /// The run stops: the reader must not wait.
    closed: AtomicBool,
    /// Held while checking and waiting, so that a release between the check and the wait is not missed.
    lock: Mutex<()>,
    freed: Condvar,
}

impl Budget {
    /// A budget of `limit` bytes, raised to `batch_bytes` (a full batch must fit, see the module's text).
    pub fn new(limit: usize, batch_bytes: usize) -> Self {
        Budget {
            limit: limit.max(batch_bytes).max(1) as u64,
            released: AtomicU64::new(0),
            closed: AtomicBool::new(false),
            lock: Mutex::new(()),
            freed: Condvar::new(),
        }
    }

    /// Whether the reader, having read `taken` bytes of rows in all, may read another row.
    pub fn has_room(&self, taken: u64) -> bool {
        taken.saturating_sub(self.released.load(Ordering::Acquire)) < self.limit
            || self.closed.load(Ordering::Acquire)
    }

    /// Waits until the reader may read another row; `false` when the run stops instead.
    pub fn wait_for_room(&self, taken: u64) -> bool {
        let mut guard = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
        while !self.has_room(taken) {
            guard = self
                .freed
                .wait(guard)
                .unwrap_or_else(PoisonError::into_inner);
        }
        !self.closed.load(Ordering::Acquire)
    }

    /// The driver has accounted for `released` bytes of rows in all: room for the reader.
    pub fn release(&self, released: u64) {
        if self.released.swap(released, Ordering::AcqRel) != released {
            self.wake();
        }
    }

    /// The run stops: a waiting reader wakes, and none waits again.
    pub fn close(&self) {
        self.closed.store(true, Ordering::Release);
        self.wake();
    }

    fn wake(&self) {
        // Taking the lock orders this after a waiter's check: either it saw the new count, or it is waiting.
        drop(self.lock.lock().unwrap_or_else(PoisonError::into_inner));
        self.freed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;

    #[test]
    fn the_reader_waits_for_room_and_wakes_when_rows_are_accounted_for() {
        let budget = Arc::new(Budget::new(100, 10));
        assert!(budget.has_room(99));
        assert!(!budget.has_room(100));
        let waiter = {
            let budget = budget.clone();
            std::thread::spawn(move || budget.wait_for_room(150))
        };
        std::thread::sleep(Duration::from_millis(20));
        assert!(!waiter.is_finished());
        budget.release(50);
        std::thread::sleep(Duration::from_millis(20));
        assert!(!waiter.is_finished(), "150 - 50 is still the limit");
        budget.release(51);
        assert!(waiter.join().unwrap());
    }

    #[test]
    fn closing_wakes_the_reader_and_tells_it_to_stop() {
        let budget = Arc::new(Budget::new(10, 1));
        let waiter = {
            let budget = budget.clone();
            std::thread::spawn(move || budget.wait_for_room(10))
        };
        budget.close();
        assert!(!waiter.join().unwrap());
        assert!(!budget.wait_for_room(1_000));
    }

    #[test]
    fn a_full_batch_always_fits() {
        let budget = Budget::new(10, 4096);
        assert!(budget.has_room(4095));
        assert!(!budget.has_room(4096));
    }
}
