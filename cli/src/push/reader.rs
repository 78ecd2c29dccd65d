//! Splitting an input file into rows, streaming: JSON Lines (one row per line) or one JSON array (one row per
//! element). The format is told by the first non-whitespace byte: `[` is an array, anything else JSON Lines.
//!
//! Only one row is held at a time, and never more than the row limit of it: a longer row is skipped to its
//! end and reported as a problem row, so memory stays bounded whatever the file holds.

use std::io::{self, BufRead};

/// The longest row kept by default (16 MiB).
pub const DEFAULT_ROW_LIMIT: usize = 16 * 1024 * 1024;

/// How much of an unreadable row is kept, for the reject file.
const EXCERPT: usize = 256;

/// One row of the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// 1-based line number where the row starts.
    pub line: u64,
    /// 0-based position in the array, for array input.
    pub index: Option<u64>,
    /// Bytes of input this row accounts for (separators and blank lines before it included), for progress.
    pub bytes: u64,
    /// The row's text, or why it cannot be a row.
    pub text: Result<String, Problem>,
}

/// Why a piece of input is not a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// A sentence for a person.
    pub message: String,
    /// The start of the offending text, lossily decoded.
    pub excerpt: String,
}

impl Problem {
    fn new(message: String, bytes: &[u8]) -> Self {
        let end = bytes.len().min(EXCERPT);
        Problem {
            message,
            excerpt: String::from_utf8_lossy(&bytes[..end]).into_owned(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Unknown,
    Lines,
    /// Inside the array, before the next element.
    Array,
    /// After the closing `]`.
    Trailing,
    /// At the end.
    Done,
}

/// An iterator of the rows of a reader.
pub struct Reader<R> {
    inner: R,
    limit: usize,
    mode: Mode,
    /// Line number of the next unread byte.
    line: u64,
    /// Bytes consumed but not yet accounted to a row.
    pending: u64,
    /// Next array index.
    index: u64,
}

impl<R: BufRead> Reader<R> {
    /// Rows of `inner`; rows longer than `limit` bytes are problems.
    pub fn new(inner: R, limit: usize) -> Self {
        Reader {
            inner,
            limit,
            mode: Mode::Unknown,
            line: 1,
            pending: 0,
            index: 0,
        }
    }

    fn detect(&mut self) -> io::Result<()> {
        // A UTF-8 byte order mark is not content.
        let buf = self.inner.fill_buf()?;
        if buf.starts_with(b"\xEF\xBB\xBF") {
            self.inner.consume(3);
            self.pending += 3;
        }
        self.skip_whitespace()?;
        let buf = self.inner.fill_buf()?;
        self.mode = match buf.first() {
            None => Mode::Done,
            Some(b'[') => {
                self.inner.consume(1);
                self.pending += 1;
                Mode::Array
            }
            Some(_) => Mode::Lines,
        };
        Ok(())
    }

    /// Consumes whitespace, counting lines.
    fn skip_whitespace(&mut self) -> io::Result<()> {
        loop {
            let buf = self.inner.fill_buf()?;
            if buf.is_empty() {
                return Ok(());
            }
            let n = buf.iter().take_while(|b| b.is_ascii_whitespace()).count();
            self.line += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
            let done = n < buf.len();
            self.inner.consume(n);
            self.pending += n as u64;
            if done {
                return Ok(());
            }
        }
    }

    fn take_pending(&mut self) -> u64 {
        std::mem::take(&mut self.pending)
    }

    /// The next non-blank line, without its line ending.
    fn next_line(&mut self) -> io::Result<Option<Record>> {
        loop {
            let line = self.line;
            let mut text = Vec::new();
            let mut length = 0usize;
            let mut ended = false;
            loop {
                let buf = self.inner.fill_buf()?;
                if buf.is_empty() {
                    break;
                }
                let (chunk, found) = match memchr::memchr(b'\n', buf) {
                    Some(at) => (&buf[..at], true),
                    None => (buf, false),
                };
                length += chunk.len();
                if text.len() < self.limit {
                    let room = self.limit - text.len();
                    text.extend_from_slice(&chunk[..chunk.len().min(room)]);
                }
                let used = chunk.len() + usize::from(found);
                self.inner.consume(used);
                self.pending += used as u64;
                if found {
                    self.line += 1;
                    ended = true;
                    break;
                }
            }
            if length == 0 && !ended {
                self.mode = Mode::Done;
                return Ok(None);
            }
            if text.iter().all(u8::is_ascii_whitespace) && length <= self.limit {
                continue; // a blank line (or a lone `\r`) is no row
            }
            let bytes = self.take_pending();
            let text = if length > self.limit {
                Err(Problem::new(too_long(length, self.limit), &text))
            } else {
                decode(text)
            };
            return Ok(Some(Record {
                line,
                index: None,
                bytes,
                text,
            }));
        }
    }

    /// The next element of the array.
    fn next_element(&mut self) -> io::Result<Option<Record>> {
        self.skip_whitespace()?;
        let line = self.line;
        let mut text = Vec::new();
        let mut length = 0usize;
        let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
        // What ended the element: `,`, the closing `]`, or the end of the input.
        let end = 'scan: loop {
            let buf = self.inner.fill_buf()?;
            if buf.is_empty() {
                break 'scan None;
            }
            let mut used = 0;
            let mut end = None;
            for &byte in buf {
                used += 1;
                if byte == b'\n' {
                    self.line += 1;
                }
                if in_string {
                    if escaped {
                        escaped = false;
                    } else if byte == b'\\' {
                        escaped = true;
                    } else if byte == b'"' {
                        in_string = false;
                    }
                } else {
                    match byte {
                        b'"' => in_string = true,
                        b'[' | b'{' => depth += 1,
                        b']' | b'}' if depth > 0 => depth -= 1,
                        b']' | b',' if depth == 0 => {
                            end = Some(byte);
                            break;
                        }
                        _ => {}
                    }
                }
            }
            let taken = used - usize::from(end.is_some());
            length += taken;
            if text.len() < self.limit {
                let room = self.limit - text.len();
                text.extend_from_slice(&buf[..taken.min(room)]);
            }
            self.inner.consume(used);
            self.pending += used as u64;
            if end.is_some() {
                break 'scan end;
            }
        };
        let blank = trim(&text).is_empty();
        let index = self.index;
        let record = |text, reader: &mut Self| Record {
            line,
            index: Some(index),
            bytes: reader.take_pending(),
            text,
        };
        match end {
            Some(b',') => {
                self.index += 1;
                let text = if blank {
                    Err(Problem::new("an empty array element".into(), b""))
                } else {
                    self.element_text(length, text)
                };
                Ok(Some(record(text, self)))
            }
            Some(_) => {
                // The closing `]`: an element before it, unless the array is empty. Whitespace after it is
                // accounted to that element; anything else is a problem row of its own, next.
                self.mode = Mode::Trailing;
                self.skip_whitespace()?;
                if blank {
                    if index == 0 {
                        return self.trailing();
                    }
                    self.index += 1;
                    let problem = Problem::new("a comma before the closing `]`".into(), b"");
                    return Ok(Some(record(Err(problem), self)));
                }
                self.index += 1;
                let text = self.element_text(length, text);
                Ok(Some(record(text, self)))
            }
            None => {
                self.mode = Mode::Done;
                if blank && index == 0 && length == 0 {
                    let problem = Problem::new("the array is not closed with `]`".into(), b"");
                    return Ok(Some(record(Err(problem), self)));
                }
                self.index += 1;
                let message = if in_string {
                    "the input ends inside a string: the array is not closed"
                } else {
                    "the input ends before the array is closed with `]`"
                };
                Ok(Some(record(
                    Err(Problem::new(message.into(), trim(&text))),
                    self,
                )))
            }
        }
    }

    fn element_text(&self, length: usize, text: Vec<u8>) -> Result<String, Problem> {
        if length > self.limit {
            Err(Problem::new(too_long(length, self.limit), &text))
        } else {
            decode(text)
        }
    }

    /// What follows the closing `]`: whitespace, or one problem row for the rest.
    fn trailing(&mut self) -> io::Result<Option<Record>> {
        self.mode = Mode::Done;
        self.skip_whitespace()?;
        let line = self.line;
        let mut excerpt = Vec::new();
        let mut any = false;
        loop {
            let buf = self.inner.fill_buf()?;
            if buf.is_empty() {
                break;
            }
            any = true;
            if excerpt.len() < EXCERPT {
                excerpt.extend_from_slice(&buf[..buf.len().min(EXCERPT - excerpt.len())]);
            }
            let n = buf.len();
            self.inner.consume(n);
            self.pending += n as u64;
        }
        if !any {
            return Ok(None);
        }
        let problem = Problem::new(
            "content after the closing `]` of the array".into(),
            &excerpt,
        );
        Ok(Some(Record {
            line,
            index: None,
            bytes: self.take_pending(),
            text: Err(problem),
        }))
    }
}

impl<R: BufRead> Iterator for Reader<R> {
    type Item = io::Result<Record>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.mode == Mode::Unknown {
            if let Err(err) = self.detect() {
                self.mode = Mode::Done;
                return Some(Err(err));
            }
        }
        let next = match self.mode {
            Mode::Lines => self.next_line(),
            Mode::Array => self.next_element(),
            Mode::Trailing => self.trailing(),
            Mode::Done | Mode::Unknown => Ok(None),
        };
        if next.is_err() {
            self.mode = Mode::Done;
        }
        next.transpose()
    }
}

fn too_long(length: usize, limit: usize) -> String {
    format!("the row is {length} bytes long, over the limit of {limit} bytes; it was skipped")
}

fn trim(bytes: &[u8]) -> &[u8] {
    &bytes[trimmed(bytes)]
}

/// Where the text is, without the ASCII whitespace around it.
fn trimmed(bytes: &[u8]) -> std::ops::Range<usize> {
    let start = bytes.iter().take_while(|b| b.is_ascii_whitespace()).count();
    let end = bytes.len()
        - bytes
            .iter()
            .rev()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
    start..end.max(start)
}

/// The text, trimmed of ASCII whitespace, as a string: in place, without copying it.
fn decode(mut bytes: Vec<u8>) -> Result<String, Problem> {
    let range = trimmed(&bytes);
    bytes.truncate(range.end);
    bytes.drain(..range.start);
    String::from_utf8(bytes).map_err(|err| {
        let message = format!("the row is not UTF-8 text: {}", err.utf8_error());
        Problem::new(message, err.as_bytes())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(input: &str) -> Vec<(u64, Result<String, String>)> {
        rows_with(input.as_bytes(), DEFAULT_ROW_LIMIT)
    }

    fn rows_with(input: &[u8], limit: usize) -> Vec<(u64, Result<String, String>)> {
        // A tiny buffer, so that rows, strings and escapes straddle buffer boundaries.
        let reader = io::BufReader::with_capacity(3, input);
        Reader::new(reader, limit)
            .map(|record| {
                let record = record.unwrap();
                (record.line, record.text.map_err(|p| p.message))
            })
            .collect()
    }

    fn ok(line: u64, text: &str) -> (u64, Result<String, String>) {
        (line, Ok(text.to_owned()))
    }

    #[test]
    fn json_lines_with_blank_lines_and_crlf() {
        let input = "{\"a\":1}\r\n\r\n  \n{\"b\":2}  \r\n{\"c\":3}";
        assert_eq!(
            rows(input),
            [ok(1, "{\"a\":1}"), ok(4, "{\"b\":2}"), ok(5, "{\"c\":3}")]
        );
        assert_eq!(rows(""), []);
        assert_eq!(rows("\n\n  \r\n"), []);
        // Line numbers are physical lines, whatever the row holds.
        assert_eq!(rows("\n\nnot json\n"), [ok(3, "not json")]);
    }

    #[test]
    fn bytes_add_up_to_the_file_size() {
        for input in [
            "{\"a\":1}\r\n\r\n  \n{\"b\":2}\n",
            "[ {\"a\":1} ,\n {\"b\":[2]} ]\n",
            "\u{feff}{}\n",
        ] {
            let total: u64 = Reader::new(input.as_bytes(), 100)
                .map(|record| record.unwrap().bytes)
                .sum();
            assert_eq!(total, input.len() as u64, "{input:?}");
        }
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        assert_eq!(rows("\u{feff}{\"a\":1}\n"), [ok(1, "{\"a\":1}")]);
        assert_eq!(rows("\u{feff}[{\"a\":1}]"), [ok(1, "{\"a\":1}")]);
    }

    #[test]
    fn arrays_split_on_top_level_commas_only() {
        let input = r#"[
  {"s": "a, b ] } { [", "n": [1, 2, {"x": "]"}]},
  {"s": "quote \" and backslash \\", "t": "\\"},
  {"s": "\\\" ,"}, 42, "text, with ] comma", null
]
"#;
        assert_eq!(
            rows(input),
            [
                ok(2, r#"{"s": "a, b ] } { [", "n": [1, 2, {"x": "]"}]}"#),
                ok(3, r#"{"s": "quote \" and backslash \\", "t": "\\"}"#),
                ok(4, r#"{"s": "\\\" ,"}"#),
                ok(4, "42"),
                ok(4, r#""text, with ] comma""#),
                ok(4, "null"),
            ]
        );
    }

    #[test]
    fn array_indexes_and_lines() {
        let records: Vec<Record> = Reader::new("[{},\n{}\n,{}]".as_bytes(), 100)
            .map(Result::unwrap)
            .collect();
        let found: Vec<(u64, Option<u64>)> = records.iter().map(|r| (r.line, r.index)).collect();
        assert_eq!(found, [(1, Some(0)), (2, Some(1)), (3, Some(2))]);
    }

    #[test]
    fn empty_and_broken_arrays() {
        assert_eq!(rows("[]"), []);
        assert_eq!(rows("  [ \n ]  \n"), []);
        let problems = |input: &str| -> Vec<(u64, String)> {
            rows(input)
                .into_iter()
                .map(|(line, text)| (line, text.err().unwrap_or_default()))
                .collect()
        };
        assert_eq!(problems("[{},]")[1].1, "a comma before the closing `]`");
        assert_eq!(problems("[{},,{}]")[1].1, "an empty array element");
        assert_eq!(
            problems("[{}, {\"a\": \"x")[1].1,
            "the input ends inside a string: the array is not closed"
        );
        assert_eq!(
            problems("[{}, {\"a\": 1")[1].1,
            "the input ends before the array is closed with `]`"
        );
        assert_eq!(problems("[")[0].1, "the array is not closed with `]`");
        assert_eq!(
            problems("[{}]\n\n{} trailing"),
            [
                (1, String::new()),
                (3, "content after the closing `]` of the array".into())
            ]
        );
        // A `}` that closes nothing does not hide the element boundary.
        assert_eq!(rows("[}, {}]"), [ok(1, "}"), ok(1, "{}")]);
    }

    #[test]
    fn a_huge_line_is_a_problem_row_and_the_rest_is_read() {
        let huge = format!("{{\"a\":\"{}\"}}", "x".repeat(100));
        let input = format!("{{}}\n{huge}\n{{\"b\":1}}\n");
        let found = rows_with(input.as_bytes(), 20);
        assert_eq!(found[0], ok(1, "{}"));
        assert_eq!(found[1].0, 2);
        assert_eq!(
            found[1].1.as_ref().unwrap_err(),
            "the row is 108 bytes long, over the limit of 20 bytes; it was skipped"
        );
        assert_eq!(found[2], ok(3, "{\"b\":1}"));
        // Same in an array, where the splitter keeps tracking strings while skipping.
        let input = format!("[{{}}, {{\"s\": \"{}, ]\"}}, {{\"b\":1}}]", "y".repeat(100));
        let found = rows_with(input.as_bytes(), 20);
        assert_eq!(found.len(), 3);
        assert!(found[1]
            .1
            .as_ref()
            .unwrap_err()
            .contains("over the limit of 20 bytes"));
        assert_eq!(found[2], ok(1, "{\"b\":1}"));
    }

    #[test]
    fn invalid_utf8_is_a_problem_row() {
        let found = rows_with(b"{\"a\":\"\xff\"}\n{}\n", 100);
        assert!(found[0]
            .1
            .as_ref()
            .unwrap_err()
            .starts_with("the row is not UTF-8 text"));
        assert_eq!(found[1], ok(2, "{}"));
    }

    #[test]
    fn deep_nesting_does_not_recurse() {
        let deep = format!("[{}{}]", "[".repeat(100_000), "]".repeat(100_000));
        let found = rows(&deep);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1.as_ref().unwrap().len(), 200_000);
    }
}
