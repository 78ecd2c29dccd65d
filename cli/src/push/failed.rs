//! The failed file: every row not delivered after the client's retries, one JSON object per line in the
//! reject file's format, `{"line", "row", "errors": [{"pointer": "", "rule": "failed", "message", "class",
//! "status", "code", "trace_id", "attempts"}]}`, the error being the last one of the row's request (`status`,
//! `code` and `trace_id` when the platform answered). Push it as it is later, and exactly those rows are sent.
//!
//! It is rewritten by every run that sends: a stale file is removed when the run starts, and the file is
//! created at the first failed row, so it is absent when nothing failed.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::rejects::Reject;
use super::send::FailedRow;

/// The one error of a line of the failed file.
#[derive(Serialize)]
struct FailedError<'a> {
    pointer: &'static str,
    rule: &'static str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    class: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    trace_id: Option<&'a str>,
    #[serde(skip_serializing_if = "is_zero")]
    attempts: u32,
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// A failed row as one line of JSON, without the newline.
pub fn line_of(row: &FailedRow) -> String {
    // The reject file's own writer gives the line, the index and the row exactly as it writes them.
    let head = Reject {
        line: row.line,
        index: row.index,
        row: row.row.clone(),
        errors: Vec::new(),
    }
    .to_json_line();
    let head = head
        .strip_suffix("\"errors\":[]}")
        .expect("a reject line ends with its errors");
    let failure = &row.failure;
    let error = FailedError {
        pointer: "",
        rule: "failed",
        message: &failure.message,
        class: failure.class.map(salesync::ErrorClass::as_str),
        status: failure.status,
        code: failure.code,
        trace_id: failure.trace_id.as_deref(),
        attempts: failure.attempts,
    };
    let error = serde_json::to_string(&error).expect("an error serializes");
    format!("{head}\"errors\":[{error}]}}")
}

/// Writes the failed file.
pub struct FailedWriter {
    path: PathBuf,
    out: Option<BufWriter<File>>,
}

impl FailedWriter {
    /// Removes what an earlier run left at `path`; the file is created at the first failed row.
    pub fn start(path: &Path) -> io::Result<Self> {
        match std::fs::remove_file(path) {
            Err(err) if err.kind() != io::ErrorKind::NotFound => return Err(err),
            _ => {}
        }
        Ok(FailedWriter {
            path: path.to_owned(),
            out: None,
        })
    }

    /// Writes one failed row.
    pub fn write(&mut self, row: &FailedRow) -> io::Result<()> {
        let out = match &mut self.out {
            Some(out) => out,
            None => self
                .out
                .insert(BufWriter::new(File::create_new(&self.path)?)),
        };
        out.write_all(line_of(row).as_bytes())?;
        out.write_all(b"\n")
    }

    /// Pushes what was written to the file.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.as_mut().map_or(Ok(()), BufWriter::flush)
    }
}

#[cfg(test)]
mod tests {
    use salesync::ErrorClass;

    use super::super::rejects::{row_of_line, RowText};
    use super::super::send::Failure;
    use super::*;

    fn failed(row: RowText) -> FailedRow {
        FailedRow {
            line: 12,
            index: Some(3),
            row,
            failure: Failure {
                message: "tencent API error 10000 (HTTP 200): system error, trace_id: t-1".into(),
                class: Some(ErrorClass::Unavailable),
                status: Some(200),
                code: Some(10000),
                trace_id: Some("t-1".into()),
                attempts: 5,
                unreachable: false,
            },
        }
    }

    #[test]
    fn a_line_is_a_reject_line_with_the_last_error() {
        let line = line_of(&failed(RowText::Json("{\"b\": 8.90, \"a\": \"x\"}".into())));
        assert_eq!(
            line,
            r#"{"line":12,"index":3,"row":{"b":8.90,"a":"x"},"errors":[{"pointer":"","rule":"failed","message":"tencent API error 10000 (HTTP 200): system error, trace_id: t-1","class":"unavailable","status":200,"code":10000,"trace_id":"t-1","attempts":5}]}"#
        );
        // Read back as input, it gives the row as written.
        assert_eq!(row_of_line(&line).as_deref(), Some(r#"{"b":8.90,"a":"x"}"#));
        // A failure without an answer says only what it knows.
        let mut row = failed(RowText::Json("{}".into()));
        row.failure = Failure::other("could not build the request");
        row.index = None;
        assert_eq!(
            line_of(&row),
            r#"{"line":12,"row":{},"errors":[{"pointer":"","rule":"failed","message":"could not build the request"}]}"#
        );
    }

    #[test]
    fn the_file_is_absent_until_a_row_fails_and_rewritten_by_each_run() {
        let dir = std::env::temp_dir().join(format!("salesync-failed-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("rows.failed.jsonl");
        std::fs::write(&path, "stale\n").unwrap();
        let mut writer = FailedWriter::start(&path).unwrap();
        assert!(!path.exists());
        writer.flush().unwrap();
        assert!(!path.exists());
        writer.write(&failed(RowText::Json("{}".into()))).unwrap();
        writer
            .write(&failed(RowText::Text("not json".into())))
            .unwrap();
        writer.flush().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(text.lines().nth(1).unwrap().contains(r#""row":"not json""#));
        drop(writer);
        let _ = FailedWriter::start(&path).unwrap();
        assert!(!path.exists());
    }
}
