//! End-to-end: `sync_all` of both clients against the embedded mock under seeded random faults, with invalid
//! items mixed in (Tencent's; a typed Shopline flow breaks no rule of its document, so Shopline's mix holds
//! odd flows the document allows, which must arrive as sent). The report must account for every input item by
//! its input index (delivered, rejected with pointers, or failed with the error), and the mock must hold
//! exactly what the report and the request log say was stored: nothing lost, nothing invented.

use crate::clients_common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use clients_common::*;
use salesync::client::BatchReport;
use salesync::shopline::batch_sync_flow_data::{
    BatchSyncFlowData, FlowData, FlowNodeData, PercentRate, TimestampMillis,
};
use salesync::tencent::salesinfo_add::{
    ProductType, SalesInfo, SalesinfoAdd, TargetUrlProps, Yuan,
};
use salesync::{Decimal, Error};
use salesync_mock::{AfterStore, Fault, RandomFaults, RecordedRequest, Vendor as MockVendor};

const TENCENT: MockVendor = MockVendor::Tencent;
const SHOP: MockVendor = MockVendor::Shopline;

/// Faults a patient client always gets past.
fn transient_faults(delay: Duration) -> Vec<Fault> {
    vec![
        Fault::status(429),
        Fault::status(500),
        Fault::status(503),
        Fault::DropConnection,
        Fault::StoreThenFail(AfterStore::Status(500)),
        Fault::StoreThenFail(AfterStore::DropConnection),
        Fault::Delay(delay),
    ]
}

/// Item `index` broken in one of seven ways, and the pointer its first violation must have.
fn invalid_item(index: usize, kind: usize) -> (SalesInfo, String) {
    let mut item = sales_item(index);
    let at = |rest: &str| format!("/salesinfo/{index}/{rest}");
    let pointer = match kind {
        0 => {
            item.price.current_price = Yuan::new(Decimal::from_i64(120)).unwrap();
            at("price/current_price")
        }
        1 => {
            item.external_store_id = String::new();
            at("external_store_id")
        }
        2 => {
            item.external_sku_id = "s".repeat(129);
            at("external_sku_id")
        }
        3 => {
            // 11 Chinese characters are 33 UTF-8 bytes: one over the limit.
            item.external_store_id = "汉".repeat(11);
            at("external_store_id")
        }
        4 => {
            // An IRI is a landing page as any other, but 13 + 30 * 3 = 103 bytes are over url_h5's 100.
            let url = format!("https://a.cn/{}", "页".repeat(30));
            item.target_url_props = Some(TargetUrlProps::builder().url_h5(url).build());
            at("target_url_props/url_h5")
        }
        5 => {
            item.price.sku_price = serde_json::from_str("100.001").unwrap(); // no constructor builds it
            at("price/sku_price")
        }
        _ => {
            item.product_type = Some(ProductType::Sample);
            at("stock/stock_total")
        }
    };
    (item, pointer)
}

/// `count` items with the invalid ones at `invalid`, and each invalid index's expected pointer.
fn tencent_items(count: usize, invalid: &[usize]) -> (Vec<SalesInfo>, BTreeMap<usize, String>) {
    let mut pointers = BTreeMap::new();
    let items = (0..count)
        .map(|i| match invalid.iter().position(|&bad| bad == i) {
            Some(kind) => {
                let (item, pointer) = invalid_item(i, kind);
                pointers.insert(i, pointer);
                item
            }
            None => sales_item(i),
        })
        .collect();
    (items, pointers)
}

/// Asserts the report's arithmetic and that exactly the expected items were rejected, each at its input
/// index's pointer; returns the delivered and failed indexes.
fn check_accounting(
    report: &BatchReport,
    count: usize,
    member: &str,
    pointers: &BTreeMap<usize, String>,
) -> (BTreeSet<usize>, BTreeSet<usize>) {
    report.assert_accounts_for(count);
    assert_eq!(report.total(), count);
    assert_eq!(report.outcomes().len(), count);
    let delivered: BTreeSet<usize> = report.delivered().map(|(i, _)| i).collect();
    let failed: BTreeSet<usize> = report.failed().map(|(i, _)| i).collect();
    let rejected: BTreeMap<usize, _> = report.rejected().collect();
    assert_eq!(
        delivered.len() + failed.len() + rejected.len(),
        count,
        "an item is counted twice or not at all"
    );
    assert_eq!(
        rejected.keys().copied().collect::<Vec<_>>(),
        pointers.keys().copied().collect::<Vec<_>>(),
        "rejected exactly the invalid items"
    );
    for (index, violations) in &rejected {
        assert!(!violations.0.is_empty());
        let prefix = format!("/{member}/{index}/");
        for violation in &violations.0 {
            assert!(
                violation.pointer.starts_with(&prefix),
                "item {index}: {violation:?}"
            );
        }
        assert_eq!(violations.0[0].pointer, pointers[index], "item {index}");
    }
    (delivered, failed)
}

fn sku(index: usize) -> String {
    format!("sku-{index}")
}

fn flow_id(index: usize) -> String {
    format!("flow-{index}")
}

/// Whether the mock stored the records of this logged request: a clean acceptance, or a fault that stores
/// (`Delay` handles the request normally after waiting; `StoreThenFail` stores, then fails). Every body the
/// clients send here is valid, so a storing fault did store.
fn stored_by(request: &RecordedRequest) -> bool {
    match &request.fault {
        Some(Fault::Delay(_)) | Some(Fault::StoreThenFail(_)) => true,
        Some(_) => false,
        None => request.status == Some(200) && request.tencent_code.unwrap_or(0) == 0,
    }
}

#[tokio::test]
async fn tencent_sync_all_of_500_items_with_7_invalid_under_random_faults() {
    let mock = mock().await;
    let delay = Duration::from_millis(1000);
    let mut faults = transient_faults(delay);
    faults.extend([
        Fault::tencent(10000),
        Fault::tencent(11017),
        Fault::tencent(12100),
    ]);
    mock.set_random_faults(TENCENT, Some(RandomFaults::new(0.3, faults, 6)));
    let invalid = [0, 3, 49, 50, 250, 377, 499];
    let (items, pointers) = tencent_items(500, &invalid);
    let client = tencent(&mock)
        .timeout(Duration::from_millis(600))
        .retry(quick(12))
        .batch_concurrency(4)
        .build()
        .unwrap();
    let report = client
        .sync_all::<SalesinfoAdd>(&tencent_envelope(), items)
        .await;

    let (delivered, failed) = check_accounting(&report, 500, "salesinfo", &pointers);
    assert!(
        failed.is_empty(),
        "transient faults only, yet: {:?}",
        report.failed().next()
    );
    let expected: BTreeSet<usize> = (0..500).filter(|i| !invalid.contains(i)).collect();
    assert_eq!(delivered, expected);
    assert!(!report.is_success(), "7 items were rejected");
    // 493 valid items in requests of at most 50.
    assert_eq!(report.requests_sent(), 10);

    let log = settle(&mock).await;
    let faulted = log.iter().filter(|r| r.fault.is_some()).count();
    assert!(faulted > 0, "the seed injected no fault");
    assert_eq!(log.len(), 10 + faulted, "one retry per faulted attempt");
    assert!(log.iter().all(|r| skus_in(r).len() <= 50));
    // The mock holds exactly the delivered items, once each, by natural key.
    let delivered_skus: BTreeSet<String> = delivered.iter().map(|&i| sku(i)).collect();
    assert_eq!(stored_skus(&mock), delivered_skus);
    assert_eq!(mock.counts().tencent_salesinfo, 493);
}

#[tokio::test]
async fn tencent_sync_all_under_persistent_faults_loses_nothing() {
    let mock = mock().await;
    let delay = Duration::from_millis(1000);
    let mut faults = transient_faults(delay);
    // And faults that end a request for good: a decode error, the daily limit, a parameter error (which
    // splits the request to look for the bad item).
    faults.extend([
        Fault::MalformedJson,
        Fault::tencent(11018),
        Fault::tencent(18001),
    ]);
    mock.set_random_faults(TENCENT, Some(RandomFaults::new(0.7, faults, 8)));
    let invalid = [5, 60, 199];
    let (items, pointers) = tencent_items(200, &invalid);
    // One request at a time: the faults then fall on the same requests on every run.
    let client = tencent(&mock)
        .timeout(Duration::from_millis(600))
        .retry(quick(3))
        .batch_concurrency(1)
        .build()
        .unwrap();
    let report = client
        .sync_all::<SalesinfoAdd>(&tencent_envelope(), items)
        .await;
    let (delivered, failed) = check_accounting(&report, 200, "salesinfo", &pointers);
    assert!(!failed.is_empty(), "the faults were not persistent enough");
    assert!(!delivered.is_empty(), "nothing got through");

    let log = settle(&mock).await;
    let stored = stored_skus(&mock);
    // The mock holds exactly the union of the requests that stored.
    let expected: BTreeSet<String> = log
        .iter()
        .filter(|r| stored_by(r))
        .flat_map(skus_in)
        .collect();
    assert_eq!(stored, expected);
    for &index in &delivered {
        assert!(
            stored.contains(&sku(index)),
            "delivered item {index} is not stored"
        );
    }
    // A failed item was never cleanly accepted, and is stored only if a fault that stores hit a request
    // carrying it.
    for &index in &failed {
        let carriers: Vec<&RecordedRequest> = log
            .iter()
            .filter(|r| skus_in(r).contains(&sku(index)))
            .collect();
        assert!(!carriers.is_empty(), "failed item {index} was never sent");
        assert!(
            carriers.iter().all(|r| r.fault.is_some()),
            "failed item {index} was accepted: {carriers:?}"
        );
        let storing_fault = carriers
            .iter()
            .any(|r| matches!(r.fault, Some(Fault::Delay(_) | Fault::StoreThenFail(_))));
        assert_eq!(
            stored.contains(&sku(index)),
            storing_fault,
            "failed item {index}: {carriers:?}"
        );
    }
    // The seed gives both kinds of failure: lost by the platform, and stored though the client saw a failure.
    let failed_stored = failed.iter().filter(|&&i| stored.contains(&sku(i))).count();
    assert!(
        failed_stored > 0 && failed_stored < failed.len(),
        "{failed_stored} of {} failed items stored",
        failed.len()
    );
    // Items of one request share its error; a parameter error fails only a single item (bisection).
    let mut groups: HashMap<*const Error, (usize, &Error)> = HashMap::new();
    for (_, error) in report.failed() {
        groups.entry(error as *const Error).or_insert((0, error)).0 += 1;
    }
    for (size, error) in groups.values() {
        assert!(*size <= 50);
        if error.is_content_rejected() {
            assert_eq!(*size, 1, "a refused request was not split: {error:?}");
        }
    }
    // Everything sent is accounted for.
    let sent: BTreeSet<String> = log.iter().flat_map(skus_in).collect();
    let reported: BTreeSet<String> = delivered.union(&failed).map(|&i| sku(i)).collect();
    assert_eq!(sent, reported);
}

#[tokio::test]
async fn a_refused_first_request_is_bisected_and_every_item_delivered() {
    let mock = mock().await;
    // The platform refuses the first request for its content, though every item is valid.
    mock.push_fault(TENCENT, Fault::tencent(18001));
    let client = tencent(&mock).batch_concurrency(1).build().unwrap();
    let report = client
        .sync_all::<SalesinfoAdd>(&tencent_envelope(), items(0..120))
        .await;
    report.assert_accounts_for(120);
    assert!(report.is_success(), "{:?}", report.failed().next());
    assert_eq!(report.requests_sent(), 5);
    let log = mock.requests();
    let batches: Vec<Vec<String>> = log.iter().map(skus_in).collect();
    let range = |r: std::ops::Range<usize>| r.map(sku).collect::<Vec<_>>();
    assert_eq!(
        batches,
        [
            range(0..50),
            range(0..25),
            range(25..50),
            range(50..100),
            range(100..120)
        ]
    );
    assert_eq!(log[0].tencent_code, Some(18001));
    assert_eq!(mock.counts().tencent_salesinfo, 120);
}

#[tokio::test]
async fn bisection_isolates_the_item_the_platform_refuses() {
    let mock = mock().await;
    // The client's validation is off, so the platform is the one to find item 13 overpriced.
    let client = tencent(&mock)
        .validate_requests(false)
        .batch_concurrency(2)
        .build()
        .unwrap();
    let mut batch = items(0..20);
    batch[13] = overpriced_item(13);
    let report = client
        .sync_all::<SalesinfoAdd>(&tencent_envelope(), batch)
        .await;
    report.assert_accounts_for(20);
    assert_eq!(report.rejected().count(), 0, "validation was off");
    let failed: Vec<(usize, &Error)> = report.failed().collect();
    assert_eq!(failed.len(), 1, "{failed:?}");
    let (index, error) = failed[0];
    assert_eq!(index, 13);
    match error {
        Error::Api {
            code: Some(18001),
            errors,
            ..
        } => {
            // The platform names the item by its place in the last request: alone, at 0.
            let text = errors.to_string();
            assert!(text.contains("/salesinfo/0/price/current_price"), "{text}");
        }
        other => panic!("expected 18001, got {other:?}"),
    }
    assert_eq!(report.delivered().count(), 19);
    let expected: BTreeSet<String> = (0..20).filter(|&i| i != 13).map(sku).collect();
    assert_eq!(stored_skus(&mock), expected);
    let log = mock.requests();
    assert_eq!(report.requests_sent(), log.len());
    assert!(log.len() < 20, "bisection should beat one request per item");
    // Only requests holding item 13 were refused.
    for request in &log {
        let refused = request.tencent_code == Some(18001);
        assert_eq!(refused, skus_in(request).contains(&sku(13)), "{request:?}");
    }
}

// ---------------------------------------------------------------------------------------------------------
// Shopline (flows), at a smaller scale

/// Flow `index` made odd in one of three ways the document allows (its counts have no minimum, its ids no
/// length and its rates no form; an earlier schema refused all three): a typed flow breaks no rule of the
/// document, so none is rejected, and each is sent and stored as it is.
fn odd_flow(index: usize, kind: usize) -> FlowData {
    let mut flow = flow(index);
    match kind {
        0 => flow.send_count = -1,
        1 => flow.flow_node_data_list = Some(vec![node("")]),
        _ => {
            let mut node = node("node-1");
            node.open_rate = Some(PercentRate::new("4%").unwrap());
            flow.flow_node_data_list = Some(vec![node]);
        }
    }
    flow
}

fn node(id: &str) -> FlowNodeData {
    FlowNodeData::builder()
        .node_id(id)
        .occurred_on(TimestampMillis::new(1_700_000_000_000).unwrap())
        .has_send_num(5)
        .has_delivery_num(5)
        .buyer_num(1)
        .order_num(1)
        .order_amount(300)
        .build()
}

fn shopline_flows(count: usize, odd: &[usize]) -> Vec<FlowData> {
    (0..count)
        .map(|i| match odd.iter().position(|&o| o == i) {
            Some(kind) => odd_flow(i, kind),
            None => flow(i),
        })
        .collect()
}

#[tokio::test]
async fn shopline_sync_all_of_250_flows_with_3_odd_ones_under_random_faults() {
    let mock = mock().await;
    let faults = transient_faults(Duration::from_millis(1000));
    mock.set_random_faults(SHOP, Some(RandomFaults::new(0.3, faults, 52)));
    let odd = [0, 101, 249];
    let flows = shopline_flows(250, &odd);
    let client = shopline(&mock)
        .timeout(Duration::from_millis(600))
        .retry(quick(12))
        .batch_concurrency(3)
        .build()
        .unwrap();
    let report = client
        .sync_all::<BatchSyncFlowData>(&shopline_envelope(), flows.clone())
        .await;
    let (delivered, failed) = check_accounting(&report, 250, "flow_data_list", &BTreeMap::new());
    assert!(failed.is_empty(), "{:?}", report.failed().next());
    assert_eq!(delivered, (0..250).collect::<BTreeSet<usize>>());
    assert!(report.is_success());
    // 250 flows: 100 + 100 + 50.
    assert_eq!(report.requests_sent(), 3);

    let log = settle(&mock).await;
    assert!(
        log.iter().any(|r| r.fault.is_some()),
        "the seed injected no fault"
    );
    assert!(log.iter().all(|r| flows_in(r).len() <= 100));
    let delivered_flows: BTreeSet<String> = delivered.iter().map(|&i| flow_id(i)).collect();
    assert_eq!(stored_flows(&mock), delivered_flows);
    assert_eq!(mock.counts().shopline_flows, 250);
    // The odd flows are stored as they were sent.
    let records = mock.shopline_flows();
    for index in odd {
        let stored = records.iter().find(|f| f.flow_id == flow_id(index));
        assert_eq!(stored, Some(&flows[index]), "flow {index}");
    }
    // Each delivered flow carries the trace id of a request that the platform accepted with it.
    for (index, trace_id) in report.delivered() {
        let accepted: Vec<Option<&str>> = log
            .iter()
            .filter(|r| r.status == Some(200) && flows_in(r).contains(&flow_id(index)))
            .map(|r| r.trace_id.as_deref())
            .collect();
        assert!(trace_id.is_some());
        assert!(
            accepted.contains(&trace_id),
            "flow {index}: {trace_id:?} not in {accepted:?}"
        );
    }
}

#[tokio::test]
async fn shopline_sync_all_under_persistent_faults_loses_nothing() {
    let mock = mock().await;
    let mut faults = transient_faults(Duration::from_millis(1000));
    faults.extend([
        Fault::MalformedJson,
        // A 400 with a code: a refusal of the content, so the request is split.
        Fault::Code {
            code: 400,
            message: "Bad request".into(),
        },
    ]);
    mock.set_random_faults(SHOP, Some(RandomFaults::new(0.75, faults, 21)));
    let flows = shopline_flows(120, &[7]);
    let client = shopline(&mock)
        .timeout(Duration::from_millis(600))
        .retry(quick(2))
        .batch_concurrency(1)
        .build()
        .unwrap();
    let report = client
        .sync_all::<BatchSyncFlowData>(&shopline_envelope(), flows)
        .await;
    let (delivered, failed) = check_accounting(&report, 120, "flow_data_list", &BTreeMap::new());
    assert!(!failed.is_empty(), "the faults were not persistent enough");
    assert!(!delivered.is_empty(), "nothing got through");

    let log = settle(&mock).await;
    let stored = stored_flows(&mock);
    let expected: BTreeSet<String> = log
        .iter()
        .filter(|r| stored_by(r))
        .flat_map(flows_in)
        .collect();
    assert_eq!(stored, expected);
    for &index in &delivered {
        assert!(stored.contains(&flow_id(index)));
    }
    for &index in &failed {
        let carriers: Vec<&RecordedRequest> = log
            .iter()
            .filter(|r| flows_in(r).contains(&flow_id(index)))
            .collect();
        assert!(!carriers.is_empty());
        assert!(carriers.iter().all(|r| r.fault.is_some()), "{carriers:?}");
        let storing_fault = carriers
            .iter()
            .any(|r| matches!(r.fault, Some(Fault::Delay(_) | Fault::StoreThenFail(_))));
        assert_eq!(
            stored.contains(&flow_id(index)),
            storing_fault,
            "flow {index}"
        );
    }
    let failed_stored = failed
        .iter()
        .filter(|&&i| stored.contains(&flow_id(i)))
        .count();
    assert!(
        failed_stored > 0 && failed_stored < failed.len(),
        "{failed_stored} of {} failed flows stored",
        failed.len()
    );
    let sent: BTreeSet<String> = log.iter().flat_map(flows_in).collect();
    let reported: BTreeSet<String> = delivered.union(&failed).map(|&i| flow_id(i)).collect();
    assert_eq!(sent, reported);
}

#[tokio::test]
async fn shopline_bisection_isolates_the_flow_the_platform_refuses() {
    let mock = mock().await;
    // A typed flow breaks no rule of the document, so the platform refuses flow 7 by a check of its own that
    // no schema states (the store does not know it).
    mock.refuse_items(SHOP, |flow| {
        (flow["flow_id"] == "flow-7").then(|| "the store has no such flow".to_owned())
    });
    let client = shopline(&mock).batch_concurrency(2).build().unwrap();
    let report = client
        .sync_all::<BatchSyncFlowData>(&shopline_envelope(), flows(0..30))
        .await;
    report.assert_accounts_for(30);
    assert_eq!(report.rejected().count(), 0, "every flow is valid");
    let failed: Vec<(usize, &Error)> = report.failed().collect();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0].0, 7);
    assert_eq!(failed[0].1.status(), Some(422));
    assert!(failed[0].1.is_content_rejected());
    match failed[0].1 {
        // The platform names the flow by its place in the last request: alone, at 0.
        Error::Api { errors, .. } => {
            let text = errors.to_string();
            assert!(
                text.contains("/flow_data_list/0: the store has no such flow"),
                "{text}"
            );
        }
        other => panic!("expected a 422 API error, got {other:?}"),
    }
    let expected: BTreeSet<String> = (0..30).filter(|&i| i != 7).map(flow_id).collect();
    assert_eq!(stored_flows(&mock), expected);
    for request in &mock.requests() {
        let refused = request.status == Some(422);
        assert_eq!(refused, flows_in(request).contains(&flow_id(7)));
    }
}
