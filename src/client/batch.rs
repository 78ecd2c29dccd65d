//! `sync_all`: any number of batch items, sent in requests within the schema's batch limit, with every item
//! accounted for by its input index. Nothing is dropped silently: an item is delivered, rejected by validation
//! before sending, or failed after retries, and the report's counts always add up to the input count.

use std::future::Future;
use std::sync::Arc;

use futures_util::stream::StreamExt;

use super::engine::{Dispatch, Gate, Row, Sent, SyncEvent, SyncOptions, SyncStream};
use super::Response;
use crate::error::Error;
use crate::runtime::{Batched, Violations};

/// What became of one input item.
#[derive(Debug, Clone)]
pub enum ItemOutcome {
    /// The platform accepted the request that carried it.
    Delivered {
        /// The trace id of that request.
        trace_id: Option<String>,
    },
    /// Not sent: the item (or the envelope) broke the schema. Pointers name the item by its input index,
    /// e.g. `/salesinfo/7/price/current_price`.
    Rejected(Violations),
    /// Sent, and failed for good (retries exhausted, or an error not worth retrying). Items of one request
    /// share the error.
    Failed(Arc<Error>),
}

/// What `sync_all` did with each input item, by input index.
#[derive(Debug, Clone)]
pub struct BatchReport {
    outcomes: Vec<ItemOutcome>,
    requests: usize,
}

impl BatchReport {
    /// Every item's outcome; index `i` is input item `i`.
    pub fn outcomes(&self) -> &[ItemOutcome] {
        &self.outcomes
    }

    /// Input indexes of delivered items, with their request's trace id.
    pub fn delivered(&self) -> impl Iterator<Item = (usize, Option<&str>)> {
        self.outcomes
            .iter()
            .enumerate()
            .filter_map(|(index, outcome)| match outcome {
                ItemOutcome::Delivered { trace_id } => Some((index, trace_id.as_deref())),
                _ => None,
            })
    }

    /// Input indexes of items rejected by validation, with their violations.
    pub fn rejected(&self) -> impl Iterator<Item = (usize, &Violations)> {
        self.outcomes
            .iter()
            .enumerate()
            .filter_map(|(index, outcome)| match outcome {
                ItemOutcome::Rejected(violations) => Some((index, violations)),
                _ => None,
            })
    }

    /// Input indexes of items that failed after sending, with the error.
    pub fn failed(&self) -> impl Iterator<Item = (usize, &Error)> {
        self.outcomes
            .iter()
            .enumerate()
            .filter_map(|(index, outcome)| match outcome {
                ItemOutcome::Failed(error) => Some((index, &**error)),
                _ => None,
            })
    }

    /// Delivered + rejected + failed: always the number of input items.
    pub fn total(&self) -> usize {
        self.delivered().count() + self.rejected().count() + self.failed().count()
    }

    /// Panics unless the report accounts for exactly `input_count` items: the invariant that nothing was
    /// dropped, for callers and tests to assert.
    pub fn assert_accounts_for(&self, input_count: usize) {
        assert_eq!(
            self.total(),
            input_count,
            "batch report accounts for {} item(s) of {input_count}",
            self.total()
        );
    }

    /// Whether every item was delivered.
    pub fn is_success(&self) -> bool {
        self.outcomes
            .iter()
            .all(|outcome| matches!(outcome, ItemOutcome::Delivered { .. }))
    }

    /// Requests sent, the splits of rejected batches included.
    pub fn requests_sent(&self) -> usize {
        self.requests
    }
}

/// `{"outcome": "delivered", "trace_id"?}`, `{"outcome": "rejected", "violations": [...]}` or
/// `{"outcome": "failed", "error": {...}}` (the error as [`Error`] serializes).
impl serde::Serialize for ItemOutcome {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(2))?;
        match self {
            ItemOutcome::Delivered { trace_id } => {
                map.serialize_entry("outcome", "delivered")?;
                map.serialize_entry("trace_id", trace_id)?;
            }
            ItemOutcome::Rejected(violations) => {
                map.serialize_entry("outcome", "rejected")?;
                map.serialize_entry("violations", violations)?;
            }
            ItemOutcome::Failed(error) => {
                map.serialize_entry("outcome", "failed")?;
                map.serialize_entry("error", &**error)?;
            }
        }
        map.end()
    }
}

/// `{"total", "delivered", "rejected", "failed", "requests", "outcomes": [...]}`: the counts, then each input
/// item's outcome at its input index.
impl serde::Serialize for BatchReport {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(6))?;
        map.serialize_entry("total", &self.total())?;
        map.serialize_entry("delivered", &self.delivered().count())?;
        map.serialize_entry("rejected", &self.rejected().count())?;
        map.serialize_entry("failed", &self.failed().count())?;
        map.serialize_entry("requests", &self.requests)?;
        map.serialize_entry("outcomes", &self.outcomes)?;
        map.end()
    }
}

/// Validates, splits, sends with at most `concurrency` requests in flight, and accounts for every item: the
/// batch engine ([`SyncStream`]) over the items with their input indexes as keys.
///
/// When the platform refuses a whole request for its content (a parameter error), the request is split in
/// halves and each half resent, down to single items, so that one bad item does not fail the good ones; a
/// single item refused is reported failed with the platform's error.
pub(crate) async fn sync_all<'a, O, F, Fut>(
    envelope: &O::Request,
    items: Vec<O::Item>,
    options: SyncOptions,
    send: F,
) -> BatchReport
where
    O: Batched,
    F: Fn(O::Request) -> Fut + Send + Sync + 'a,
    Fut: Future<Output = Result<Response<O::Response>, Error>> + Send + 'a,
{
    let send = Arc::new(send);
    let dispatch: Dispatch<'a, O> = Arc::new(move |request: &O::Request, _size, gate: Gate| {
        let send = send.clone();
        let request = request.clone();
        let sending: super::engine::Sending<'a> = Box::pin(async move {
            let Some(_slot) = gate.enter().await else {
                return Sent::Halted;
            };
            match send(request).await {
                Ok(response) => Sent::Ok(response.trace_id, response.attempts),
                Err(error) => Sent::Err(error),
            }
        });
        // The caller's `send` serializes: the engine keeps the items.
        (sending, None)
    });
    let count = items.len();
    let rows = futures_util::stream::iter(items.into_iter().enumerate().map(|(key, item)| Row {
        key,
        item,
        bytes: 0,
    }));
    let mut events =
        SyncStream::<O, usize, _>::with_dispatch(envelope.clone(), rows, options, dispatch);
    let mut outcomes: Vec<Option<ItemOutcome>> = vec![None; count];
    let mut unsent = Vec::new();
    while let Some(event) = events.next().await {
        match event {
            SyncEvent::Rejected { key, violations } => {
                outcomes[key] = Some(ItemOutcome::Rejected(violations));
            }
            SyncEvent::Delivered { keys, trace_id, .. } => {
                for key in keys {
                    outcomes[key] = Some(ItemOutcome::Delivered {
                        trace_id: trace_id.clone(),
                    });
                }
            }
            SyncEvent::Refused { key, error } => outcomes[key] = Some(ItemOutcome::Failed(error)),
            SyncEvent::Failed { keys, error } => {
                for key in keys {
                    outcomes[key] = Some(ItemOutcome::Failed(Arc::clone(&error)));
                }
            }
            SyncEvent::Unsent { keys } => unsent.extend(keys),
        }
    }
    // Items not sent because an error stopped every request fail with that error.
    if let Some(error) = events.stopped_by() {
        for key in unsent {
            outcomes[key] = Some(ItemOutcome::Failed(Arc::clone(error)));
        }
    }
    let outcomes = outcomes
        .into_iter()
        .map(|outcome| outcome.expect("bug in sync_all: an item was neither sent nor rejected"))
        .collect();
    BatchReport {
        outcomes,
        requests: events.requests(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Vendor;
    use crate::tencent::salesinfo_add::{
        Price, SalesInfo, SalesinfoAdd, SalesinfoAddRequest, SalesinfoAddResponse, SkuStockStatus,
        Stock, Yuan,
    };
    use crate::Decimal;
    use std::sync::Mutex;

    fn item(sku: &str, current: i64, list: i64) -> SalesInfo {
        SalesInfo::builder()
            .external_store_id("store-1")
            .external_sku_id(sku)
            .price(
                Price::builder()
                    .current_price(Yuan::new(Decimal::from_i64(current)).unwrap())
                    .sku_price(Yuan::new(Decimal::from_i64(list)).unwrap())
                    .build(),
            )
            .stock(
                Stock::builder()
                    .sku_stock_status(SkuStockStatus::InStock)
                    .build(),
            )
            .build()
    }

    fn request(account_id: i64, salesinfo: Vec<SalesInfo>) -> SalesinfoAddRequest {
        SalesinfoAddRequest::builder()
            .account_id(account_id)
            .user_action_set_id(2)
            .data_set_id(3)
            .salesinfo(salesinfo)
            .build()
    }

    fn envelope() -> SalesinfoAddRequest {
        request(1, Vec::new())
    }

    fn ok(trace: &str) -> Result<Response<SalesinfoAddResponse>, Error> {
        Ok(Response {
            body: SalesinfoAddResponse::default(),
            trace_id: Some(trace.to_owned()),
            status: 200,
            attempts: 1,
        })
    }

    fn api(code: i64) -> Error {
        Error::Api {
            vendor: Vendor::Tencent,
            status: 200,
            code: Some(code),
            message: None,
            message_cn: None,
            errors: serde_json::Value::Null,
            trace_id: None,
            attempts: 1,
            retry_after: None,
        }
    }

    /// `concurrency` requests at once, none prepared ahead (the test's sender has no slots of its own).
    fn options(validate: bool, concurrency: usize) -> SyncOptions {
        let mut options = SyncOptions::default()
            .concurrency(concurrency)
            .validate(validate);
        options.prepared_ahead = 0;
        options
    }

    #[tokio::test]
    async fn every_item_is_accounted_for() {
        // 120 items: every 10th is invalid (current price above the list price), 11 of them.
        let items: Vec<SalesInfo> = (0..120)
            .map(|i| {
                if i % 11 == 5 {
                    item(&format!("sku-{i}"), 20, 10)
                } else {
                    item(&format!("sku-{i}"), 5, 10)
                }
            })
            .collect();
        let sizes = Mutex::new(Vec::new());
        let calls = std::sync::atomic::AtomicUsize::new(0);
        let report =
            sync_all::<SalesinfoAdd, _, _>(&envelope(), items, options(true, 3), |request| {
                sizes.lock().unwrap().push(request.salesinfo.len());
                let n = calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                async move {
                    if n == 1 {
                        Err(api(10000))
                    } else {
                        ok(&format!("trace-{n}"))
                    }
                }
            })
            .await;
        report.assert_accounts_for(120);
        assert_eq!(report.rejected().count(), 11);
        let (index, violations) = report.rejected().next().unwrap();
        assert_eq!(index, 5);
        assert_eq!(violations.0[0].pointer, "/salesinfo/5/price/current_price");
        assert_eq!(violations.0[0].rule, "x-compare");
        // 109 valid items in requests of at most 50; the second request failed.
        assert!(sizes.lock().unwrap().iter().all(|&n| n <= 50));
        assert_eq!(sizes.lock().unwrap().iter().sum::<usize>(), 109);
        assert_eq!(report.failed().count(), 50);
        assert_eq!(report.delivered().count(), 59);
        assert!(report.failed().all(|(_, error)| error.is_retryable()));
        assert!(!report.is_success());
        assert_eq!(report.requests_sent(), 3);
    }

    #[tokio::test]
    async fn a_refused_batch_is_bisected_to_the_bad_items() {
        let items: Vec<SalesInfo> = (0..10).map(|i| item(&format!("sku-{i}"), 5, 10)).collect();
        // The platform refuses any request holding sku-3 or sku-8 (a check the schema cannot make).
        let report = sync_all::<SalesinfoAdd, _, _>(
            &envelope(),
            items,
            options(true, 2),
            |request| async move {
                let bad = request
                    .salesinfo
                    .iter()
                    .any(|item| item.external_sku_id == "sku-3" || item.external_sku_id == "sku-8");
                if bad {
                    Err(api(18003))
                } else {
                    ok("t")
                }
            },
        )
        .await;
        report.assert_accounts_for(10);
        let failed: Vec<usize> = report.failed().map(|(index, _)| index).collect();
        assert_eq!(failed, vec![3, 8]);
        assert_eq!(report.delivered().count(), 8);
        // [0..10] -> [0..5] [5..10] -> [0,1] [2,3,4] [5,6] [7,8,9] -> [2] [3,4] [7] [8,9] -> [3] [4] [8] [9].
        assert_eq!(report.requests_sent(), 15);

        // One bad item among 50: about two requests per halving, far fewer than one per item.
        let items: Vec<SalesInfo> = (0..50).map(|i| item(&format!("sku-{i}"), 5, 10)).collect();
        let report = sync_all::<SalesinfoAdd, _, _>(
            &envelope(),
            items,
            options(true, 4),
            |request| async move {
                if request
                    .salesinfo
                    .iter()
                    .any(|item| item.external_sku_id == "sku-17")
                {
                    Err(api(18001))
                } else {
                    ok("t")
                }
            },
        )
        .await;
        report.assert_accounts_for(50);
        assert_eq!(
            report.failed().map(|(index, _)| index).collect::<Vec<_>>(),
            vec![17]
        );
        assert!(report.requests_sent() <= 13, "{}", report.requests_sent());
    }

    #[tokio::test]
    async fn an_invalid_envelope_rejects_every_item_and_sends_nothing() {
        // Neither platform's envelope can break a rule once typed (their documents type the ids and strings and
        // bound none of them), so the engine's envelope check is shown on the generator's fixture endpoint,
        // whose `account_id` must be above 0.
        use crate::generated_fixture_tests::promotion_plan_add::{
            Plan, PlanGift, PlanKind, PromotionPlanAdd, PromotionPlanAddRequest,
            PromotionPlanAddRequestChannel, PromotionPlanAddResponse,
        };
        let plan = |id: &str, name: &str| {
            Plan::builder()
                .plan_id(id)
                .name(name)
                .starts_on("2026-11-11")
                .kind(PlanKind::Gift)
                .contact_phone("1234567")
                .gift(PlanGift::builder().sku("sku").quantity(1).build())
                .build()
        };
        let items: Vec<Plan> = (0..3).map(|i| plan(&format!("p-{i}"), "plan")).collect();
        // The envelope's own item (an empty name breaks `minLength`) is replaced by the batch: not counted.
        let bad = PromotionPlanAddRequest::builder()
            .account_id(0)
            .channel(PromotionPlanAddRequestChannel::Qq)
            .plans(vec![plan("ignored", "")])
            .build();
        let report = sync_all::<PromotionPlanAdd, _, _>(&bad, items, options(true, 2), |_| async {
            Ok(Response {
                body: PromotionPlanAddResponse::default(),
                trace_id: Some("t".to_owned()),
                status: 200,
                attempts: 1,
            })
        })
        .await;
        report.assert_accounts_for(3);
        assert_eq!(report.requests_sent(), 0);
        assert_eq!(report.rejected().count(), 3);
        for (_, violations) in report.rejected() {
            assert_eq!(violations.0.len(), 1);
            assert_eq!(violations.0[0].pointer, "/account_id");
            assert_eq!(violations.0[0].rule, "exclusiveMinimum");
        }
    }

    #[tokio::test]
    async fn an_envelope_the_document_does_not_bound_is_sent() {
        // The document types Tencent's ids as integers and gives them no minimum: an id of 0 is the
        // platform's to judge, and every item is delivered.
        let items: Vec<SalesInfo> = (0..3).map(|i| item(&format!("sku-{i}"), 5, 10)).collect();
        let sent = Mutex::new(Vec::new());
        let report = sync_all::<SalesinfoAdd, _, _>(
            &request(0, Vec::new()),
            items,
            options(true, 2),
            |request| {
                sent.lock().unwrap().push(request.account_id);
                async { ok("t") }
            },
        )
        .await;
        report.assert_accounts_for(3);
        assert!(report.is_success());
        assert_eq!(*sent.lock().unwrap(), [0]);
    }

    #[tokio::test]
    async fn no_items_no_requests() {
        let report =
            sync_all::<SalesinfoAdd, _, _>(&envelope(), Vec::new(), options(true, 2), |_| async {
                ok("t")
            })
            .await;
        report.assert_accounts_for(0);
        assert!(report.is_success());
        assert_eq!(report.requests_sent(), 0);
    }

    #[tokio::test]
    async fn validation_can_be_turned_off() {
        let report = sync_all::<SalesinfoAdd, _, _>(
            &envelope(),
            vec![item("a", 20, 10)],
            options(false, 2),
            |_| async { ok("t") },
        )
        .await;
        assert_eq!(report.delivered().collect::<Vec<_>>(), vec![(0, Some("t"))]);
    }
}
