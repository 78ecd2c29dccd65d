//! A row against the schema: the item it parses into, or every reason it is rejected, each with the JSON
//! pointer inside the row (and, for CSV, the column).

use salesync::runtime::{check as runtime_check, parse, Batched};
use serde_json::Value;

use super::Record;
use crate::push::rejects::{ErrorEntry, Reject, RowText};

/// A row that passed.
#[derive(Debug, Clone, PartialEq)]
pub struct Valid<T> {
    /// 1-based line where the row starts.
    pub line: u64,
    /// Position in a JSON array.
    pub index: Option<u64>,
    /// The row as JSON text (for CSV, the JSON its cells make).
    pub text: String,
    /// Input bytes it accounts for.
    pub bytes: u64,
    /// The parsed item.
    pub item: T,
    /// The tenant the row names (`push --tenants`).
    pub tenant: Option<String>,
}

/// A row that did not pass.
#[derive(Debug)]
pub struct Invalid {
    /// The row and why, for the reject file.
    pub reject: Reject,
    /// Input bytes it accounts for.
    pub bytes: u64,
    /// The tenant the row names, if it names one (`push --tenants`).
    pub tenant: Option<String>,
}

/// What a record is against the schema.
#[derive(Debug)]
pub enum Checked<T> {
    /// The item.
    Valid(Valid<T>),
    /// The reject: text that is no row, text that is not JSON, every missing, unknown or mistyped member, CSV
    /// cells that are not of their member's type, every broken rule.
    Invalid(Invalid),
    /// A line taken whole (`tentative`) that does not parse: it may hold a value that goes on past it, or two
    /// values. It is to be read again, scanned ([`super::Rows::retract`]), and checked again.
    ReadAgain,
}

/// Parses a record into a batch item and, when `validate`, checks it against the schema (else only its
/// structure, and the platform judges the rest). A record that names its tenant (`lift`) is parsed without
/// the tenant's member; one that should and does not is rejected (rule `tenant`), with the item's own errors.
pub fn check<O: Batched>(record: Record, validate: bool) -> Checked<O::Item> {
    let Record {
        line,
        index,
        bytes,
        text,
        csv,
        tentative,
        lift,
    } = record;
    let (tenant, tenant_error) = match lift.as_ref().map(|lifted| &lifted.tenant) {
        Some(Ok(tenant)) => (Some(tenant.clone()), None),
        Some(Err(error)) => (None, Some(error.clone())),
        None => (None, None),
    };
    let reject = |row, errors| {
        Checked::Invalid(Invalid {
            reject: Reject {
                line,
                index,
                row,
                errors,
            },
            bytes,
            tenant: tenant.clone(),
        })
    };
    let text = match text {
        Ok(text) => text,
        Err(problem) => {
            let errors = vec![ErrorEntry::whole("row", problem.message)];
            return reject(RowText::Text(problem.excerpt), errors);
        }
    };
    // The item is the row without its tenant's member; the row as written is what a reject keeps.
    let item_text = match &lift {
        Some(lifted) => lifted.item(&text),
        None => std::borrow::Cow::Borrowed(text.as_str()),
    };
    let cells_ok =
        csv.as_ref().is_none_or(|cells| cells.errors.is_empty()) && tenant_error.is_none();
    let valid = |text, item| {
        Checked::Valid(Valid {
            line,
            index,
            text,
            bytes,
            item,
            tenant: tenant.clone(),
        })
    };
    // Fast path: a valid row parses straight into the item and validates clean, with no `Value` and no path
    // tracking. Any other row is parsed again below, for the full diagnosis with pointers; but a line taken
    // whole that does not parse is read again first (parsing tells whether it is one value).
    if cells_ok {
        match serde_json::from_str::<O::Item>(&item_text) {
            Ok(item) => {
                if !validate || salesync::Validate::validate(&item).is_ok() {
                    drop(item_text);
                    return valid(text, item);
                }
            }
            Err(_) if tentative => return Checked::ReadAgain,
            Err(_) => {}
        }
    } else if tentative && serde_json::from_str::<serde::de::IgnoredAny>(&item_text).is_err() {
        return Checked::ReadAgain;
    }
    let value: Value = match parse::from_str(&item_text) {
        Ok(value) => value,
        Err(violation) => {
            drop(item_text);
            return reject(RowText::Text(text), vec![violation.into()]);
        }
    };
    drop(item_text);
    let item = if validate {
        runtime_check::check_item::<O>(&value, "")
    } else {
        parse::from_value::<O::Item>(&value, "").map_err(|violation| vec![violation])
    };
    let mut errors: Vec<ErrorEntry> = match (item, cells_ok) {
        (Ok(item), true) => return valid(text, item),
        (Ok(_), false) => Vec::new(),
        (Err(violations), _) => violations.into_iter().map(ErrorEntry::from).collect(),
    };

    if let Some(cells) = &csv {
        // A cell that is not of its member's type went in as a string: its own error says why, in place of
        // what the parse made of the string.
        let bad = |pointer: &str| {
            cells.errors.iter().any(|cell| {
                pointer == cell.pointer
                    || pointer
                        .strip_prefix(cell.pointer.as_str())
                        .is_some_and(|rest| rest.starts_with('/'))
            })
        };
        errors.retain(|error| !bad(&error.pointer));
        let mut all: Vec<ErrorEntry> = cells
            .errors
            .iter()
            .map(|cell| ErrorEntry {
                pointer: cell.pointer.clone(),
                column: Some(cells.columns.name(cell.column).to_owned()),
                rule: "type".to_owned(),
                message: cell.message.clone(),
            })
            .collect();
        for mut error in errors {
            error.column = cells.columns.column_of(&error.pointer).map(str::to_owned);
            all.push(error);
        }
        errors = all;
    }
    if let Some(error) = tenant_error {
        errors.insert(0, error);
    }
    reject(RowText::Json(text), errors)
}
