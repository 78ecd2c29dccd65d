//! `salesync validate <ENDPOINT> <FILE>...`: parse and validate request bodies, reporting every violation;
//! with `--rows`, files of batch items (the rows `push` sends), row by row.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use salesync::runtime::Batched;
use serde::Serialize;

use crate::endpoint::Endpoint;
use crate::input::Reader;
use crate::output::{FileReport, OutputArgs, Printer};
use crate::push::rejects::ErrorEntry;
use crate::rows::{self, Format, Input, Target};
use crate::status::Status;

const EXIT_STATUS: &str = "\
With --rows, each file holds batch items (a flow, a salesinfo item), read as push reads them: JSON Lines or
pretty-printed rows one after another, a JSON array, a request body (its batch items), a reject file of a push,
or CSV with a header row of member paths (--format csv, or a *.csv file). Each invalid row is reported with
its line (and, for CSV, the column) and the JSON pointer of every error. With --json, one object per invalid
row: {\"file\", \"line\", \"index\" (JSON array input only), \"valid\": false, \"errors\": [{\"pointer\",
\"column\" (CSV only), \"rule\", \"message\"}]}; a file that cannot be read, or whose CSV header does not fit
the schema, gives one object without \"line\" (rule `io` or `header`).

Exit status:
  0  every file holds a valid request body (with --rows: every row of every file is valid)
  1  at least one file holds an invalid body (with --rows: at least one row is invalid)
  2  a usage error (unknown endpoint, no files, bad option, with --rows an endpoint without a batch or a CSV
     header naming a member the schema does not have), or at least one file could not be read (missing, a
     directory, not UTF-8). 2 wins over 1; every file is still checked and reported.";

/// Arguments of `salesync validate`.
#[derive(clap::Args, Debug)]
#[command(after_help = EXIT_STATUS)]
pub struct Args {
    /// The endpoint the bodies are for, as vendor.operation
    #[arg(value_name = "ENDPOINT", value_parser = Endpoint::parser())]
    pub endpoint: Endpoint,

    /// Files holding one request body each (with --rows: batch items); `-` reads standard input
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,

    /// The files hold batch items, not request bodies: check them row by row, as push would
    #[arg(long)]
    pub rows: bool,

    /// With --rows, how the files are written: auto is CSV for a *.csv file, else JSON told by its content
    #[arg(long, value_enum, default_value_t = Format::Auto, value_name = "FORMAT", requires = "rows")]
    pub format: Format,

    /// With --rows, each row names its tenant by this member (JSON) or column (CSV), as for `push --tenants`:
    /// it is lifted out before the row is checked, and a row without it is invalid
    #[arg(long, value_name = "NAME", requires = "rows")]
    pub tenant_column: Option<String>,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// Checks every file, printing each report as it is made, and gives the exit status.
pub fn run(args: &Args) -> Status {
    if args.rows {
        return run_rows(args);
    }
    let mut reader = Reader::default();
    let mut printer = Printer::new(&args.output, io::stdout().lock());
    let printed = args
        .files
        .iter()
        .try_for_each(|path| printer.file(&check_file(args.endpoint, &mut reader, path)));
    match printed.and_then(|()| printer.finish()) {
        Ok(status) => status,
        Err(err) => {
            // Standard output is gone (e.g. a closed pipe): say so if we can, and fail.
            let _ = writeln!(io::stderr(), "salesync: cannot write the report: {err}");
            Status::Failure
        }
    }
}

/// Reads one file and checks its body against the endpoint's schema.
pub fn check_file(endpoint: Endpoint, reader: &mut Reader, path: &Path) -> FileReport {
    let file = path.display().to_string();
    match reader.read(path) {
        Ok(body) => FileReport::checked(file, endpoint.0.check_body(&body)),
        Err(message) => FileReport::unreadable(file, message),
    }
}

/// `--rows`: every file row by row, with the endpoint named on the command line.
fn run_rows(args: &Args) -> Status {
    let name = args.endpoint.0.meta().versioned_name();
    let Some(status) = salesync::visit_batched(&name, RowsOf(args)) else {
        let _ = writeln!(
            io::stderr(),
            "salesync validate: {name} carries no batch of items: --rows checks batch items"
        );
        return Status::Failure;
    };
    status
}

struct RowsOf<'a>(&'a Args);

impl salesync::runtime::BatchedVisitor for RowsOf<'_> {
    type Output = Status;

    fn visit<O: Batched + 'static>(self) -> Status {
        let args = self.0;
        let mut out = RowPrinter {
            json: args.output.json,
            out: io::stdout().lock(),
            files: FileCount::default(),
        };
        let printed = args.files.iter().try_for_each(|path| {
            check_rows::<O>(path, args.format, args.tenant_column.as_deref(), &mut out)
        });
        match printed.and_then(|()| out.finish()) {
            Ok(status) => status,
            Err(err) => {
                let _ = writeln!(io::stderr(), "salesync: cannot write the report: {err}");
                Status::Failure
            }
        }
    }
}

/// How a file of rows ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Valid,
    Invalid,
    /// Unreadable, or a CSV header that does not fit the schema.
    Failed,
}

#[derive(Debug, Default)]
struct FileCount {
    valid: usize,
    invalid: usize,
    failed: usize,
}

/// One `--json` line: an invalid row, or a file that could not be checked (no `line`).
#[derive(Serialize)]
struct RowLine<'a> {
    file: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    index: Option<u64>,
    valid: bool,
    errors: &'a [ErrorEntry],
}

struct RowPrinter<W: Write> {
    json: bool,
    out: W,
    files: FileCount,
}

impl<W: Write> RowPrinter<W> {
    fn row(
        &mut self,
        file: &str,
        line: u64,
        index: Option<u64>,
        errors: &[ErrorEntry],
    ) -> io::Result<()> {
        if self.json {
            let report = RowLine {
                file,
                line: Some(line),
                index,
                valid: false,
                errors,
            };
            serde_json::to_writer(&mut self.out, &report)?;
            return writeln!(self.out);
        }
        for error in errors {
            let mut at = format!("{file}: line {line}");
            if let Some(index) = index {
                at.push_str(&format!(", item {index}"));
            }
            if let Some(column) = &error.column {
                at.push_str(&format!(", column {column}"));
            }
            let pointer = if error.pointer.is_empty() {
                "(row)"
            } else {
                &error.pointer
            };
            writeln!(
                self.out,
                "{at}: {pointer}: {} [{}]",
                error.message, error.rule
            )?;
        }
        Ok(())
    }

    /// A file that could not be checked (further).
    fn failed(&mut self, file: &str, rule: &str, message: &str) -> io::Result<()> {
        if self.json {
            let error = ErrorEntry::whole(rule, message);
            let report = RowLine {
                file,
                line: None,
                index: None,
                valid: false,
                errors: std::slice::from_ref(&error),
            };
            serde_json::to_writer(&mut self.out, &report)?;
            return writeln!(self.out);
        }
        // The message names the input.
        writeln!(self.out, "{message} [{rule}]")
    }

    /// The line that ends a file's report (people only), and its count.
    fn file_done(
        &mut self,
        file: &str,
        rows: u64,
        invalid: u64,
        outcome: Outcome,
    ) -> io::Result<()> {
        match outcome {
            Outcome::Valid => self.files.valid += 1,
            Outcome::Invalid => self.files.invalid += 1,
            Outcome::Failed => self.files.failed += 1,
        }
        if self.json {
            return Ok(());
        }
        let noun = if rows == 1 { "row" } else { "rows" };
        match outcome {
            Outcome::Valid => writeln!(self.out, "{file}: {rows} {noun}, all valid"),
            Outcome::Invalid => writeln!(self.out, "{file}: {rows} {noun}, {invalid} invalid"),
            Outcome::Failed => Ok(()),
        }
    }

    fn finish(mut self) -> io::Result<Status> {
        let FileCount {
            valid,
            invalid,
            failed,
        } = self.files;
        if !self.json {
            let total = valid + invalid + failed;
            let files = if total == 1 { "file" } else { "files" };
            let mut line = format!("{total} {files} checked: {valid} valid, {invalid} invalid");
            if failed > 0 {
                line.push_str(&format!(", {failed} unreadable"));
            }
            writeln!(self.out, "{line}")?;
        }
        self.out.flush()?;
        Ok(if failed > 0 {
            Status::Failure
        } else if invalid > 0 {
            Status::Invalid
        } else {
            Status::Valid
        })
    }
}

/// Checks one file of rows, printing each invalid row as it is found (nothing is held), then the file's line.
fn check_rows<O: Batched>(
    path: &Path,
    format: Format,
    tenant: Option<&str>,
    out: &mut RowPrinter<impl Write>,
) -> io::Result<()> {
    let file = path.display().to_string();
    let input = Input::from_arg(path);
    let rows = match rows::open(
        &input,
        format,
        Target::of::<O>(),
        rows::json::DEFAULT_ROW_LIMIT,
        tenant,
    ) {
        Ok(rows) => rows,
        Err(open) => {
            let rule = if open.usage { "header" } else { "io" };
            out.failed(&file, rule, &open.message)?;
            return out.file_done(&file, 0, 0, Outcome::Failed);
        }
    };
    let (mut read, mut invalid) = (0u64, 0u64);
    for checked in rows.checked::<O>(true) {
        let checked = match checked {
            Ok(checked) => checked,
            Err(err) => {
                out.failed(&file, "io", &format!("cannot read {}: {err}", input.name()))?;
                return out.file_done(&file, read, invalid, Outcome::Failed);
            }
        };
        read += 1;
        if let Err(rejected) = checked {
            invalid += 1;
            let reject = rejected.reject;
            out.row(&file, reject.line, reject.index, &reject.errors)?;
        }
    }
    let outcome = if invalid > 0 {
        Outcome::Invalid
    } else {
        Outcome::Valid
    };
    out.file_done(&file, read, invalid, outcome)
}
