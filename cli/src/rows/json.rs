//! Splitting JSON input into rows, streaming. What the input holds is told by its first non-blank byte:
//!
//! - `[`: one JSON array, one row per element;
//! - anything else: JSON values one after another, one row each: JSON Lines, or rows pretty-printed over
//!   several lines (a reject file of an earlier push is such a stream too; `super` recognises it);
//! - a first value that is an object holding the batch member as an array (`{"salesinfo": [...], ...}`, a
//!   whole request body) gives the elements of that array as rows; its other members are skipped.
//!
//! A value that continues past its line goes on until it closes, as pretty-printed JSON does (nested values
//! are indented there); a line that starts a new value at its first column (`{`, `[`), or a line end inside a
//! string, ends a broken value there. So one broken line of a JSON Lines file costs that line only.
//!
//! A line that opens with `{` or `[` and closes with `}` or `]` is taken whole, unscanned: the parse of the
//! row, which reads every byte anyway, tells whether it is one value, and a line that is not is put back
//! ([`Reader::retract`]) and scanned as above. So a JSON Lines file is read at the cost of finding its line
//! ends, and pretty-printed rows and two rows on a line are still told apart.
//!
//! Only one row is held at a time, and never more than the row limit of it: a longer row is skipped to its
//! end and reported as a problem row, so memory stays bounded whatever the input holds.

use std::io::{self, BufRead};

/// The longest row kept by default (16 MiB).
pub const DEFAULT_ROW_LIMIT: usize = 16 * 1024 * 1024;

/// How much of an unreadable row is kept, for the reject file.
const EXCERPT: usize = 256;

/// The longest member name the request-body probe compares.
const KEY_LIMIT: usize = 256;

/// One row of the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// 1-based line number where the row starts.
    pub line: u64,
    /// 0-based position in the array, for array input (and the batch array of a request body).
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
    /// A problem with the start of `bytes` as its excerpt.
    pub fn new(message: String, bytes: &[u8]) -> Self {
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
    /// Values one after another.
    Values,
    /// Inside the array, before the next element.
    Array,
    /// After the batch array of a request body that the input ends inside.
    Unclosed,
    /// After the closing `]` (or the request body).
    Trailing,
    /// At the end.
    Done,
}

/// What the reader looks for.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Tell a JSON array (`[` first) from values one after another; off, every value is a row.
    pub arrays: bool,
    /// The request member holding the batch: a first value that is an object with this member as an array
    /// is a request body, whose items are the rows.
    pub body_member: Option<String>,
}

/// An iterator of the rows of a reader.
pub struct Reader<R> {
    inner: R,
    limit: usize,
    options: Options,
    mode: Mode,
    /// Whether the rows came out of a request body (an array inside an object).
    in_body: bool,
    /// Line number of the next unread byte.
    line: u64,
    /// Bytes consumed but not yet accounted to a row.
    pending: u64,
    /// Next array index.
    index: u64,
    /// Bytes of the last row, taken whole from its line, still in the buffer: consumed when the next row is
    /// read, so that until then the row can be put back ([`Reader::retract`]).
    unconsumed: usize,
    /// Where the reader stood before the last row, when it was taken whole: its line and pending bytes.
    before_whole: Option<(u64, u64)>,
    /// The next value is read by the scan: the line was put back.
    scan_next: bool,
}

/// How the scan of a value went on at one byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// The byte is part of the value, which goes on.
    Continue,
    /// The byte closes the value.
    Closed,
    /// The byte starts a new value at the first column of a line: the value ended, broken, before it.
    Before,
    /// A line end inside a string: the value ends, broken, with this byte.
    Broken,
}

/// Where a scan is in a value: nesting, strings, line starts.
#[derive(Debug, Default)]
struct Scan {
    depth: usize,
    in_string: bool,
    escaped: bool,
    line_start: bool,
}

impl Scan {
    fn step(&mut self, byte: u8) -> Step {
        if self.line_start {
            self.line_start = false;
            if matches!(byte, b'{' | b'[') {
                return Step::Before;
            }
        }
        if self.in_string {
            if self.escaped {
                self.escaped = false;
            } else if byte == b'\\' {
                self.escaped = true;
            } else if byte == b'"' {
                self.in_string = false;
            } else if byte == b'\n' {
                return Step::Broken;
            }
            return Step::Continue;
        }
        match byte {
            b'"' => self.in_string = true,
            b'{' | b'[' => self.depth += 1,
            b'}' | b']' => {
                self.depth = self.depth.saturating_sub(1);
                if self.depth == 0 {
                    return Step::Closed;
                }
            }
            b'\n' => self.line_start = true,
            _ => {}
        }
        Step::Continue
    }
}

/// Watches the members of the first value for the batch member holding an array: a request body.
#[derive(Debug)]
struct Probe {
    member: Vec<u8>,
    key: Vec<u8>,
    state: Expect,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// A member name (or the end of the object).
    Key,
    /// Inside a member name.
    InKey,
    /// The `:` after a member name.
    Colon,
    /// The start of a member's value.
    Value,
    /// The rest of a member's value, up to the next `,` of the object.
    Rest,
}

impl Probe {
    fn new(member: &str) -> Self {
        Probe {
            member: member.as_bytes().to_vec(),
            key: Vec::new(),
            state: Expect::Key,
        }
    }

    /// Looks at `byte`, with the scan as it was before it; true at the `[` that opens the batch array.
    fn step(&mut self, scan: &Scan, byte: u8) -> bool {
        if scan.depth != 1 {
            return false;
        }
        if scan.in_string {
            if self.state == Expect::InKey {
                if !scan.escaped && byte == b'"' {
                    self.state = Expect::Colon;
                } else if self.key.len() < KEY_LIMIT {
                    self.key.push(byte);
                }
            }
            return false;
        }
        match (self.state, byte) {
            (_, b' ' | b'\t' | b'\r' | b'\n') => {}
            (Expect::Key, b'"') => {
                self.key.clear();
                self.state = Expect::InKey;
            }
            (Expect::Colon, b':') => self.state = Expect::Value,
            (Expect::Value, b'[') if self.key == self.member => return true,
            (_, b',') => self.state = Expect::Key,
            (Expect::Value, _) => self.state = Expect::Rest,
            _ => {}
        }
        false
    }
}

impl<R: BufRead> Reader<R> {
    /// Rows of `inner`, told apart as `options` say; rows longer than `limit` bytes are problems.
    pub fn new(inner: R, limit: usize, options: Options) -> Self {
        Reader {
            inner,
            limit,
            options,
            mode: Mode::Unknown,
            in_body: false,
            line: 1,
            pending: 0,
            index: 0,
            unconsumed: 0,
            before_whole: None,
            scan_next: false,
        }
    }

    /// Whether the last row was taken whole from its line, unscanned: the line opens with `{` or `[` and
    /// closes with `}` or `]`, so it is one value exactly when it parses as one. When it does not, put it
    /// back with [`Reader::retract`]: the scan reads the line again, and tells a value that goes on past
    /// it, or two values on it, from a broken one.
    pub fn took_whole(&self) -> bool {
        self.before_whole.is_some()
    }

    /// Puts back the last row when it was taken whole ([`Reader::took_whole`]): the next one read is its
    /// line again, scanned. Any other row cannot be put back, and nothing happens.
    pub fn retract(&mut self) {
        if let Some((line, pending)) = self.before_whole.take() {
            self.line = line;
            self.pending = pending;
            self.unconsumed = 0;
            self.scan_next = true;
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
            Some(b'[') if self.options.arrays => {
                self.inner.consume(1);
                self.pending += 1;
                Mode::Array
            }
            Some(_) => Mode::Values,
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

    /// The next value of a stream of values.
    fn next_value(&mut self, first: bool) -> io::Result<Option<Record>> {
        self.skip_whitespace()?;
        let opening = match self.inner.fill_buf()?.first() {
            None => {
                self.mode = Mode::Done;
                return Ok(None);
            }
            Some(&byte) => byte,
        };
        if !matches!(opening, b'{' | b'[') {
            // A scalar, or text that is not JSON: the rest of its line, as in JSON Lines.
            return self.next_line();
        }
        let mut probe = match &self.options.body_member {
            Some(member) if first && opening == b'{' => Some(Probe::new(member)),
            _ => None,
        };
        if probe.is_none() {
            if let Some(record) = self.whole_line()? {
                return Ok(Some(record));
            }
        }
        let line = self.line;
        let mut text = Vec::new();
        let mut length = 0usize;
        let mut scan = Scan::default();
        let closed = 'scan: loop {
            let buf = self.inner.fill_buf()?;
            if buf.is_empty() {
                break 'scan false;
            }
            let mut used = 0;
            let mut end = None;
            for &byte in buf {
                if let Some(probe) = &mut probe {
                    if probe.step(&scan, byte) {
                        end = Some(Step::Continue);
                        used += 1;
                        break;
                    }
                }
                let step = scan.step(byte);
                if step == Step::Before {
                    end = Some(step);
                    break;
                }
                used += 1;
                if byte == b'\n' {
                    self.line += 1;
                }
                if step != Step::Continue {
                    end = Some(step);
                    break;
                }
            }
            let (chunk, _) = buf.split_at(used);
            length += chunk.len();
            if text.len() < self.limit {
                let room = self.limit - text.len();
                text.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            self.inner.consume(used);
            self.pending += used as u64;
            match end {
                None => {}
                Some(Step::Continue) => {
                    // The `[` of the batch member: a request body. Its rows are the array's elements.
                    self.mode = Mode::Array;
                    self.in_body = true;
                    return self.next_element();
                }
                Some(step) => break 'scan step == Step::Closed,
            }
        };
        if closed {
            self.rest_of_line(&mut text, &mut length)?;
        }
        let bytes = self.take_pending();
        let text = if length > self.limit {
            Err(Problem::new(too_long(length, self.limit), &text))
        } else {
            decode(text)
        };
        Ok(Some(Record {
            line,
            index: None,
            bytes,
            text,
        }))
    }

    /// The fast way through JSON Lines: a line in the buffer that opens with `{` or `[` (as it does here) and
    /// closes with `}` or `]` is taken whole as the row, unscanned: whoever parses it tells whether it is one
    /// value, and puts it back when not ([`Reader::retract`]). Its bytes stay in the buffer until the next
    /// row is read. `None` (nothing consumed) leaves every other line to the scan: a value over several
    /// lines, junk after a value, text that is not UTF-8, a line longer than the buffer holds.
    fn whole_line(&mut self) -> io::Result<Option<Record>> {
        if std::mem::take(&mut self.scan_next) {
            return Ok(None);
        }
        let buf = self.inner.fill_buf()?;
        let Some(at) = memchr::memchr(b'\n', buf) else {
            return Ok(None);
        };
        let end = at
            - buf[..at]
                .iter()
                .rev()
                .take_while(|b| matches!(b, b' ' | b'\t' | b'\r'))
                .count();
        if end > self.limit || !matches!(buf[..end].last(), Some(b'}' | b']')) {
            return Ok(None);
        }
        let Ok(text) = decode(buf[..end].to_vec()) else {
            return Ok(None);
        };
        self.unconsumed = at + 1;
        self.before_whole = Some((self.line, self.pending));
        self.pending += at as u64 + 1;
        let line = self.line;
        self.line += 1;
        Ok(Some(Record {
            line,
            index: None,
            bytes: self.take_pending(),
            text: Ok(text),
        }))
    }

    /// After a value closes: blanks to the line end are consumed; a value that starts on the same line is left
    /// for the next row; anything else belongs to this row (which is then not JSON), with the blanks before it,
    /// as written.
    fn rest_of_line(&mut self, text: &mut Vec<u8>, length: &mut usize) -> io::Result<()> {
        let mut junk = false;
        // The blanks after the value, kept (up to the row limit, counted beyond it) until it is known whether
        // junk follows them.
        let mut blanks = Vec::new();
        let mut blanks_over = 0usize;
        loop {
            let buf = self.inner.fill_buf()?;
            if buf.is_empty() {
                return Ok(());
            }
            let mut used = 0;
            let mut stop = false;
            let mut junk_from = 0;
            for &byte in buf {
                if byte == b'\n' {
                    used += 1;
                    self.line += 1;
                    stop = true;
                    break;
                }
                if !junk {
                    if matches!(byte, b' ' | b'\t' | b'\r') {
                        if blanks.len() < self.limit {
                            blanks.push(byte);
                        } else {
                            blanks_over += 1;
                        }
                        used += 1;
                        continue;
                    }
                    if matches!(byte, b'{' | b'[') {
                        stop = true;
                        break;
                    }
                    junk = true;
                    junk_from = used;
                    keep(text, length, &std::mem::take(&mut blanks), self.limit);
                    *length += std::mem::take(&mut blanks_over);
                }
                used += 1;
            }
            if junk {
                keep(text, length, &buf[junk_from..used], self.limit);
            }
            self.inner.consume(used);
            self.pending += used as u64;
            if stop {
                return Ok(());
            }
        }
    }

    /// The rest of the current line, without its line ending.
    fn next_line(&mut self) -> io::Result<Option<Record>> {
        let line = self.line;
        let mut text = Vec::new();
        let mut length = 0usize;
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
                break;
            }
        }
        let bytes = self.take_pending();
        let text = if length > self.limit {
            Err(Problem::new(too_long(length, self.limit), &text))
        } else {
            decode(text)
        };
        Ok(Some(Record {
            line,
            index: None,
            bytes,
            text,
        }))
    }

    /// After the batch array of a request body: skips the body's other members to its closing `}` and the
    /// blanks after it; false when the input ends first.
    fn skip_body_rest(&mut self) -> io::Result<bool> {
        let mut scan = Scan {
            depth: 1,
            ..Scan::default()
        };
        loop {
            let buf = self.inner.fill_buf()?;
            if buf.is_empty() {
                return Ok(false);
            }
            let mut used = 0;
            let mut closed = false;
            for &byte in buf {
                used += 1;
                if byte == b'\n' {
                    self.line += 1;
                }
                // Line starts do not end a body: it is one document, however it is laid out.
                scan.line_start = false;
                if scan.step(byte) == Step::Closed {
                    closed = true;
                    break;
                }
            }
            self.inner.consume(used);
            self.pending += used as u64;
            if closed {
                self.skip_whitespace()?;
                return Ok(true);
            }
        }
    }

    /// What comes after the array: content after it, or a request body that is not closed.
    fn after_array(&mut self) -> io::Result<Option<Record>> {
        if self.mode != Mode::Unclosed {
            return self.trailing();
        }
        self.mode = Mode::Done;
        let problem = Problem::new(
            "the input ends before the request body is closed with `}`".into(),
            b"",
        );
        Ok(Some(Record {
            line: self.line,
            index: None,
            bytes: self.take_pending(),
            text: Err(problem),
        }))
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
                if self.in_body {
                    if !self.skip_body_rest()? {
                        self.mode = Mode::Unclosed;
                    }
                } else {
                    self.skip_whitespace()?;
                }
                if blank {
                    if index == 0 {
                        return self.after_array();
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
        let message = if self.in_body {
            "content after the request body"
        } else {
            "content after the closing `]` of the array"
        };
        let problem = Problem::new(message.into(), &excerpt);
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
        // The last row is read for good: its bytes, when it was taken whole, leave the buffer.
        self.inner.consume(std::mem::take(&mut self.unconsumed));
        self.before_whole = None;
        let first = self.mode == Mode::Unknown;
        if first {
            if let Err(err) = self.detect() {
                self.mode = Mode::Done;
                return Some(Err(err));
            }
        }
        let next = match self.mode {
            Mode::Values => self.next_value(first),
            Mode::Array => self.next_element(),
            Mode::Trailing | Mode::Unclosed => self.after_array(),
            Mode::Done | Mode::Unknown => Ok(None),
        };
        if next.is_err() {
            self.mode = Mode::Done;
        }
        next.transpose()
    }
}

/// Whether `text` (a row taken whole from its line) is one value and nothing else, as the scan reads it: the
/// value that opens it closes at its last byte. For a caller that does not parse the row (a parse tells the
/// same, and more).
pub fn is_one_value(text: &str) -> bool {
    let mut scan = Scan::default();
    let end = text
        .bytes()
        .enumerate()
        .find_map(|(at, byte)| match scan.step(byte) {
            Step::Continue => None,
            step => Some((at + 1, step)),
        });
    end == Some((text.len(), Step::Closed))
}

/// Adds `bytes` to a row's text, as much as fits under `limit`, and to its length, all of them.
fn keep(text: &mut Vec<u8>, length: &mut usize, bytes: &[u8], limit: usize) {
    *length += bytes.len();
    let room = limit.saturating_sub(text.len());
    text.extend_from_slice(&bytes[..bytes.len().min(room)]);
}

pub fn too_long(length: usize, limit: usize) -> String {
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

    /// Arrays told apart; no request body looked for.
    fn json() -> Options {
        Options {
            arrays: true,
            body_member: None,
        }
    }

    fn rows(input: &str) -> Vec<(u64, Result<String, String>)> {
        rows_with(input.as_bytes(), DEFAULT_ROW_LIMIT)
    }

    fn rows_with(input: &[u8], limit: usize) -> Vec<(u64, Result<String, String>)> {
        read_both(input, limit, json())
            .into_iter()
            .map(|record| (record.line, record.text.map_err(|p| p.message)))
            .collect()
    }

    /// Every record of `input`, read as `Rows` reads them: a line taken whole that is not one value is put
    /// back (there the row's parse says so; here `is_one_value` stands in for it).
    fn read_all(input: &[u8], capacity: usize, limit: usize, options: Options) -> Vec<Record> {
        let mut reader = Reader::new(
            io::BufReader::with_capacity(capacity, input),
            limit,
            options,
        );
        let mut records = Vec::new();
        while let Some(record) = reader.next() {
            let record = record.unwrap();
            let one_value = record.text.as_ref().is_ok_and(|text| is_one_value(text));
            if reader.took_whole() && !one_value {
                reader.retract();
                continue;
            }
            records.push(record);
        }
        records
    }

    /// The records of `input` read through a tiny buffer (rows, strings and escapes straddle its boundaries,
    /// and every line is scanned) and through a large one (lines are taken whole): they are the same.
    fn read_both(input: &[u8], limit: usize, options: Options) -> Vec<Record> {
        let scanned = read_all(input, 3, limit, options.clone());
        let whole = read_all(input, 1 << 16, limit, options);
        assert_eq!(scanned, whole, "{}", String::from_utf8_lossy(input));
        scanned
    }

    fn ok(line: u64, text: &str) -> (u64, Result<String, String>) {
        (line, Ok(text.to_owned()))
    }

    #[test]
    fn one_value_and_nothing_else() {
        for (text, one) in [
            (r#"{"a":1}"#, true),
            (r#"{"a":"x}"}"#, true),
            (r#"{"a":"\"}"}"#, true),
            (r#"{"a":"\\"}"#, true),
            (r#"{"a":{"b":[1,2]}}"#, true),
            ("[1,2]", true),
            (r#"{"a":1} {"b":2}"#, false),
            (r#"{"a":1} x"#, false),
            (r#"{"a":1}}"#, false),
            (r#"{"a": {"b": 1}"#, false),
            (r#"{"a":"unclosed}"#, false),
            (r#"{"a":"\"}"#, false),
            ("{", false),
        ] {
            assert_eq!(is_one_value(text), one, "{text}");
        }
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
            let total: u64 = Reader::new(input.as_bytes(), 100, json())
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
        let records: Vec<Record> = Reader::new("[{},\n{}\n,{}]".as_bytes(), 100, json())
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

    fn rows_of(input: &str, options: Options) -> Vec<(u64, Option<u64>, Result<String, String>)> {
        read_both(input.as_bytes(), DEFAULT_ROW_LIMIT, options)
            .into_iter()
            .map(|record| {
                (
                    record.line,
                    record.index,
                    record.text.map_err(|p| p.message),
                )
            })
            .collect()
    }

    #[test]
    fn a_line_taken_whole_and_put_back_is_read_again_scanned() {
        let input = "{\"a\": {\"b\": 1}\n, \"c\": 2}\n{\"d\":1} {\"e\":2}\r\n{\"f\":3}\n";
        let buffer = io::BufReader::with_capacity(1 << 16, input.as_bytes());
        let mut reader = Reader::new(buffer, DEFAULT_ROW_LIMIT, json());
        let next = |reader: &mut Reader<_>| {
            let record = reader.next().unwrap().unwrap();
            (
                record.line,
                record.bytes,
                record.text.unwrap(),
                reader.took_whole(),
            )
        };
        // A value that goes on past its line: taken whole, put back, then read over both lines.
        assert_eq!(
            next(&mut reader),
            (1, 15, "{\"a\": {\"b\": 1}".into(), true)
        );
        reader.retract();
        assert_eq!(
            next(&mut reader),
            (1, 25, "{\"a\": {\"b\": 1}\n, \"c\": 2}".into(), false)
        );
        // A row that was scanned cannot be put back: the next one comes.
        reader.retract();
        // Two values on a line: taken whole, put back, then one row each.
        assert_eq!(
            next(&mut reader),
            (3, 17, "{\"d\":1} {\"e\":2}".into(), true)
        );
        reader.retract();
        assert_eq!(next(&mut reader), (3, 8, "{\"d\":1}".into(), false));
        // The rest of the line is one value, taken whole in its turn.
        assert_eq!(next(&mut reader), (3, 9, "{\"e\":2}".into(), true));
        // One value: taken whole, and kept.
        assert_eq!(next(&mut reader), (4, 8, "{\"f\":3}".into(), true));
        assert!(reader.next().is_none());
        assert_eq!(25 + 8 + 9 + 8, input.len() as u64);
    }

    #[test]
    fn pretty_printed_rows_one_after_another() {
        let input = "{\n  \"a\": 1,\n  \"b\": {\n    \"c\": [\n      1,\n\n      2\n    ]\n  }\n}\n{\n  \"d\": \"x }\"\n}\n{\"e\":1}\n";
        assert_eq!(
            rows(input),
            [
                ok(
                    1,
                    "{\n  \"a\": 1,\n  \"b\": {\n    \"c\": [\n      1,\n\n      2\n    ]\n  }\n}"
                ),
                ok(11, "{\n  \"d\": \"x }\"\n}"),
                ok(14, "{\"e\":1}"),
            ]
        );
        // Pretty-printed without indentation: only a line that opens a value ends one.
        assert_eq!(
            rows("{\n\"a\": 1,\n\"b\": 2\n}\n{\"c\": 3}\n"),
            [ok(1, "{\n\"a\": 1,\n\"b\": 2\n}"), ok(5, "{\"c\": 3}")]
        );
        // Values on one line, and blanks between them.
        assert_eq!(
            rows("{\"a\":1} {\"b\":2}\n\n[1]"),
            [ok(1, "{\"a\":1}"), ok(1, "{\"b\":2}"), ok(3, "[1]")]
        );
    }

    #[test]
    fn a_broken_line_costs_only_itself() {
        // Not closed, then a line that starts a new value at its first column: the broken value ends there.
        let found = rows("{\"a\": 1\n{\"b\": 2}\n{\"c\": \"unterminated\n{\"d\": 4}\n");
        assert_eq!(
            found,
            [
                ok(1, "{\"a\": 1"),
                ok(2, "{\"b\": 2}"),
                ok(3, "{\"c\": \"unterminated"),
                ok(4, "{\"d\": 4}"),
            ]
        );
        // Junk after a value on its line stays with it (the row is then not JSON); a scalar is its line.
        assert_eq!(
            rows("{\"a\":1},\nnot json\n42\n"),
            [ok(1, "{\"a\":1},"), ok(2, "not json"), ok(3, "42")]
        );
        // The end of the input inside a value.
        assert_eq!(rows("{\"a\": [1,\n  2"), [ok(1, "{\"a\": [1,\n  2")]);
    }

    #[test]
    fn json_lines_mode_takes_an_array_as_one_row() {
        let options = Options::default();
        assert_eq!(
            rows_of("[1, 2]\n{\"a\": 1}\n", options),
            [
                (1, None, Ok("[1, 2]".to_owned())),
                (2, None, Ok("{\"a\": 1}".to_owned()))
            ]
        );
    }

    fn body() -> Options {
        Options {
            arrays: true,
            body_member: Some("salesinfo".to_owned()),
        }
    }

    #[test]
    fn a_request_body_gives_its_batch_items() {
        let input = r#"{
  "account_id": 1,
  "note": {"salesinfo": "not this one", "x": [1, {"salesinfo": []}]},
  "salesinfo": [
    {"sku": "a, ]"},
    {
      "sku": "b"
    }
  ],
  "after": [1, 2, "}"]
}
"#;
        assert_eq!(
            rows_of(input, body()),
            [
                (5, Some(0), Ok(r#"{"sku": "a, ]"}"#.to_owned())),
                (6, Some(1), Ok("{\n      \"sku\": \"b\"\n    }".to_owned())),
            ]
        );
        let total: u64 = Reader::new(input.as_bytes(), 100, body())
            .map(|record| record.unwrap().bytes)
            .sum();
        assert_eq!(total, input.len() as u64);
        // An empty batch, content after the body, a body not closed.
        assert_eq!(rows_of(r#"{"salesinfo": [], "a": 1}"#, body()), []);
        assert_eq!(
            rows_of("{\"salesinfo\": [{}]}\n{}", body()),
            [
                (1, Some(0), Ok("{}".to_owned())),
                (2, None, Err("content after the request body".to_owned()))
            ]
        );
        assert_eq!(
            rows_of("{\"salesinfo\": [{}], \"a\": [", body()),
            [
                (1, Some(0), Ok("{}".to_owned())),
                (
                    1,
                    None,
                    Err("the input ends before the request body is closed with `}`".to_owned())
                )
            ]
        );
    }

    #[test]
    fn only_the_first_value_and_an_array_member_make_a_body() {
        // The batch member is not an array: the object is a row.
        assert_eq!(
            rows_of("{\"salesinfo\": 1}\n", body()),
            [(1, None, Ok("{\"salesinfo\": 1}".to_owned()))]
        );
        // A later value with the member is a row too.
        assert_eq!(
            rows_of("{\"a\": 1}\n{\"salesinfo\": [{}]}\n", body()),
            [
                (1, None, Ok("{\"a\": 1}".to_owned())),
                (2, None, Ok("{\"salesinfo\": [{}]}".to_owned()))
            ]
        );
        // In JSON Lines mode no body is looked for.
        assert_eq!(
            rows_of("{\"salesinfo\": [{}]}\n", Options::default()),
            [(1, None, Ok("{\"salesinfo\": [{}]}".to_owned()))]
        );
    }

    #[test]
    fn arbitrary_input_never_panics_and_never_overcounts() {
        // A small deterministic generator over the bytes that matter to the scanners.
        const ALPHABET: &[u8] = b"{}[]\",:\\ \n\r\tab1.-e\xff";
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for round in 0..3000 {
            let len = (next() % 80) as usize;
            let input: Vec<u8> = (0..len)
                .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
                .collect();
            let options = match round % 3 {
                0 => Options::default(),
                1 => json(),
                _ => Options {
                    arrays: true,
                    body_member: Some("a".to_owned()),
                },
            };
            // Lines taken whole and put back read as the scan reads them (`read_both` asserts it).
            let total: u64 = read_both(&input, 16, options)
                .iter()
                .map(|record| record.bytes)
                .sum();
            assert!(total <= input.len() as u64, "{input:?}");
        }
    }
}
