//! The exit status of a command.

use std::process::ExitCode;

/// How a command ended; the discriminant is the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// Everything checked out: exit 0.
    Valid = 0,
    /// At least one body broke its schema: exit 1.
    Invalid = 1,
    /// A usage or I/O error: exit 2. Wins over [`Status::Invalid`].
    Failure = 2,
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> Self {
        ExitCode::from(status as u8)
    }
}
