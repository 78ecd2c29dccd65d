//! `salesync validate <ENDPOINT> <FILE>...`: parse and validate request bodies, reporting every violation.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::endpoint::Endpoint;
use crate::input::Reader;
use crate::output::{FileReport, OutputArgs, Printer};
use crate::status::Status;

const EXIT_STATUS: &str = "\
Exit status:
  0  every file holds a valid request body
  1  at least one file holds an invalid body (not JSON, a type error, a broken schema rule)
  2  a usage error (unknown endpoint, no files, bad option), or at least one file could not be read
     (missing, a directory, not UTF-8). 2 wins over 1; every file is still checked and reported.";

/// Arguments of `salesync validate`.
#[derive(clap::Args, Debug)]
#[command(after_help = EXIT_STATUS)]
pub struct Args {
    /// The endpoint the bodies are for, as vendor.operation
    #[arg(value_name = "ENDPOINT", value_parser = Endpoint::parser())]
    pub endpoint: Endpoint,

    /// Files holding one request body each; `-` reads standard input
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// Checks every file, printing each report as it is made, and gives the exit status.
pub fn run(args: &Args) -> Status {
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
