//! The reject file: one JSON object per rejected row, `{"line", "row", "errors": [{"pointer", "rule",
//! "message"}]}`, whether the row broke the schema or the platform refused it.
//!
//! It is rewritten by every run and holds every rejected row of the input: validation rejects are found again
//! on each run, and platform rejects of batches confirmed earlier come back from the checkpoint.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use salesync::Violation;
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// One reason a row was rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorEntry {
    /// JSON pointer inside the row (`""` for the whole row).
    pub pointer: String,
    /// For a row read from CSV: the header column the pointer falls in, when one does (`price.current_price`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// The schema keyword broken; `json` for text that is not JSON, `row` for input that is no row (too long,
    /// not UTF-8, a broken array), `platform` for a refusal by the platform.
    pub rule: String,
    /// A sentence for a person.
    pub message: String,
}

impl From<Violation> for ErrorEntry {
    fn from(violation: Violation) -> Self {
        ErrorEntry {
            pointer: violation.pointer,
            column: None,
            rule: violation.rule.to_owned(),
            message: violation.message,
        }
    }
}

impl ErrorEntry {
    /// A reason about the row as a whole.
    pub fn whole(rule: &str, message: impl Into<String>) -> Self {
        ErrorEntry {
            pointer: String::new(),
            column: None,
            rule: rule.to_owned(),
            message: message.into(),
        }
    }
}

/// A rejected row as it was in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowText {
    /// Text that is valid JSON: written as JSON, exactly as it was (whitespace outside strings removed).
    Json(String),
    /// Anything else: written as a JSON string.
    Text(String),
}

/// One line of the reject file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    /// Line where the row starts.
    pub line: u64,
    /// Array index, for array input.
    pub index: Option<u64>,
    /// The row.
    pub row: RowText,
    /// Why it was rejected.
    pub errors: Vec<ErrorEntry>,
}

impl Reject {
    /// The reject as one line of JSON, without the newline.
    pub fn to_json_line(&self) -> String {
        let mut line = format!("{{\"line\":{}", self.line);
        if let Some(index) = self.index {
            line.push_str(&format!(",\"index\":{index}"));
        }
        line.push_str(",\"row\":");
        match &self.row {
            RowText::Json(text) => minify_into(&mut line, text),
            RowText::Text(text) => {
                line.push_str(&serde_json::to_string(text).expect("a string serializes"))
            }
        }
        line.push_str(",\"errors\":");
        line.push_str(&serde_json::to_string(&self.errors).expect("errors serialize"));
        line.push('}');
        line
    }
}

/// Appends `json` (valid JSON text) without its whitespace outside strings, so that a row that spanned several
/// lines of an array fits on one line.
fn minify_into(out: &mut String, json: &str) {
    let (mut in_string, mut escaped) = (false, false);
    for ch in json.chars() {
        if in_string {
            if escaped {
                escaped = false;
            } else if ch == '\\' {
                escaped = true;
            } else if ch == '"' {
                in_string = false;
            }
        } else if ch == '"' {
            in_string = true;
        } else if matches!(ch, ' ' | '\t' | '\n' | '\r') {
            continue;
        }
        out.push(ch);
    }
}

/// One line of a reject file (or a failed file, in the same format) read back as input. Other members are
/// allowed, so the failed file may say more about each row.
#[derive(Deserialize)]
struct LineIn<'a> {
    #[allow(dead_code)]
    line: u64,
    #[serde(borrow)]
    row: &'a RawValue,
    #[allow(dead_code)]
    errors: Vec<IgnoredAny>,
}

/// The row a line of a reject file holds, if `text` is such a line: a JSON object with at least `line` (a
/// number), `row` and `errors` (an array). A row that was not JSON, kept as a string, comes back as its text;
/// any other row as its JSON text, exactly as written (numbers are not reformatted).
pub fn row_of_line(text: &str) -> Option<String> {
    let line: LineIn<'_> = serde_json::from_str(text).ok()?;
    let row = line.row.get();
    if row.starts_with('"') {
        return serde_json::from_str::<String>(row).ok();
    }
    Some(row.to_owned())
}

/// Writes the reject file.
pub struct RejectWriter {
    out: BufWriter<File>,
}

impl RejectWriter {
    /// Creates (or empties) the reject file.
    pub fn create(path: &Path) -> io::Result<Self> {
        Ok(RejectWriter {
            out: BufWriter::new(File::create(path)?),
        })
    }

    /// Writes one reject.
    pub fn write(&mut self, reject: &Reject) -> io::Result<()> {
        self.out.write_all(reject.to_json_line().as_bytes())?;
        self.out.write_all(b"\n")
    }

    /// Pushes what was written to the file.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_hold_the_original_row() {
        let reject = Reject {
            line: 7,
            index: None,
            row: RowText::Json("{\"b\": 1.10, \"a\": \"x y\\\" z\"}".into()),
            errors: vec![ErrorEntry::whole("json", "bad")],
        };
        assert_eq!(
            reject.to_json_line(),
            r#"{"line":7,"row":{"b":1.10,"a":"x y\" z"},"errors":[{"pointer":"","rule":"json","message":"bad"}]}"#
        );
        let reject = Reject {
            line: 2,
            index: Some(1),
            row: RowText::Json("{\n  \"a\": [1,\n 2]\n}".into()),
            errors: vec![],
        };
        assert_eq!(
            reject.to_json_line(),
            r#"{"line":2,"index":1,"row":{"a":[1,2]},"errors":[]}"#
        );
        let reject = Reject {
            line: 3,
            index: None,
            row: RowText::Text("not \"json\"".into()),
            errors: vec![],
        };
        let line = reject.to_json_line();
        assert_eq!(line, r#"{"line":3,"row":"not \"json\"","errors":[]}"#);
        let value: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(value["row"], "not \"json\"");
    }

    #[test]
    fn a_reject_line_read_back_gives_its_row_as_written() {
        let line = r#"{"line":7,"index":2,"row":{"b":1.10,"a":"x"},"errors":[{"pointer":"","rule":"json","message":"bad"}]}"#;
        assert_eq!(row_of_line(line).as_deref(), Some(r#"{"b":1.10,"a":"x"}"#));
        // Written by this very writer, including a row that was not JSON.
        let reject = Reject {
            line: 3,
            index: None,
            row: RowText::Text("not \"json\"".into()),
            errors: vec![ErrorEntry::whole("json", "bad")],
        };
        assert_eq!(
            row_of_line(&reject.to_json_line()).as_deref(),
            Some("not \"json\"")
        );
        // Other members are allowed (a failed file says more about each row).
        let failed = r#"{"line":1,"row":{"a":1},"errors":[],"status":503,"trace_id":"t"}"#;
        assert_eq!(row_of_line(failed).as_deref(), Some(r#"{"a":1}"#));
        // Not reject lines: a member missing, `errors` not an array, `line` not a number, not JSON.
        for text in [
            r#"{"row":{"a":1},"errors":[]}"#,
            r#"{"line":1,"errors":[]}"#,
            r#"{"line":1,"row":{},"errors":"x"}"#,
            r#"{"line":"1","row":{},"errors":[]}"#,
            r#"{"external_sku_id":"k"}"#,
            "not json",
        ] {
            assert_eq!(row_of_line(text), None, "{text}");
        }
    }
}
