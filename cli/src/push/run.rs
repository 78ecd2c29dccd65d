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
use tokio::sync::{mpsc, Semaphore};
use tokio::task::JoinSet;

use super::batcher::{Batch, Limits};
use super::checkpoint::{Checkpoint, Confirmed, Header, InputId, RejectedRow};
use super::envelope::Client;
use super::pipeline::{self, Event, Plan};
use super::progress::Progress;
use super::rejects::{Reject, RejectWriter, RowText};
use super::send::{deliver, Outcome};
use super::summary::{self, Ending, Files, Tally};
use super::Args;

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
        2
    })
}

/// Everything a run needs, checked before anything is read or sent.
struct Setup<O: Batched> {
    plan: Plan,
    input: InputId,
    envelope: Option<Arc<O::Request>>,
    client: Option<Arc<Client>>,
    checkpoint: Option<Checkpoint>,
    rejects: RejectWriter,
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

fn set_up<O: Batched>(args: &Args) -> Result<Setup<O>, String> {
    let meta = &O::META;
    let path = &args.file;
    let metadata =
        std::fs::metadata(path).map_err(|err| format!("cannot read {}: {err}", path.display()))?;
    if !metadata.is_file() {
        return Err(format!("{} is not a file", path.display()));
    }
    let input =
        InputId::of(path).map_err(|err| format!("cannot read {}: {err}", path.display()))?;
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
        input: crate::rows::Input::from_arg(path),
        format: args.format,
        limits,
        row_limit: args.max_row_bytes.max(1),
        validate: !args.no_local_validation,
    };

    let rejects_path = args
        .rejects
        .clone()
        .unwrap_or_else(|| with_suffix(path, ".rejects.jsonl"));
    let checkpoint_path = args
        .checkpoint
        .clone()
        .unwrap_or_else(|| with_suffix(path, ".checkpoint"));
    for (what, other) in [
        ("reject file", &rejects_path),
        ("checkpoint", &checkpoint_path),
    ] {
        if same_file(path, other) {
            return Err(format!(
                "the {what} cannot be the input file {}",
                path.display()
            ));
        }
    }
    if same_file(&rejects_path, &checkpoint_path) {
        return Err("the reject file and the checkpoint must be different files".to_owned());
    }

    let (envelope, client, checkpoint) = if args.dry_run {
        (None, None, None)
    } else {
        let (envelope, fingerprint) = args
            .target
            .envelope::<O>()
            .map_err(|problems| problems.join("\n  "))?;
        let client = args.target.client(meta, &args.sending())?;
        let header = Header::new(
            meta.name(),
            input.clone(),
            limits.max_rows,
            limits.max_bytes,
            fingerprint,
        );
        let checkpoint =
            Checkpoint::open(&checkpoint_path, &header).map_err(|err| err.to_string())?;
        (
            Some(Arc::new(envelope)),
            Some(Arc::new(client)),
            Some(checkpoint),
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
    };
    Ok(Setup {
        plan,
        input,
        envelope,
        client,
        checkpoint,
        rejects,
        files,
    })
}

/// The state of a run while it goes.
struct Driver<O: Batched> {
    tally: Tally,
    ending: Ending,
    bytes_done: u64,
    rejects: RejectWriter,
    checkpoint: Option<Checkpoint>,
    progress: Progress,
    stop: Arc<AtomicBool>,
    stopping: bool,
    stop_after: Option<u64>,
    client: Option<Arc<Client>>,
    envelope: Option<Arc<O::Request>>,
    /// Rows and bytes of each batch in flight, by task.
    in_flight: HashMap<tokio::task::Id, (u64, u64)>,
}

async fn execute<O: Batched>(args: &Args, setup: Setup<O>) -> u8 {
    let Setup {
        plan,
        input,
        envelope,
        client,
        checkpoint,
        rejects,
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
            return 2;
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
        checkpoint,
        progress: Progress::new(args.progress, input.size, interval),
        stop,
        stopping: false,
        stop_after: args.stop_after_batches,
        client,
        envelope,
        in_flight: HashMap::new(),
    };
    if let Some(checkpoint) = &driver.checkpoint {
        if checkpoint.repaired {
            driver.progress.println(&format!(
                "salesync push: the last line of {} was cut short by the previous run; its batch will be sent again",
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
            Some(joined) = tasks.join_next_with_id(), if !tasks.is_empty() => driver.finished(joined),
            event = events.recv(), if reading && (driver.stopping || tasks.len() < batches_at_once) => match event {
                None => reading = false,
                Some(event) => {
                    if let Some(batch) = driver.event(event) {
                        let (client, envelope) = (driver.client.clone(), driver.envelope.clone());
                        if let (Some(client), Some(envelope)) = (client, envelope) {
                            let (rows, bytes) = (batch.rows.len() as u64, batch.bytes());
                            let slots = slots.clone();
                            let handle = tasks.spawn(async move {
                                deliver::<O, Client>(&client, &envelope, batch, &slots).await
                            });
                            driver.in_flight.insert(handle.id(), (rows, bytes));
                        }
                    }
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
        if self.ending.fatal.is_none() {
            self.halt(&format!("salesync push: {message}"));
            self.ending.fatal = Some(message);
        }
    }

    /// Takes one event from the producer; gives the batch to send, if it is one to send.
    fn event(&mut self, event: Event<O::Item>) -> Option<Batch<O::Item>> {
        match event {
            Event::Reject { reject, bytes } => {
                self.tally.read += 1;
                self.tally.invalid += 1;
                self.bytes_done += bytes;
                self.reject(&reject);
                None
            }
            Event::Error(message) => {
                self.fatal(message);
                None
            }
            Event::Batch(batch) => {
                let rows = batch.rows.len() as u64;
                self.tally.read += rows;
                if self.skip_confirmed(&batch) {
                    return None;
                }
                if self.stopping || self.ending.dry_run {
                    self.tally.unsent += rows;
                    self.bytes_done += batch.bytes();
                    return None;
                }
                Some(batch)
            }
        }
    }

    /// Skips a batch an earlier run confirmed, putting its refused rows in the reject file again.
    fn skip_confirmed(&mut self, batch: &Batch<O::Item>) -> bool {
        let Some(checkpoint) = &self.checkpoint else {
            return false;
        };
        let Some(confirmed) = checkpoint.confirmed(
            batch.seq,
            batch.first_line(),
            batch.last_line(),
            batch.rows.len(),
        ) else {
            return false;
        };
        let refused: Vec<Reject> = confirmed
            .rejected
            .iter()
            .filter_map(|rejected| {
                let row = batch.rows.iter().find(|row| row.line == rejected.line)?;
                Some(Reject {
                    line: row.line,
                    index: row.index,
                    row: RowText::Json(row.text.clone()),
                    errors: rejected.errors.clone(),
                })
            })
            .collect();
        for reject in &refused {
            self.reject(reject);
        }
        self.tally.refused += refused.len() as u64;
        self.tally.skipped += (batch.rows.len() - refused.len()) as u64;
        self.tally.batches_skipped += 1;
        self.bytes_done += batch.bytes();
        true
    }

    /// Takes the outcome of a batch.
    fn finished(&mut self, joined: Result<(tokio::task::Id, Outcome), tokio::task::JoinError>) {
        let outcome = match joined {
            Ok((id, outcome)) => {
                self.in_flight.remove(&id);
                outcome
            }
            Err(err) => {
                let (rows, bytes) = self.in_flight.remove(&err.id()).unwrap_or_default();
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
        self.tally.refused += outcome.refused.len() as u64;
        for reject in &outcome.refused {
            self.reject(reject);
        }
        if !outcome.refused.is_empty() {
            let _ = self.rejects.flush();
        }
        if let Some(fatal) = &outcome.fatal {
            self.fatal(fatal.clone());
            return;
        }
        if !outcome.confirmed() {
            let failure = outcome.failure.as_deref().unwrap_or("not delivered");
            self.progress.println(&format!(
                "salesync push: batch {} (lines {}-{}): {} row(s) not delivered: {failure}",
                outcome.seq, outcome.first_line, outcome.last_line, outcome.failed
            ));
            return;
        }
        let confirmed = Confirmed {
            batch: outcome.seq,
            first_line: outcome.first_line,
            last_line: outcome.last_line,
            rows: outcome.rows,
            rejected: outcome
                .refused
                .iter()
                .map(|reject| RejectedRow {
                    line: reject.line,
                    errors: reject.errors.clone(),
                })
                .collect(),
        };
        if let Some(checkpoint) = &mut self.checkpoint {
            if let Err(err) = checkpoint.confirm(confirmed) {
                let path = checkpoint.path().display().to_string();
                self.fatal(format!("cannot write the checkpoint {path}: {err}"));
                return;
            }
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
        summary::exit_code(&self.tally, &self.ending)
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
}
