//! `salesync push <ENDPOINT> <FILE>`: stream a large export to the platform, resumably.
//!
//! One module per job: `reader` splits the file into rows, `pipeline` checks them and `batcher` groups them
//! (on a thread of their own, within the `budget` of bytes of rows held in memory), `send` delivers a batch
//! (halving it to isolate rows the platform refuses), `checkpoint` remembers confirmed rows by their content,
//! `rejects` writes the reject file, `failed` the file of rows not delivered, `progress` and `summary` tell the
//! user, `envelope` builds the request envelope and the client, and `run` ties them together.

use std::path::PathBuf;
use std::time::Duration;

use crate::endpoint::Endpoint;
use crate::rows::Format;

mod batcher;
mod budget;
mod canonical;
mod checkpoint;
mod driver;
mod envelope;
mod failed;
mod fleet;
mod pace_file;
mod pipeline;
mod progress;
pub(crate) mod rejects;
mod roster;
mod run;
mod send;
mod summary;
mod tenant_summary;
mod tenants;
mod token_command;

pub use run::run;

const AFTER_HELP: &str = "\
Input: one batch item per row (a flow of flow_data_list, a salesinfo item); `-` reads standard input.
--format auto (the default) is csv for a *.csv file and json otherwise.
  json   one JSON array of items (the first non-blank byte is `[`), or a request body whose batch member
         holds the items (`{\"salesinfo\": [...], ...}`; its other members are skipped), or else as jsonl
  jsonl  JSON values one after another, one row each: JSON Lines, or rows pretty-printed over several lines
  csv    a header row of member paths, then one item per record: members joined by dots, array items by
         index from 0 (price.current_price, tag_info.custom_tag.0.tag_name). Cells are typed by the schema:
         strings as written (007 stays \"007\"), integers -?[0-9]+, numbers exactly as written (8.90), booleans
         true/false; an empty cell is an absent member. A column the schema does not have is a usage error.
         A rejected record's errors also name their \"column\".
A reject file of an earlier push is an input too (recognised by its lines: {\"line\", \"row\", \"errors\"}):
each line's row is sent. Fix rows in the reject file and push it: exactly its rows are sent again. The input
is streamed: memory stays bounded whatever its size.

Every row is checked against the schema; invalid rows go to the reject file and the run goes on. Valid rows
are sent in batches of consecutive rows (the schema's limit, or --batch-size).

Checkpoint (FILE.checkpoint, or --checkpoint PATH; required for standard input): each row the platform
confirmed is recorded by its content (a hash of the row, whatever its whitespace or member order), with the
endpoint and envelope it went to. A rerun of the same command skips the confirmed rows, lists the rows the
platform refused in the reject file again, and sends every other row: after a crash or Ctrl-C, after rows
were edited, appended or removed, exactly the rows not confirmed yet are sent. A row whose outcome is unknown
(a timeout, a dropped connection) is sent again: the platforms upsert by natural key. Identical rows in one
run are each sent (a no-op upsert). A checkpoint of another endpoint or envelope, or of format 1, is refused.

Reject file: one JSON object per line, {\"line\": N, \"row\": <the row>, \"errors\": [{\"pointer\", \"rule\",
\"message\"}]}; rule `platform` when the platform refused the row. It is rewritten by every run and lists every
rejected row of the file.

Failed file (FILE.failed.jsonl, or --failed PATH): every row not delivered after the retries, in the reject
file's format, its error of rule `failed` with the last error's \"class\", \"status\", \"code\" (the platform's)
and \"trace_id\" when known. Rewritten by every run that sends; absent when nothing failed. Push it later to
send exactly those rows (or rerun the same command: the checkpoint skips what was delivered).

Many stores or accounts (--tenants FILE): one line per tenant, JSON Lines or CSV (by the name *.csv, else
the content): Shopline {\"store\": \"handle\", \"token\": \"$VAR\", \"store_id\", \"app_key\", \"source_type\",
\"base_url\"}, Tencent {\"account_id\": 123, \"token\": \"${VAR}\", \"user_action_set_id\", \"data_set_id\",
\"base_url\"}; a token $VAR or ${VAR} is read from the environment (a literal token works, and is discouraged);
a member left out comes from the flag shared by all. Without a token on its line, a tenant's token is the output
of --token-command CMD TENANT (asked again when the platform refuses it), else the shared token flag. Each row
names its tenant by a member (JSON) or column (CSV), --tenant-column (default store, or account_id), lifted out
of the row before it is checked; a row naming none, or a tenant the file lacks, is rejected (rule tenant).
--base-url may hold {tenant}, replaced by each tenant's id. --concurrency bounds the requests on the wire for
all tenants (default 32), --tenant-concurrency each one's (default 2); each tenant has its own pace and the pace
file a single push to it uses. A tenant whose token or account the platform refuses stops alone: its rows go to
the failed file, the others go on. One checkpoint (its rows hashed with their tenant) and one report: the totals
and a line per tenant with rows left (--json: {\"tenants\": [...], \"unassigned\": {...}, \"total\": {...}}).

Exit status:
  0    every row delivered (or confirmed by an earlier run)
  1    some rows rejected (invalid or refused by the platform) or failed after retries
  2    a usage or input error: bad arguments, an unreadable input, a CSV header the schema does not have, a
       checkpoint of another endpoint or envelope, a file that cannot be written
  3    the platform: unreachable before any row was delivered (connection refused, a name that does not
       resolve), or refusing the credentials or the account (a bad token, an account not permitted, the daily
       call limit); nothing more can get through until that is fixed. With --tenants: only when the platform
       stopped tenants and no row of any tenant got through; a refused tenant's rows otherwise make it 1
  130  interrupted (Ctrl-C, SIGTERM): in-flight batches finished, checkpoint written; run again to resume";

/// Arguments of `salesync push`.
#[derive(clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// The endpoint the rows are for, as vendor.operation
    #[arg(value_name = "ENDPOINT", value_parser = Endpoint::parser())]
    pub endpoint: Endpoint,

    /// The input: batch items as JSON Lines, a JSON array, a request body, a reject file of an earlier
    /// push, or CSV; `-` reads standard input
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// How the input is written: auto is CSV for a *.csv file, else JSON told by its content
    #[arg(long, value_enum, default_value_t = Format::Auto, value_name = "FORMAT")]
    pub format: Format,

    #[command(flatten)]
    pub target: envelope::Target,

    /// Push for many stores or accounts: a JSON Lines or CSV file of one tenant a line (Shopline `store`,
    /// Tencent `account_id`, its `token` (`$VAR` reads the environment) and envelope members); each row names
    /// its tenant (--tenant-column)
    #[arg(long, value_name = "FILE", help_heading = "Many stores or accounts")]
    pub tenants: Option<PathBuf>,

    /// The member (JSON rows) or column (CSV) naming each row's tenant, lifted out of the row [default: store
    /// for Shopline, account_id for Tencent]
    #[arg(
        long,
        value_name = "NAME",
        requires = "tenants",
        help_heading = "Many stores or accounts"
    )]
    pub tenant_column: Option<String>,

    /// For tenants without a token in the tenants file: the command printing a tenant's token, run as `CMD
    /// TENANT` (split at spaces, no shell) when it is first needed and again when the platform refuses it
    #[arg(
        long,
        value_name = "CMD",
        requires = "tenants",
        help_heading = "Many stores or accounts"
    )]
    pub token_command: Option<String>,

    /// Requests in flight at once for one tenant (--concurrency bounds them for all tenants together)
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=64), value_name = "N",
          help_heading = "Many stores or accounts")]
    pub tenant_concurrency: u16,

    /// Check and batch the rows, write the reject file, send nothing (no credentials needed)
    #[arg(long)]
    pub dry_run: bool,

    /// Requests in flight at once (with --tenants: for all tenants together) [default: 4; with --tenants: 32]
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024), value_name = "N")]
    pub concurrency: Option<u16>,

    /// At most this many requests per second (0: no client pacing). Default: the platform's documented
    /// limit (Shopline 4/s with a burst of 40; Tencent 1000/min)
    #[arg(long, value_name = "RPS")]
    pub rps: Option<f64>,

    /// Where the pace of each platform bucket is kept between runs, so a push restarted at once (or the next
    /// push to the same store) waits for the bucket the last one filled [default: $SALESYNC_STATE_DIR, else
    /// $XDG_STATE_HOME/salesync, else ~/.local/state/salesync]
    #[arg(long, value_name = "DIR")]
    pub pace_dir: Option<PathBuf>,

    /// Rows per request (default and maximum: the schema's batch limit)
    #[arg(long, value_name = "N")]
    pub batch_size: Option<usize>,

    /// Attempts per request, the first included, before its rows count as failed
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub max_attempts: u32,

    /// Timeout of one attempt, in seconds
    #[arg(long, default_value_t = 30.0, value_name = "SECONDS")]
    pub timeout: f64,

    /// The checkpoint file, which standard input needs [default: FILE.checkpoint]
    #[arg(long, value_name = "PATH")]
    pub checkpoint: Option<PathBuf>,

    /// The reject file [default: FILE.rejects.jsonl; for standard input, next to the checkpoint]
    #[arg(long, value_name = "PATH")]
    pub rejects: Option<PathBuf>,

    /// The file of rows not delivered after retries [default: FILE.failed.jsonl; for standard input, next to
    /// the checkpoint]
    #[arg(long, value_name = "PATH")]
    pub failed: Option<PathBuf>,

    /// Progress on standard error
    #[arg(long, value_enum, default_value_t = progress::Mode::Auto, value_name = "MODE")]
    pub progress: progress::Mode,

    /// Print the summary as one JSON object on standard output
    #[arg(long)]
    pub json: bool,

    /// The platform's documented pace this many times faster, same burst (tests against a mock whose bucket
    /// drains as many times faster)
    #[arg(long, default_value_t = 1.0, hide = true, value_name = "FACTOR")]
    pub pace_scale: f64,

    /// Backoff before the first retry, in milliseconds (doubles for each later one)
    #[arg(long, default_value_t = 500, hide = true)]
    pub retry_backoff_ms: u64,

    /// Seconds between progress lines when standard error is not a terminal
    #[arg(long, default_value_t = 5.0, hide = true)]
    pub progress_interval: f64,

    /// Longest row read, in bytes; longer rows are rejected
    #[arg(long, default_value_t = crate::rows::json::DEFAULT_ROW_LIMIT, hide = true)]
    pub max_row_bytes: usize,

    /// A batch closes before its rows' text would pass this many bytes
    #[arg(long, default_value_t = 4 * 1024 * 1024, hide = true)]
    pub max_batch_bytes: usize,

    /// Rows read but not yet accounted for hold at most about this many bytes of text (at least
    /// --max-batch-bytes): the bound on push's memory whatever the rows, the file or the concurrency
    #[arg(long, default_value_t = budget::DEFAULT_LIMIT, hide = true)]
    pub max_held_bytes: usize,

    /// Act as if Ctrl-C came once this many batches are confirmed (to test resuming)
    #[arg(long, hide = true)]
    pub stop_after_batches: Option<u64>,

    /// Check only each row's structure and let the platform judge its rules (to test platform refusals)
    #[arg(long, hide = true)]
    pub no_local_validation: bool,
}

impl Args {
    /// Requests in flight at once: `--concurrency`, else 4 (a fleet: 32, for all its tenants).
    fn concurrency(&self) -> u16 {
        let default = match self.tenants {
            Some(_) => fleet::DEFAULT_CONCURRENCY,
            None => 4,
        };
        self.concurrency.unwrap_or(default)
    }

    /// The member or column naming each row's tenant: `--tenant-column`, else the platform's tenant
    /// (`store`, `account_id`).
    fn tenant_column<O: salesync::runtime::Batched>(&self) -> String {
        self.tenant_column.clone().unwrap_or_else(|| {
            match O::META.auth {
                salesync::runtime::Auth::ShoplineBearer => "store",
                salesync::runtime::Auth::TencentQueryToken => "account_id",
            }
            .to_owned()
        })
    }

    fn sending(&self) -> envelope::Sending {
        envelope::Sending {
            rps: self.rps,
            pace_scale: self.pace_scale,
            max_attempts: self.max_attempts,
            backoff: Duration::from_millis(self.retry_backoff_ms),
            timeout: Duration::from_secs_f64(self.timeout.max(0.001)),
        }
    }
}
