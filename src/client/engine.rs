//! The batch engine: a stream of rows in, a stream of what became of them out. Rows are checked (unless the
//! caller checked them already), grouped into requests of consecutive rows within the schema's batch limit
//! (and a byte budget), sent with bounded concurrency (the next requests serialized while earlier ones are
//! in flight), and a request the platform refuses for its content is halved, down to single rows, so one bad
//! row does not fail the good ones. Every row comes out exactly once: rejected, delivered, refused or failed.
//! `sync_all` and `salesync push` are both this engine, with their own keys and bookkeeping.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_util::stream::{FuturesUnordered, Stream, StreamExt};
use tokio::sync::Semaphore;

use super::generic::{Client, Platform};
use super::prepared::Prepared;
use crate::error::Error;
use crate::runtime::{Batched, Validate, Validator, Violation, Violations};

/// One row for the engine: the item, the caller's key for it (an input index, a line and a hash, ...), and
/// its size in bytes for the byte budget (0 when unknown).
#[derive(Debug, Clone)]
pub struct Row<K, T> {
    /// What the caller knows the row by; it comes back in the row's event.
    pub key: K,
    /// The batch item.
    pub item: T,
    /// Its serialized size, for [`SyncOptions::batch_bytes`].
    pub bytes: usize,
}

/// How the engine batches and sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SyncOptions {
    /// Rows per request: at most the schema's batch limit (`None`: the limit).
    pub batch_rows: Option<usize>,
    /// A request closes before its rows' bytes would pass this (`None`: no byte budget).
    pub batch_bytes: Option<usize>,
    /// Requests in flight at once (at least 1).
    pub concurrency: usize,
    /// Requests serialized and waiting for a free slot, beyond those in flight.
    pub prepared_ahead: usize,
    /// Check each row (and the envelope) against the schema before sending; rows that fail come out as
    /// [`SyncEvent::Rejected`]. Off when the caller checked them already.
    pub validate: bool,
}

impl Default for SyncOptions {
    /// The schema's batch limit, no byte budget, 4 requests in flight and 4 prepared ahead, rows checked.
    fn default() -> Self {
        SyncOptions {
            batch_rows: None,
            batch_bytes: None,
            concurrency: 4,
            prepared_ahead: 4,
            validate: true,
        }
    }
}

impl SyncOptions {
    /// At most `rows` rows per request (still within the schema's limit).
    pub fn batch_rows(mut self, rows: usize) -> Self {
        self.batch_rows = Some(rows.max(1));
        self
    }

    /// A request closes before its rows' bytes would pass `bytes`.
    pub fn batch_bytes(mut self, bytes: usize) -> Self {
        self.batch_bytes = Some(bytes.max(1));
        self
    }

    /// `requests` in flight at once, and as many more prepared ahead.
    pub fn concurrency(mut self, requests: usize) -> Self {
        self.concurrency = requests.max(1);
        self.prepared_ahead = self.concurrency;
        self
    }

    /// Whether rows are checked before sending.
    pub fn validate(mut self, validate: bool) -> Self {
        self.validate = validate;
        self
    }
}

/// What became of rows, as it happens. Every row read comes out in exactly one event.
#[derive(Debug)]
#[non_exhaustive]
pub enum SyncEvent<K> {
    /// Not sent: the row (or the envelope) broke the schema. Pointers name the row by its position in the
    /// stream: `/salesinfo/7/price/current_price` is the eighth row read.
    Rejected {
        /// The row.
        key: K,
        /// Every violation.
        violations: Violations,
    },
    /// The platform accepted the request that carried these rows.
    Delivered {
        /// The rows, in stream order.
        keys: Vec<K>,
        /// The request's trace id.
        trace_id: Option<String>,
        /// Attempts the request took.
        attempts: u32,
    },
    /// The platform refused this row for its content (its request was halved down to it).
    Refused {
        /// The row.
        key: K,
        /// The platform's answer.
        error: Arc<Error>,
    },
    /// Not delivered after the client's retries (or not worth retrying): the rows may be sent again later.
    Failed {
        /// The rows of the request.
        keys: Vec<K>,
        /// The last attempt's error, shared by the rows.
        error: Arc<Error>,
    },
}

impl<P: Platform> Client<P> {
    /// Syncs a stream of rows of endpoint `O`, reporting as it goes: the streaming form of
    /// [`sync_all`](Self::sync_all). `envelope` gives the members other than the batch (its own items are
    /// ignored). Memory is bounded by the options (a few requests' rows), whatever the stream's length.
    pub fn sync_stream<O, K, S>(
        &self,
        envelope: O::Request,
        rows: S,
        options: SyncOptions,
    ) -> SyncStream<'_, O, K, S>
    where
        O: Batched,
        K: Send + 'static,
        S: Stream<Item = Row<K, O::Item>> + Send,
    {
        let slots = Arc::new(Semaphore::new(options.concurrency.max(1)));
        let dispatch: Dispatch<'_, O> = Arc::new(move |request: O::Request| {
            let slots = slots.clone();
            Box::pin(async move {
                let prepared = Prepared::<O>::unchecked(&request)?;
                let _slot = slots
                    .acquire()
                    .await
                    .expect("the semaphore is never closed");
                let response = self.send_prepared(&prepared).await?;
                Ok((response.trace_id, response.attempts))
            })
        });
        SyncStream::with_dispatch(envelope, rows, options, dispatch)
    }
}

/// A request's trace id and attempts, or its error.
pub(crate) type Sent = Result<(Option<String>, u32), Error>;
pub(crate) type Sending<'a> = Pin<Box<dyn Future<Output = Sent> + Send + 'a>>;
/// How the engine sends one request.
pub(crate) type Dispatch<'a, O> =
    Arc<dyn Fn(<O as crate::runtime::Operation>::Request) -> Sending<'a> + Send + Sync + 'a>;
type Batch<K, T> = Vec<Row<K, T>>;
type InFlight<'a, K, T> = Pin<Box<dyn Future<Output = (Batch<K, T>, Sent)> + Send + 'a>>;

/// The events of [`Client::sync_stream`].
pub struct SyncStream<'a, O: Batched, K, S> {
    envelope: Arc<O::Request>,
    envelope_violations: Vec<Violation>,
    member: &'static str,
    max_rows: usize,
    max_bytes: Option<usize>,
    max_in_flight: usize,
    validate: bool,
    /// `None` once the input is exhausted.
    rows: Option<Pin<Box<S>>>,
    read: usize,
    batch: Batch<K, O::Item>,
    batch_bytes: usize,
    /// Halves of refused requests, sent before new rows.
    halves: VecDeque<Batch<K, O::Item>>,
    in_flight: FuturesUnordered<InFlight<'a, K, O::Item>>,
    ready: VecDeque<SyncEvent<K>>,
    requests: usize,
    dispatch: Dispatch<'a, O>,
}

impl<'a, O: Batched, K, S> SyncStream<'a, O, K, S> {
    /// The engine over any way of sending a request (the client's, or a test's).
    pub(crate) fn with_dispatch(
        envelope: O::Request,
        rows: S,
        options: SyncOptions,
        dispatch: Dispatch<'a, O>,
    ) -> Self {
        let (member, limit) = match O::META.batch {
            Some(batch) => (batch.items, batch.max_items.max(1)),
            None => ("items", usize::MAX),
        };
        let envelope_violations = if options.validate {
            envelope_violations::<O>(&envelope, member)
        } else {
            Vec::new()
        };
        SyncStream {
            envelope: Arc::new(envelope),
            envelope_violations,
            member,
            max_rows: options.batch_rows.unwrap_or(limit).clamp(1, limit),
            max_bytes: options.batch_bytes,
            max_in_flight: options.concurrency.max(1) + options.prepared_ahead,
            validate: options.validate,
            rows: Some(Box::pin(rows)),
            read: 0,
            batch: Vec::new(),
            batch_bytes: 0,
            halves: VecDeque::new(),
            in_flight: FuturesUnordered::new(),
            ready: VecDeque::new(),
            requests: 0,
            dispatch,
        }
    }

    /// Requests sent so far, halves of refused requests included.
    pub fn requests(&self) -> usize {
        self.requests
    }
}

impl<'a, O, K, S> SyncStream<'a, O, K, S>
where
    O: Batched,
    K: Send + 'static,
    S: Stream<Item = Row<K, O::Item>> + Send,
{
    /// Takes a row read from the input: rejected at once, or into the current batch (sent when full).
    fn take(&mut self, row: Row<K, O::Item>) {
        let index = self.read;
        self.read += 1;
        if self.validate {
            let mut violations = self.envelope_violations.clone();
            violations.extend(item_violations(&row.item, self.member, index));
            if !violations.is_empty() {
                self.ready.push_back(SyncEvent::Rejected {
                    key: row.key,
                    violations: Violations(violations),
                });
                return;
            }
        }
        let over_budget = self
            .max_bytes
            .is_some_and(|budget| !self.batch.is_empty() && self.batch_bytes + row.bytes > budget);
        if over_budget {
            self.close_batch();
        }
        self.batch_bytes += row.bytes;
        self.batch.push(row);
        if self.batch.len() >= self.max_rows {
            self.close_batch();
        }
    }

    fn close_batch(&mut self) {
        if !self.batch.is_empty() {
            let batch = std::mem::take(&mut self.batch);
            self.batch_bytes = 0;
            self.launch(batch);
        }
    }

    fn launch(&mut self, batch: Batch<K, O::Item>) {
        let mut request = (*self.envelope).clone();
        *O::items_mut(&mut request) = batch.iter().map(|row| row.item.clone()).collect();
        self.requests += 1;
        let sending = (self.dispatch)(request);
        self.in_flight
            .push(Box::pin(async move { (batch, sending.await) }));
    }

    /// What a request's answer means for its rows.
    fn answered(&mut self, mut batch: Batch<K, O::Item>, sent: Sent) {
        match sent {
            Ok((trace_id, attempts)) => self.ready.push_back(SyncEvent::Delivered {
                keys: batch.into_iter().map(|row| row.key).collect(),
                trace_id,
                attempts,
            }),
            Err(error) if error.is_content_rejected() && batch.len() > 1 => {
                tracing::info!(items = batch.len(), %error, "request refused for its content: splitting it to find the bad items");
                let second = batch.split_off(batch.len() / 2);
                self.halves.push_front(second);
                self.halves.push_front(batch);
            }
            Err(error) if error.is_content_rejected() => {
                let error = Arc::new(error);
                for row in batch {
                    self.ready.push_back(SyncEvent::Refused {
                        key: row.key,
                        error: error.clone(),
                    });
                }
            }
            Err(error) => self.ready.push_back(SyncEvent::Failed {
                keys: batch.into_iter().map(|row| row.key).collect(),
                error: Arc::new(error),
            }),
        }
    }
}

/// The engine never pins its fields (the input stream is boxed, the requests are boxed futures), so it may
/// move whatever its rows are.
impl<O: Batched, K, S> Unpin for SyncStream<'_, O, K, S> {}

impl<'a, O, K, S> Stream for SyncStream<'a, O, K, S>
where
    O: Batched,
    K: Send + 'static,
    S: Stream<Item = Row<K, O::Item>> + Send,
{
    type Item = SyncEvent<K>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(event) = this.ready.pop_front() {
                return Poll::Ready(Some(event));
            }
            if let Poll::Ready(Some((batch, sent))) = this.in_flight.poll_next_unpin(cx) {
                this.answered(batch, sent);
                continue;
            }
            if this.in_flight.len() < this.max_in_flight {
                if let Some(half) = this.halves.pop_front() {
                    this.launch(half);
                    continue;
                }
                if let Some(rows) = this.rows.as_mut() {
                    match rows.as_mut().poll_next(cx) {
                        Poll::Ready(Some(row)) => {
                            this.take(row);
                            continue;
                        }
                        Poll::Ready(None) => {
                            this.rows = None;
                            this.close_batch();
                            continue;
                        }
                        Poll::Pending => {}
                    }
                }
            }
            let done = this.rows.is_none()
                && this.batch.is_empty()
                && this.halves.is_empty()
                && this.in_flight.is_empty();
            return if done {
                Poll::Ready(None)
            } else {
                Poll::Pending
            };
        }
    }
}

/// The envelope's own violations; its batch member is replaced, so nothing at or below it counts.
fn envelope_violations<O: Batched>(envelope: &O::Request, member: &str) -> Vec<Violation> {
    let batch = format!("/{member}");
    let below = format!("/{member}/");
    let mut v = Validator::new();
    envelope.validate_into(&mut v);
    v.into_violations()
        .into_iter()
        .filter(|found| found.pointer != batch && !found.pointer.starts_with(&below))
        .collect()
}

/// A row's violations at `/{member}/{position}/...`.
fn item_violations<T: Validate>(item: &T, member: &str, index: usize) -> Vec<Violation> {
    let mut v = Validator::with_prefix(&format!("/{member}/{index}"));
    item.validate_into(&mut v);
    v.into_violations()
}
