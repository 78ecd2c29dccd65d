//! Ties the pieces together: checks the arguments, starts the producer (reading, checking and grouping rows
//! on a thread of its own), sorts each row by what earlier runs learnt of it (the checkpoint), hands the rows
//! to send to the library's batch engine (`Client::sync_stream`: batching, bounded concurrency, halving
//! refused requests, stopping when nothing else can get through), records what the platform answered, writes
//! rejects and failed rows, keeps the pace file, shows progress, stops cleanly on Ctrl-C, and accounts for
//! every row read.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use salesync::client::{Client, Row as EngineRow, SyncEvent, SyncOptions};
use salesync::runtime::{Auth, Batched};
use tokio::sync::mpsc;

use super::batcher::Limits;
use super::budget::Budget;
use super::checkpoint::{row_hash, Checkpoint, Header, Known};
use super::envelope::Credentials;
use super::failed::FailedWriter;
use super::pace_file::PaceFile;
use super::pipeline::{self, Event, Plan};
use super::progress::Progress;
use super::rejects::{Reject, RejectWriter, RowText};
use super::send::{refusal, FailedRow, Failure};
use super::summary::{self, Ending, Fatal, Files, Side, Tally};
use super::Args;
use crate::rows::Input;
use crate::status::Status;

/// Events the producer may have waiting for the driver: a little slack between two threads, no more (the
/// rows in them count in the budget, the engine keeps the senders busy).
const READ_AHEAD: usize = 2;

/// Rows handed to the engine, a batch of them per channel message.
type RowsTx<Item> = mpsc::UnboundedSender<Vec<EngineRow<RowKey, Item>>>;

/// Runs `salesync push` and gives the exit code.
pub fn run(args: &Args) -> u8 {
    let name = args.endpoint.0.meta().versioned_name();
    let code = salesync::visit_batched(&name, RunFor(args)).unwrap_or_else(|| {
        Err(format!(
            "{name} carries no batch of items: push sends batches"
        ))
    });
    code.unwrap_or_else(|message| {
        let _ = writeln!(std::io::stderr(), "salesync push: {message}");
        Status::Failure as u8
    })
}

/// `run_for` with the endpoint named on the command line, whichever schema it came from, on its platform's
/// client.
struct RunFor<'a>(&'a Args);

impl salesync::runtime::BatchedVisitor for RunFor<'_> {
    type Output = Result<u8, String>;

    fn visit<O: Batched + 'static>(self) -> Self::Output {
        match O::META.auth {
            Auth::ShoplineBearer => run_for::<O, salesync::client::Shopline>(self.0),
            Auth::TencentQueryToken => run_for::<O, salesync::client::Tencent>(self.0),
        }
    }
}

/// Everything a run needs, checked before anything is read or sent.
struct Setup<O: Batched, P: Credentials> {
    plan: Plan,
    /// Bytes of the input, when known (not for standard input).
    input_bytes: u64,
    /// Nothing is sent in a dry run.
    sending: Option<Sending<O, P>>,
    rejects: RejectWriter,
    files: Files,
}

/// What sending needs.
struct Sending<O: Batched, P: Credentials> {
    envelope: O::Request,
    client: Client<P>,
    checkpoint: Checkpoint,
    failed: FailedWriter,
    pace: Option<PaceFile>,
}

fn run_for<O: Batched, P: Credentials>(args: &Args) -> Result<u8, String> {
    let setup = set_up::<O, P>(args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|err| format!("cannot start the async runtime: {err}"))?;
    Ok(runtime.block_on(execute::<O, P>(args, setup)))
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = OsString::from(path.as_os_str());
    name.push(suffix);
    PathBuf::from(name)
}

/// Whether two paths name the same file (when both exist) or the same path.
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// The name the reject and failed files of standard input are made from: the checkpoint's, without its
/// `.checkpoint` (`--checkpoint sales.checkpoint` gives `sales.rejects.jsonl`, `sales.failed.jsonl`).
fn base_of_checkpoint(checkpoint: &Path) -> PathBuf {
    let text = checkpoint.as_os_str().to_string_lossy();
    match text.strip_suffix(".checkpoint") {
        Some(stem) if !stem.is_empty() && !stem.ends_with(['/', '\\']) => PathBuf::from(stem),
        _ => checkpoint.to_owned(),
    }
}

fn set_up<O: Batched, P: Credentials>(args: &Args) -> Result<Setup<O, P>, String> {
    let meta = &O::META;
    let path = &args.file;
    let input = Input::from_arg(path);
    // Where the reject, failed and checkpoint files go by default: next to the input file; for standard
    // input, which has no name, next to the checkpoint, which must then be named.
    let (input_bytes, base) = match &input {
        Input::File(path) => {
            let metadata = std::fs::metadata(path)
                .map_err(|err| format!("cannot read {}: {err}", path.display()))?;
            if !metadata.is_file() {
                return Err(format!("{} is not a file", path.display()));
            }
            (metadata.len(), path.clone())
        }
        Input::Stdin => match (&args.checkpoint, &args.rejects) {
            (Some(checkpoint), _) => (0, base_of_checkpoint(checkpoint)),
            (None, Some(rejects)) if args.dry_run => (0, rejects.clone()),
            _ => {
                return Err(
                    "standard input (`-`) has no name to keep a checkpoint by: give --checkpoint PATH \
                     (the same one on every run of this job; the reject and failed files go next to it)"
                        .to_owned(),
                )
            }
        },
    };
    let max_items = meta.batch.map_or(1, |batch| batch.max_items);
    let batch_rows = args.batch_size.unwrap_or(max_items);
    if batch_rows == 0 || batch_rows > max_items {
        return Err(format!(
            "--batch-size must be between 1 and {max_items} (the schema's limit for {})",
            meta.name()
        ));
    }
    let limits = Limits {
        max_rows: batch_rows,
        max_bytes: args.max_batch_bytes.max(1),
    };
    let plan = Plan {
        input: input.clone(),
        format: args.format,
        limits,
        row_limit: args.max_row_bytes.max(1),
        validate: !args.no_local_validation,
        tenant: args.tenants.as_ref().map(|_| args.tenant_column::<O>()),
    };

    let rejects_path = args
        .rejects
        .clone()
        .unwrap_or_else(|| with_suffix(&base, ".rejects.jsonl"));
    let failed_path = args
        .failed
        .clone()
        .unwrap_or_else(|| with_suffix(&base, ".failed.jsonl"));
    let checkpoint_path = args
        .checkpoint
        .clone()
        .unwrap_or_else(|| with_suffix(&base, ".checkpoint"));
    let outputs = [
        ("reject file", &rejects_path),
        ("failed file", &failed_path),
        ("checkpoint", &checkpoint_path),
    ];
    if let Input::File(path) = &input {
        for (what, other) in outputs {
            if same_file(path, other) {
                return Err(format!(
                    "the {what} cannot be the input file {}",
                    path.display()
                ));
            }
        }
    }
    for (n, (what, one)) in outputs.iter().enumerate() {
        for (other, two) in &outputs[n + 1..] {
            if same_file(one, two) {
                return Err(format!(
                    "the {what} and the {other} must be different files"
                ));
            }
        }
    }

    let sending = if args.dry_run {
        None
    } else {
        let (envelope, fingerprint) = args
            .target
            .envelope::<O>()
            .map_err(|problems| problems.join("\n  "))?;
        let pace = pace_file(args, meta);
        let client = args.target.client::<P>(&args.sending(), pace.as_ref())?;
        let header = Header::new(meta.name(), fingerprint);
        let checkpoint =
            Checkpoint::open(&checkpoint_path, &header).map_err(|err| err.to_string())?;
        let failed = FailedWriter::start(&failed_path).map_err(|err| {
            format!(
                "cannot write the failed file {}: {err}",
                failed_path.display()
            )
        })?;
        Some(Sending {
            envelope,
            client,
            checkpoint,
            failed,
            pace,
        })
    };
    let rejects = RejectWriter::create(&rejects_path).map_err(|err| {
        format!(
            "cannot write the reject file {}: {err}",
            rejects_path.display()
        )
    })?;
    let files = Files {
        rejects: rejects_path.display().to_string(),
        checkpoint: sending
            .as_ref()
            .map(|_| checkpoint_path.display().to_string()),
        failed: sending.as_ref().map(|_| failed_path.display().to_string()),
    };
    Ok(Setup {
        plan,
        input_bytes,
        sending,
        rejects,
        files,
    })
}

/// The pace file of the bucket these calls fill: `--pace-dir`, else the default state directory; none when
/// pacing is off or no directory is known.
fn pace_file(args: &Args, meta: &salesync::runtime::EndpointMeta) -> Option<PaceFile> {
    if args.rps.is_some_and(|rps| rps <= 0.0) {
        return None;
    }
    let dir = args.pace_dir.clone().or_else(PaceFile::default_dir)?;
    let parts = args.target.bucket(meta);
    let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
    Some(PaceFile::in_dir(&dir, meta.vendor, &parts))
}

/// What the driver knows of a row it handed to the engine: enough to write it to the reject or failed file,
/// record it in the checkpoint, and count its input bytes.
struct RowKey {
    line: u64,
    index: Option<u64>,
    text: String,
    bytes: u64,
    hash: u64,
}

/// The state of a run while it goes.
struct Driver {
    tally: Tally,
    ending: Ending,
    bytes_done: u64,
    rejects: RejectWriter,
    failed: Option<FailedWriter>,
    checkpoint: Option<Checkpoint>,
    progress: Progress,
    /// Tells the producer to stop reading.
    stop: Arc<AtomicBool>,
    /// The bytes of rows held in memory, shared with the producer.
    budget: Arc<Budget>,
    /// Bytes of the text of valid rows accounted for (sent, refused, failed, skipped, not sent): room for the
    /// producer once published.
    released: u64,
    stopping: bool,
    stop_after: Option<u64>,
    /// Rows handed to the engine, and rows it reported on: the difference is in its hands.
    handed: u64,
    reported: u64,
    /// Where each row is serialized to be hashed.
    hash_buffer: Vec<u8>,
}

async fn execute<O: Batched, P: Credentials>(args: &Args, setup: Setup<O, P>) -> u8 {
    let Setup {
        plan,
        input_bytes,
        sending,
        rejects,
        files,
    } = setup;
    let stop = Arc::new(AtomicBool::new(false));
    let limits = plan.limits;
    let budget = Arc::new(Budget::new(args.max_held_bytes, limits.max_bytes));
    // The engine holds the rows that keep every sender busy (`send`); this channel only smooths the hand-over.
    // Its events are few, and its rows count in the budget like any other.
    let (events_tx, mut events) = mpsc::channel(READ_AHEAD);
    let producer = match pipeline::spawn::<O>(plan, stop.clone(), budget.clone(), events_tx) {
        Ok(handle) => handle,
        Err(err) => {
            let _ = writeln!(
                std::io::stderr(),
                "salesync push: cannot start the reader: {err}"
            );
            return Status::Failure as u8;
        }
    };
    let interval = Duration::from_secs_f64(args.progress_interval.max(0.05));
    let mut driver = Driver {
        tally: Tally::default(),
        ending: Ending {
            dry_run: args.dry_run,
            ..Ending::default()
        },
        bytes_done: 0,
        rejects,
        failed: None,
        checkpoint: None,
        progress: Progress::new(args.progress, input_bytes, interval),
        stop,
        budget,
        released: 0,
        stopping: false,
        stop_after: args.stop_after_batches,
        handed: 0,
        reported: 0,
        hash_buffer: Vec::new(),
    };
    match sending {
        None => {
            // A dry run: every row is read and checked; nothing is sent.
            while let Some(event) = events.recv().await {
                driver.event::<O>(event, None);
                driver.publish();
            }
        }
        Some(sending) => send::<O, P>(args, &mut driver, &mut events, sending, limits).await,
    }
    // The producer may be waiting for room that will not come now.
    driver.budget.close();
    drop(events);
    let _ = producer.join();
    driver.finish(&files, args.json)
}

/// Reads the producer's events and sends the rows through the engine until the input ends (or the run
/// stops), recording every answer.
async fn send<O: Batched, P: Credentials>(
    args: &Args,
    driver: &mut Driver,
    events: &mut mpsc::Receiver<Event<O::Item>>,
    sending: Sending<O, P>,
    limits: Limits,
) {
    let Sending {
        envelope,
        client,
        checkpoint,
        failed,
        pace,
    } = sending;
    driver.checkpoint = Some(checkpoint);
    driver.failed = Some(failed);
    if let Some(checkpoint) = &driver.checkpoint {
        tracing::info!(
            checkpoint = %checkpoint.path().display(),
            rows = checkpoint.confirmed_rows(),
            "rows confirmed by earlier runs"
        );
        if checkpoint.repaired {
            driver.progress.println(&format!(
                "salesync push: the last line of {} was cut short by the previous run; its rows will be sent again",
                checkpoint.path().display()
            ));
        }
    }
    let concurrency = usize::from(args.concurrency);
    // Rows go to the engine through a channel; reading stops while the engine holds this many (the requests in
    // flight, as many prepared, two more), and before that if their bytes reach the budget.
    let holding = (limits.max_rows * (concurrency * 2 + 2)) as u64;
    // The rows of a batch as read go together (one message, not one per row).
    let (rows_tx, mut rows_rx) = mpsc::unbounded_channel::<Vec<EngineRow<RowKey, O::Item>>>();
    let mut rows_tx = Some(rows_tx);
    let rows = futures_util::stream::poll_fn(move |cx| rows_rx.poll_recv(cx))
        .flat_map(futures_util::stream::iter);
    // The rows were checked as they were read (and the envelope once), and batched within the limits.
    let options = SyncOptions::default()
        .batch_rows(limits.max_rows)
        .batch_bytes(limits.max_bytes)
        .concurrency(concurrency)
        .validate(false);
    let mut engine = client.sync_stream::<O, RowKey, _>(envelope, rows, options);
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
                    driver.answered(event);
                    if let Some(error) = engine.stopped_by() {
                        driver.stopped_by(error);
                    }
                }
                None => break,
            },
            event = events.recv(), if reading && !driver.stopping && driver.handed - driver.reported < holding => {
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
    drop(engine);
    // The pace file was kept up to date before every request; successes since have given back some rate.
    if let (Some(file), Some(state)) = (&pace, client.pace_state()) {
        file.save_quietly(state);
    }
    // Rows the engine still held when the run stopped at once: not sent, a rerun sends them.
    let held = driver.handed - driver.reported;
    driver.tally.unsent += held;
    // Rows the producer read that were never handed over (the run stopped): not sent either.
    while let Ok(event) = events.try_recv() {
        driver.event::<O>(event, None);
    }
}

impl Driver {
    /// Stops reading; requests formed already finish.
    fn halt(&mut self, why: &str) {
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

    fn fatal(&mut self, message: String) {
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
    fn stopped_by(&mut self, error: &salesync::Error) {
        let message = if matches!(error, salesync::Error::Transport { connect: true, .. }) {
            format!("the platform cannot be reached (nothing was delivered): {error}")
        } else {
            format!("the platform refused the request: {error}")
        };
        self.stop_for(message, Side::Platform);
    }

    /// Takes one event from the producer; valid rows to send go to `engine` (none: counted not sent).
    fn event<O: Batched>(&mut self, event: Event<O::Item>, engine: Option<&RowsTx<O::Item>>) {
        match event {
            Event::Reject { reject, bytes, .. } => {
                self.tally.read += 1;
                self.tally.invalid += 1;
                self.bytes_done += bytes;
                self.reject(&reject);
            }
            Event::Error(message) => self.fatal(message),
            Event::Batch(batch) => {
                self.tally.read += batch.rows.len() as u64;
                let Some(engine) = engine.filter(|_| !self.stopping) else {
                    // Stopping, or a dry run: nothing more is sent.
                    self.tally.unsent += batch.rows.len() as u64;
                    self.bytes_done += batch.bytes();
                    self.released += batch.text_bytes();
                    return;
                };
                let mut rows = Vec::with_capacity(batch.rows.len());
                rows.extend(batch.rows.into_iter().filter_map(|row| self.row::<O>(row)));
                let count = rows.len() as u64;
                if count == 0 {
                    return;
                }
                match engine.send(rows) {
                    Ok(()) => self.handed += count,
                    Err(mpsc::error::SendError(rows)) => {
                        self.tally.unsent += count;
                        for row in &rows {
                            self.settled(&row.key);
                        }
                    }
                }
            }
        }
    }

    /// Sorts one valid row by what earlier runs learnt of its content: confirmed (skipped), refused (listed
    /// in the reject file again), or neither: then it is given back, to send.
    fn row<O: Batched>(
        &mut self,
        row: super::batcher::Row<O::Item>,
    ) -> Option<EngineRow<RowKey, O::Item>> {
        let hash = row_hash(&row.item, &mut self.hash_buffer);
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
                self.tally.skipped += 1;
                self.bytes_done += row.bytes;
            }
            Ok(Some(Known::Refused(errors))) => {
                self.tally.refused += 1;
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
                };
                let bytes = key.text.len();
                return Some(EngineRow {
                    key,
                    item: row.item,
                    bytes,
                });
            }
            Err(err) => {
                self.tally.unsent += 1;
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
    fn answered(&mut self, event: SyncEvent<RowKey>) {
        match event {
            SyncEvent::Delivered { keys, attempts, .. } => {
                self.tally.sent += keys.len() as u64;
                self.tally.retries += u64::from(attempts.saturating_sub(1));
                let hashes: Vec<u64> = keys.iter().map(|key| key.hash).collect();
                self.record(&hashes, &[]);
                self.done(&keys);
                self.tally.batches_confirmed += 1;
                if self
                    .stop_after
                    .is_some_and(|n| self.tally.batches_confirmed >= n)
                {
                    self.ending.interrupted = true;
                    self.halt("salesync push: stopping after the requested number of batches");
                }
            }
            SyncEvent::Refused { key, error } => {
                self.tally.refused += 1;
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
            SyncEvent::Failed { keys, error } => {
                self.tally.failed += keys.len() as u64;
                let failure = Failure::of(&error);
                let (first, last) = (
                    keys.first().map_or(0, |k| k.line),
                    keys.last().map_or(0, |k| k.line),
                );
                self.progress.println(&format!(
                    "salesync push: lines {first}-{last}: {} row(s) not delivered: {}",
                    keys.len(),
                    failure.message
                ));
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
            SyncEvent::Unsent { keys } => {
                self.tally.unsent += keys.len() as u64;
                self.done(&keys);
            }
            SyncEvent::Rejected { key, violations } => {
                // Not produced: the rows were checked as they were read. Counted all the same.
                self.tally.invalid += 1;
                self.done(std::slice::from_ref(&key));
                self.fatal(format!(
                    "a row checked as it was read was rejected: {violations}"
                ));
            }
            _ => {}
        }
    }

    /// Rows the engine reported on.
    fn done(&mut self, keys: &[RowKey]) {
        self.reported += keys.len() as u64;
        for key in keys {
            self.settled(key);
        }
    }

    /// A row handed to the engine (or meant for it) is accounted for: its input bytes are done, its text no
    /// longer held.
    fn settled(&mut self, key: &RowKey) {
        self.bytes_done += key.bytes;
        self.released += key.text.len() as u64;
    }

    /// Tells the producer how much it may read now.
    fn publish(&self) {
        self.budget.release(self.released);
    }

    /// Records rows the platform answered for in the checkpoint: a rerun skips them.
    fn record(&mut self, ok: &[u64], refused: &[(u64, &[super::rejects::ErrorEntry])]) {
        if let Some(checkpoint) = &mut self.checkpoint {
            if let Err(err) = checkpoint.record(ok, refused) {
                let path = checkpoint.path().display().to_string();
                self.fatal(format!("cannot write the checkpoint {path}: {err}"));
            }
        }
    }

    /// Flushes the files, prints the summary and gives the exit code.
    fn finish(mut self, files: &Files, json: bool) -> u8 {
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
        let text = if json {
            summary::json(&self.tally, &self.ending, files) + "\n"
        } else {
            summary::human(&self.tally, &self.ending, files)
        };
        let _ = std::io::stdout().lock().write_all(text.as_bytes());
        summary::exit_code(&self.tally, &self.ending) as u8
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_paths_add_a_suffix() {
        assert_eq!(
            with_suffix(Path::new("a/rows.jsonl"), ".checkpoint"),
            PathBuf::from("a/rows.jsonl.checkpoint")
        );
    }

    #[test]
    fn standard_input_names_its_files_after_the_checkpoint() {
        for (checkpoint, base) in [
            ("a/sales.checkpoint", "a/sales"),
            ("sales.ckpt", "sales.ckpt"),
            (".checkpoint", ".checkpoint"),
            ("a/.checkpoint", "a/.checkpoint"),
        ] {
            assert_eq!(
                base_of_checkpoint(Path::new(checkpoint)),
                PathBuf::from(base)
            );
        }
    }
}
