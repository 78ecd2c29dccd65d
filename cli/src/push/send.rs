//! Delivering one batch: send it; if the platform refuses its content, split it in halves until the refused
//! rows are isolated, and send the others. Every row of the batch ends up sent, refused or failed.

use std::future::Future;
use std::ops::Range;

use salesync::runtime::Batched;
use salesync::{ErrorClass, Prepared};
use tokio::sync::Semaphore;

use super::batcher::{Batch, Row};
use super::rejects::{ErrorEntry, Reject, RowText};

/// Why a request was not delivered, as far as pushing cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// The platform refused the content (a parameter error): split the batch to find the rows.
    Refused {
        /// The platform's error, one line.
        message: String,
        /// Its per-field details, each as compact JSON.
        details: Vec<String>,
    },
    /// The credentials or the account are at fault: nothing else will get through, stop the run.
    Fatal(Failure),
    /// Anything else, after the client's retries: the rows are not delivered; a rerun sends them again.
    Failed(Failure),
    /// Not sent: the run is stopping (the platform refused the credentials or cannot be reached).
    Stopped,
}

/// The last error of a request that was not delivered: what the failed file says of each of its rows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Failure {
    /// The error, one line (never a credential).
    pub message: String,
    /// Its class in the library's classifier (`transport`, `unavailable`, `token_rejected`...), if it came
    /// from the client.
    pub class: Option<ErrorClass>,
    /// The HTTP status of the last answer, if one came.
    pub status: Option<u16>,
    /// The platform's own error code (Tencent), if it gave one.
    pub code: Option<i64>,
    /// The platform's trace id of the last answer, for its support.
    pub trace_id: Option<String>,
    /// Attempts made.
    pub attempts: u32,
    /// No connection could be made (connection refused, a name that does not resolve): nothing was sent.
    pub unreachable: bool,
}

impl Failure {
    /// A failure that is no client error (a request that could not be built).
    pub fn other(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            ..Failure::default()
        }
    }

    /// The failure of a client error.
    pub fn of(err: &salesync::Error) -> Self {
        Failure {
            message: err.to_string(),
            class: Some(err.class()),
            status: err.status(),
            code: err.code(),
            trace_id: err.trace_id().map(str::to_owned),
            attempts: err.attempts(),
            unreachable: matches!(err, salesync::Error::Transport { connect: true, .. }),
        }
    }
}

/// Something that sends requests of endpoint `O`: a real client, or a fake in tests.
pub trait Sender<O: Batched>: Send + Sync + 'static {
    /// Sends one request, retries included; gives the attempts it took.
    fn send(&self, request: &Prepared<O>) -> impl Future<Output = Result<u32, SendError>> + Send;
}

/// Sorts a client error into what pushing does next, by the library's one classifier. The clients' errors
/// never hold a credential.
pub fn classify(err: salesync::Error) -> SendError {
    let class = err.class();
    if class.is_content_rejected() || class == ErrorClass::Invalid {
        let details = match &err {
            salesync::Error::Api { errors, .. } => details(errors),
            salesync::Error::Validation(violations) => {
                violations.iter().map(ToString::to_string).collect()
            }
            _ => Vec::new(),
        };
        return SendError::Refused {
            message: err.to_string(),
            details,
        };
    }
    // Nothing else can get through: bad credentials, a misconfigured client, an account that may not call,
    // or the daily call limit until tomorrow.
    if class.stops_every_request() {
        SendError::Fatal(Failure::of(&err))
    } else {
        SendError::Failed(Failure::of(&err))
    }
}

fn details(errors: &serde_json::Value) -> Vec<String> {
    match errors {
        serde_json::Value::Null => Vec::new(),
        serde_json::Value::Array(items) => items.iter().map(compact).collect(),
        other => vec![compact(other)],
    }
}

fn compact(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// What became of one row of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// The platform accepted it.
    Sent,
    /// The platform refused it: `refused[i]` of the outcome.
    Refused(usize),
    /// Not delivered: `failed_rows[i]` of the outcome.
    Failed(usize),
    /// Not sent: the run stopped first.
    Unsent,
}

/// A row not delivered, with the last error of its request.
#[derive(Debug, Clone)]
pub struct FailedRow {
    /// Line where the row starts.
    pub line: u64,
    /// Array index, for array input.
    pub index: Option<u64>,
    /// The row as it was in the input.
    pub row: RowText,
    /// The last error of its request.
    pub failure: Failure,
}

/// What became of one batch.
#[derive(Debug)]
pub struct Outcome {
    /// The batch's number.
    pub seq: u64,
    /// Line of its first row.
    pub first_line: u64,
    /// Line of its last row.
    pub last_line: u64,
    /// Input bytes of its rows.
    pub bytes: u64,
    /// What became of each row, in the batch's order.
    pub fates: Vec<Fate>,
    /// Rows the platform accepted.
    pub sent: usize,
    /// Rows the platform refused, with its reasons.
    pub refused: Vec<Reject>,
    /// Rows not delivered.
    pub failed: usize,
    /// The rows not delivered, each with the last error of its request.
    pub failed_rows: Vec<FailedRow>,
    /// Rows not sent: the run stopped first.
    pub unsent: usize,
    /// Why rows failed (the last error), if any did.
    pub failure: Option<Failure>,
    /// Set when the platform refused the credentials or the account: the run stops.
    pub fatal: Option<Failure>,
    /// Requests made, halves included.
    pub requests: usize,
    /// Attempts beyond the first of the requests that succeeded (the clients' retries).
    pub retries: usize,
}

impl Outcome {
    /// Whether every row was resolved (sent or refused): the batch is confirmed whole.
    pub fn confirmed(&self) -> bool {
        self.failed == 0 && self.unsent == 0 && self.fatal.is_none()
    }

    fn fail(&mut self, rows: &[Row<()>], range: Range<usize>, failure: &Failure) {
        for at in range {
            let row = &rows[at];
            self.fates[at] = Fate::Failed(self.failed_rows.len());
            self.failed_rows.push(FailedRow {
                line: row.line,
                index: row.index,
                row: RowText::Json(row.text.clone()),
                failure: failure.clone(),
            });
            self.failed += 1;
        }
    }
}

/// Sends `batch` in the envelope `envelope`, isolating refused rows by halving. Each request is serialized
/// before it takes one of the `slots` (the requests allowed in flight), so that a free slot is used at once.
pub async fn deliver<O: Batched, S: Sender<O>>(
    sender: &S,
    envelope: &O::Request,
    batch: Batch<O::Item>,
    slots: &Semaphore,
) -> Outcome {
    let (seq, first_line, last_line, bytes) = (
        batch.seq,
        batch.first_line(),
        batch.last_line(),
        batch.bytes(),
    );
    let (rows, mut items): (Vec<Row<()>>, Vec<O::Item>) =
        batch.rows.into_iter().map(Row::take_item).unzip();
    let mut outcome = Outcome {
        seq,
        first_line,
        last_line,
        bytes,
        fates: vec![Fate::Sent; rows.len()],
        sent: 0,
        refused: Vec::new(),
        failed: 0,
        failed_rows: Vec::new(),
        unsent: 0,
        failure: None,
        fatal: None,
        requests: 0,
        retries: 0,
    };
    // Ranges still to send; the left half is sent first so refusals come out in file order.
    let mut pending = vec![(0, rows.len())];
    let mut stopped = false;
    while let Some((start, end)) = pending.pop() {
        if let Some(fatal) = outcome.fatal.clone() {
            outcome.fail(&rows, start..end, &fatal);
            continue;
        }
        if stopped {
            outcome.unsent += end - start;
            outcome.fates[start..end].fill(Fate::Unsent);
            continue;
        }
        let prepared = match prepare::<O>(envelope, &mut items, start..end) {
            Ok(prepared) => prepared,
            Err(err) => {
                let failure = Failure::other(err);
                outcome.fail(&rows, start..end, &failure);
                outcome.failure = Some(failure);
                continue;
            }
        };
        outcome.requests += 1;
        let sent = {
            // The semaphore is never closed: a slot always comes.
            let _slot = slots.acquire().await;
            sender.send(&prepared).await
        };
        match sent {
            Ok(attempts) => {
                outcome.sent += end - start;
                outcome.retries += attempts.saturating_sub(1) as usize;
            }
            Err(SendError::Refused { .. }) if end - start > 1 => {
                let middle = start + (end - start) / 2;
                pending.push((middle, end));
                pending.push((start, middle));
            }
            Err(SendError::Refused { message, details }) => {
                let row = &rows[start];
                let mut errors = vec![ErrorEntry::whole("platform", message)];
                errors.extend(
                    details
                        .into_iter()
                        .map(|detail| ErrorEntry::whole("platform", detail)),
                );
                outcome.fates[start] = Fate::Refused(outcome.refused.len());
                outcome.refused.push(Reject {
                    line: row.line,
                    index: row.index,
                    row: RowText::Json(row.text.clone()),
                    errors,
                });
            }
            Err(SendError::Fatal(failure)) => {
                outcome.fail(&rows, start..end, &failure);
                outcome.fatal = Some(failure);
            }
            Err(SendError::Failed(failure)) => {
                outcome.fail(&rows, start..end, &failure);
                outcome.failure = Some(failure);
            }
            Err(SendError::Stopped) => {
                // Nothing went out.
                outcome.requests -= 1;
                stopped = true;
                outcome.unsent += end - start;
                outcome.fates[start..end].fill(Fate::Unsent);
            }
        }
    }
    outcome
}

/// The request for `items[range]`, serialized (the rows were validated as they were read). The whole batch,
/// the first request and usually the only one, lends its items; halves, needed only after a refusal, copy
/// theirs.
fn prepare<O: Batched>(
    envelope: &O::Request,
    items: &mut Vec<O::Item>,
    range: Range<usize>,
) -> Result<Prepared<O>, String> {
    let mut request = envelope.clone();
    let prepared = if range == (0..items.len()) {
        std::mem::swap(O::items_mut(&mut request), items);
        let prepared = Prepared::unchecked(&request);
        std::mem::swap(O::items_mut(&mut request), items);
        prepared
    } else {
        *O::items_mut(&mut request) = items[range].to_vec();
        Prepared::unchecked(&request)
    };
    prepared.map_err(|err| err.to_string())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};

    use salesync::tencent::salesinfo_add::{
        Price, SalesInfo, SalesinfoAdd, SalesinfoAddRequest, SkuStockStatus, Stock, Yuan,
    };

    use super::*;

    /// Refuses any request holding a SKU that starts with "bad", then fails any holding "down" (or stops at
    /// "auth"), records the rest.
    #[derive(Default)]
    struct Fake {
        requests: Mutex<Vec<Vec<String>>>,
    }

    impl Sender<SalesinfoAdd> for Fake {
        fn send(
            &self,
            request: &Prepared<SalesinfoAdd>,
        ) -> impl Future<Output = Result<u32, SendError>> + Send {
            let request: SalesinfoAddRequest = serde_json::from_slice(request.body()).unwrap();
            let skus: Vec<String> = request
                .salesinfo
                .iter()
                .map(|i| i.external_sku_id.clone())
                .collect();
            self.requests.lock().unwrap().push(skus.clone());
            async move {
                if skus.iter().any(|sku| sku.starts_with("bad")) {
                    return Err(SendError::Refused {
                        message: "tencent API error 18001: Invalid parameter".into(),
                        details: vec!["{\"type\":\"x\"}".into()],
                    });
                }
                if skus.iter().any(|sku| sku.starts_with("down")) {
                    return Err(SendError::Failed(Failure {
                        status: Some(503),
                        trace_id: Some("trace-1".into()),
                        ..Failure::other("503")
                    }));
                }
                if skus.iter().any(|sku| sku.starts_with("halt")) {
                    return Err(SendError::Stopped);
                }
                if skus.iter().any(|sku| sku.starts_with("auth")) {
                    return Err(SendError::Fatal(Failure::other("token expired")));
                }
                Ok(1)
            }
        }
    }

    /// Takes a while to answer, and counts the requests it holds at once.
    #[derive(Default)]
    struct Slow {
        holding: AtomicUsize,
        most: AtomicUsize,
    }

    impl Sender<SalesinfoAdd> for Slow {
        async fn send(&self, _: &Prepared<SalesinfoAdd>) -> Result<u32, SendError> {
            let now = self.holding.fetch_add(1, Ordering::SeqCst) + 1;
            self.most.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            self.holding.fetch_sub(1, Ordering::SeqCst);
            Ok(1)
        }
    }

    fn batch(skus: &[&str]) -> Batch<SalesInfo> {
        let rows = skus
            .iter()
            .enumerate()
            .map(|(n, sku)| {
                let price = Price::builder()
                    .current_price("1".parse::<Yuan>().unwrap())
                    .sku_price("2".parse::<Yuan>().unwrap())
                    .build();
                let item = SalesInfo::builder()
                    .external_store_id("store")
                    .external_sku_id(*sku)
                    .price(price)
                    .stock(
                        Stock::builder()
                            .sku_stock_status(SkuStockStatus::InStock)
                            .build(),
                    )
                    .build();
                Row {
                    line: n as u64 + 10,
                    index: None,
                    text: format!("{{\"sku\":\"{sku}\"}}"),
                    bytes: 1,
                    item,
                }
            })
            .collect();
        Batch { seq: 3, rows }
    }

    fn envelope() -> SalesinfoAddRequest {
        SalesinfoAddRequest::builder()
            .account_id(1)
            .user_action_set_id(2)
            .data_set_id(3)
            .salesinfo(Vec::new())
            .build()
    }

    async fn run(skus: &[&str]) -> (Outcome, Vec<Vec<String>>) {
        let fake = Fake::default();
        let slots = Semaphore::new(1);
        let outcome = deliver::<SalesinfoAdd, _>(&fake, &envelope(), batch(skus), &slots).await;
        assert_eq!(
            outcome.sent + outcome.refused.len() + outcome.failed + outcome.unsent,
            skus.len()
        );
        assert_eq!(outcome.failed, outcome.failed_rows.len());
        assert_eq!(outcome.fates.len(), skus.len());
        (outcome, fake.requests.into_inner().unwrap())
    }

    #[tokio::test]
    async fn a_good_batch_is_one_request() {
        let (outcome, requests) = run(&["a", "b", "c"]).await;
        assert_eq!((outcome.sent, outcome.requests), (3, 1));
        assert!(outcome.confirmed());
        assert_eq!(requests, [vec!["a", "b", "c"]]);
    }

    #[tokio::test]
    async fn refused_rows_are_isolated_and_the_others_sent() {
        let skus = ["a", "b", "bad1", "c", "d", "e", "bad2", "f"];
        let (outcome, requests) = run(&skus).await;
        assert_eq!(outcome.sent, 6);
        assert!(outcome.confirmed());
        let lines: Vec<u64> = outcome.refused.iter().map(|r| r.line).collect();
        assert_eq!(lines, [12, 16]);
        let reject = &outcome.refused[0];
        assert_eq!(reject.row, RowText::Json("{\"sku\":\"bad1\"}".into()));
        assert_eq!(reject.errors[0].rule, "platform");
        assert!(reject.errors[0].message.contains("18001"));
        assert_eq!(reject.errors[1].message, "{\"type\":\"x\"}");
        // Every good row went out exactly once.
        let delivered: Vec<String> = requests
            .iter()
            .filter(|skus| !skus.iter().any(|s| s.starts_with("bad")))
            .flatten()
            .cloned()
            .collect();
        assert_eq!(delivered, ["a", "b", "c", "d", "e", "f"]);
        assert!(requests.len() <= 12, "{requests:?}");
    }

    #[tokio::test]
    async fn failures_and_fatal_errors_leave_the_batch_unconfirmed() {
        let (outcome, _) = run(&["a", "bad", "down"]).await;
        assert!(!outcome.confirmed());
        let failure = outcome.failure.as_ref().unwrap();
        assert_eq!(
            (failure.message.as_str(), failure.status),
            ("503", Some(503))
        );
        // Halved for "bad": "a" sent, "bad" refused, "down" failed, each row with its own fate.
        assert_eq!(
            outcome.fates,
            [Fate::Sent, Fate::Refused(0), Fate::Failed(0)]
        );
        let failed = &outcome.failed_rows[0];
        assert_eq!(
            (failed.line, failed.failure.trace_id.as_deref()),
            (12, Some("trace-1"))
        );
        assert_eq!(failed.row, RowText::Json("{\"sku\":\"down\"}".into()));

        let (outcome, _) = run(&["a", "bad", "c", "down"]).await;
        assert_eq!(
            outcome.fates,
            [
                Fate::Sent,
                Fate::Refused(0),
                Fate::Failed(0),
                Fate::Failed(1)
            ]
        );

        let (outcome, requests) = run(&["auth", "a", "b", "c"]).await;
        assert_eq!(
            outcome.fatal.as_ref().map(|f| f.message.as_str()),
            Some("token expired")
        );
        assert_eq!((outcome.failed, requests.len()), (4, 1));
        assert_eq!(outcome.failed_rows.len(), 4);
        assert!(outcome
            .fates
            .iter()
            .all(|fate| matches!(fate, Fate::Failed(_))));
    }

    #[tokio::test]
    async fn batches_share_the_slots_and_never_exceed_them() {
        let (slow, slots) = (Arc::new(Slow::default()), Arc::new(Semaphore::new(2)));
        let mut tasks = tokio::task::JoinSet::new();
        for n in 0..6 {
            let (slow, slots) = (slow.clone(), slots.clone());
            let sku = format!("sku-{n}");
            tasks.spawn(async move {
                deliver::<SalesinfoAdd, _>(&*slow, &envelope(), batch(&[&sku]), &slots).await
            });
        }
        while let Some(outcome) = tasks.join_next().await {
            assert_eq!(outcome.unwrap().sent, 1);
        }
        assert_eq!(slow.most.load(Ordering::SeqCst), 2);
    }
}
