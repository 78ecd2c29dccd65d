//! Ties the pieces together: checks the arguments, starts the producer, sends batches with bounded
//! concurrency, records confirmations, writes rejects, shows progress, stops cleanly on Ctrl-C, and accounts
//! for every row read.

use std::collections::HashMap;
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use salesync::runtime::Batched;
use salesync::Prepared;
use tokio::sync::{mpsc, Semaphore};
use tokio::task::JoinSet;

use super::batcher::{Batch, Batcher, Limits, Row};
use super::checkpoint::{row_hash, Checkpoint, Header, Known};
use super::envelope::Client;
use super::failed::FailedWriter;
use super::pipeline::{self, Event, Plan};
use super::progress::Progress;
use super::rejects::{ErrorEntry, Reject, RejectWriter, RowText};
use super::send::{deliver, Fate, Outcome, SendError, Sender};
use super::summary::{self, Ending, Fatal, Files, Side, Tally};
use super::Args;
use crate::rows::Input;
use crate::status::Status;

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

/// Everything a run needs, checked before anything is read or sent.
struct Setup<O: Batched> {
    plan: Plan,
    /// Bytes of the input, when known (not for standard input).
    input_bytes: u64,
    limits: Limits,
    envelope: Option<Arc<O::Request>>,
    client: Option<Arc<Guarded>>,
    checkpoint: Option<Checkpoint>,
    rejects: RejectWriter,
    failed: Option<FailedWriter>,
    files: Files,
}

/// `run_for` with the endpoint named on the command line, whichever schema it came from.
struct RunFor<'a>(&'a Args);

impl salesync::runtime::BatchedVisitor for RunFor<'_> {
    type Output = Result<u8, String>;

    fn visit<O: Batched + 'static>(self) -> Self::Output {
        run_for::<O>(self.0)
    }
}

fn run_for<O: Batched>(args: &Args) -> Result<u8, String> {
    let setup = set_up::<O>(args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|err| format!("cannot start the async runtime: {err}"))?;
    Ok(runtime.block_on(execute::<O>(args, setup)))
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

fn set_up<O: Batched>(args: &Args) -> Result<Setup<O>, String> {
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

    let (envelope, client, checkpoint, failed) = if args.dry_run {
        (None, None, None, None)
    } else {
        let (envelope, fingerprint) = args
            .target
            .envelope::<O>()
            .map_err(|problems| problems.join("\n  "))?;
        let client = args.target.client(meta, &args.sending())?;
        let header = Header::new(meta.name(), fingerprint);
        let checkpoint =
            Checkpoint::open(&checkpoint_path, &header).map_err(|err| err.to_string())?;
        let failed = FailedWriter::start(&failed_path).map_err(|err| {
            format!(
                "cannot write the failed file {}: {err}",
                failed_path.display()
            )
        })?;
        (
            Some(Arc::new(envelope)),
            Some(Arc::new(Guarded::new(client))),
            Some(checkpoint),
            Some(failed),
        )
    };
    let rejects = RejectWriter::create(&rejects_path).map_err(|err| {
        format!(
            "cannot write the reject file {}: {err}",
            rejects_path.display()
        )
    })?;
    let files = Files {
        rejects: rejects_path.display().to_string(),
        checkpoint: checkpoint
            .as_ref()
            .map(|_| checkpoint_path.display().to_string()),
        failed: failed.as_ref().map(|_| failed_path.display().to_string()),
    };
    Ok(Setup {
        plan,
        input_bytes,
        limits,
        envelope,
        client,
        checkpoint,
        rejects,
        failed,
        files,
    })
}

/// The client, and what stops every request after it: once the platform refused the credentials or the
/// account, or could not be reached before any row was delivered, the requests still queued for a send slot are
/// not sent (they would only meet the same answer); their rows count as not sent, and a rerun sends them.
struct Guarded {
    client: Client,
    /// Set by the first such answer, before its send slot is freed, so no queued request goes out after it.
    stopped: AtomicBool,
    /// Some request was delivered: a connection failure is no longer taken as an unreachable platform.
    delivered: AtomicBool,
}

impl Guarded {
    fn new(client: Client) -> Self {
        Guarded {
            client,
            stopped: AtomicBool::new(false),
            delivered: AtomicBool::new(false),
        }
    }
}

impl<O: Batched> Sender<O> for Guarded {
    async fn send(&self, request: &Prepared<O>) -> Result<u32, SendError> {
        if self.stopped.load(Ordering::SeqCst) {
            return Err(SendError::Stopped);
        }
        let sent = <Client as Sender<O>>::send(&self.client, request).await;
        match &sent {
            Ok(_) => self.delivered.store(true, Ordering::SeqCst),
            Err(SendError::Fatal(_)) => self.stopped.store(true, Ordering::SeqCst),
            Err(SendError::Failed(failure))
                if failure.unreachable && !self.delivered.load(Ordering::SeqCst) =>
            {
                self.stopped.store(true, Ordering::SeqCst);
            }
            Err(_) => {}
        }
        sent
    }
}

/// The state of a run while it goes.
struct Driver<O: Batched> {
    tally: Tally,
    ending: Ending,
    bytes_done: u64,
    rejects: RejectWriter,
    failed: Option<FailedWriter>,
    checkpoint: Option<Checkpoint>,
    progress: Progress,
    stop: Arc<AtomicBool>,
    stopping: bool,
    stop_after: Option<u64>,
    client: Option<Arc<Guarded>>,
    envelope: Option<Arc<O::Request>>,
    /// The rows to send, each with its hash, batched again as they come (the reader's batches lose the rows
    /// confirmed earlier).
    batcher: Batcher<(u64, O::Item)>,
    /// Batches ready to go, each with its rows' hashes.
    ready: Vec<(Batch<O::Item>, Vec<u64>)>,
    /// Where each row is serialized to be hashed.
    hash_buffer: Vec<u8>,
    /// Each batch in flight, by task.
    in_flight: HashMap<tokio::task::Id, InFlight>,
}

/// A batch in flight.
#[derive(Debug, Default)]
struct InFlight {
    rows: u64,
    bytes: u64,
    /// Its rows' hashes, in its order.
    hashes: Vec<u64>,
}

async fn execute<O: Batched>(args: &Args, setup: Setup<O>) -> u8 {
    let Setup {
        plan,
        input_bytes,
        limits,
        envelope,
        client,
        checkpoint,
        rejects,
        failed,
        files,
    } = setup;
    let concurrency = usize::from(args.concurrency);
    let stop = Arc::new(AtomicBool::new(false));
    // A few batches of read-ahead: enough to keep every sender busy, small enough to bound memory.
    let (events_tx, mut events) = mpsc::channel(concurrency * 2 + 2);
    let producer = match pipeline::spawn::<O>(plan, stop.clone(), events_tx) {
        Ok(handle) => handle,
        Err(err) => {
            let _ = writeln!(
                std::io::stderr(),
                "salesync push: cannot start the reader: {err}"
            );
            return Status::Failure as u8;
        }
    };
    let mut signals = interrupts();
    let interval = Duration::from_secs_f64(args.progress_interval.max(0.05));
    let mut driver = Driver::<O> {
        tally: Tally::default(),
        ending: Ending {
            dry_run: args.dry_run,
            ..Ending::default()
        },
        bytes_done: 0,
        rejects,
        failed,
        checkpoint,
        progress: Progress::new(args.progress, input_bytes, interval),
        stop,
        stopping: false,
        stop_after: args.stop_after_batches,
        client,
        envelope,
        batcher: Batcher::new(limits),
        ready: Vec::new(),
        hash_buffer: Vec::new(),
        in_flight: HashMap::new(),
    };
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

    // At most `concurrency` requests in flight; as many more batches wait for a slot with their requests
    // serialized, so that a slot freed by an answer is used at once.
    let slots = Arc::new(Semaphore::new(concurrency));
    let batches_at_once = concurrency * 2;
    let mut tasks: JoinSet<Outcome> = JoinSet::new();
    let mut ticker = tokio::time::interval(Duration::from_millis(200));
    let mut reading = true;
    while reading || !tasks.is_empty() {
        tokio::select! {
            biased;
            Some(()) = signals.recv() => {
                if driver.stopping {
                    driver.progress.println("salesync push: stopping now; batches in flight count as not sent");
                    tasks.abort_all();
                } else {
                    driver.ending.interrupted = true;
                    driver.halt("salesync push: interrupted: finishing the batches in flight (Ctrl-C again to stop at once)");
                }
            }
            Some(joined) = tasks.join_next_with_id(), if !tasks.is_empty() => {
                driver.finished(joined);
                // The platform is unreachable or refuses the credentials: the batches still queued or in
                // flight would only meet the same answer. Their rows count as not sent; a rerun sends them.
                if driver.ending.fatal.as_ref().is_some_and(|fatal| fatal.side == Side::Platform) {
                    tasks.abort_all();
                }
            }
            event = events.recv(), if reading && (driver.stopping || tasks.len() < batches_at_once) => {
                match event {
                    None => {
                        reading = false;
                        driver.flush();
                    }
                    Some(event) => driver.event(event),
                }
                for (batch, hashes) in std::mem::take(&mut driver.ready) {
                    let (client, envelope) = (driver.client.clone(), driver.envelope.clone());
                    let (Some(client), Some(envelope)) = (client, envelope) else {
                        continue;
                    };
                    let (rows, bytes) = (batch.rows.len() as u64, batch.bytes());
                    if driver.stopping {
                        driver.tally.unsent += rows;
                        driver.bytes_done += bytes;
                        continue;
                    }
                    let slots = slots.clone();
                    let handle = tasks.spawn(async move {
                        deliver::<O, Guarded>(&client, &envelope, batch, &slots).await
                    });
                    driver.in_flight.insert(handle.id(), InFlight { rows, bytes, hashes });
                }
            },
            _ = ticker.tick() => driver.progress.update(&driver.tally, driver.bytes_done),
        }
    }
    drop(events);
    let _ = producer.join();
    driver.finish(&files, args.json)
}

impl<O: Batched> Driver<O> {
    /// Stops reading; batches in flight finish.
    fn halt(&mut self, why: &str) {
        if !self.stopping {
            self.stopping = true;
            self.stop.store(true, Ordering::Relaxed);
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

    /// Takes one event from the producer.
    fn event(&mut self, event: Event<O::Item>) {
        match event {
            Event::Reject { reject, bytes } => {
                self.tally.read += 1;
                self.tally.invalid += 1;
                self.bytes_done += bytes;
                self.reject(&reject);
            }
            Event::Error(message) => self.fatal(message),
            Event::Batch(batch) => {
                self.tally.read += batch.rows.len() as u64;
                if self.stopping || self.checkpoint.is_none() {
                    // Stopping, or a dry run: nothing more is sent.
                    self.tally.unsent += batch.rows.len() as u64;
                    self.bytes_done += batch.bytes();
                    return;
                }
                for row in batch.rows {
                    self.row(row);
                }
            }
        }
    }

    /// Sorts one valid row by what earlier runs learnt of its content: confirmed (skipped), refused (listed
    /// in the reject file again), or neither (batched to send).
    fn row(&mut self, row: Row<O::Item>) {
        let hash = row_hash(&row.item, &mut self.hash_buffer);
        let known = match &self.checkpoint {
            Some(checkpoint) => checkpoint.known(hash),
            None => Ok(None),
        };
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
                let row = Row {
                    line: row.line,
                    index: row.index,
                    text: row.text,
                    bytes: row.bytes,
                    item: (hash, row.item),
                };
                if let Some(batch) = self.batcher.push(row) {
                    self.ready.push(split(batch));
                }
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
    }

    /// The last, partial batch, at the end of the input.
    fn flush(&mut self) {
        if let Some(batch) = self.batcher.finish() {
            self.ready.push(split(batch));
        }
    }

    /// Takes the outcome of a batch.
    fn finished(&mut self, joined: Result<(tokio::task::Id, Outcome), tokio::task::JoinError>) {
        let (outcome, hashes) = match joined {
            Ok((id, outcome)) => {
                let hashes = self.in_flight.remove(&id).unwrap_or_default().hashes;
                (outcome, hashes)
            }
            Err(err) => {
                let InFlight { rows, bytes, .. } =
                    self.in_flight.remove(&err.id()).unwrap_or_default();
                self.bytes_done += bytes;
                if err.is_cancelled() {
                    self.tally.unsent += rows;
                } else {
                    self.tally.failed += rows;
                    self.progress.println(&format!(
                        "salesync push: a batch was lost to an internal error: {err}"
                    ));
                }
                return;
            }
        };
        self.bytes_done += outcome.bytes;
        self.tally.requests += outcome.requests as u64;
        self.tally.retries += outcome.retries as u64;
        self.tally.sent += outcome.sent as u64;
        self.tally.failed += outcome.failed as u64;
        self.tally.unsent += outcome.unsent as u64;
        self.tally.refused += outcome.refused.len() as u64;
        for reject in &outcome.refused {
            self.reject(reject);
        }
        if !outcome.refused.is_empty() {
            let _ = self.rejects.flush();
        }
        if let Some(failed) = &mut self.failed {
            let written = outcome
                .failed_rows
                .iter()
                .try_for_each(|row| failed.write(row))
                .and_then(|()| failed.flush());
            if let Err(err) = written {
                self.fatal(format!("cannot write the failed file: {err}"));
            }
        }
        // The rows the platform answered for are recorded, even when others of the batch failed: a rerun
        // sends only those.
        let mut ok = Vec::with_capacity(outcome.sent);
        let mut refused: Vec<(u64, &[ErrorEntry])> = Vec::new();
        for (fate, hash) in outcome.fates.iter().zip(&hashes) {
            match fate {
                Fate::Sent => ok.push(*hash),
                Fate::Refused(at) => refused.push((*hash, &outcome.refused[*at].errors)),
                Fate::Failed(_) | Fate::Unsent => {}
            }
        }
        if let Some(checkpoint) = &mut self.checkpoint {
            if let Err(err) = checkpoint.record(&ok, &refused) {
                let path = checkpoint.path().display().to_string();
                self.fatal(format!("cannot write the checkpoint {path}: {err}"));
                return;
            }
        }
        if let Some(fatal) = &outcome.fatal {
            self.stop_for(
                format!("the platform refused the request: {}", fatal.message),
                Side::Platform,
            );
            return;
        }
        // The client decided, as the answer came, whether nothing had been delivered before it.
        let stopped = self
            .client
            .as_ref()
            .is_some_and(|client| client.stopped.load(Ordering::SeqCst));
        if let Some(failure) = outcome.failure.as_ref().filter(|f| f.unreachable) {
            if stopped {
                self.stop_for(
                    format!(
                        "the platform cannot be reached (nothing was delivered): {}",
                        failure.message
                    ),
                    Side::Platform,
                );
                return;
            }
        }
        if !outcome.confirmed() {
            let failure = outcome
                .failure
                .as_ref()
                .map_or("not delivered", |failure| failure.message.as_str());
            self.progress.println(&format!(
                "salesync push: batch {} (lines {}-{}): {} row(s) not delivered: {failure}",
                outcome.seq, outcome.first_line, outcome.last_line, outcome.failed
            ));
            return;
        }
        self.tally.batches_confirmed += 1;
        if self
            .stop_after
            .is_some_and(|n| self.tally.batches_confirmed >= n)
        {
            self.ending.interrupted = true;
            self.halt("salesync push: stopping after the requested number of batches");
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

/// A batch of rows with their hashes, as a batch of rows and the hashes in its order.
fn split<T>(batch: Batch<(u64, T)>) -> (Batch<T>, Vec<u64>) {
    let mut hashes = Vec::with_capacity(batch.rows.len());
    let rows = batch
        .rows
        .into_iter()
        .map(|row| {
            let (hash, item) = row.item;
            hashes.push(hash);
            Row {
                line: row.line,
                index: row.index,
                text: row.text,
                bytes: row.bytes,
                item,
            }
        })
        .collect();
    (
        Batch {
            seq: batch.seq,
            rows,
        },
        hashes,
    )
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

    #[test]
    fn split_keeps_hashes_in_row_order() {
        let rows = (0..3)
            .map(|n| Row {
                line: n + 1,
                index: None,
                text: String::new(),
                bytes: 1,
                item: (n * 10, n),
            })
            .collect();
        let (batch, hashes) = split(Batch { seq: 4, rows });
        assert_eq!(hashes, [0, 10, 20]);
        assert_eq!(batch.seq, 4);
        assert_eq!(
            batch.rows.iter().map(|row| row.item).collect::<Vec<_>>(),
            [0, 1, 2]
        );
    }
}
