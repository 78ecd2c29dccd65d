//! Grouping consecutive valid rows into batches within the request limits, so that the reader hands them over
//! a request's worth at a time, not row by row. The requests themselves are formed again by the library's
//! engine from the rows the driver passes on (it skips the rows earlier runs confirmed), so a batch handed over
//! early (the reader waiting for room, see `budget`) changes nothing that is sent.

/// One valid row on its way to the platform: a row that passed its check, as it came out of it.
pub use crate::rows::Valid as Row;

/// Consecutive valid rows, at most a request's worth.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch<T> {
    /// 0-based number of the batch in the file.
    pub seq: u64,
    /// The rows, in file order.
    pub rows: Vec<Row<T>>,
}

/// The limits of one batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Most rows per batch (at most the schema's `maxItems`).
    pub max_rows: usize,
    /// A batch is closed before the row that would take its rows' text past this many bytes (a batch of a
    /// single larger row is still formed), so that request bodies stay a sensible size.
    pub max_bytes: usize,
}

/// Collects rows and hands out full batches.
#[derive(Debug)]
pub struct Batcher<T> {
    limits: Limits,
    next_seq: u64,
    rows: Vec<Row<T>>,
    text_bytes: usize,
}

impl<T> Batcher<T> {
    /// A batcher; `max_rows` is taken as at least 1.
    pub fn new(limits: Limits) -> Self {
        let limits = Limits {
            max_rows: limits.max_rows.max(1),
            ..limits
        };
        Batcher {
            limits,
            next_seq: 0,
            rows: Vec::with_capacity(limits.max_rows),
            text_bytes: 0,
        }
    }

    /// Adds a row; gives the batch it closed, if any.
    pub fn push(&mut self, row: Row<T>) -> Option<Batch<T>> {
        let closed =
            if !self.rows.is_empty() && self.text_bytes + row.text.len() > self.limits.max_bytes {
                self.take()
            } else {
                None
            };
        self.text_bytes += row.text.len();
        self.rows.push(row);
        if closed.is_none() && self.rows.len() >= self.limits.max_rows {
            return self.take();
        }
        closed
    }

    /// The partial batch: the last one, or one handed over early while the reader waits for room (the
    /// engine forms the requests again, so where these batches end does not change what is sent).
    pub fn finish(&mut self) -> Option<Batch<T>> {
        self.take()
    }

    fn take(&mut self) -> Option<Batch<T>> {
        if self.rows.is_empty() {
            return None;
        }
        let rows = std::mem::replace(&mut self.rows, Vec::with_capacity(self.limits.max_rows));
        self.text_bytes = 0;
        let seq = self.next_seq;
        self.next_seq += 1;
        Some(Batch { seq, rows })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(line: u64, text: &str) -> Row<u64> {
        Row {
            line,
            index: None,
            text: text.to_owned(),
            bytes: text.len() as u64 + 1,
            item: line,
            tenant: None,
        }
    }

    /// Batches of the valid rows among `lines` (a line is invalid when its text is "bad").
    fn batches(lines: &[&str], limits: Limits) -> Vec<(u64, Vec<u64>)> {
        let mut batcher = Batcher::new(limits);
        let mut out = Vec::new();
        for (n, text) in lines.iter().enumerate() {
            if *text != "bad" {
                out.extend(batcher.push(row(n as u64 + 1, text)));
            }
        }
        out.extend(batcher.finish());
        out.into_iter()
            .map(|batch| (batch.seq, batch.rows.iter().map(|row| row.item).collect()))
            .collect()
    }

    const ROWS_3: Limits = Limits {
        max_rows: 3,
        max_bytes: 1 << 20,
    };

    #[test]
    fn consecutive_valid_rows_fill_batches_in_order() {
        let lines = ["a", "b", "bad", "c", "d", "e", "bad", "bad", "f"];
        assert_eq!(
            batches(&lines, ROWS_3),
            [(0, vec![1, 2, 4]), (1, vec![5, 6, 9])]
        );
        assert_eq!(batches(&[], ROWS_3), []);
        assert_eq!(batches(&["a"], ROWS_3), [(0, vec![1])]);
    }

    #[test]
    fn the_same_input_always_gives_the_same_batches() {
        let lines: Vec<String> = (0..1000)
            .map(|n| {
                if n % 7 == 3 {
                    "bad".to_owned()
                } else {
                    "x".repeat(n % 13 + 1)
                }
            })
            .collect();
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let limits = Limits {
            max_rows: 50,
            max_bytes: 200,
        };
        let first = batches(&lines, limits);
        assert_eq!(first, batches(&lines, limits));
        // Every valid row is in exactly one batch, in file order, and no batch breaks a limit.
        let all: Vec<u64> = first.iter().flat_map(|(_, rows)| rows.clone()).collect();
        let valid: Vec<u64> = (1..=1000).filter(|line| (line - 1) % 7 != 3).collect();
        assert_eq!(all, valid);
        for (seq, (n, rows)) in first.iter().enumerate() {
            assert_eq!(*n, seq as u64);
            assert!(rows.len() <= 50);
        }
    }

    #[test]
    fn a_batch_closes_before_it_would_pass_the_byte_limit() {
        let limits = Limits {
            max_rows: 10,
            max_bytes: 10,
        };
        let lines = ["aaaa", "bbbb", "cccc", "dddddddddddddddd", "e"];
        assert_eq!(
            batches(&lines, limits),
            [(0, vec![1, 2]), (1, vec![3]), (2, vec![4]), (3, vec![5])]
        );
    }
}
