//! The exit status of a command.

use std::process::ExitCode;

/// How a command ended; the discriminant is the process exit code. A later variant wins over an earlier one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// Everything checked out (validate), or every row was delivered (push): exit 0.
    Valid = 0,
    /// At least one body broke its schema (validate), or rows were rejected or failed (push): exit 1.
    Invalid = 1,
    /// A usage or I/O error (or, for push, a checkpoint of another endpoint or envelope): exit 2. Wins over
    /// [`Status::Invalid`].
    Failure = 2,
    /// push: the platform could not be reached, or it refused the credentials or the account (bad token, the
    /// account not permitted, the daily limit): exit 3. Nothing more can get through until that is fixed.
    Platform = 3,
    /// push: interrupted (Ctrl-C, SIGTERM); the checkpoint holds what was confirmed: exit 130.
    Interrupted = 130,
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> Self {
        ExitCode::from(status as u8)
    }
}
