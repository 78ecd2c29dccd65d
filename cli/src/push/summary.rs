//! Accounting for every row read, and the summary printed at the end.

use serde::Serialize;

use crate::status::Status;

/// What became of the rows read so far. At the end, the counts other than `read` add up to `read`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// Rows read from the input (unreadable pieces included).
    pub read: u64,
    /// Rows the platform confirmed in this run.
    pub sent: u64,
    /// Rows that broke the schema, or could not be read as a row: in the reject file.
    pub invalid: u64,
    /// Rows the platform refused (this run, or an earlier run whose batch is confirmed): in the reject file.
    pub refused: u64,
    /// Rows not delivered after the client's retries: not confirmed, so a rerun sends them again.
    pub failed: u64,
    /// Rows an earlier run confirmed (the checkpoint holds their content): not sent again.
    pub skipped: u64,
    /// Valid rows not sent: the run was interrupted before their batch went out, or `--dry-run`.
    pub unsent: u64,
    /// Batches sent and confirmed in this run (every row of them delivered or refused).
    pub batches_confirmed: u64,
    /// Requests made, halves of refused batches included.
    pub requests: u64,
    /// Attempts the clients retried within requests that then succeeded (429s, 5xx, timeouts...).
    pub retries: u64,
}

impl Tally {
    /// Rows whose fate is known.
    pub fn accounted(&self) -> u64 {
        self.sent + self.invalid + self.refused + self.failed + self.skipped + self.unsent
    }

    /// Rows rejected, either way.
    pub fn rejected(&self) -> u64 {
        self.invalid + self.refused
    }
}

/// How the run ended, beyond the counts.
#[derive(Debug, Clone, Default)]
pub struct Ending {
    /// Stopped early by Ctrl-C (or `--stop-after-batches`).
    pub interrupted: bool,
    /// Stopped early by an error that no row can get past.
    pub fatal: Option<Fatal>,
    /// `--dry-run`: nothing was sent.
    pub dry_run: bool,
}

/// An error that stopped the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fatal {
    /// What it was, one line.
    pub message: String,
    /// Whose side it is on.
    pub side: Side,
}

/// Whose side a fatal error is on, which the exit status tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Ours: the input could not be read further, a file could not be written (exit 2).
    Local,
    /// The platform's: unreachable, or refusing the credentials or the account (exit 3).
    Platform,
}

/// The exit status: 130 interrupted, 3 the platform unreachable or refusing the credentials, 2 a local fatal
/// error, 1 rows rejected or failed, 0 all delivered (or confirmed earlier).
pub fn exit_code(tally: &Tally, ending: &Ending) -> Status {
    match &ending.fatal {
        _ if ending.interrupted => Status::Interrupted,
        Some(fatal) if fatal.side == Side::Platform => Status::Platform,
        Some(_) => Status::Failure,
        None if tally.rejected() > 0
            || tally.failed > 0
            || (tally.unsent > 0 && !ending.dry_run) =>
        {
            Status::Invalid
        }
        None => Status::Valid,
    }
}

/// Paths shown in the summary.
#[derive(Debug, Clone)]
pub struct Files {
    /// The reject file.
    pub rejects: String,
    /// The checkpoint, when one is used.
    pub checkpoint: Option<String>,
    /// The failed file, when rows are sent.
    pub failed: Option<String>,
}

/// The summary for a person.
pub fn human(tally: &Tally, ending: &Ending, files: &Files) -> String {
    let mut out = String::new();
    let mut line = |text: String| {
        out.push_str(&text);
        out.push('\n');
    };
    let head = if ending.dry_run {
        "dry run, nothing sent"
    } else if ending.interrupted {
        "interrupted"
    } else if ending.fatal.is_some() {
        "stopped"
    } else {
        "done"
    };
    line(format!("{head}: {} rows read", tally.read));
    if !ending.dry_run {
        let retried = if tally.retries > 0 {
            format!(", {} retried", plural(tally.retries, "attempt", "attempts"))
        } else {
            String::new()
        };
        line(format!(
            "  {:>9} sent ({}, {}{retried})",
            tally.sent,
            plural(tally.batches_confirmed, "batch", "batches") + " confirmed",
            plural(tally.requests, "request", "requests")
        ));
    }
    line(format!(
        "  {:>9} rejected: {} invalid, {} refused by the platform (see {})",
        tally.rejected(),
        tally.invalid,
        tally.refused,
        files.rejects
    ));
    if !ending.dry_run {
        let listed = match (&files.failed, tally.failed) {
            (Some(failed), 1..) => format!(" (see {failed})"),
            _ => String::new(),
        };
        line(format!(
            "  {:>9} failed after retries{listed}: a rerun sends them again",
            tally.failed
        ));
        let checkpoint = files.checkpoint.as_deref().unwrap_or("none");
        line(format!(
            "  {:>9} skipped: confirmed by an earlier run (checkpoint {checkpoint})",
            tally.skipped,
        ));
    }
    if tally.unsent > 0 || ending.dry_run {
        let why = if ending.dry_run {
            "valid, in batches ready to send"
        } else {
            "not sent: the run stopped first; a rerun sends them"
        };
        line(format!("  {:>9} {why}", tally.unsent));
    }
    if let Some(fatal) = &ending.fatal {
        line(format!("stopped because: {}", fatal.message));
    }
    out
}

fn plural(count: u64, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// The summary as one JSON object (for `--json`).
pub fn json(tally: &Tally, ending: &Ending, files: &Files) -> String {
    let summary = Summary::new(tally, ending, files, exit_code(tally, ending) as u8);
    serde_json::to_string(&summary).expect("the summary serializes")
}

/// The summary's object: the tally, how the run ended, the files, the exit status.
#[derive(Serialize)]
pub struct Summary<'a> {
    #[serde(flatten)]
    tally: &'a Tally,
    rejected: u64,
    interrupted: bool,
    dry_run: bool,
    fatal: Option<&'a str>,
    rejects_file: &'a str,
    failed_file: Option<&'a str>,
    checkpoint: Option<&'a str>,
    exit_status: u8,
}

impl<'a> Summary<'a> {
    /// The summary of a run that exits with `exit_status`.
    pub fn new(tally: &'a Tally, ending: &'a Ending, files: &'a Files, exit_status: u8) -> Self {
        Summary {
            tally,
            rejected: tally.rejected(),
            interrupted: ending.interrupted,
            dry_run: ending.dry_run,
            fatal: ending.fatal.as_ref().map(|fatal| fatal.message.as_str()),
            rejects_file: &files.rejects,
            failed_file: files.failed.as_deref(),
            checkpoint: files.checkpoint.as_deref(),
            exit_status,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes() {
        let clean = Tally {
            read: 3,
            sent: 2,
            skipped: 1,
            ..Tally::default()
        };
        let ended = Ending::default();
        assert_eq!(exit_code(&clean, &ended) as u8, 0);
        let rejected = Tally {
            invalid: 1,
            ..clean
        };
        assert_eq!(exit_code(&rejected, &ended) as u8, 1);
        let failed = Tally { failed: 1, ..clean };
        assert_eq!(exit_code(&failed, &ended) as u8, 1);
        let stopped = |side| Ending {
            fatal: Some(Fatal {
                message: "stop".into(),
                side,
            }),
            ..Ending::default()
        };
        assert_eq!(exit_code(&failed, &stopped(Side::Local)) as u8, 2);
        assert_eq!(exit_code(&failed, &stopped(Side::Platform)) as u8, 3);
        assert_eq!(exit_code(&clean, &stopped(Side::Platform)) as u8, 3);
        let interrupted = Ending {
            interrupted: true,
            ..stopped(Side::Platform)
        };
        assert_eq!(exit_code(&clean, &interrupted) as u8, 130);
        let dry = Ending {
            dry_run: true,
            ..Ending::default()
        };
        let unsent = Tally {
            read: 3,
            unsent: 3,
            ..Tally::default()
        };
        assert_eq!(exit_code(&unsent, &dry) as u8, 0);
        assert_eq!(exit_code(&unsent, &ended) as u8, 1);
    }

    #[test]
    fn the_summary_names_every_count() {
        let tally = Tally {
            read: 10,
            sent: 5,
            invalid: 2,
            refused: 1,
            failed: 1,
            skipped: 1,
            batches_confirmed: 1,
            requests: 4,
            ..Tally::default()
        };
        assert_eq!(tally.accounted(), 10);
        let files = Files {
            rejects: "in.rejects.jsonl".into(),
            checkpoint: Some("in.checkpoint".into()),
            failed: Some("in.failed.jsonl".into()),
        };
        let text = human(&tally, &Ending::default(), &files);
        assert!(text.starts_with("done: 10 rows read\n"), "{text}");
        assert!(
            text.contains("        5 sent (1 batch confirmed, 4 requests)"),
            "{text}"
        );
        assert!(
            text.contains(
                "3 rejected: 2 invalid, 1 refused by the platform (see in.rejects.jsonl)"
            ),
            "{text}"
        );
        assert!(
            text.contains("1 failed after retries (see in.failed.jsonl): a rerun sends them again"),
            "{text}"
        );
        assert!(
            text.contains("1 skipped: confirmed by an earlier run (checkpoint in.checkpoint)"),
            "{text}"
        );
        let value: serde_json::Value =
            serde_json::from_str(&json(&tally, &Ending::default(), &files)).unwrap();
        assert_eq!(value["read"], 10);
        assert_eq!(value["rejected"], 3);
        assert_eq!(value["interrupted"], false);
        assert_eq!(value["failed_file"], "in.failed.jsonl");
        assert_eq!(value["exit_status"], 1);
    }
}
