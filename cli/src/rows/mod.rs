//! Where the rows of `push` and `validate --rows` come from: a file or standard input (`-`), written as JSON
//! (JSON Lines, rows one after another, one array, a request body, a reject or failed file of an earlier push)
//! or as CSV. Whatever the source, a row comes out as JSON text with its line, ready for [`check`].

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

use salesync::runtime::{Batched, Kinded, MemberKind, ObjectShape};

use crate::push::rejects;

mod check;
pub mod csv;
pub mod json;
pub mod lift;

pub use check::{check, Checked, Invalid, Valid};
pub use json::Problem;

/// The reader's buffer: large reads, few system calls.
const BUFFER: usize = 256 * 1024;

/// Where rows are read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file.
    File(PathBuf),
    /// Standard input, named `-` on the command line.
    Stdin,
}

impl Input {
    /// The input a command-line argument names: `-` is standard input.
    pub fn from_arg(path: &Path) -> Self {
        if path.as_os_str() == crate::input::STDIN {
            Input::Stdin
        } else {
            Input::File(path.to_owned())
        }
    }

    /// The file, if the input is one.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Input::File(path) => Some(path),
            Input::Stdin => None,
        }
    }

    /// How messages name the input.
    pub fn name(&self) -> String {
        match self {
            Input::File(path) => path.display().to_string(),
            Input::Stdin => "standard input".to_owned(),
        }
    }
}

/// How the input is written (`--format`).
#[derive(clap::ValueEnum, Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Format {
    /// CSV for a file named `*.csv`; otherwise JSON, its content telling which kind
    #[default]
    Auto,
    /// JSON values one after another, one row each: JSON Lines, or pretty-printed rows (an array is one row)
    Jsonl,
    /// One JSON array of rows, a request body (its batch member's items are the rows), or JSON Lines
    Json,
    /// CSV with a header row of member paths (`price.current_price`, `tag_info.custom_tag.0.tag_name`)
    Csv,
}

impl Format {
    /// The format `input` is read in: `auto` is CSV for a `.csv` file and JSON otherwise.
    pub fn resolve(self, input: &Input) -> Format {
        match self {
            Format::Auto => {
                let csv = input
                    .path()
                    .and_then(Path::extension)
                    .is_some_and(|extension| extension.eq_ignore_ascii_case("csv"));
                if csv {
                    Format::Csv
                } else {
                    Format::Json
                }
            }
            other => other,
        }
    }
}

/// What the rows are for: the batch item's members, and the request member holding the batch.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    /// The members of one batch item, when it is an object (not a union of several kinds of objects, which
    /// a CSV header cannot name).
    pub item: Option<&'static ObjectShape>,
    /// The request member holding the batch (`salesinfo`), to recognise a whole request body.
    pub batch_member: Option<&'static str>,
}

impl Target {
    /// The rows of endpoint `O`.
    pub fn of<O: Batched>() -> Target {
        Target {
            item: const {
                match <O::Item as Kinded>::KIND {
                    MemberKind::Object(shape) => Some(shape),
                    _ => None,
                }
            },
            batch_member: O::META.batch.map(|batch| batch.items),
        }
    }
}

/// One row of the input, as JSON text.
#[derive(Debug, Clone)]
pub struct Record {
    /// 1-based line where the row starts (the record's first line, for CSV).
    pub line: u64,
    /// 0-based position in a JSON array (or in the batch array of a request body).
    pub index: Option<u64>,
    /// Bytes of input the row accounts for, for progress.
    pub bytes: u64,
    /// The row as JSON text, or why the input there is no row.
    pub text: Result<String, Problem>,
    /// For a CSV record: its columns, and the cells that could not be typed.
    pub csv: Option<csv::Cells>,
    /// A JSON line taken whole, unscanned ([`json::Reader::took_whole`]): one value exactly when it parses
    /// as one. [`check`] says so when it does not, and [`CheckedRows`] has the line read again, scanned.
    pub tentative: bool,
    /// The tenant the row names (`push --tenants`), lifted out of its text; `None` when rows name none.
    pub lift: Option<lift::Lifted>,
}

impl From<json::Record> for Record {
    fn from(record: json::Record) -> Self {
        Record {
            line: record.line,
            index: record.index,
            bytes: record.bytes,
            text: record.text,
            csv: None,
            tentative: false,
            lift: None,
        }
    }
}

/// The rows of an input, in order.
pub struct Rows {
    source: Source,
    /// The member naming each JSON row's tenant, lifted out of it (`push --tenants`).
    tenant: Option<String>,
}

enum Source {
    Json {
        reader: json::Reader<Box<dyn BufRead + Send>>,
        rejects: RejectFile,
    },
    Csv(csv::Reader<Box<dyn BufRead + Send>>),
}

/// Whether the input is a reject (or failed) file of an earlier push, whose lines carry the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RejectFile {
    /// Not known until the first row is read.
    Undecided,
    Yes,
    No,
}

/// Why an input cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenError {
    /// A usage error (a CSV header that does not fit the schema), not an I/O one.
    pub usage: bool,
    /// A sentence naming the input.
    pub message: String,
}

/// Opens `input` for `target`. A CSV header is read and checked here, so a column the schema does not know is
/// an error before any row is read. With `tenant`, each row names its tenant by that member (JSON) or column
/// (CSV), lifted out of it before it is checked ([`lift`]).
///
/// # Errors
///
/// The input cannot be opened or read, or its CSV header names a member the item does not have (or lacks the
/// tenant column).
pub fn open(
    input: &Input,
    format: Format,
    target: Target,
    row_limit: usize,
    tenant: Option<&str>,
) -> Result<Rows, OpenError> {
    let io = |err: io::Error| OpenError {
        usage: false,
        message: format!("cannot read {}: {err}", input.name()),
    };
    let reader: Box<dyn BufRead + Send> = match input {
        Input::File(path) => {
            let file = File::open(path).map_err(io)?;
            Box::new(BufReader::with_capacity(BUFFER, file))
        }
        Input::Stdin => Box::new(BufReader::with_capacity(BUFFER, io::stdin())),
    };
    read(
        reader,
        format.resolve(input),
        target,
        row_limit,
        &input.name(),
        tenant,
    )
}

/// The item a CSV record is: an object, whose members the header names.
fn csv_item(target: Target, name: &str) -> Result<&'static ObjectShape, OpenError> {
    target.item.ok_or_else(|| OpenError {
        usage: true,
        message: format!(
            "{name}: this endpoint's batch item is a union of several kinds of objects, which a CSV header \
             cannot name: write the rows as JSON Lines"
        ),
    })
}

/// The rows `reader` holds, written in `format` (resolved); `name` names the input in errors.
fn read(
    reader: Box<dyn BufRead + Send>,
    format: Format,
    target: Target,
    row_limit: usize,
    name: &str,
    tenant: Option<&str>,
) -> Result<Rows, OpenError> {
    let source = match format {
        Format::Csv => Source::Csv(
            csv::Reader::new(reader, csv_item(target, name)?, row_limit, tenant).map_err(
                |err| match err {
                    csv::HeaderError::Io(err) => OpenError {
                        usage: false,
                        message: format!("cannot read {name}: {err}"),
                    },
                    csv::HeaderError::Usage(message) => OpenError {
                        usage: true,
                        message: format!("{name}: {message}"),
                    },
                },
            )?,
        ),
        format => {
            let json = format == Format::Json || format == Format::Auto;
            let options = json::Options {
                arrays: json,
                body_member: target.batch_member.filter(|_| json).map(str::to_owned),
            };
            // An item with members of these names could be taken for a reject line: never look for one.
            let ambiguous = target.item.is_some_and(|item| {
                item.members
                    .iter()
                    .any(|member| matches!(member.name, "row" | "errors"))
            });
            Source::Json {
                reader: json::Reader::new(reader, row_limit, options),
                rejects: if ambiguous {
                    RejectFile::No
                } else {
                    RejectFile::Undecided
                },
            }
        }
    };
    Ok(Rows {
        source,
        tenant: tenant.map(str::to_owned),
    })
}

impl Rows {
    /// Puts back the last row when it was `tentative`: the next row read is its line again, scanned.
    pub fn retract(&mut self) {
        if let Source::Json { reader, .. } = &mut self.source {
            reader.retract();
        }
    }

    /// Each row checked against endpoint `O`'s item (see [`check`]), a line taken whole and not one value
    /// read again.
    pub fn checked<O: Batched>(self, validate: bool) -> CheckedRows<O> {
        CheckedRows {
            rows: self,
            validate,
            endpoint: PhantomData,
        }
    }
}

impl Iterator for Rows {
    type Item = io::Result<Record>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.source {
            Source::Csv(reader) => reader.next(),
            Source::Json { reader, rejects } => loop {
                let mut record = match reader.next()? {
                    Ok(record) => Record::from(record),
                    Err(err) => return Some(Err(err)),
                };
                record.tentative = reader.took_whole();
                if record.tentative && *rejects != RejectFile::No {
                    // What tells a reject file is read from whole values only: this line is made sure of
                    // here (the first row, and the lines of a reject file).
                    if !record
                        .text
                        .as_ref()
                        .is_ok_and(|text| json::is_one_value(text))
                    {
                        reader.retract();
                        continue;
                    }
                    record.tentative = false;
                }
                let mut record = reject_row(record, rejects);
                if let (Some(member), Ok(text)) = (&self.tenant, &record.text) {
                    record.lift = lift::json(text, member);
                }
                return Some(Ok(record));
            },
        }
    }
}

/// The rows of an input, checked: a valid item or a reject each, in order (see [`Rows::checked`]).
pub struct CheckedRows<O> {
    rows: Rows,
    validate: bool,
    endpoint: PhantomData<fn() -> O>,
}

impl<O: Batched> Iterator for CheckedRows<O> {
    type Item = io::Result<Result<Valid<O::Item>, Invalid>>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let record = match self.rows.next()? {
                Ok(record) => record,
                Err(err) => return Some(Err(err)),
            };
            return Some(Ok(match check::<O>(record, self.validate) {
                Checked::Valid(valid) => Ok(valid),
                Checked::Invalid(invalid) => Err(invalid),
                Checked::ReadAgain => {
                    self.rows.retract();
                    continue;
                }
            }));
        }
    }
}

/// A record of a reject or failed file gives the row it holds. The first JSON row of a stream of values
/// decides: a line of a reject file (an object with `line`, `row` and `errors`) makes every line one.
fn reject_row(mut record: Record, mode: &mut RejectFile) -> Record {
    let Ok(text) = &record.text else {
        return record;
    };
    if *mode == RejectFile::Undecided {
        *mode = if record.index.is_none() && rejects::row_of_line(text).is_some() {
            RejectFile::Yes
        } else {
            RejectFile::No
        };
    }
    if *mode == RejectFile::Yes {
        record.text = rejects::row_of_line(text).ok_or_else(|| {
            Problem::new(
                "not a line of a reject file: an object with `line`, `row` and `errors` was expected"
                    .to_owned(),
                text.as_bytes(),
            )
        });
    }
    record
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(index: Option<u64>, text: &str) -> Record {
        Record {
            line: 1,
            index,
            bytes: 0,
            text: Ok(text.to_owned()),
            csv: None,
            tentative: false,
            lift: None,
        }
    }

    fn texts(records: &[Record]) -> Vec<Result<String, String>> {
        let mut mode = RejectFile::Undecided;
        records
            .iter()
            .map(|record| {
                reject_row(record.clone(), &mut mode)
                    .text
                    .map_err(|problem| problem.message)
            })
            .collect()
    }

    const REJECT: &str = r#"{"line":4,"row":{"a":1},"errors":[]}"#;

    /// The rows of JSON `input` checked as Tencent items: each row's line and SKU, or its reject's first rule.
    fn checked(input: &str) -> Vec<(u64, String)> {
        use salesync::tencent::salesinfo_add::SalesinfoAdd;
        let reader = Box::new(io::Cursor::new(input.as_bytes().to_vec()));
        let target = Target::of::<SalesinfoAdd>();
        read(
            reader,
            Format::Json,
            target,
            json::DEFAULT_ROW_LIMIT,
            "test",
            None,
        )
        .unwrap()
        .checked::<SalesinfoAdd>(true)
        .map(|row| match row.unwrap() {
            Ok(valid) => (valid.line, valid.item.external_sku_id.as_str().to_owned()),
            Err(invalid) => (invalid.reject.line, invalid.reject.errors[0].rule.clone()),
        })
        .collect()
    }

    fn item(sku: &str) -> String {
        format!(
            r#"{{"external_store_id":"s1","external_sku_id":"{sku}","price":{{"current_price":8.9,"sku_price":10}},"stock":{{"sku_stock_status":1}}}}"#
        )
    }

    #[test]
    fn a_line_taken_whole_that_is_not_one_item_is_read_again() {
        // Line 3 closes a member with `}` but not the item, which goes on over line 4.
        let split = r#"{"external_store_id":"s1","price":{"current_price":8.9,"sku_price":10}
,"external_sku_id":"k4","stock":{"sku_stock_status":1}}"#;
        let input = format!(
            "{}\n{} {}\n{split}\n{} x\n{}\n",
            item("k1"),
            item("k2"),
            item("k3"),
            item("k5"),
            item("k6")
        );
        let found = checked(&input);
        let expected = [
            (1, "k1"),
            (2, "k2"),
            (2, "k3"),
            (3, "k4"),
            (5, "json"),
            (6, "k6"),
        ];
        let expected: Vec<(u64, String)> = expected
            .iter()
            .map(|(line, what)| (*line, (*what).to_owned()))
            .collect();
        assert_eq!(found, expected);
    }

    #[test]
    fn a_reject_file_is_told_by_whole_values() {
        // Its first line closes with `}` but is only the start of a reject line (pretty-printed by hand).
        let first = format!("{{\"line\":4,\"row\":{}\n,\"errors\":[]}}", item("k1"));
        let second = format!("{{\"line\":7,\"row\":{},\"errors\":[]}}", item("k2"));
        let found = checked(&format!("{first}\n{second}\n"));
        assert_eq!(found, [(1, "k1".to_owned()), (3, "k2".to_owned())]);
    }

    #[test]
    fn the_first_row_tells_a_reject_file() {
        // A reject file: every line gives its row; a line that is not one is a problem row.
        let found = texts(&[
            record(None, REJECT),
            record(None, r#"{"a":2}"#),
            record(None, REJECT),
        ]);
        assert_eq!(found[0], Ok(r#"{"a":1}"#.to_owned()));
        assert!(found[1]
            .as_ref()
            .unwrap_err()
            .starts_with("not a line of a reject file"));
        assert_eq!(found[2], Ok(r#"{"a":1}"#.to_owned()));
        // Rows first: a later line that looks like a reject is a row like any other.
        let found = texts(&[record(None, r#"{"a":2}"#), record(None, REJECT)]);
        assert_eq!(found[1], Ok(REJECT.to_owned()));
        // Array elements are rows, never reject lines.
        let found = texts(&[record(Some(0), REJECT)]);
        assert_eq!(found[0], Ok(REJECT.to_owned()));
    }

    /// A row's tenant and SKU, or its reject's row and rules.
    type TenantRow = Result<(String, String), (String, Vec<String>)>;

    /// The rows of `input` (in `format`) naming their tenant by `store`, checked as Tencent items: each row's
    /// tenant and SKU, or its reject's row and rules.
    fn with_tenants(input: &str, format: Format) -> Vec<TenantRow> {
        use salesync::tencent::salesinfo_add::SalesinfoAdd;
        let reader = Box::new(io::Cursor::new(input.as_bytes().to_vec()));
        let target = Target::of::<SalesinfoAdd>();
        read(
            reader,
            format,
            target,
            json::DEFAULT_ROW_LIMIT,
            "test",
            Some("store"),
        )
        .unwrap()
        .checked::<SalesinfoAdd>(true)
        .map(|row| match row.unwrap() {
            Ok(valid) => Ok((
                valid.tenant.unwrap(),
                valid.item.external_sku_id.as_str().to_owned(),
            )),
            Err(invalid) => Err((
                match invalid.reject.row {
                    rejects::RowText::Json(text) | rejects::RowText::Text(text) => text,
                },
                invalid
                    .reject
                    .errors
                    .iter()
                    .map(|e| format!("{} {}", e.pointer, e.rule))
                    .collect(),
            )),
        })
        .collect()
    }

    #[test]
    fn rows_name_their_tenant_and_rejects_keep_it() {
        let k1 = item("k1").replacen('{', r#"{"store":"shop-1","#, 1);
        let k2 = item("k2").replacen('}', r#"},"store":7"#, 1);
        let bad = item("k3")
            .replace("8.9", "12")
            .replacen('{', r#"{"store":"shop-1","#, 1);
        let input = format!(
            "{k1}
{k2}
{}
{bad}
",
            item("k4")
        );
        let found = with_tenants(&input, Format::Json);
        assert_eq!(found[0], Ok(("shop-1".to_owned(), "k1".to_owned())));
        assert_eq!(found[1], Ok(("7".to_owned(), "k2".to_owned())));
        // No tenant: rejected as such, the row kept as written.
        let (row, rules) = found[2].clone().unwrap_err();
        assert_eq!((row, rules), (item("k4"), vec!["/store tenant".to_owned()]));
        // Its own errors, the tenant member kept in the reject's row.
        let (row, rules) = found[3].clone().unwrap_err();
        assert_eq!(
            (row, rules),
            (
                bad.clone(),
                vec!["/price/current_price x-compare".to_owned()]
            )
        );
        // A reject file of such rows gives them back with their tenant.
        let line = format!("{{\"line\":4,\"row\":{k1},\"errors\":[]}}\n");
        assert_eq!(
            with_tenants(&line, Format::Json),
            [Ok(("shop-1".to_owned(), "k1".to_owned()))]
        );
        // CSV: the column is not a member path.
        let csv = "external_store_id,store,external_sku_id,price.current_price,price.sku_price,stock.sku_stock_status\n\
                   s1,shop-2,k5,8.9,10,1\n\
                   s1,,k6,8.9,10,x\n";
        let found = with_tenants(csv, Format::Csv);
        assert_eq!(found[0], Ok(("shop-2".to_owned(), "k5".to_owned())));
        let (row, rules) = found[1].clone().unwrap_err();
        assert!(!row.contains("store\""), "{row}");
        assert_eq!(rules, ["/store tenant", "/stock/sku_stock_status type"]);
    }

    #[test]
    fn formats_by_name_and_flag() {
        let file = |name: &str| Input::File(PathBuf::from(name));
        assert_eq!(Format::Auto.resolve(&file("a.CSV")), Format::Csv);
        assert_eq!(Format::Auto.resolve(&file("a.jsonl")), Format::Json);
        assert_eq!(Format::Auto.resolve(&Input::Stdin), Format::Json);
        assert_eq!(Format::Jsonl.resolve(&file("a.csv")), Format::Jsonl);
        assert_eq!(Input::from_arg(Path::new("-")), Input::Stdin);
    }
}
