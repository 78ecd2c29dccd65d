//! Errors about schemas, each naming the file and the JSON pointer of the offending keyword.

use std::fmt;

/// One problem in one schema file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The schema file, relative to the schema directory.
    pub file: String,
    /// RFC 6901 pointer into that file.
    pub pointer: String,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}#{}: {}", self.file, self.pointer, self.message)
    }
}

/// Every problem found in one run, so a schema author sees them all at once.
#[derive(Debug, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for diagnostic in &self.0 {
            writeln!(f, "error: {diagnostic}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// Appends `/member` to a JSON pointer, escaping `~` and `/` as RFC 6901 says.
pub fn push_segment(pointer: &mut String, member: &str) {
    pointer.push('/');
    pointer.push_str(&member.replace('~', "~0").replace('/', "~1"));
}

/// `pointer` extended by `member`.
pub fn join(pointer: &str, member: &str) -> String {
    let mut joined = pointer.to_owned();
    push_segment(&mut joined, member);
    joined
}
