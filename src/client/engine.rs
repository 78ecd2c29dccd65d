//! The batch engine: a stream of rows in, a stream of what became of them out. Rows are checked (unless the
//! caller checked them already), grouped into requests of consecutive rows within the schema's batch limit
//! (and a byte budget), sent with bounded concurrency (the next requests serialized while earlier ones are
//! in flight), and a request the platform refuses for its content is halved, down to single rows, so one bad
//! row does not fail the good ones. Every row comes out exactly once: rejected, delivered, refused or failed.
//!
//! A request the engine serialized itself holds its rows only as its body while it is in flight: the items
//! are dropped once written (they were a third of what such a request held), and read back from the body
//! in the rare case the platform refuses it and it has to be halved.
//! `sync_all` and `salesync push` are both this engine, with their own keys and bookkeeping.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
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
    /// A request closes before its rows' bytes would pass this, or once they reach it (`None`: no byte
    /// budget). A single larger row is a request of its own.
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

/// What became of rows, as it happens. Every row read from the input comes out in exactly one event; once the
/// engine stops reading ([`SyncStream::finish`], [`SyncStream::halt`], or an error that stops every request),
/// the rows it did not read stay unread.
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
    /// Not sent: the engine stopped first ([`SyncStream::finish`], [`SyncStream::halt`], or an error that
    /// stops every request), so the rows may be sent later.
    Unsent {
        /// The rows.
        keys: Vec<K>,
    },
}

impl<P: Platform> Client<P> {
    /// Syncs a stream of rows of endpoint `O`, reporting as it goes: the streaming form of
    /// [`sync_all`](Self::sync_all). `envelope` gives the members other than the batch (its own items are
    /// ignored). Memory is bounded by the options (a few requests' rows), whatever the stream's length.
    pub fn sync_stream<'s, O, K, S>(
        &'s self,
        envelope: O::Request,
        rows: S,
        options: SyncOptions,
    ) -> SyncStream<'s, O, K, S>
    where
        O: Batched + 's,
        K: Send + 'static,
        S: Stream<Item = Row<K, O::Item>> + Send,
    {
        SyncStream::with_dispatch(envelope, rows, options, self.dispatch::<O>())
    }

    /// How the engine sends a request with this client (a clone of it: the engine may outlive the borrow).
    pub(super) fn dispatch<'a, O: Batched + 'a>(&self) -> Dispatch<'a, O> {
        let client = self.clone();
        Arc::new(move |request: &O::Request, size, gate: Gate| {
            // Serialized now, before a slot is free (so that a freed slot is used at once), and while the
            // engine lends the items to the request; the engine keeps the body instead of the items.
            let prepared = Prepared::<O>::serialize(request, size);
            let body = prepared
                .as_ref()
                .ok()
                .map(|prepared| prepared.bytes().clone());
            let client = client.clone();
            let sending: Sending<'a> = Box::pin(async move {
                let prepared = match prepared {
                    Ok(prepared) => prepared,
                    Err(error) => return Sent::Err(error),
                };
                let Some(_slot) = gate.enter().await else {
                    return Sent::Halted;
                };
                match client.send_prepared(&prepared).await {
                    Ok(response) => Sent::Ok(response.trace_id, response.attempts),
                    Err(error) => Sent::Err(error),
                }
            });
            (sending, body)
        })
    }
}

/// What became of one request.
pub(crate) enum Sent {
    /// Delivered: its trace id and attempts.
    Ok(Option<String>, u32),
    Err(Error),
    /// Not sent: the engine halted while it waited for a slot.
    Halted,
}

pub(crate) type Sending<'a> = Pin<Box<dyn Future<Output = Sent> + Send + 'a>>;
/// How the engine sends one request: it reads (serializes) the request it is lent before returning, then the
/// future enters the gate (a send slot, unless the engine halted) before sending. The `usize` is the rows'
/// own size (their [`Row::bytes`]), room to reserve for the body. The body it gives back, if it made one,
/// holds the items from then on: the engine drops its own and reads them back from the body should the
/// request be halved (`None`: the engine keeps the items).
pub(crate) type Dispatch<'a, O> = Arc<
    dyn Fn(&<O as crate::runtime::Operation>::Request, usize, Gate) -> (Sending<'a>, Option<Bytes>)
        + Send
        + Sync
        + 'a,
>;

/// The way to the wire: one of `concurrency` send slots, closed once the engine halts.
#[derive(Clone)]
pub(crate) struct Gate {
    slots: Arc<Semaphore>,
    halted: Arc<AtomicBool>,
}

impl Gate {
    /// A send slot, held while sending; `None` when the engine halted meanwhile.
    pub(crate) async fn enter(&self) -> Option<tokio::sync::OwnedSemaphorePermit> {
        let slot = self.slots.clone().acquire_owned().await.ok()?;
        (!self.halted.load(Ordering::SeqCst)).then_some(slot)
    }
}
/// The rows of one request: their keys (with their sizes) apart from their items, so that the items go into
/// the request and come back out of it as one vector, never moved one by one.
struct Batch<K, T> {
    keys: Vec<(K, usize)>,
    /// Empty while `body` holds them.
    items: Vec<T>,
    /// The body of the request the items were sent in, once they were dropped for it.
    body: Option<Bytes>,
}

impl<K, T> Default for Batch<K, T> {
    fn default() -> Self {
        Batch::with_capacity(0)
    }
}

impl<K, T> Batch<K, T> {
    fn with_capacity(rows: usize) -> Self {
        Batch {
            keys: Vec::with_capacity(rows),
            items: Vec::with_capacity(rows),
            body: None,
        }
    }

    fn len(&self) -> usize {
        self.keys.len()
    }

    fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    fn push(&mut self, row: Row<K, T>) {
        self.keys.push((row.key, row.bytes));
        self.items.push(row.item);
    }

    /// The rows from `at` on, taken off this batch (whose items are not in a body).
    fn split_off(&mut self, at: usize) -> Self {
        Batch {
            keys: self.keys.split_off(at),
            items: self.items.split_off(at),
            body: None,
        }
    }

    /// The rows' own size: the sum of their [`Row::bytes`].
    fn size(&self) -> usize {
        self.keys
            .iter()
            .fold(0usize, |size, (_, bytes)| size.saturating_add(*bytes))
    }

    fn into_keys(self) -> Vec<K> {
        self.keys.into_iter().map(|(key, _)| key).collect()
    }
}

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
    gate: Gate,
    /// Something was delivered: a connection failure no longer means the platform cannot be reached.
    delivered: bool,
    /// The error that stopped every request, if one did.
    stopped_by: Option<Arc<Error>>,
}

/// The most rows a batch reserves room for before they come (endpoints without a batch limit have none).
const MOST_ROWS_RESERVED: usize = 1024;

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
            batch: Batch::default(),
            batch_bytes: 0,
            halves: VecDeque::new(),
            in_flight: FuturesUnordered::new(),
            ready: VecDeque::new(),
            requests: 0,
            gate: Gate {
                slots: Arc::new(Semaphore::new(options.concurrency.max(1))),
                halted: Arc::new(AtomicBool::new(false)),
            },
            dispatch,
            delivered: false,
            stopped_by: None,
        }
    }

    /// Stops reading rows: the rows read but not yet in a request come out [`SyncEvent::Unsent`]; requests
    /// formed already are still sent. The stream ends when they are answered.
    pub fn finish(&mut self) {
        if self.rows.take().is_some() || !self.batch.is_empty() {
            let keys = std::mem::take(&mut self.batch).into_keys();
            self.batch_bytes = 0;
            if !keys.is_empty() {
                self.ready.push_back(SyncEvent::Unsent { keys });
            }
        }
    }

    /// Stops sending: as [`finish`](Self::finish), and the requests still waiting for a send slot are not
    /// sent either (their rows come out [`SyncEvent::Unsent`]); only requests on the wire are answered.
    pub fn halt(&mut self) {
        self.gate.halted.store(true, Ordering::SeqCst);
        self.finish();
        let halves: Vec<K> = self.halves.drain(..).flat_map(Batch::into_keys).collect();
        if !halves.is_empty() {
            self.ready.push_back(SyncEvent::Unsent { keys: halves });
        }
    }

    /// The error that stopped every request (credentials or an account the platform refuses, the daily
    /// limit, a platform that cannot be reached before anything was delivered), if one did: the engine then
    /// halted by itself.
    pub fn stopped_by(&self) -> Option<&Arc<Error>> {
        self.stopped_by.as_ref()
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
        // Closed as soon as it is full by either measure, not when the next row comes: the rows of a batch left
        // open hold memory, and a caller that bounds the bytes it hands over (push) would otherwise wait for
        // a row it cannot send until this batch goes. The batches are the same either way.
        let full_bytes = self
            .max_bytes
            .is_some_and(|budget| self.batch_bytes >= budget);
        if self.batch.len() >= self.max_rows || full_bytes {
            self.close_batch();
        }
    }

    /// An engine for rows all known now (a fleet's batch): they are taken at once, so that a halt reports every
    /// one of them (an engine that stops reading leaves the rows it did not read unread).
    pub(crate) fn with_rows(
        envelope: O::Request,
        rows: Vec<Row<K, O::Item>>,
        options: SyncOptions,
        dispatch: Dispatch<'a, O>,
        no_more: S,
    ) -> Self {
        let mut engine = SyncStream::with_dispatch(envelope, no_more, options, dispatch);
        for row in rows {
            Self::take(&mut engine, row);
        }
        engine.rows = None;
        engine.close_batch();
        engine
    }

    fn close_batch(&mut self) {
        if !self.batch.is_empty() {
            // The next batch is sized for a full one at once (rows are large, growing by doubling copies them),
            // or for the rows left when the input says how many: a fleet runs an engine per batch, and room
            // reserved for rows that never come is memory held per tenant.
            let left = self
                .rows
                .as_ref()
                .and_then(|rows| rows.size_hint().1)
                .unwrap_or(usize::MAX);
            let next = Batch::with_capacity(self.max_rows.min(MOST_ROWS_RESERVED).min(left));
            let batch = std::mem::replace(&mut self.batch, next);
            self.batch_bytes = 0;
            self.launch(batch);
        }
    }

    fn launch(&mut self, mut batch: Batch<K, O::Item>) {
        if self.gate.halted.load(Ordering::SeqCst) {
            self.ready.push_back(SyncEvent::Unsent {
                keys: batch.into_keys(),
            });
            return;
        }
        // The items are lent to the request while it is serialized, then taken back (for the halves of a
        // refused request): the vector moves, the items stay where they are.
        let mut request = (*self.envelope).clone();
        *O::items_mut(&mut request) = std::mem::take(&mut batch.items);
        self.requests += 1;
        let (sending, body) = (self.dispatch)(&request, batch.size(), self.gate.clone());
        match body {
            // The items are in the body now: dropped here rather than held until the answer.
            Some(body) => batch.body = Some(body),
            None => batch.items = std::mem::take(O::items_mut(&mut request)),
        }
        drop(request);
        self.in_flight
            .push(Box::pin(async move { (batch, sending.await) }));
    }

    /// What a request's answer means for its rows.
    fn answered(&mut self, mut batch: Batch<K, O::Item>, sent: Sent) {
        let keys = Batch::into_keys;
        let error = match sent {
            Sent::Ok(trace_id, attempts) => {
                self.delivered = true;
                self.ready.push_back(SyncEvent::Delivered {
                    keys: keys(batch),
                    trace_id,
                    attempts,
                });
                return;
            }
            Sent::Halted => {
                self.requests -= 1;
                self.ready
                    .push_back(SyncEvent::Unsent { keys: keys(batch) });
                return;
            }
            Sent::Err(error) => error,
        };
        let unreachable =
            matches!(error, Error::Transport { connect: true, .. }) && !self.delivered;
        if (error.class().stops_every_request() || unreachable) && self.stopped_by.is_none() {
            tracing::warn!(%error, "nothing else can get through: the requests not yet sent stay unsent");
            let error = Arc::new(error);
            self.stopped_by = Some(error.clone());
            self.ready.push_back(SyncEvent::Failed {
                keys: keys(batch),
                error,
            });
            self.halt();
            return;
        }
        match error {
            error if error.is_content_rejected() && batch.len() > 1 => {
                if let Err(unreadable) = items_back::<O, K>(&mut batch) {
                    // Never seen: the engine reads back what it wrote. Its rows may be sent again later.
                    tracing::error!(%unreadable, "a refused request's body could not be read back to halve it");
                    self.ready.push_back(SyncEvent::Failed {
                        keys: keys(batch),
                        error: Arc::new(error),
                    });
                    return;
                }
                tracing::info!(items = batch.len(), %error, "request refused for its content: splitting it to find the bad items");
                let second = batch.split_off(batch.len() / 2);
                self.halves.push_front(second);
                self.halves.push_front(batch);
            }
            error if error.is_content_rejected() => {
                let error = Arc::new(error);
                for key in batch.into_keys() {
                    self.ready.push_back(SyncEvent::Refused {
                        key,
                        error: error.clone(),
                    });
                }
            }
            error => self.ready.push_back(SyncEvent::Failed {
                keys: keys(batch),
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

/// The items of a batch whose request holds them as its body, read back from it (to halve the request).
fn items_back<O: Batched, K>(batch: &mut Batch<K, O::Item>) -> Result<(), serde_json::Error> {
    let Some(body) = batch.body.take() else {
        return Ok(());
    };
    let mut request: O::Request = serde_json::from_slice(&body)?;
    let items = std::mem::take(O::items_mut(&mut request));
    if items.len() != batch.keys.len() {
        return Err(serde::de::Error::invalid_length(
            items.len(),
            &"the rows of the request",
        ));
    }
    batch.items = items;
    Ok(())
}

/// The envelope's own violations; its batch member is replaced, so nothing at or below it counts.
pub(super) fn envelope_violations<O: Batched>(
    envelope: &O::Request,
    member: &str,
) -> Vec<Violation> {
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
pub(super) fn item_violations<T: Validate>(item: &T, member: &str, index: usize) -> Vec<Violation> {
    let mut v = Validator::with_prefix(&format!("/{member}/{index}"));
    item.validate_into(&mut v);
    v.into_violations()
}
