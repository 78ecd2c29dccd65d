//! The producer: a thread that reads the input, checks each row and forms batches, handing them over a
//! bounded channel; it reads on only while the rows not yet accounted for stay within the byte budget
//! ([`Budget`]), so that reading never runs more than a few requests' worth of bytes ahead of sending.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;

use salesync::runtime::Batched;
use tokio::sync::mpsc;

use super::batcher::{Batch, Batcher, Limits};
use super::budget::Budget;
use super::rejects::Reject;
use crate::rows::{self, Format, Input, Invalid, Target};

/// What the producer hands over, in file order.
#[derive(Debug)]
pub enum Event<T> {
    /// A row that is not valid: for the reject file.
    Reject {
        /// The reject.
        reject: Reject,
        /// Input bytes it accounts for.
        bytes: u64,
        /// The tenant it names, if it names one (`push --tenants`).
        tenant: Option<String>,
    },
    /// Consecutive valid rows.
    Batch(Batch<T>),
    /// The input could not be read (further), or its CSV header does not fit the schema.
    Error(String),
}

/// What the producer is to do.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Where the rows come from: a file, or standard input.
    pub input: Input,
    /// How they are written (`--format`).
    pub format: Format,
    /// Batch limits.
    pub limits: Limits,
    /// The longest row read.
    pub row_limit: usize,
    /// Check each row against the schema (else only its structure, and the platform judges the rest).
    pub validate: bool,
    /// The member or column naming each row's tenant (`push --tenants`), lifted out of the row.
    pub tenant: Option<String>,
}

/// Starts the producer. It stops at the end of the input, when `stop` is set (or `budget` closed), or when
/// the receiver is gone.
pub fn spawn<O: Batched>(
    plan: Plan,
    stop: Arc<AtomicBool>,
    budget: Arc<Budget>,
    events: mpsc::Sender<Event<O::Item>>,
) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("salesync-reader".into())
        .spawn(move || produce::<O>(&plan, &stop, &budget, &events))
}

fn produce<O: Batched>(
    plan: &Plan,
    stop: &AtomicBool,
    budget: &Budget,
    events: &mpsc::Sender<Event<O::Item>>,
) {
    let tenant = plan.tenant.as_deref();
    let rows = match rows::open(
        &plan.input,
        plan.format,
        Target::of::<O>(),
        plan.row_limit,
        tenant,
    ) {
        Ok(rows) => rows,
        Err(open) => {
            let _ = events.blocking_send(Event::Error(open.message));
            return;
        }
    };
    let mut batcher = Batcher::new(plan.limits);
    // Bytes of the valid rows read so far (their text), against what the driver has accounted for.
    let mut taken = 0u64;
    for checked in rows.checked::<O>(plan.validate) {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        let event = match checked {
            Ok(Ok(row)) => {
                if !budget.has_room(taken) && !wait_for_room(&mut batcher, taken, budget, events) {
                    return;
                }
                taken += row.text.len() as u64;
                match batcher.push(row) {
                    Some(batch) => Event::Batch(batch),
                    None => continue,
                }
            }
            Ok(Err(invalid)) => reject(invalid),
            Err(err) => Event::Error(format!("cannot read {}: {err}", plan.input.name())),
        };
        let failed = matches!(event, Event::Error(_));
        if events.blocking_send(event).is_err() || failed {
            return;
        }
    }
    if let Some(batch) = batcher.finish() {
        let _ = events.blocking_send(Event::Batch(batch));
    }
}

/// Waits until the rows held leave room for another: the partial batch goes first (the rows held may be its
/// own, which only its sending can free). `false` when the run stops or the receiver is gone.
fn wait_for_room<T>(
    batcher: &mut Batcher<T>,
    taken: u64,
    budget: &Budget,
    events: &mpsc::Sender<Event<T>>,
) -> bool {
    if let Some(batch) = batcher.finish() {
        if events.blocking_send(Event::Batch(batch)).is_err() {
            return false;
        }
    }
    budget.wait_for_room(taken)
}

/// An invalid record as the reject event it is.
fn reject<T>(invalid: Invalid) -> Event<T> {
    Event::Reject {
        reject: invalid.reject,
        bytes: invalid.bytes,
        tenant: invalid.tenant,
    }
}

#[cfg(test)]
mod tests {
    use salesync::tencent::salesinfo_add::SalesinfoAdd;

    use super::super::batcher::Row;
    use super::super::rejects::RowText;
    use super::*;
    use crate::rows::Record;

    fn record(text: &str) -> Record {
        Record {
            line: 4,
            index: None,
            bytes: 10,
            text: Ok(text.to_owned()),
            csv: None,
            tentative: false,
            lift: None,
        }
    }

    /// A record as a valid row, or as the reject it is.
    fn check<O: Batched>(record: Record, validate: bool) -> Result<Row<O::Item>, Event<O::Item>> {
        match rows::check::<O>(record, validate) {
            rows::Checked::Valid(row) => Ok(row),
            rows::Checked::Invalid(invalid) => Err(reject(invalid)),
            rows::Checked::ReadAgain => panic!("only a line taken whole is read again"),
        }
    }

    fn errors(
        event: Event<salesync::tencent::salesinfo_add::SalesInfo>,
    ) -> (RowText, Vec<(String, String)>) {
        match event {
            Event::Reject { reject, .. } => (
                reject.row,
                reject
                    .errors
                    .into_iter()
                    .map(|e| (e.pointer, e.rule))
                    .collect(),
            ),
            other => panic!("not a reject: {other:?}"),
        }
    }

    const GOOD: &str = r#"{"external_store_id":"s1","external_sku_id":"k1","price":{"current_price":8.9,"sku_price":10},"stock":{"sku_stock_status":1}}"#;

    #[test]
    fn rows_are_parsed_and_validated_with_pointers_inside_the_row() {
        let row = check::<SalesinfoAdd>(record(GOOD), true).unwrap();
        assert_eq!((row.line, row.item.external_sku_id.as_str()), (4, "k1"));

        let dear = GOOD.replace("8.9", "12");
        let (row, found) = errors(check::<SalesinfoAdd>(record(&dear), true).unwrap_err());
        assert_eq!(row, RowText::Json(dear.clone()));
        assert_eq!(
            found,
            [("/price/current_price".to_owned(), "x-compare".to_owned())]
        );
        // Without local validation the row goes to the platform, which judges it.
        assert!(check::<SalesinfoAdd>(record(&dear), false).is_ok());

        let (row, found) = errors(check::<SalesinfoAdd>(record("{not json"), true).unwrap_err());
        assert_eq!(row, RowText::Text("{not json".into()));
        assert_eq!(found[0].1, "json");

        let missing = GOOD.replace(r#""external_sku_id":"k1","#, "");
        let (_, found) = errors(check::<SalesinfoAdd>(record(&missing), true).unwrap_err());
        assert_eq!(
            found,
            [("/external_sku_id".to_owned(), "required".to_owned())]
        );
    }

    #[test]
    fn nesting_past_the_parser_limit_is_a_reject_not_a_crash() {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let (_, found) = errors(check::<SalesinfoAdd>(record(&deep), true).unwrap_err());
        assert_eq!(found[0].1, "json");
    }
}
