//! CSV input: a header row of member paths, then one batch item per record, each cell typed by the schema.
//!
//! A column is named by the path to its member: members joined by dots, an array item by its index
//! (`price.current_price`, `tag_info.custom_tag.0.tag_name`). The generated shape of the batch item
//! ([`MemberKind`], [`Scalar`]) says what each member holds, so the header is checked against the schema
//! before any record is read, and a cell becomes the JSON its member takes:
//!
//! - a string (or a string enum) is the cell's text exactly: `007` stays `"007"`, spaces are kept;
//! - an integer (or an integer code, or an integer-or-digit-string) is `-?[0-9]+`: `1.5` is refused;
//! - a number is a JSON number, kept as written: `8.90` is sent as `8.90`, never through a float;
//! - a boolean is `true` or `false`, in any case;
//! - a member of any JSON takes the cell as JSON when it is JSON, else as a string.
//!
//! An empty cell is an absent member (for anything but a string, a cell of blanks too); an object or array
//! item whose cells are all empty is absent, and a record whose cells are all empty is no row. Numbers,
//! integers and booleans may have blanks around them.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::io::{self, BufRead, Read};
use std::sync::Arc;

use salesync::runtime::{MemberKind, ObjectShape, Scalar, TagValue, UnionShape};

use super::json::{too_long, Problem};
use super::Record;

/// A cell that is not of its member's type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    /// The member's JSON pointer in the row.
    pub pointer: String,
    /// The column, by position.
    pub column: usize,
    /// Why, for a person.
    pub message: String,
}

/// What a CSV record carries besides its JSON: its header, and the cells that could not be typed (each
/// went into the JSON as a string, so the row keeps what it held).
#[derive(Debug, Clone)]
pub struct Cells {
    /// The header.
    pub columns: Arc<Columns>,
    /// The cells that are not of their member's type.
    pub errors: Vec<CellError>,
}

/// The header: each column's name and JSON pointer, and the tree of members the columns fill.
#[derive(Debug)]
pub struct Columns {
    names: Vec<String>,
    by_pointer: HashMap<String, usize>,
    tree: Node,
}

/// The members a record fills, in header order.
#[derive(Debug)]
enum Node {
    Leaf {
        column: usize,
        scalar: Scalar,
    },
    Object(Vec<(String, Node)>),
    /// Items by index, in header order until the header is complete, then by index (0, 1, ...).
    Array(Vec<(usize, Node)>),
}

/// One step of a column's path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Member(String),
    Index(usize),
}

/// What a path leads to, as the schema says.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Object(&'static ObjectShape),
    Union(&'static UnionShape),
    ArrayOf(&'static ObjectShape),
    Array(&'static MemberKind),
    Map(&'static MemberKind),
    Scalar(Scalar),
}

impl Kind {
    fn of(kind: &'static MemberKind) -> Kind {
        match kind {
            MemberKind::Value(scalar) => Kind::Scalar(*scalar),
            MemberKind::Object(shape) => Kind::Object(shape),
            MemberKind::ArrayOf(shape) => Kind::ArrayOf(shape),
            MemberKind::Union(union) => Kind::Union(union),
            MemberKind::Array(items) => Kind::Array(items),
            MemberKind::Map(values) => Kind::Map(values),
            MemberKind::Lazy(kind) => Kind::of(kind()),
        }
    }
}

/// Why a header is refused.
#[derive(Debug)]
pub enum HeaderError {
    /// The input could not be read.
    Io(io::Error),
    /// The header does not fit the schema: a usage error.
    Usage(String),
}

impl Columns {
    /// Checks a header against the batch item's members.
    ///
    /// # Errors
    ///
    /// A sentence naming the first column that names no member of the item (or a member that holds no single
    /// value), a column named twice, or array items not numbered from 0.
    pub fn new(header: &[String], item: &'static ObjectShape) -> Result<Columns, String> {
        let mut tree = Node::Object(Vec::new());
        let mut by_pointer = HashMap::new();
        for (column, name) in header.iter().enumerate() {
            if name.is_empty() {
                return Err(format!(
                    "column {} of the header has no name: every column names a member path such as \
                     `price.current_price`",
                    column + 1
                ));
            }
            let (segments, scalar) = walk(name, item)?;
            let mut pointer = String::new();
            for segment in &segments {
                pointer.push('/');
                match segment {
                    Segment::Member(member) => push_escaped(&mut pointer, member),
                    Segment::Index(index) => pointer.push_str(&index.to_string()),
                }
            }
            if !insert(&mut tree, &segments, column, scalar) {
                return Err(format!("column `{name}` appears twice in the header"));
            }
            by_pointer.insert(pointer, column);
        }
        finish(&mut tree, "")?;
        Ok(Columns {
            names: header.to_vec(),
            by_pointer,
            tree,
        })
    }

    /// A column's name, as the header has it.
    pub fn name(&self, column: usize) -> &str {
        &self.names[column]
    }

    /// How many columns there are.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// The column a JSON pointer of the row falls in: the column of that member, or of the value it is
    /// inside (a member of any JSON); `None` for a member no column names (a missing member, a whole object).
    pub fn column_of(&self, pointer: &str) -> Option<&str> {
        let mut at = pointer;
        loop {
            if let Some(&column) = self.by_pointer.get(at) {
                return Some(self.name(column));
            }
            at = &at[..at.rfind('/')?];
        }
    }

    /// The JSON of a record's cells, and the cells that are not of their member's type.
    pub fn convert(&self, cells: &[&str]) -> (String, Vec<CellError>) {
        let mut out = String::with_capacity(cells.iter().map(|cell| cell.len() + 8).sum());
        let mut errors = Vec::new();
        let mut pointer = String::new();
        write_node(&self.tree, cells, &mut out, &mut pointer, &mut errors);
        (out, errors)
    }
}

/// Follows a column name through the item's shape: its path, and the scalar at its end.
fn walk(name: &str, item: &'static ObjectShape) -> Result<(Vec<Segment>, Scalar), String> {
    let mut kind = Kind::Object(item);
    let mut segments = Vec::new();
    let mut path = String::new();
    for part in name.split('.') {
        let at = if path.is_empty() {
            "the item".to_owned()
        } else {
            format!("`{path}`")
        };
        if part.is_empty() {
            return Err(format!(
                "column `{name}`: an empty member name (two dots in a row, or a dot at an end)"
            ));
        }
        let (segment, next) = match kind {
            Kind::Object(shape) => (
                Segment::Member(part.to_owned()),
                member(shape, part, &at, name)?,
            ),
            Kind::Union(union) => (
                Segment::Member(part.to_owned()),
                variant_member(union, part, &at, name)?,
            ),
            Kind::Map(values) => (Segment::Member(part.to_owned()), Kind::of(values)),
            Kind::ArrayOf(shape) => (index(part, &at, name)?, Kind::Object(shape)),
            Kind::Array(items) => (index(part, &at, name)?, Kind::of(items)),
            Kind::Scalar(scalar) => {
                return Err(format!(
                    "column `{name}`: {at} is {}, it has no members",
                    describe(scalar)
                ))
            }
        };
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(part);
        segments.push(segment);
        kind = next;
    }
    match kind {
        Kind::Scalar(scalar) => Ok((segments, scalar)),
        Kind::Object(_) | Kind::Union(_) => Err(format!(
            "column `{name}` names an object: give each of its members a column of its own \
             (`{name}.<member>`)"
        )),
        Kind::ArrayOf(_) | Kind::Array(_) => Err(format!(
            "column `{name}` names an array: give its items columns by index (`{name}.0`, `{name}.1`, ...)"
        )),
        Kind::Map(_) => Err(format!(
            "column `{name}` names a map: give each entry a column of its own (`{name}.<key>`)"
        )),
    }
}

fn member(shape: &'static ObjectShape, part: &str, at: &str, name: &str) -> Result<Kind, String> {
    if let Some(member) = shape.members.iter().find(|member| member.name == part) {
        return Ok(Kind::of(&member.kind));
    }
    if shape.open {
        // The schema allows members it does not name, of any JSON.
        return Ok(Kind::Scalar(Scalar::Any));
    }
    let known: Vec<&str> = shape.members.iter().map(|member| member.name).collect();
    Err(format!(
        "column `{name}`: {at} has no member `{part}` (the schema's {} has {})",
        shape.name,
        known.join(", ")
    ))
}

/// A member of a union: its tag, or a member of the first variant that has it.
fn variant_member(
    union: &'static UnionShape,
    part: &str,
    at: &str,
    name: &str,
) -> Result<Kind, String> {
    if part == union.tag {
        return Ok(Kind::Scalar(match union.variants.first() {
            Some((TagValue::Int(_), _)) => Scalar::Integer,
            _ => Scalar::String,
        }));
    }
    for (_, shape) in union.variants {
        if let Some(member) = shape.members.iter().find(|member| member.name == part) {
            return Ok(Kind::of(&member.kind));
        }
    }
    Err(format!(
        "column `{name}`: {at} has no member `{part}` in any of its variants"
    ))
}

fn index(part: &str, at: &str, name: &str) -> Result<Segment, String> {
    let digits = !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit());
    match part.parse::<usize>() {
        Ok(index) if digits && (part == "0" || !part.starts_with('0')) => Ok(Segment::Index(index)),
        _ => Err(format!(
            "column `{name}`: {at} is an array, so `{part}` must be an item's index (0, 1, ...)"
        )),
    }
}

fn describe(scalar: Scalar) -> &'static str {
    match scalar {
        Scalar::String | Scalar::StrEnum(_) => "a string",
        Scalar::Integer | Scalar::IntEnum(_) | Scalar::IntegerOrDigits => "an integer",
        Scalar::Number => "a number",
        Scalar::Boolean => "a boolean",
        Scalar::Any => "a JSON value in one cell",
    }
}

/// Adds a column's leaf under `node`; false when the path has a column already.
fn insert(node: &mut Node, segments: &[Segment], column: usize, scalar: Scalar) -> bool {
    let Some((segment, rest)) = segments.split_first() else {
        return false;
    };
    let fresh = || match rest.first() {
        None => Node::Leaf { column, scalar },
        Some(Segment::Member(_)) => Node::Object(Vec::new()),
        Some(Segment::Index(_)) => Node::Array(Vec::new()),
    };
    let child = match (node, segment) {
        (Node::Object(members), Segment::Member(name)) => {
            let at = match members.iter().position(|(member, _)| member == name) {
                Some(_) if rest.is_empty() => return false,
                Some(at) => at,
                None => {
                    members.push((name.clone(), fresh()));
                    members.len() - 1
                }
            };
            &mut members[at].1
        }
        (Node::Array(items), Segment::Index(index)) => {
            let at = match items.iter().position(|(item, _)| item == index) {
                Some(_) if rest.is_empty() => return false,
                Some(at) => at,
                None => {
                    items.push((*index, fresh()));
                    items.len() - 1
                }
            };
            &mut items[at].1
        }
        // The walk gives members in objects and indexes in arrays: a path never mixes them at one place.
        _ => return false,
    };
    rest.is_empty() || insert(child, rest, column, scalar)
}

/// Orders each array's items by index, and checks they are numbered from 0 without a gap.
fn finish(node: &mut Node, path: &str) -> Result<(), String> {
    match node {
        Node::Leaf { .. } => Ok(()),
        Node::Object(members) => members.iter_mut().try_for_each(|(name, child)| {
            let path = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            finish(child, &path)
        }),
        Node::Array(items) => {
            items.sort_by_key(|(index, _)| *index);
            for (expected, (index, _)) in items.iter().enumerate() {
                if *index != expected {
                    return Err(format!(
                        "the header has columns for item {index} of `{path}` but none for item {expected}: \
                         number an array's items from 0 without a gap"
                    ));
                }
            }
            items
                .iter_mut()
                .try_for_each(|(index, child)| finish(child, &format!("{path}.{index}")))
        }
    }
}

fn push_escaped(pointer: &mut String, member: &str) {
    for c in member.chars() {
        match c {
            '~' => pointer.push_str("~0"),
            '/' => pointer.push_str("~1"),
            c => pointer.push(c),
        }
    }
}

/// Whether a cell holds nothing: empty, or (for anything but a string) only blanks.
fn empty(cell: &str, scalar: Scalar) -> bool {
    match scalar {
        Scalar::String | Scalar::StrEnum(_) => cell.is_empty(),
        _ => cell.trim().is_empty(),
    }
}

/// Whether any cell under `node` holds something.
fn present(node: &Node, cells: &[&str]) -> bool {
    match node {
        Node::Leaf { column, scalar } => !empty(cells[*column], *scalar),
        Node::Object(members) => members.iter().any(|(_, child)| present(child, cells)),
        Node::Array(items) => items.iter().any(|(_, child)| present(child, cells)),
    }
}

/// The first column under `node`.
fn first_column(node: &Node) -> usize {
    match node {
        Node::Leaf { column, .. } => *column,
        Node::Object(members) => members.first().map_or(0, |(_, child)| first_column(child)),
        Node::Array(items) => items.first().map_or(0, |(_, child)| first_column(child)),
    }
}

fn write_node(
    node: &Node,
    cells: &[&str],
    out: &mut String,
    pointer: &mut String,
    errors: &mut Vec<CellError>,
) {
    match node {
        Node::Leaf { column, scalar } => {
            if let Err(message) = write_cell(cells[*column], *scalar, out) {
                errors.push(CellError {
                    pointer: pointer.clone(),
                    column: *column,
                    message,
                });
            }
        }
        Node::Object(members) => {
            out.push('{');
            let mut first = true;
            for (name, child) in members {
                if !present(child, cells) {
                    continue;
                }
                if !first {
                    out.push(',');
                }
                first = false;
                push_string(out, name);
                out.push(':');
                let len = pointer.len();
                pointer.push('/');
                push_escaped(pointer, name);
                write_node(child, cells, out, pointer, errors);
                pointer.truncate(len);
            }
            out.push('}');
        }
        Node::Array(items) => {
            out.push('[');
            let mut written = 0;
            let mut gap = None;
            for (index, child) in items {
                if !present(child, cells) {
                    gap.get_or_insert(*index);
                    continue;
                }
                if let Some(missing) = gap.take() {
                    errors.push(CellError {
                        pointer: format!("{pointer}/{missing}"),
                        column: first_column(child),
                        message: format!(
                            "item {missing} is empty but item {index} is not: fill an array's items from 0 on"
                        ),
                    });
                }
                if written > 0 {
                    out.push(',');
                }
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&written.to_string());
                write_node(child, cells, out, pointer, errors);
                pointer.truncate(len);
                written += 1;
            }
            out.push(']');
        }
    }
}

/// Writes a cell as the JSON its member takes; a cell that is not of that type goes in as a string, and the
/// message says why.
fn write_cell(cell: &str, scalar: Scalar, out: &mut String) -> Result<(), String> {
    let typed = match scalar {
        Scalar::String | Scalar::StrEnum(_) => {
            push_string(out, cell);
            return Ok(());
        }
        Scalar::Integer | Scalar::IntEnum(_) | Scalar::IntegerOrDigits => {
            integer(cell.trim()).ok_or_else(|| not(cell, "an integer"))
        }
        Scalar::Number => number(cell.trim()).ok_or_else(|| not(cell, "a number")),
        Scalar::Boolean => match cell.trim().to_ascii_lowercase().as_str() {
            "true" => Ok("true".to_owned()),
            "false" => Ok("false".to_owned()),
            _ => Err(not(cell, "a boolean (true or false)")),
        },
        Scalar::Any => {
            let text = cell.trim();
            if serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok() {
                Ok(text.to_owned())
            } else {
                push_string(out, cell);
                return Ok(());
            }
        }
    };
    match typed {
        Ok(json) => {
            out.push_str(&json);
            Ok(())
        }
        Err(message) => {
            push_string(out, cell);
            Err(message)
        }
    }
}

fn not(cell: &str, what: &str) -> String {
    format!("`{}` is not {what}", salesync::runtime::excerpt(cell))
}

/// `-?[0-9]+` within `i64`, without leading zeros.
fn integer(text: &str) -> Option<String> {
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let digits = digits.trim_start_matches('0');
    let (sign, digits) = if digits.is_empty() {
        ("", "0")
    } else {
        (sign, digits)
    };
    let json = format!("{sign}{digits}");
    json.parse::<i64>().ok()?;
    Some(json)
}

/// A JSON number, as written (leading zeros of its whole part dropped): `8.90` stays `8.90`.
fn number(text: &str) -> Option<String> {
    let (sign, rest) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let (whole, mut tail) = rest.split_at(end);
    if whole.is_empty() {
        return None;
    }
    if let Some(fraction) = tail.strip_prefix('.') {
        let digits = fraction
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(fraction.len());
        if digits == 0 {
            return None;
        }
        tail = &fraction[digits..];
    }
    if let Some(exponent) = tail.strip_prefix(['e', 'E']) {
        let exponent = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
        if exponent.is_empty() || !exponent.bytes().all(|byte| byte.is_ascii_digit()) {
            return None;
        }
    } else if !tail.is_empty() {
        return None;
    }
    let trimmed = whole.trim_start_matches('0');
    let whole_kept = if trimmed.is_empty() { "0" } else { trimmed };
    Some(format!("{sign}{whole_kept}{}", &rest[whole.len()..]))
}

fn push_string(out: &mut String, text: &str) {
    out.push_str(&serde_json::to_string(text).expect("a string serializes"));
}

/// Counts the line ends read, so a record's first line can be told from where it starts (the csv crate's own
/// line numbers lag behind a `\r\n`).
struct Lines<R> {
    inner: R,
    /// Bytes read so far.
    offset: u64,
    /// Where the line ends read but not yet passed by a record are.
    ahead: RefCell<VecDeque<u64>>,
    /// Line ends before those.
    passed: Cell<u64>,
}

impl<R: Read> Read for Lines<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut ahead = self.ahead.borrow_mut();
        for at in memchr::memchr_iter(b'\n', &buf[..n]) {
            ahead.push_back(self.offset + at as u64);
        }
        self.offset += n as u64;
        Ok(n)
    }
}

impl<R> Lines<R> {
    /// The line of a record the csv crate says starts at byte `start`: that byte is the record's first, or the
    /// end of the line before it.
    fn line_at(&self, start: u64) -> u64 {
        let mut ahead = self.ahead.borrow_mut();
        while ahead.front().is_some_and(|&at| at <= start) {
            ahead.pop_front();
            self.passed.set(self.passed.get() + 1);
        }
        self.passed.get() + 1
    }
}

/// The records of a CSV input, as rows.
pub struct Reader<R: BufRead> {
    csv: ::csv::Reader<Lines<R>>,
    columns: Arc<Columns>,
    record: ::csv::ByteRecord,
    /// Where the last record ended, in bytes.
    offset: u64,
    limit: usize,
    /// The column naming each record's tenant (`push --tenants`): its position and name. It is no member of
    /// the item.
    tenant: Option<(usize, String)>,
}

impl<R: BufRead> Reader<R> {
    /// Reads the header and checks it against the batch item's members.
    ///
    /// # Errors
    ///
    /// The input cannot be read, is empty, or has a header that is not UTF-8 or names what the item lacks (or
    /// lacks the `tenant` column, when one is named).
    pub fn new(
        inner: R,
        item: &'static ObjectShape,
        limit: usize,
        tenant: Option<&str>,
    ) -> Result<Self, HeaderError> {
        let mut csv = ::csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(Lines {
                inner,
                offset: 0,
                ahead: RefCell::new(VecDeque::new()),
                passed: Cell::new(0),
            });
        let mut header = ::csv::ByteRecord::new();
        let read = csv
            .read_byte_record(&mut header)
            .map_err(|err| match err.into_kind() {
                ::csv::ErrorKind::Io(err) => HeaderError::Io(err),
                other => HeaderError::Usage(format!("cannot read the CSV header: {other:?}")),
            })?;
        if !read {
            return Err(HeaderError::Usage(
                "the CSV input is empty: its first row names the columns (`price.current_price`, ...)"
                    .to_owned(),
            ));
        }
        let mut names = Vec::with_capacity(header.len());
        for (at, field) in header.iter().enumerate() {
            let field = if at == 0 {
                field.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(field)
            } else {
                field
            };
            let name = std::str::from_utf8(field).map_err(|_| {
                HeaderError::Usage(format!(
                    "column {} of the CSV header is not UTF-8 text",
                    at + 1
                ))
            })?;
            names.push(name.trim().to_owned());
        }
        let tenant = match tenant {
            Some(column) => {
                let at = names.iter().position(|name| name == column).ok_or_else(|| {
                    HeaderError::Usage(format!(
                        "the CSV header has no column `{column}`, which names each row's tenant (--tenant-column)"
                    ))
                })?;
                Some((at, names.remove(at)))
            }
            None => None,
        };
        let columns = Columns::new(&names, item).map_err(HeaderError::Usage)?;
        let offset = csv.position().byte();
        Ok(Reader {
            csv,
            columns: Arc::new(columns),
            record: ::csv::ByteRecord::new(),
            offset,
            limit,
            tenant,
        })
    }

    fn row(&self, line: u64, bytes: u64) -> Record {
        let record = &self.record;
        let raw = || {
            let fields: Vec<&[u8]> = record.iter().collect();
            fields.join(&b","[..])
        };
        let problem = |message: String| Record {
            line,
            index: None,
            bytes,
            text: Err(Problem::new(message, &raw())),
            csv: None,
            tentative: false,
            lift: None,
        };
        let length = record.as_slice().len();
        if length > self.limit {
            return problem(too_long(length, self.limit));
        }
        let header = self.columns.len() + usize::from(self.tenant.is_some());
        if record.len() != header {
            return problem(format!(
                "the record has {} field(s) and the header {header} column(s)",
                record.len(),
            ));
        }
        let mut cells = Vec::with_capacity(record.len());
        let mut tenant_cell = "";
        for (at, field) in record.iter().enumerate() {
            let tenant = self.tenant.as_ref().filter(|(column, _)| *column == at);
            match std::str::from_utf8(field) {
                Ok(cell) if tenant.is_some() => tenant_cell = cell,
                Ok(cell) => cells.push(cell),
                Err(err) if tenant.is_some() => {
                    return problem(format!(
                        "column `{}` is not UTF-8 text: {err}",
                        tenant.expect("some").1
                    ))
                }
                Err(err) => {
                    return problem(format!(
                        "column `{}` is not UTF-8 text: {err}",
                        self.columns.name(at)
                    ))
                }
            }
        }
        let (json, errors) = self.columns.convert(&cells);
        let (json, lift) = match &self.tenant {
            Some((_, column)) => {
                let (json, lifted) = super::lift::csv(json, tenant_cell, column);
                (json, Some(lifted))
            }
            None => (json, None),
        };
        Record {
            line,
            index: None,
            bytes,
            text: Ok(json),
            tentative: false,
            lift,
            csv: Some(Cells {
                columns: Arc::clone(&self.columns),
                errors,
            }),
        }
    }
}

impl<R: BufRead> Iterator for Reader<R> {
    type Item = io::Result<Record>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.csv.read_byte_record(&mut self.record) {
                Ok(false) => return None,
                Ok(true) => {}
                Err(err) => {
                    return match err.into_kind() {
                        ::csv::ErrorKind::Io(err) => Some(Err(err)),
                        other => Some(Err(io::Error::other(format!("{other:?}")))),
                    }
                }
            }
            // A record of empty cells only (a spreadsheet's blank row) is no row; its bytes go to the next.
            if self.record.iter().all(<[u8]>::is_empty) {
                continue;
            }
            let start = self.record.position().map_or(0, ::csv::Position::byte);
            let line = self.csv.get_ref().line_at(start);
            let end = self.csv.position().byte();
            let bytes = end - self.offset;
            self.offset = end;
            return Some(Ok(self.row(line, bytes)));
        }
    }
}

#[cfg(test)]
mod tests {
    use salesync::runtime::Shaped;
    use salesync::shopline::batch_sync_flow_data::FlowData;
    use salesync::tencent::salesinfo_add::SalesInfo;

    use super::*;

    fn columns(header: &[&str]) -> Result<Columns, String> {
        let header: Vec<String> = header.iter().map(|name| (*name).to_owned()).collect();
        Columns::new(&header, &SalesInfo::SHAPE)
    }

    fn json(header: &[&str], cells: &[&str]) -> (String, Vec<(String, String, String)>) {
        let columns = columns(header).unwrap();
        let (json, errors) = columns.convert(cells);
        let errors = errors
            .into_iter()
            .map(|e| (e.pointer, columns.name(e.column).to_owned(), e.message))
            .collect();
        (json, errors)
    }

    #[test]
    fn cells_are_typed_by_the_schema() {
        let header = [
            "external_store_id",
            "external_sku_id",
            "product_type",
            "price.current_price",
            "price.sku_price",
            "price.currency_translation",
            "stock.sku_stock_status",
            "stock.stock_total",
            "tag_info.custom_tag.0.tag_name",
            "tag_info.custom_tag.0.tag_value.0",
            "tag_info.custom_tag.1.tag_name",
        ];
        let (text, errors) = json(
            &header,
            &[
                "007",
                "北京, 朝阳",
                "1",
                "8.90",
                " 010 ",
                "TRUE",
                "1",
                "-0",
                "新品",
                "a\"b",
                "",
            ],
        );
        assert_eq!(errors, []);
        assert_eq!(
            text,
            r#"{"external_store_id":"007","external_sku_id":"北京, 朝阳","product_type":1,"price":{"current_price":8.90,"sku_price":10,"currency_translation":true},"stock":{"sku_stock_status":1,"stock_total":0},"tag_info":{"custom_tag":[{"tag_name":"新品","tag_value":["a\"b"]}]}}"#
        );
        // The JSON parses into the item, decimals exact.
        let item: SalesInfo = serde_json::from_str(&text).unwrap();
        assert_eq!(item.price.current_price.to_string(), "8.9");
        assert_eq!(format!("{:.2}", item.price.current_price), "8.90");

        // Empty cells are absent members; an object or item of empty cells is absent.
        let (text, _) = json(
            &header,
            &["s", "k", "", "1", "2", "", "1", "  ", "", "", ""],
        );
        assert_eq!(
            text,
            r#"{"external_store_id":"s","external_sku_id":"k","price":{"current_price":1,"sku_price":2},"stock":{"sku_stock_status":1}}"#
        );
        // A string of blanks is a string.
        let (text, _) = json(&["external_store_id"], &[" "]);
        assert_eq!(text, r#"{"external_store_id":" "}"#);
    }

    #[test]
    fn cells_of_the_wrong_type_are_errors_with_their_column() {
        let header = [
            "price.current_price",
            "stock.stock_total",
            "price.currency_translation",
            "product_type",
        ];
        let (text, errors) = json(&header, &["8,90", "1.5", "yes", "1e3"]);
        // The cells stay in the row, as strings.
        assert_eq!(
            text,
            r#"{"price":{"current_price":"8,90","currency_translation":"yes"},"stock":{"stock_total":"1.5"},"product_type":"1e3"}"#
        );
        assert_eq!(
            errors,
            [
                (
                    "/price/current_price".to_owned(),
                    "price.current_price".to_owned(),
                    "`8,90` is not a number".to_owned()
                ),
                (
                    "/price/currency_translation".to_owned(),
                    "price.currency_translation".to_owned(),
                    "`yes` is not a boolean (true or false)".to_owned()
                ),
                (
                    "/stock/stock_total".to_owned(),
                    "stock.stock_total".to_owned(),
                    "`1.5` is not an integer".to_owned()
                ),
                (
                    "/product_type".to_owned(),
                    "product_type".to_owned(),
                    "`1e3` is not an integer".to_owned()
                ),
            ]
        );
        let (_, errors) = json(&["stock.stock_total"], &["99999999999999999999"]);
        assert_eq!(errors[0].2, "`99999999999999999999` is not an integer");
    }

    #[test]
    fn numbers_are_kept_as_written() {
        for (cell, written) in [
            ("8.90", Some("8.90")),
            ("-0.5", Some("-0.5")),
            ("007.50", Some("7.50")),
            ("1e-2", Some("1e-2")),
            ("12", Some("12")),
            (".5", None),
            ("5.", None),
            ("+5", None),
            ("1,5", None),
            ("NaN", None),
            ("1e", None),
            ("", None),
        ] {
            assert_eq!(number(cell).as_deref(), written, "{cell:?}");
        }
        assert_eq!(integer("-007").as_deref(), Some("-7"));
        assert_eq!(integer("000").as_deref(), Some("0"));
        assert_eq!(integer("1.0"), None);
    }

    #[test]
    fn a_gap_in_an_array_is_an_error() {
        let header = [
            "tag_info.custom_tag.0.tag_name",
            "tag_info.custom_tag.1.tag_name",
        ];
        let (text, errors) = json(&header, &["", "b"]);
        assert_eq!(text, r#"{"tag_info":{"custom_tag":[{"tag_name":"b"}]}}"#);
        assert_eq!(errors[0].0, "/tag_info/custom_tag/0");
        assert_eq!(errors[0].1, "tag_info.custom_tag.1.tag_name");
    }

    #[test]
    fn the_header_is_checked_against_the_schema() {
        let refused = |header: &[&str]| columns(header).unwrap_err();
        assert_eq!(
            refused(&["external_sku_id", "price.curent_price"]),
            "column `price.curent_price`: `price` has no member `curent_price` (the schema's Price has \
             daily_price, current_price, sku_price, after_coupon_price, currency_translation, \
             sku_promotions, normal_product_info)"
        );
        assert!(refused(&["sku"]).starts_with("column `sku`: the item has no member `sku`"));
        assert!(refused(&["price"]).starts_with("column `price` names an object"));
        assert!(refused(&["tag_info.custom_tag.tag_name"]).starts_with(
            "column `tag_info.custom_tag.tag_name`: `tag_info.custom_tag` is an array"
        ));
        assert!(refused(&["tag_info.custom_tag.01.tag_name"]).contains("must be an item's index"));
        assert!(refused(&["tag_info.custom_tag.0"])
            .starts_with("column `tag_info.custom_tag.0` names an object"));
        assert!(refused(&["tag_info.custom_tag.0.tag_value"]).contains("names an array"));
        assert_eq!(
            refused(&["external_sku_id.x"]),
            "column `external_sku_id.x`: `external_sku_id` is a string, it has no members"
        );
        assert_eq!(
            refused(&["external_sku_id", "external_sku_id"]),
            "column `external_sku_id` appears twice in the header"
        );
        assert!(refused(&["price..sku_price"]).contains("an empty member name"));
        assert!(refused(&["external_sku_id", ""]).starts_with("column 2 of the header has no name"));
        assert_eq!(
            refused(&["tag_info.custom_tag.1.tag_name"]),
            "the header has columns for item 1 of `tag_info.custom_tag` but none for item 0: number an \
             array's items from 0 without a gap"
        );
    }

    #[test]
    fn pointers_map_back_to_columns() {
        let columns = columns(&["price.current_price", "tag_info.custom_tag.0.tag_name"]).unwrap();
        assert_eq!(
            columns.column_of("/price/current_price"),
            Some("price.current_price")
        );
        assert_eq!(
            columns.column_of("/tag_info/custom_tag/0/tag_name"),
            Some("tag_info.custom_tag.0.tag_name")
        );
        assert_eq!(columns.column_of("/price/sku_price"), None);
        assert_eq!(columns.column_of("/price"), None);
        assert_eq!(columns.column_of(""), None);
    }

    fn read(input: &str, shape: &'static ObjectShape) -> Vec<(u64, Result<String, String>, u64)> {
        let reader = Reader::new(
            io::BufReader::with_capacity(3, input.as_bytes()),
            shape,
            1000,
            None,
        )
        .unwrap();
        reader
            .map(|record| {
                let record = record.unwrap();
                (
                    record.line,
                    record.text.map_err(|p| p.message),
                    record.bytes,
                )
            })
            .collect()
    }

    #[test]
    fn records_with_quotes_newlines_and_chinese_text() {
        let input = "\u{feff}flow_id,occurred_on,send_count,order_num,order_amount,trigger_num\r\n\
                     \"f,1\",1767225600000,10,2,300,4\r\n\
                     ,,,,,\r\n\
                     \"多行\n流程\",1767225600000,1,,\"\",7\r\n\
                     f3,1767225600000,x,1,1,1\r\n\
                     f4,1\r\n";
        let found = read(input, &FlowData::SHAPE);
        let rows: Vec<(u64, Result<String, String>)> = found
            .iter()
            .map(|(line, text, _)| (*line, text.clone()))
            .collect();
        assert_eq!(
            rows,
            [
                (
                    2,
                    Ok(r#"{"flow_id":"f,1","occurred_on":1767225600000,"send_count":10,"order_num":2,"order_amount":300,"trigger_num":4}"#.to_owned())
                ),
                (
                    4,
                    Ok(r#"{"flow_id":"多行\n流程","occurred_on":1767225600000,"send_count":1,"trigger_num":7}"#.to_owned())
                ),
                (
                    6,
                    Ok(r#"{"flow_id":"f3","occurred_on":1767225600000,"send_count":"x","order_num":1,"order_amount":1,"trigger_num":1}"#.to_owned())
                ),
                (
                    7,
                    Err("the record has 2 field(s) and the header 6 column(s)".to_owned())
                ),
            ]
        );
        let total: u64 = found.iter().map(|(_, _, bytes)| bytes).sum::<u64>()
            + input.find('\n').unwrap() as u64
            + 1;
        assert_eq!(total, input.len() as u64);
    }

    #[test]
    fn a_bad_header_is_refused_before_any_record() {
        let refused =
            |input: &str| match Reader::new(input.as_bytes(), &FlowData::SHAPE, 1000, None) {
                Err(HeaderError::Usage(message)) => message,
                Err(HeaderError::Io(err)) => panic!("{err}"),
                Ok(_) => panic!("accepted"),
            };
        assert!(
            refused("flow_id,clicks\nf,1\n").starts_with("column `clicks`: the item has no member")
        );
        assert!(refused("").starts_with("the CSV input is empty"));
    }
}
