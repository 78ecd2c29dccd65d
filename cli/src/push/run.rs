//! Ties the pieces together: checks the arguments, starts the producer (reading, checking and grouping rows
//! on a thread of its own), sorts each row by what earlier runs learnt of it (the checkpoint), hands the rows
//! to send to the library's batch engine (`Client::sync_stream`: batching, bounded concurrency, halving
//! refused requests, stopping when nothing else can get through), records what the platform answered, writes
//! rejects and failed rows, keeps the pace file, shows progress, stops cleanly on Ctrl-C, and accounts for
//! every row read.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use salesync::client::{Client, Row as EngineRow, SyncEvent, SyncOptions, SyncStream};
use salesync::runtime::{Auth, Batched};
use tokio::sync::mpsc;

use super::batcher::Limits;
use super::budget::Budget;
use super::checkpoint::{Checkpoint, Header};
use super::driver::{self, Driver, Engine, RowKey};
use super::envelope::Credentials;
use super::failed::FailedWriter;
use super::fleet;
use super::pace_file::PaceFile;
use super::pipeline::{self, Event, Plan};
use super::progress::Progress;
use super::rejects::RejectWriter;
use super::roster::Roster;
use super::summary::{Ending, Files, Tally};
use super::tenants;
use super::Args;
use crate::rows::Input;
use crate::status::Status;

/// Events the producer may have waiting for the driver: a little slack between two threads, no more (the
/// rows in them count in the budget, the engine keeps the senders busy).
const READ_AHEAD: usize = 2;

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
    /// The tenants of a fleet push (of a dry run too; a fleet that sends has it in `sending`).
    roster: Option<Roster>,
    /// How the tenants file is named in messages.
    tenants_file: String,
}

/// What sending needs.
struct Sending<O: Batched, P: Credentials> {
    via: Via<O, P>,
    checkpoint: Checkpoint,
    failed: FailedWriter,
}

/// One client, or a fleet.
enum Via<O: Batched, P: Credentials> {
    One {
        envelope: O::Request,
        client: Client<P>,
        pace: Option<PaceFile>,
    },
    /// Boxed: a fleet holds its roster and envelopes, and a run has one.
    Fleet(Box<fleet::Sending<O, P>>),
}

fn run_for<O: Batched + 'static, P: Credentials>(args: &Args) -> Result<u8, String> {
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
    let tenants_file = args
        .tenants
        .as_ref()
        .map_or(String::new(), |path| path.display().to_string());
    let tenants = match &args.tenants {
        Some(path) => Some(
            tenants::read(path, meta.auth, !args.dry_run)
                .map_err(|problems| problems.join("\n  "))?,
        ),
        None => None,
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

    let mut roster = None;
    let sending = if args.dry_run {
        roster = tenants
            .as_deref()
            .map(|tenants| fleet::dry_roster(tenants, meta.auth));
        None
    } else {
        let (via, header) = match &tenants {
            Some(tenants) => {
                let sending = fleet::set_up::<O, P>(args, tenants, &tenants_file)?;
                (Via::Fleet(Box::new(sending)), fleet::header::<O>())
            }
            None => {
                let (envelope, fingerprint) = args
                    .target
                    .envelope::<O>()
                    .map_err(|problems| problems.join("\n  "))?;
                let pace = pace_file(args, meta);
                let client = args.target.client::<P>(&args.sending(), pace.as_ref())?;
                let via = Via::One {
                    envelope,
                    client,
                    pace,
                };
                (via, Header::new(meta.name(), fingerprint))
            }
        };
        let checkpoint =
            Checkpoint::open(&checkpoint_path, &header).map_err(|err| err.to_string())?;
        let failed = FailedWriter::start(&failed_path).map_err(|err| {
            format!(
                "cannot write the failed file {}: {err}",
                failed_path.display()
            )
        })?;
        Some(Sending {
            via,
            checkpoint,
            failed,
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
        roster,
        tenants_file,
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

async fn execute<O: Batched + 'static, P: Credentials>(args: &Args, setup: Setup<O, P>) -> u8 {
    let Setup {
        plan,
        input_bytes,
        sending,
        rejects,
        files,
        roster,
        tenants_file,
    } = setup;
    let stop = Arc::new(AtomicBool::new(false));
    let limits = plan.limits;
    let plan_tenant = plan.tenant.clone();
    let csv_input = plan.format.resolve(&plan.input) == crate::rows::Format::Csv;
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
        handed_bytes: 0,
        reported_bytes: 0,
        hash_buffer: Vec::new(),
        roster,
        tenants_file,
        tenant_pointer: String::new(),
        tenant_column: None,
    };
    if let Some(member) = &plan_tenant {
        driver.tenant_pointer = crate::rows::lift::no_tenant(member, None, "").pointer;
        driver.tenant_column = csv_input.then(|| member.clone());
    }
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
async fn send<O: Batched + 'static, P: Credentials>(
    args: &Args,
    driver: &mut Driver,
    events: &mut mpsc::Receiver<Event<O::Item>>,
    sending: Sending<O, P>,
    limits: Limits,
) {
    let Sending {
        via,
        checkpoint,
        failed,
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
    // The rows of a batch as read go together (one message, not one per row).
    let (rows_tx, mut rows_rx) = mpsc::unbounded_channel::<Vec<EngineRow<RowKey, O::Item>>>();
    let rows = futures_util::stream::poll_fn(move |cx| rows_rx.poll_recv(cx))
        .flat_map(futures_util::stream::iter);
    match via {
        Via::One {
            envelope,
            client,
            pace,
        } => {
            let concurrency = usize::from(args.concurrency());
            // Reading stops while the engine holds this many rows (the requests in flight, as many prepared,
            // two more), and before that if their bytes reach the budget.
            let holding = driver::Holding {
                rows: (limits.max_rows * (concurrency * 2 + 2)) as u64,
                bytes: u64::MAX,
            };
            // The rows were checked as they were read (and the envelope once), and batched within the limits.
            let options = SyncOptions::default()
                .batch_rows(limits.max_rows)
                .batch_bytes(limits.max_bytes)
                .concurrency(concurrency)
                .validate(false);
            let mut engine = OneClient(client.sync_stream::<O, RowKey, _>(envelope, rows, options));
            driver::pump::<O, _>(driver, events, rows_tx, &mut engine, holding).await;
            drop(engine);
            // The pace file was kept up to date before every request; successes since have given back some
            // rate.
            if let (Some(file), Some(state)) = (&pace, client.pace_state()) {
                file.save_quietly(state);
            }
        }
        Via::Fleet(mut sending) => {
            let (mut engine, holding) = sending.engine(rows, limits, args);
            driver.roster = Some(std::mem::replace(
                &mut sending.roster,
                Roster::new([], false),
            ));
            driver::pump::<O, _>(driver, events, rows_tx, &mut engine, holding).await;
            drop(engine);
            sending.save_paces();
        }
    }
}

/// One client's engine, as the driver drives it.
struct OneClient<'a, O: Batched, S>(SyncStream<'a, O, RowKey, S>);

impl<O, S> Stream for OneClient<'_, O, S>
where
    O: Batched,
    S: Stream<Item = EngineRow<RowKey, O::Item>> + Send,
{
    type Item = SyncEvent<RowKey>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        std::pin::Pin::new(&mut self.0).poll_next(cx)
    }
}

impl<O, S> Engine for OneClient<'_, O, S>
where
    O: Batched,
    S: Stream<Item = EngineRow<RowKey, O::Item>> + Send,
{
    fn stops(&mut self, driver: &mut Driver) {
        if let Some(error) = self.0.stopped_by() {
            driver.stopped_by(error);
        }
    }

    fn finish(&mut self) {
        self.0.finish();
    }

    fn requests(&self) -> usize {
        self.0.requests()
    }
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
