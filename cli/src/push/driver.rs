//! The driver: takes the producer's events, sorts each valid row by what earlier runs learnt of it (the
//! checkpoint), hands the rows to send to an engine (one client's `sync_stream`, or a fleet's), records what
//! the platform answered, writes rejects and failed rows, shows progress, stops cleanly on Ctrl-C, and
//! accounts for every row read: in the run's tally and, for a fleet push, in its tenant's.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use salesync::client::{Row as EngineRow, SyncEvent};
use salesync::runtime::Batched;
use tokio::sync::mpsc;

use super::budget::Budget;
use super::checkpoint::{row_hash, Checkpoint, Known};
use super::failed::FailedWriter;
use super::pipeline::Event;
use super::progress::Progress;
use super::rejects::{ErrorEntry, Reject, RejectWriter, RowText};
use super::roster::{Index, Roster};
use super::send::{refusal, FailedRow, Failure};
use super::summary::{self, Ending, Fatal, Files, Side, Tally};
use super::tenant_summary;

/// Rows handed to the engine, a batch of them per channel message.
pub type RowsTx<Item> = mpsc::UnboundedSender<Vec<EngineRow<RowKey, Item>>>;

/// What the driver knows of a row it handed to the engine: enough to write it to the reject or failed file,
/// record it in the checkpoint, and count its input bytes.
pub struct RowKey {
    pub line: u64,
    pub index: Option<u64>,
    pub text: String,
    pub bytes: u64,
    pub hash: u64,
    /// Its tenant, in a fleet push.
    pub tenant: Option<Index>,
}

/// The engine rows are sent through: a stream of what became of them.
pub trait Engine: Stream<Item = SyncEvent<RowKey>> + Unpin {
    /// After an event: tells the driver what the platform stopped (the run, or a tenant).
    fn stops(&mut self, driver: &mut Driver);
    /// No more rows come: the rows held but not in a request are reported not sent.
    fn finish(&mut self);
    /// Requests made.
    fn requests(&self) -> usize;
}

/// The state of a run while it goes.
pub struct Driver {
    pub tally: Tally,
    pub ending: Ending,
    pub bytes_done: u64,
    pub rejects: RejectWriter,
    pub failed: Option<FailedWriter>,
    pub checkpoint: Option<Checkpoint>,
    pub progress: Progress,
    /// Tells the producer to stop reading.
    pub stop: Arc<AtomicBool>,
    /// The bytes of rows held in memory, shared with the producer.
    pub budget: Arc<Budget>,
    /// Bytes of the text of valid rows accounted for (sent, refused, failed, skipped, not sent): room for the
    /// producer once published.
    pub released: u64,
    pub stopping: bool,
    pub stop_after: Option<u64>,
    /// Rows handed to the engine, and rows it reported on: the difference is in its hands.
    pub handed: u64,
    pub reported: u64,
    /// The same in bytes of the rows' text.
    pub handed_bytes: u64,
    pub reported_bytes: u64,
    /// Where each row is serialized to be hashed.
    pub hash_buffer: Vec<u8>,
    /// The tenants of a fleet push (`--tenants`).
    pub roster: Option<Roster>,
    /// How the tenants file is named in messages.
    pub tenants_file: String,
    /// Where a row names its tenant: the pointer (`/store`), and the column for CSV input.
    pub tenant_pointer: String,
    pub tenant_column: Option<String>,
}

impl Driver {
    /// Adds to the run's tally and, in a fleet push, to the tenant's (or the unassigned rows').
    fn count(&mut self, tenant: Option<Index>, add: impl Fn(&mut Tally)) {
        add(&mut self.tally);
        if let Some(roster) = &mut self.roster {
            add(roster.tally(tenant));
        }
    }

    /// Stops reading; requests formed already finish.
    pub fn halt(&mut self, why: &str) {
        if !self.stopping {
            self.stopping = true;
            self.stop.store(true, Ordering::Relaxed);
            self.budget.close();
            self.progress.println(why);
        }
    }

    fn reject(&mut self, reject: &Reject) {
        if let Err(err) = self.rejects.write(reject) {
            self.fatal(format!("cannot write the reject file: {err}"));
        }
    }

    pub fn fatal(&mut self, message: String) {
        self.stop_for(message, Side::Local);
    }

    fn stop_for(&mut self, message: String, side: Side) {
        if self.ending.fatal.is_none() {
            self.halt(&format!("salesync push: {message}"));
            self.ending.fatal = Some(Fatal { message, side });
        }
    }

    /// The engine stopped every request: the platform refuses the credentials or the account, or cannot be
    /// reached before anything was delivered.
    pub fn stopped_by(&mut self, error: &salesync::Error) {
        let message = if matches!(error, salesync::Error::Transport { connect: true, .. }) {
            format!("the platform cannot be reached (nothing was delivered): {error}")
        } else {
            format!("the platform refused the request: {error}")
        };
        self.stop_for(message, Side::Platform);
    }

    /// The fleet stopped one tenant (its token or account refused, or its platform unreachable): the run goes
    /// on; its rows go to the failed file.
    pub fn tenant_stopped(&mut self, tenant: Index, error: &salesync::Error) {
        let Some(roster) = &mut self.roster else {
            return;
        };
        let slot = &mut roster.stopped[tenant as usize];
        if slot.is_none() {
            let message = error.to_string();
            let id = roster.ids[tenant as usize].clone();
            *slot = Some(message.clone());
            self.progress.println(&format!(
                "salesync push: tenant `{id}` stopped: {message}; its rows go to the failed file"
            ));
        }
    }

    /// The tenant a row names, in a fleet push: `Ok(None)` when rows name none (one tenant), `Err` with the
    /// reject's error when the tenants file has no such tenant.
    fn tenant_of(&self, named: Option<&str>) -> Result<Option<Index>, ErrorEntry> {
        let Some(roster) = &self.roster else {
            return Ok(None);
        };
        let named = named.unwrap_or_default();
        roster.find(named).map(Some).ok_or_else(|| ErrorEntry {
            pointer: String::new(),
            column: None,
            rule: "tenant".to_owned(),
            message: format!(
                "no tenant `{named}` in the tenants file {}",
                self.tenants_file
            ),
        })
    }

    /// Takes one event from the producer; valid rows to send go to `engine` (none: counted not sent).
    pub fn event<O: Batched>(&mut self, event: Event<O::Item>, engine: Option<&RowsTx<O::Item>>) {
        match event {
            Event::Reject {
                mut reject,
                bytes,
                tenant,
            } => {
                let tenant = match (tenant.as_deref(), self.tenant_of(tenant.as_deref())) {
                    (_, Ok(tenant)) => tenant,
                    // A row naming no tenant says so already; one naming an unknown tenant says that too.
                    (None, Err(_)) => None,
                    (Some(_), Err(error)) => {
                        reject.errors.insert(0, self.at_tenant(error));
                        None
                    }
                };
                self.count(tenant, |t| {
                    t.read += 1;
                    t.invalid += 1;
                });
                self.bytes_done += bytes;
                self.reject(&reject);
            }
            Event::Error(message) => self.fatal(message),
            Event::Batch(batch) => {
                let engine = engine.filter(|_| !self.stopping);
                let mut rows = Vec::with_capacity(batch.rows.len());
                for row in batch.rows {
                    let tenant = match self.tenant_of(row.tenant.as_deref()) {
                        Ok(tenant) => tenant,
                        Err(error) => {
                            self.unknown_tenant(row, error);
                            continue;
                        }
                    };
                    self.count(tenant, |t| t.read += 1);
                    if engine.is_none() {
                        // Stopping, or a dry run: nothing more is sent.
                        self.count(tenant, |t| t.unsent += 1);
                        self.bytes_done += row.bytes;
                        self.released += row.text.len() as u64;
                        continue;
                    }
                    rows.extend(self.row::<O>(row, tenant));
                }
                let Some(engine) = engine else {
                    return;
                };
                if rows.is_empty() {
                    return;
                }
                let count = rows.len() as u64;
                let bytes: u64 = rows.iter().map(|row| row.key.text.len() as u64).sum();
                let tenants: Vec<Option<Index>> = rows.iter().map(|row| row.key.tenant).collect();
                match engine.send(rows) {
                    Ok(()) => {
                        self.handed += count;
                        self.handed_bytes += bytes;
                        if let Some(roster) = &mut self.roster {
                            for index in tenants.into_iter().flatten() {
                                roster.in_engine[index as usize] += 1;
                            }
                        }
                    }
                    Err(mpsc::error::SendError(rows)) => {
                        for row in &rows {
                            self.count(row.key.tenant, |t| t.unsent += 1);
                            self.settled(&row.key);
                        }
                    }
                }
            }
        }
    }

    /// A valid row naming a tenant the tenants file does not have: rejected (rule `tenant`).
    fn unknown_tenant(&mut self, row: super::batcher::Row<impl Sized>, error: ErrorEntry) {
        self.count(None, |t| {
            t.read += 1;
            t.invalid += 1;
        });
        self.bytes_done += row.bytes;
        self.released += row.text.len() as u64;
        let error = self.at_tenant(error);
        self.reject(&Reject {
            line: row.line,
            index: row.index,
            row: RowText::Json(row.text),
            errors: vec![error],
        });
    }

    /// An error about the row's tenant, at the member (or column) naming it.
    fn at_tenant(&self, mut error: ErrorEntry) -> ErrorEntry {
        error.pointer.clone_from(&self.tenant_pointer);
        error.column.clone_from(&self.tenant_column);
        error
    }

    /// Sorts one valid row by what earlier runs learnt of its content: confirmed (skipped), refused (listed
    /// in the reject file again), or neither: then it is given back, to send.
    fn row<O: Batched>(
        &mut self,
        row: super::batcher::Row<O::Item>,
        tenant: Option<Index>,
    ) -> Option<EngineRow<RowKey, O::Item>> {
        let seed = match (&self.roster, tenant) {
            (Some(roster), Some(index)) => roster.seed(index),
            _ => 0,
        };
        let hash = row_hash(&row.item, &mut self.hash_buffer, seed);
        let known = match &self.checkpoint {
            Some(checkpoint) => checkpoint.known(hash),
            None => Ok(None),
        };
        if !matches!(known, Ok(None)) {
            // Not sent: accounted for now.
            self.released += row.text.len() as u64;
        }
        match known {
            Ok(Some(Known::Confirmed)) => {
                self.count(tenant, |t| t.skipped += 1);
                self.bytes_done += row.bytes;
            }
            Ok(Some(Known::Refused(errors))) => {
                self.count(tenant, |t| t.refused += 1);
                self.bytes_done += row.bytes;
                self.reject(&Reject {
                    line: row.line,
                    index: row.index,
                    row: RowText::Json(row.text),
                    errors,
                });
            }
            Ok(None) => {
                let key = RowKey {
                    line: row.line,
                    index: row.index,
                    bytes: row.bytes,
                    hash,
                    text: row.text,
                    tenant,
                };
                let bytes = key.text.len();
                return Some(EngineRow {
                    key,
                    item: row.item,
                    bytes,
                });
            }
            Err(err) => {
                self.count(tenant, |t| t.unsent += 1);
                self.bytes_done += row.bytes;
                let path = self
                    .checkpoint
                    .as_ref()
                    .map_or(String::new(), |c| c.path().display().to_string());
                self.fatal(format!("cannot read the checkpoint {path}: {err}"));
            }
        }
        None
    }

    /// Records what the platform answered for rows.
    pub fn answered(&mut self, event: SyncEvent<RowKey>) {
        match event {
            SyncEvent::Delivered { keys, attempts, .. } => {
                let tenant = keys.first().and_then(|key| key.tenant);
                let count = keys.len() as u64;
                let retries = u64::from(attempts.saturating_sub(1));
                self.count(tenant, |t| {
                    t.sent += count;
                    t.retries += retries;
                    t.batches_confirmed += 1;
                });
                let hashes: Vec<u64> = keys.iter().map(|key| key.hash).collect();
                self.record(&hashes, &[]);
                self.done(&keys);
                if self
                    .stop_after
                    .is_some_and(|n| self.tally.batches_confirmed >= n)
                {
                    self.ending.interrupted = true;
                    self.halt("salesync push: stopping after the requested number of batches");
                }
            }
            SyncEvent::Refused { key, error } => {
                self.count(key.tenant, |t| t.refused += 1);
                let errors = refusal(&error);
                self.record(&[], &[(key.hash, &errors)]);
                self.reject(&Reject {
                    line: key.line,
                    index: key.index,
                    row: RowText::Json(key.text.clone()),
                    errors,
                });
                let _ = self.rejects.flush();
                self.done(std::slice::from_ref(&key));
            }
            SyncEvent::Failed { keys, error } => self.failed(keys, &error),
            SyncEvent::Unsent { keys } => {
                for key in &keys {
                    self.count(key.tenant, |t| t.unsent += 1);
                }
                self.done(&keys);
            }
            SyncEvent::Rejected { key, violations } => {
                // Not produced: the rows were checked as they were read. Counted all the same.
                self.count(key.tenant, |t| t.invalid += 1);
                self.done(std::slice::from_ref(&key));
                self.fatal(format!(
                    "a row checked as it was read was rejected: {violations}"
                ));
            }
            _ => {}
        }
    }

    /// Rows not delivered after the retries (or of a tenant the platform stopped): the failed file.
    fn failed(&mut self, keys: Vec<RowKey>, error: &salesync::Error) {
        let tenant = keys.first().and_then(|key| key.tenant);
        let count = keys.len() as u64;
        self.count(tenant, |t| t.failed += count);
        let failure = Failure::of(error);
        let (first, last) = (
            keys.first().map_or(0, |k| k.line),
            keys.last().map_or(0, |k| k.line),
        );
        let stopped = match (&self.roster, tenant) {
            (Some(roster), Some(index)) => roster.stopped[index as usize].is_some(),
            _ => false,
        };
        if !stopped {
            let whose = match (&self.roster, tenant) {
                (Some(roster), Some(index)) => format!("tenant `{}`: ", roster.ids[index as usize]),
                _ => String::new(),
            };
            self.progress.println(&format!(
                "salesync push: {whose}lines {first}-{last}: {} row(s) not delivered: {}",
                keys.len(),
                failure.message
            ));
        }
        if let Some(failed) = &mut self.failed {
            let written = keys
                .iter()
                .try_for_each(|key| {
                    failed.write(&FailedRow {
                        line: key.line,
                        index: key.index,
                        row: RowText::Json(key.text.clone()),
                        failure: failure.clone(),
                    })
                })
                .and_then(|()| failed.flush());
            if let Err(err) = written {
                self.fatal(format!("cannot write the failed file: {err}"));
            }
        }
        self.done(&keys);
    }

    /// Rows the engine reported on.
    fn done(&mut self, keys: &[RowKey]) {
        self.reported += keys.len() as u64;
        for key in keys {
            self.reported_bytes += key.text.len() as u64;
            if let (Some(roster), Some(index)) = (&mut self.roster, key.tenant) {
                roster.in_engine[index as usize] -= 1;
            }
            self.settled(key);
        }
    }

    /// A row handed to the engine (or meant for it) is accounted for: its input bytes are done, its text no
    /// longer held.
    fn settled(&mut self, key: &RowKey) {
        self.bytes_done += key.bytes;
        self.released += key.text.len() as u64;
    }

    /// Whether the engine may be handed more rows.
    fn has_room(&self, holding: Holding) -> bool {
        self.handed - self.reported < holding.rows
            && self.handed_bytes - self.reported_bytes < holding.bytes
    }

    /// Tells the producer how much it may read now.
    pub fn publish(&self) {
        self.budget.release(self.released);
    }

    /// Records rows the platform answered for in the checkpoint: a rerun skips them.
    fn record(&mut self, ok: &[u64], refused: &[(u64, &[ErrorEntry])]) {
        if let Some(checkpoint) = &mut self.checkpoint {
            if let Err(err) = checkpoint.record(ok, refused) {
                let path = checkpoint.path().display().to_string();
                self.fatal(format!("cannot write the checkpoint {path}: {err}"));
            }
        }
    }

    /// Rows the engine still held when the run stopped at once: not sent, a rerun sends them.
    fn held_unsent(&mut self) {
        let held = self.handed - self.reported;
        self.tally.unsent += held;
        if let Some(roster) = &mut self.roster {
            for index in 0..roster.in_engine.len() {
                let held = std::mem::take(&mut roster.in_engine[index]);
                roster.tallies[index].unsent += held;
            }
        }
    }

    /// Flushes the files, prints the summary and gives the exit code.
    pub fn finish(mut self, files: &Files, json: bool) -> u8 {
        if let Err(err) = self.rejects.flush() {
            self.fatal(format!("cannot write the reject file: {err}"));
        }
        if let Some(Err(err)) = self.failed.as_mut().map(FailedWriter::flush) {
            self.fatal(format!("cannot write the failed file: {err}"));
        }
        if let Some(checkpoint) = &self.checkpoint {
            let _ = checkpoint.sync();
        }
        self.progress.finish();
        debug_assert_eq!(self.tally.accounted(), self.tally.read, "{:?}", self.tally);
        let (text, code) = match &self.roster {
            Some(roster) => {
                debug_assert_eq!(
                    roster.sum().accounted(),
                    self.tally.accounted(),
                    "{roster:?}"
                );
                let report = tenant_summary::Report {
                    tally: &self.tally,
                    ending: &self.ending,
                    files,
                    roster,
                };
                let code = report.exit_code();
                let text = if json {
                    report.json() + "\n"
                } else {
                    report.human()
                };
                (text, code)
            }
            None => {
                let text = if json {
                    summary::json(&self.tally, &self.ending, files) + "\n"
                } else {
                    summary::human(&self.tally, &self.ending, files)
                };
                (text, summary::exit_code(&self.tally, &self.ending))
            }
        };
        let _ = std::io::stdout().lock().write_all(text.as_bytes());
        code as u8
    }
}

/// How much the engine may hold: reading pauses while it holds this many rows, or this many bytes of their
/// text (and, before either, while the rows read and not accounted for reach the byte budget).
#[derive(Debug, Clone, Copy)]
pub struct Holding {
    pub rows: u64,
    pub bytes: u64,
}

/// Reads the producer's events and hands their rows to `engine` until the input ends (or the run stops),
/// recording every answer, within `holding`.
pub async fn pump<O: Batched, E: Engine>(
    driver: &mut Driver,
    events: &mut mpsc::Receiver<Event<O::Item>>,
    rows_tx: RowsTx<O::Item>,
    engine: &mut E,
    holding: Holding,
) {
    let mut rows_tx = Some(rows_tx);
    let mut signals = interrupts();
    let mut ticker = tokio::time::interval(Duration::from_millis(200));
    let mut reading = true;
    loop {
        tokio::select! {
            biased;
            Some(()) = signals.recv() => {
                if driver.stopping {
                    driver.progress.println("salesync push: stopping now; requests in flight count as not sent");
                    break;
                }
                driver.ending.interrupted = true;
                driver.halt("salesync push: interrupted: finishing the requests in flight (Ctrl-C again to stop at once)");
            }
            event = engine.next() => match event {
                Some(event) => {
                    // What stopped comes first: the rows it failed are then told as its rows.
                    engine.stops(driver);
                    driver.answered(event);
                }
                None => break,
            },
            event = events.recv(), if reading && !driver.stopping && driver.has_room(holding) => {
                match event {
                    Some(event) => driver.event::<O>(event, rows_tx.as_ref()),
                    None => {
                        reading = false;
                        // The input is read: the engine sends what it holds, then ends.
                        rows_tx = None;
                    }
                }
            }
            _ = ticker.tick() => {
                driver.progress.update(&driver.tally, driver.bytes_done);
            }
        }
        driver.publish();
        // Stopping (interrupted, a fatal error, or enough batches): no more rows go to the engine, which sends
        // what it holds and ends.
        if driver.stopping && rows_tx.is_some() {
            rows_tx = None;
            engine.finish();
        }
    }
    driver.tally.requests += engine.requests() as u64;
    driver.held_unsent();
    // Rows the producer read that were never handed over (the run stopped): not sent either.
    while let Ok(event) = events.try_recv() {
        driver.event::<O>(event, None);
    }
}

/// Ctrl-C (and, on Unix, SIGTERM), as a stream: the first stops reading, the second stops at once.
fn interrupts() -> mpsc::UnboundedReceiver<()> {
    let (tx, rx) = mpsc::unbounded_channel();
    let ctrl_c = tx.clone();
    tokio::spawn(async move {
        while tokio::signal::ctrl_c().await.is_ok() {
            if ctrl_c.send(()).is_err() {
                break;
            }
        }
    });
    #[cfg(unix)]
    tokio::spawn(async move {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            while term.recv().await.is_some() {
                if tx.send(()).is_err() {
                    break;
                }
            }
        }
    });
    rx
}
