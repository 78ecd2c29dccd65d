//! Reporting what was found in each file: text for a person, or one JSON object per line for a program.

use std::io::{self, Write};

use salesync::Violation;
use serde::Serialize;

use crate::status::Status;

/// The rule name of a file that could not be read.
pub const IO_RULE: &str = "io";

/// How results are printed.
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct OutputArgs {
    /// Print exactly one JSON object per file, each on its own line, and nothing else:
    /// {"file": "...", "valid": false, "errors": [{"pointer": "...", "rule": "...", "message": "..."}]}
    #[arg(long)]
    pub json: bool,
}

/// What was found in one file.
#[derive(Debug, Clone)]
pub struct FileReport {
    /// The file as named on the command line (`-` for standard input).
    pub file: String,
    /// Every violation, in document order; for an unreadable file, one with rule `io` and pointer `""`.
    pub errors: Vec<Violation>,
    /// Whether the file could not be read at all.
    pub unreadable: bool,
}

impl FileReport {
    /// A file that was read and checked.
    pub fn checked(file: String, errors: Vec<Violation>) -> Self {
        FileReport {
            file,
            errors,
            unreadable: false,
        }
    }

    /// A file that could not be read: missing, a directory, not UTF-8, ...
    pub fn unreadable(file: String, message: String) -> Self {
        let error = Violation {
            pointer: String::new(),
            rule: IO_RULE,
            message,
        };
        FileReport {
            file,
            errors: vec![error],
            unreadable: true,
        }
    }

    /// Whether the file holds a valid body.
    pub fn is_valid(&self) -> bool {
        !self.unreadable && self.errors.is_empty()
    }
}

/// The shape of one `--json` line.
#[derive(Serialize)]
struct JsonLine<'a> {
    file: &'a str,
    valid: bool,
    errors: &'a [Violation],
}

/// How many files ended which way.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Tally {
    pub valid: usize,
    pub invalid: usize,
    pub unreadable: usize,
}

impl Tally {
    fn add(&mut self, report: &FileReport) {
        if report.unreadable {
            self.unreadable += 1;
        } else if report.is_valid() {
            self.valid += 1;
        } else {
            self.invalid += 1;
        }
    }

    /// 2 if any file could not be read, else 1 if any was invalid, else 0.
    pub fn status(&self) -> Status {
        if self.unreadable > 0 {
            Status::Failure
        } else if self.invalid > 0 {
            Status::Invalid
        } else {
            Status::Valid
        }
    }

    fn summary(&self) -> String {
        let total = self.valid + self.invalid + self.unreadable;
        let files = if total == 1 { "file" } else { "files" };
        let mut line = format!(
            "{total} {files} checked: {} valid, {} invalid",
            self.valid, self.invalid
        );
        if self.unreadable > 0 {
            line.push_str(&format!(", {} unreadable", self.unreadable));
        }
        line
    }
}

/// Prints each file's report as it comes, then (for people) a one-line summary.
pub struct Printer<W: Write> {
    json: bool,
    out: W,
    tally: Tally,
}

impl<W: Write> Printer<W> {
    pub fn new(args: &OutputArgs, out: W) -> Self {
        Printer {
            json: args.json,
            out,
            tally: Tally::default(),
        }
    }

    /// Prints one file's report.
    pub fn file(&mut self, report: &FileReport) -> io::Result<()> {
        self.tally.add(report);
        if self.json {
            let line = JsonLine {
                file: &report.file,
                valid: report.is_valid(),
                errors: &report.errors,
            };
            serde_json::to_writer(&mut self.out, &line)?;
            writeln!(self.out)
        } else {
            human(&mut self.out, report)
        }
    }

    /// Prints the summary (not in JSON mode) and gives the exit status.
    pub fn finish(mut self) -> io::Result<Status> {
        if !self.json {
            writeln!(self.out, "{}", self.tally.summary())?;
        }
        self.out.flush()?;
        Ok(self.tally.status())
    }
}

fn human(out: &mut impl Write, report: &FileReport) -> io::Result<()> {
    let file = &report.file;
    if report.unreadable {
        for error in &report.errors {
            writeln!(out, "{file}: {} [{}]", error.message, error.rule)?;
        }
    } else if report.errors.is_empty() {
        writeln!(out, "{file}: ok")?;
    } else {
        let count = report.errors.len();
        let noun = if count == 1 {
            "violation"
        } else {
            "violations"
        };
        writeln!(out, "{file}: {count} {noun}")?;
        for error in &report.errors {
            // `pointer: message [rule]`, `(root)` for the empty pointer.
            writeln!(out, "  {error}")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn violation(pointer: &str, rule: &'static str) -> Violation {
        Violation {
            pointer: pointer.to_owned(),
            rule,
            message: "broken".to_owned(),
        }
    }

    fn print(json: bool, reports: &[FileReport]) -> (String, Status) {
        let mut buffer = Vec::new();
        let mut printer = Printer::new(&OutputArgs { json }, &mut buffer);
        for report in reports {
            printer.file(report).unwrap();
        }
        let status = printer.finish().unwrap();
        (String::from_utf8(buffer).unwrap(), status)
    }

    #[test]
    fn human_output_lists_violations_and_a_summary() {
        let reports = [
            FileReport::checked("a.json".into(), vec![]),
            FileReport::checked("b.json".into(), vec![violation("/x/0", "minimum")]),
        ];
        let (text, status) = print(false, &reports);
        assert_eq!(
            text,
            "a.json: ok\nb.json: 1 violation\n  /x/0: broken [minimum]\n\
             2 files checked: 1 valid, 1 invalid\n"
        );
        assert_eq!(status, Status::Invalid);
    }

    #[test]
    fn json_output_is_one_object_per_line_without_summary() {
        let reports = [
            FileReport::checked("a.json".into(), vec![]),
            FileReport::unreadable("missing".into(), "cannot read: gone".into()),
        ];
        let (text, status) = print(true, &reports);
        assert_eq!(
            text,
            "{\"file\":\"a.json\",\"valid\":true,\"errors\":[]}\n\
             {\"file\":\"missing\",\"valid\":false,\"errors\":[{\"pointer\":\"\",\"rule\":\"io\",\"message\":\"cannot read: gone\"}]}\n"
        );
        assert_eq!(status, Status::Failure);
    }

    #[test]
    fn unreadable_wins_over_invalid() {
        let mut tally = Tally::default();
        assert_eq!(tally.status(), Status::Valid);
        tally.add(&FileReport::checked(
            "b".into(),
            vec![violation("", "json")],
        ));
        assert_eq!(tally.status(), Status::Invalid);
        tally.add(&FileReport::unreadable("c".into(), "gone".into()));
        assert_eq!(tally.status(), Status::Failure);
    }
}
