//! Reading the files named on the command line, `-` being standard input.

use std::fs;
use std::io::{self, Read};
use std::path::Path;

/// The name that stands for standard input.
pub const STDIN: &str = "-";

/// Reads input files as UTF-8 text. Standard input is read once: naming `-` twice gives the same text twice.
#[derive(Debug, Default)]
pub struct Reader {
    stdin: Option<Result<String, String>>,
}

impl Reader {
    /// The text of `path`, or why it could not be read (missing, a directory, not UTF-8, ...).
    pub fn read(&mut self, path: &Path) -> Result<String, String> {
        if path.as_os_str() == STDIN {
            return self
                .stdin
                .get_or_insert_with(|| {
                    let mut bytes = Vec::new();
                    io::stdin()
                        .lock()
                        .read_to_end(&mut bytes)
                        .map_err(|err| format!("cannot read standard input: {err}"))?;
                    utf8(bytes)
                })
                .clone();
        }
        let bytes = fs::read(path).map_err(|err| format!("cannot read: {err}"))?;
        utf8(bytes)
    }
}

fn utf8(bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|err| format!("not UTF-8 text: {}", err.utf8_error()))
}
