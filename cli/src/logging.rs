//! Logging: the library's spans and events (one span per call, one per attempt, retries, refusals), and the
//! CLI's own, as lines on standard error. Standard output stays the command's: reports, `--json` objects.
//!
//! `-v` shows the salesync crates at info (each call when it closes, with its status and attempts; retries),
//! `-vv` at debug, `-vvv` at trace; without it only their warnings. `RUST_LOG`, when set, wins and takes the
//! usual filter syntax (`RUST_LOG=salesync=debug,hyper=trace`). What is logged comes from the library, which
//! keeps tokens and app keys out of its spans and events; the CLI logs no argument values.

use std::io::{self, IsTerminal};

use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::EnvFilter;

/// The crates `-v` turns up. Targets are module paths (`salesync::client::retry`); the CLI's own events are
/// under `salesync` too, the binary's crate name.
const CRATES: [&str; 2] = ["salesync", "salesync_mock"];

/// `-v`, `-vv`, `-vvv`: accepted before or after the subcommand.
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct Verbosity {
    /// Log to standard error: -v info, -vv debug, -vvv trace (RUST_LOG, when set, wins)
    #[arg(short, long = "verbose", action = clap::ArgAction::Count, global = true)]
    verbose: u8,
}

impl Verbosity {
    fn level(self) -> &'static str {
        match self.verbose {
            0 => "warn",
            1 => "info",
            2 => "debug",
            _ => "trace",
        }
    }

    /// The salesync crates at the flag's level, everything else off.
    fn directives(self) -> String {
        let level = self.level();
        CRATES.map(|name| format!("{name}={level}")).join(",")
    }
}

/// The filter: `RUST_LOG` when it is set and parses, else the flag's.
fn filter(verbosity: Verbosity, rust_log: Option<&str>) -> EnvFilter {
    if let Some(text) = rust_log.filter(|text| !text.trim().is_empty()) {
        match EnvFilter::builder().parse(text) {
            Ok(filter) => return filter,
            Err(err) => {
                // Not through tracing: the subscriber does not exist yet.
                eprintln!("salesync: ignoring RUST_LOG ({err}); using -v's level");
            }
        }
    }
    EnvFilter::builder()
        .parse(verbosity.directives())
        .expect("the directives of -v parse")
}

/// Whether log lines may be written to standard error during a run (`-v` or `RUST_LOG`): a progress bar
/// then gives way to progress lines, so the two do not overwrite each other.
static LOGGING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// See [`LOGGING`].
pub fn is_logging() -> bool {
    LOGGING.load(std::sync::atomic::Ordering::Relaxed)
}

/// Installs the subscriber: lines on standard error, coloured on a terminal unless `NO_COLOR` is set.
pub fn init(verbosity: Verbosity) {
    let rust_log = std::env::var("RUST_LOG").ok();
    let logging = verbosity.verbose > 0
        || rust_log
            .as_deref()
            .is_some_and(|text| !text.trim().is_empty());
    LOGGING.store(logging, std::sync::atomic::Ordering::Relaxed);
    let ansi = io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty());
    tracing_subscriber::fmt()
        .with_env_filter(filter(verbosity, rust_log.as_deref()))
        .with_writer(io::stderr)
        .with_ansi(ansi)
        // A call's span closing is its summary: endpoint, status, attempts, trace id, time taken.
        .with_span_events(FmtSpan::CLOSE)
        .init();
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn verbosity(verbose: u8) -> Verbosity {
        Verbosity { verbose }
    }

    #[test]
    fn each_v_is_one_level_more_for_the_salesync_crates_only() {
        assert_eq!(
            verbosity(0).directives(),
            "salesync=warn,salesync_mock=warn"
        );
        assert_eq!(verbosity(1).level(), "info");
        assert_eq!(verbosity(2).level(), "debug");
        assert_eq!(verbosity(3).level(), "trace");
        assert_eq!(verbosity(9).level(), "trace");
    }

    #[test]
    fn rust_log_wins_when_set_and_valid() {
        // The directives, in any order (the filter sorts them by specificity).
        let set = |text: String| text.split(',').map(str::to_owned).collect::<BTreeSet<_>>();
        let chosen = |rust_log| set(filter(verbosity(2), rust_log).to_string());
        let flag = set(verbosity(2).directives());
        assert_eq!(chosen(Some("hyper=trace")), set("hyper=trace".into()));
        assert_eq!(chosen(None), flag);
        assert_eq!(chosen(Some("  ")), flag);
        assert_eq!(chosen(Some("salesync=notalevel")), flag);
    }
}
