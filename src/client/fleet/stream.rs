//! The fleet's stream engine: rows that name their tenant come in, in any order; each tenant's rows are
//! grouped into its own open batch, and each closed batch is sent by a run of the one-client engine
//! ([`SyncStream`]) with that tenant's client, which halves a refused request as it does for one client.
//!
//! Memory stays bounded whatever the input: rows read and not yet reported on hold at most
//! [`FleetOptions::held_bytes`] (by their [`Row::bytes`]), and at most [`FleetOptions::open_batches`] tenants
//! have a batch open. When either bound is reached, the batch open longest is sent as it is (so a file with
//! its tenants' rows interleaved makes smaller requests, never more memory). A tenant has at most
//! [`SyncOptions::concurrency`] batches in flight; its further batches wait their turn.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_util::stream::{self, SelectAll, Stream, StreamExt};

use super::super::engine::{envelope_violations, item_violations, Dispatch, SyncStream};
use super::super::{Row, SyncEvent, SyncOptions};
use super::TenantId;
use crate::error::Error;
use crate::runtime::{Batched, Violation, Violations};

/// A row and the tenant it belongs to.
#[derive(Debug, Clone)]
pub struct FleetRow<K, T> {
    /// Whose row it is.
    pub tenant: TenantId,
    /// The row, as for one client.
    pub row: Row<K, T>,
}

/// What became of rows of one tenant.
#[derive(Debug)]
#[non_exhaustive]
pub struct FleetEvent<K> {
    /// Whose rows they are.
    pub tenant: TenantId,
    /// What became of them, as for one client. A row of a tenant the fleet does not have is
    /// [`SyncEvent::Rejected`] (rule `tenant`); the rows of a tenant stopped by the platform (see
    /// [`FleetStream::stopped`]) are [`SyncEvent::Failed`] with the error that stopped it.
    pub event: SyncEvent<K>,
}

/// How the fleet batches, sends and bounds its memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct FleetOptions {
    /// Per tenant: rows and bytes per request, requests in flight ([`SyncOptions::concurrency`], default 2
    /// here), whether rows are checked.
    pub sync: SyncOptions,
    /// Bytes of rows ([`Row::bytes`]) read and not yet reported on, all tenants together (default 8 MiB).
    pub held_bytes: usize,
    /// Tenants with a batch open at once (default 4,096).
    pub open_batches: usize,
}

impl Default for FleetOptions {
    fn default() -> Self {
        FleetOptions {
            sync: SyncOptions::default().concurrency(2),
            held_bytes: 8 << 20,
            open_batches: 4096,
        }
    }
}

impl FleetOptions {
    /// The per-tenant options.
    pub fn sync(mut self, sync: SyncOptions) -> Self {
        self.sync = sync;
        self
    }

    /// The bound on the bytes of rows held.
    pub fn held_bytes(mut self, bytes: usize) -> Self {
        self.held_bytes = bytes.max(1);
        self
    }

    /// The bound on the tenants with a batch open.
    pub fn open_batches(mut self, tenants: usize) -> Self {
        self.open_batches = tenants.max(1);
        self
    }
}

/// A row inside the engine: the caller's key and the row's size, given back to release the budget.
struct Held<K> {
    key: K,
    bytes: usize,
}

type Rows<K, T> = Vec<Row<Held<K>, T>>;
type BatchInput<K, T> = stream::Empty<Row<Held<K>, T>>;

/// Finds a tenant's way to send (its client) and the envelope of its requests; `None` for no such tenant.
pub(super) type Resolve<O> = Box<
    dyn FnMut(
            &TenantId,
        ) -> Option<(
            Dispatch<'static, O>,
            <O as crate::runtime::Operation>::Request,
        )> + Send,
>;

/// What the stream knows of a tenant it has seen.
struct TenantState<O: Batched, K> {
    /// `None`: the fleet has no such tenant.
    sending: Option<(Dispatch<'static, O>, Arc<O::Request>)>,
    envelope_violations: Vec<Violation>,
    open: Rows<K, O::Item>,
    open_bytes: usize,
    /// Its place in the order batches were opened, while one is open.
    opened: Option<u64>,
    waiting: VecDeque<Rows<K, O::Item>>,
    running: usize,
    delivered: bool,
    stopped: Option<Arc<Error>>,
}

/// The events of [`Fleet::sync_stream`](super::Fleet::sync_stream).
pub struct FleetStream<O: Batched, K, S> {
    resolve: Resolve<O>,
    member: &'static str,
    max_rows: usize,
    max_bytes: usize,
    options: FleetOptions,
    /// The fleet's requests on the wire: the batches open longest are sent early only while fewer run.
    wire: usize,
    /// `None` once the input is exhausted or the stream stops reading.
    rows: Option<Pin<Box<S>>>,
    read: usize,
    tenants: HashMap<TenantId, TenantState<O, K>>,
    /// Tenants with a batch open, by when it opened.
    open_order: BTreeMap<u64, TenantId>,
    next_open: u64,
    runs: SelectAll<BatchRun<O, K>>,
    /// The most runs at once: twice the wire.
    max_runs: usize,
    /// Tenants with a batch waiting, in the order their batches closed (a tenant once per batch).
    turns: VecDeque<TenantId>,
    ready: VecDeque<FleetEvent<K>>,
    held: usize,
    requests: usize,
    halted: bool,
}

impl<O: Batched, K: Send + 'static, S> FleetStream<O, K, S> {
    pub(super) fn new(resolve: Resolve<O>, rows: S, options: FleetOptions, wire: usize) -> Self {
        let (member, limit) = match O::META.batch {
            Some(batch) => (batch.items, batch.max_items.max(1)),
            None => ("items", usize::MAX),
        };
        FleetStream {
            resolve,
            member,
            max_rows: options.sync.batch_rows.unwrap_or(limit).clamp(1, limit),
            max_bytes: options.sync.batch_bytes.unwrap_or(usize::MAX),
            options,
            wire,
            rows: Some(Box::pin(rows)),
            read: 0,
            tenants: HashMap::new(),
            open_order: BTreeMap::new(),
            next_open: 0,
            runs: SelectAll::new(),
            max_runs: wire.max(1) * 2,
            turns: VecDeque::new(),
            ready: VecDeque::new(),
            held: 0,
            requests: 0,
            halted: false,
        }
    }

    /// The error that stopped a tenant (its credentials or account refused, or its platform unreachable before
    /// any of its rows was delivered), if one did.
    pub fn stopped(&self, tenant: &str) -> Option<&Arc<Error>> {
        self.tenants.get(tenant)?.stopped.as_ref()
    }

    /// Every tenant stopped so far, with the error that stopped it.
    pub fn stopped_tenants(&self) -> impl Iterator<Item = (&TenantId, &Arc<Error>)> {
        self.tenants
            .iter()
            .filter_map(|(id, state)| Some((id, state.stopped.as_ref()?)))
    }

    /// Requests sent so far, halves of refused requests included.
    pub fn requests(&self) -> usize {
        self.requests
            + self
                .runs
                .iter()
                .map(|run| run.engine.requests())
                .sum::<usize>()
    }

    /// Bytes of rows held now (read and not yet reported on).
    pub fn held_bytes(&self) -> usize {
        self.held
    }
}

impl<O, K, S> FleetStream<O, K, S>
where
    O: Batched,
    K: Send + 'static,
    S: Stream<Item = FleetRow<K, O::Item>> + Send,
{
    /// Stops reading rows: rows read but not yet in a request come out [`SyncEvent::Unsent`]; batches formed
    /// already are still sent. The stream ends when they are answered.
    pub fn finish(&mut self) {
        self.rows = None;
        let open: Vec<u64> = self.open_order.keys().copied().collect();
        for seq in open {
            if let Some(id) = self.open_order.remove(&seq) {
                let rows = self.take_open(&id);
                self.report(&id, |keys| SyncEvent::Unsent { keys }, rows);
            }
        }
    }

    /// Stops sending: as [`finish`](Self::finish), and batches waiting for their turn or a place on the wire
    /// are not sent either (their rows come out [`SyncEvent::Unsent`]); only requests on the wire are answered.
    pub fn halt(&mut self) {
        self.halted = true;
        self.finish();
        let ids: Vec<TenantId> = self.tenants.keys().cloned().collect();
        for id in ids {
            for rows in self.take_waiting(&id) {
                self.report(&id, |keys| SyncEvent::Unsent { keys }, rows);
            }
        }
        for run in self.runs.iter_mut() {
            run.engine.halt();
        }
    }

    /// Takes a row from the input.
    fn take(&mut self, row: FleetRow<K, O::Item>) {
        let index = self.read;
        self.read += 1;
        self.held += row.row.bytes;
        let FleetRow { tenant: id, row } = row;
        let (validate, member) = (self.options.sync.validate, self.member);
        let state = self.state(&id);
        let rejected = match (&state.sending, &state.stopped) {
            (None, _) => Some(vec![unknown_tenant(&id)]),
            (Some(_), Some(error)) => {
                let error = error.clone();
                self.held -= row.bytes;
                let event = SyncEvent::Failed {
                    keys: vec![row.key],
                    error,
                };
                self.emit(&id, event);
                return;
            }
            (Some(_), None) if validate => {
                let mut violations = state.envelope_violations.clone();
                violations.extend(item_violations(&row.item, member, index));
                (!violations.is_empty()).then_some(violations)
            }
            (Some(_), None) => None,
        };
        if let Some(violations) = rejected {
            self.held -= row.bytes;
            let event = SyncEvent::Rejected {
                key: row.key,
                violations: Violations(violations),
            };
            self.emit(&id, event);
            return;
        }
        self.add_to_open(id, row);
    }

    /// Puts a valid row into its tenant's open batch, closing it when full (and the oldest open batch of
    /// another tenant when too many are open).
    fn add_to_open(&mut self, id: TenantId, row: Row<K, O::Item>) {
        let (max_rows, max_bytes) = (self.max_rows, self.max_bytes);
        let state = self.tenants.get_mut(&id).expect("seen");
        let over = !state.open.is_empty() && state.open_bytes.saturating_add(row.bytes) > max_bytes;
        if over {
            self.close_open(&id);
        }
        let state = self.tenants.get_mut(&id).expect("seen");
        if state.opened.is_none() {
            let seq = self.next_open;
            self.next_open += 1;
            state.opened = Some(seq);
            self.open_order.insert(seq, id.clone());
        }
        state.open_bytes = state.open_bytes.saturating_add(row.bytes);
        state.open.push(Row {
            key: Held {
                key: row.key,
                bytes: row.bytes,
            },
            item: row.item,
            bytes: row.bytes,
        });
        if state.open.len() >= max_rows || state.open_bytes >= max_bytes {
            self.close_open(&id);
        }
        while self.open_order.len() > self.options.open_batches {
            self.close_oldest();
        }
    }

    /// The tenant's state, made when its first row comes.
    fn state(&mut self, id: &TenantId) -> &mut TenantState<O, K> {
        if !self.tenants.contains_key(id) {
            let sending =
                (self.resolve)(id).map(|(dispatch, envelope)| (dispatch, Arc::new(envelope)));
            let envelope_violations = match &sending {
                Some((_, envelope)) if self.options.sync.validate => {
                    envelope_violations::<O>(envelope, self.member)
                }
                _ => Vec::new(),
            };
            self.tenants.insert(
                id.clone(),
                TenantState {
                    sending,
                    envelope_violations,
                    open: Vec::new(),
                    open_bytes: 0,
                    opened: None,
                    waiting: VecDeque::new(),
                    running: 0,
                    delivered: false,
                    stopped: None,
                },
            );
        }
        self.tenants.get_mut(id).expect("just made")
    }

    fn take_open(&mut self, id: &TenantId) -> Rows<K, O::Item> {
        let Some(state) = self.tenants.get_mut(id) else {
            return Vec::new();
        };
        if let Some(seq) = state.opened.take() {
            self.open_order.remove(&seq);
        }
        state.open_bytes = 0;
        std::mem::take(&mut state.open)
    }

    fn take_waiting(&mut self, id: &TenantId) -> Vec<Rows<K, O::Item>> {
        self.tenants
            .get_mut(id)
            .map(|state| state.waiting.drain(..).collect())
            .unwrap_or_default()
    }

    /// Closes the tenant's open batch: sent now if the tenant has room in flight, else it waits its turn.
    fn close_open(&mut self, id: &TenantId) {
        let rows = self.take_open(id);
        if rows.is_empty() {
            return;
        }
        let state = self.tenants.get_mut(id).expect("seen");
        state.waiting.push_back(rows);
        self.turns.push_back(id.clone());
        self.launch_waiting();
    }

    /// Launches waiting batches in the order they closed, while the fleet has room for runs: a run holds its
    /// request (body and sending future, a few KB) from its launch, so runs are bounded, not only the rows.
    /// A tenant at its own limit keeps its batches and loses its turn; it gets one back each time one of its runs
    /// ends.
    fn launch_waiting(&mut self) {
        let concurrency = self.options.sync.concurrency.max(1);
        while self.runs.len() < self.max_runs && !self.halted {
            let Some(id) = self.turns.pop_front() else {
                break;
            };
            let Some(state) = self.tenants.get_mut(&id) else {
                continue;
            };
            if state.waiting.is_empty() {
                continue;
            }
            if state.running >= concurrency {
                // Its turn comes back when one of its runs ends.
                continue;
            }
            let rows = state.waiting.pop_front().expect("not empty");
            self.launch(&id, rows);
        }
    }

    /// Closes the batch open longest (`close_open` takes it out of the order).
    fn close_oldest(&mut self) {
        if let Some(id) = self.open_order.values().next().cloned() {
            self.close_open(&id);
        }
    }

    /// Closes the batch open longest among the tenants that can send it now; whether there was one.
    fn close_oldest_ready(&mut self) -> bool {
        let concurrency = self.options.sync.concurrency.max(1);
        let ready = self.open_order.values().find(|id| {
            self.tenants
                .get(*id)
                .is_some_and(|state| state.running < concurrency)
        });
        let Some(id) = ready.cloned() else {
            return false;
        };
        self.close_open(&id);
        true
    }

    /// Sends a batch with a run of the one-client engine.
    fn launch(&mut self, id: &TenantId, rows: Rows<K, O::Item>) {
        let state = self.tenants.get_mut(id).expect("seen");
        let Some((dispatch, envelope)) = &state.sending else {
            return;
        };
        let options = SyncOptions {
            batch_rows: Some(self.max_rows),
            batch_bytes: self.options.sync.batch_bytes,
            concurrency: 1,
            prepared_ahead: 0,
            validate: false,
        };
        let engine = SyncStream::<O, Held<K>, BatchInput<K, O::Item>>::with_rows(
            (**envelope).clone(),
            rows,
            options,
            dispatch.clone(),
            stream::empty(),
        );
        state.running += 1;
        self.runs.push(BatchRun {
            tenant: id.clone(),
            engine,
            told_stop: false,
            done: false,
        });
    }

    /// What a run reported.
    fn ran(&mut self, id: TenantId, out: RunOut<K>) {
        match out {
            RunOut::Event(event, stop) => {
                if let Some(stop) = stop {
                    self.stop_tenant(&id, stop);
                }
                let event = self.for_tenant(&id, event);
                self.emit_held(&id, event);
            }
            RunOut::Done(requests) => {
                self.requests += requests;
                let concurrency = self.options.sync.concurrency.max(1);
                let Some(state) = self.tenants.get_mut(&id) else {
                    return;
                };
                state.running -= 1;
                if state.running < concurrency && !state.waiting.is_empty() {
                    // Its next batch takes its turn again, behind the batches closed before it.
                    self.turns.push_back(id);
                }
                self.launch_waiting();
            }
        }
    }

    /// A run's event as the fleet tells it: rows a stopped tenant did not send failed for its reason.
    fn for_tenant(&mut self, id: &TenantId, event: SyncEvent<Held<K>>) -> SyncEvent<Held<K>> {
        let Some(state) = self.tenants.get_mut(id) else {
            return event;
        };
        match (event, &state.stopped) {
            (SyncEvent::Unsent { keys }, Some(error)) => SyncEvent::Failed {
                keys,
                error: error.clone(),
            },
            (event @ SyncEvent::Delivered { .. }, _) => {
                state.delivered = true;
                event
            }
            (event, _) => event,
        }
    }

    /// A run stopped for an error: the tenant stops if the error stops every request of its own (refused
    /// credentials or account), or if its platform cannot be reached before any of its rows got through.
    fn stop_tenant(&mut self, id: &TenantId, error: Arc<Error>) {
        let Some(state) = self.tenants.get_mut(id) else {
            return;
        };
        let unreachable =
            matches!(*error, Error::Transport { connect: true, .. }) && !state.delivered;
        if state.stopped.is_some() || !(error.class().stops_every_request() || unreachable) {
            return;
        }
        tracing::warn!(tenant = %id, %error, "the platform refuses this tenant: its other rows are not sent");
        state.stopped = Some(error.clone());
        let mut pending = self.take_waiting(id);
        pending.push(self.take_open(id));
        for rows in pending {
            let error = error.clone();
            self.report(id, move |keys| SyncEvent::Failed { keys, error }, rows);
        }
        for run in self.runs.iter_mut().filter(|run| &run.tenant == id) {
            run.engine.halt();
        }
    }

    /// Reports rows that never reached a run.
    fn report(
        &mut self,
        id: &TenantId,
        event: impl FnOnce(Vec<Held<K>>) -> SyncEvent<Held<K>>,
        rows: Rows<K, O::Item>,
    ) {
        if !rows.is_empty() {
            let keys = rows.into_iter().map(|row| row.key).collect();
            self.emit_held(id, event(keys));
        }
    }

    /// An event of held rows: their bytes are released, their keys given back.
    fn emit_held(&mut self, id: &TenantId, event: SyncEvent<Held<K>>) {
        let mut released = 0;
        let r = &mut released;
        let event = match event {
            SyncEvent::Rejected { key: k, violations } => SyncEvent::Rejected {
                key: key_of(k, r),
                violations,
            },
            SyncEvent::Delivered {
                keys: k,
                trace_id,
                attempts,
            } => SyncEvent::Delivered {
                keys: keys_of(k, r),
                trace_id,
                attempts,
            },
            SyncEvent::Refused { key: k, error } => SyncEvent::Refused {
                key: key_of(k, r),
                error,
            },
            SyncEvent::Failed { keys: k, error } => SyncEvent::Failed {
                keys: keys_of(k, r),
                error,
            },
            SyncEvent::Unsent { keys: k } => SyncEvent::Unsent {
                keys: keys_of(k, r),
            },
        };
        self.held = self.held.saturating_sub(released);
        self.emit(id, event);
    }

    fn emit(&mut self, id: &TenantId, event: SyncEvent<K>) {
        self.ready.push_back(FleetEvent {
            tenant: id.clone(),
            event,
        });
    }

    /// Whether the stream may read another row now.
    fn has_room(&self) -> bool {
        self.held < self.options.held_bytes
    }
}

fn key_of<K>(held: Held<K>, released: &mut usize) -> K {
    *released += held.bytes;
    held.key
}

fn keys_of<K>(held: Vec<Held<K>>, released: &mut usize) -> Vec<K> {
    held.into_iter()
        .map(|held| key_of(held, released))
        .collect()
}

/// The violation of a row whose tenant the fleet does not have.
fn unknown_tenant(id: &TenantId) -> Violation {
    Violation {
        pointer: String::new(),
        rule: "tenant",
        message: format!("no tenant `{id}` in the fleet"),
    }
}

/// The stream never pins its fields (the input is boxed, the runs are streams that are `Unpin`).
impl<O: Batched, K, S> Unpin for FleetStream<O, K, S> {}

impl<O, K, S> Stream for FleetStream<O, K, S>
where
    O: Batched,
    K: Send + 'static,
    S: Stream<Item = FleetRow<K, O::Item>> + Send,
{
    type Item = FleetEvent<K>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(event) = this.ready.pop_front() {
                return Poll::Ready(Some(event));
            }
            if let Poll::Ready(Some((id, out))) = this.runs.poll_next_unpin(cx) {
                this.ran(id, out);
                continue;
            }
            if this.rows.is_some() && this.has_room() {
                let rows = this.rows.as_mut().expect("checked");
                match rows.as_mut().poll_next(cx) {
                    Poll::Ready(Some(row)) => {
                        this.take(row);
                        continue;
                    }
                    Poll::Ready(None) => {
                        this.rows = None;
                        while !this.open_order.is_empty() {
                            this.close_oldest();
                        }
                        continue;
                    }
                    Poll::Pending => {}
                }
            } else if this.rows.is_some()
                && this.runs.len() < this.wire
                && this.close_oldest_ready()
            {
                // Full, and the wire has room: the batch open longest of a tenant with room in flight goes as it is.
                continue;
            }
            let done = this.rows.is_none() && this.open_order.is_empty() && this.runs.is_empty();
            return if done {
                Poll::Ready(None)
            } else {
                Poll::Pending
            };
        }
    }
}

/// What a run tells the fleet.
enum RunOut<K> {
    /// An event, and the error that stopped the run if it stopped with this event.
    Event(SyncEvent<Held<K>>, Option<Arc<Error>>),
    /// The run ended, after this many requests.
    Done(usize),
}

/// One batch of one tenant, sent by the one-client engine.
struct BatchRun<O: Batched, K> {
    tenant: TenantId,
    engine: SyncStream<'static, O, Held<K>, BatchInput<K, O::Item>>,
    told_stop: bool,
    done: bool,
}

impl<O: Batched, K> Unpin for BatchRun<O, K> {}

impl<O: Batched, K: Send + 'static> Stream for BatchRun<O, K> {
    type Item = (TenantId, RunOut<K>);

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(None);
        }
        match this.engine.poll_next_unpin(cx) {
            Poll::Ready(Some(event)) => {
                let stop = match this.engine.stopped_by() {
                    Some(error) if !this.told_stop => {
                        this.told_stop = true;
                        Some(error.clone())
                    }
                    _ => None,
                };
                Poll::Ready(Some((this.tenant.clone(), RunOut::Event(event, stop))))
            }
            Poll::Ready(None) => {
                this.done = true;
                let requests = this.engine.requests();
                Poll::Ready(Some((this.tenant.clone(), RunOut::Done(requests))))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}
