//! Soak: rows through the clients' `sync_all` into the embedded mock, with 20% of the requests faulted (429s,
//! 5xx, busy and rate-limit codes, replayed nonces, dropped connections, slow answers, and records stored but
//! never confirmed). Every row is accounted for: `report.total()` is the input count, Tencent's invalid rows
//! (about 1%) are exactly the rejected ones, Shopline's odd rows (as many, with a negative send count, which
//! its document allows) are delivered like the others, nothing fails for good, and the mock holds exactly the
//! delivered rows, each as sent (redeliveries of stored-but-unconfirmed batches are absorbed by the platforms'
//! upsert).
//!
//! The normal suite runs 5,000 rows per platform. The 100,000-row soak is ignored, as it is long in a debug
//! build; run it with
//!
//!     cargo test --release -p salesync --test integration -- --ignored soak::
//!
//! (the result is recorded in BENCHMARKS.md).

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use salesync::client::RetryPolicy;
use salesync::shopline::batch_sync_flow_data::{
    BatchSyncFlowData, BatchSyncFlowDataRequest, FlowData, FlowNodeData, PercentRate,
    TimestampMillis,
};
use salesync::tencent::salesinfo_add::{
    Price, SalesInfo, SalesinfoAdd, SalesinfoAddRequest, SkuPromotion, SkuStockStatus, Stock, Yuan,
};
use salesync::{ShoplineClient, TencentClient};
use salesync_mock::{
    AfterStore, Fault, MockConfig, MockServer, RandomFaults, Vendor, DEFAULT_SHOPLINE_TOKEN,
    DEFAULT_TENCENT_TOKEN,
};

const FAULT_RATE: f64 = 0.2;

/// Faults the clients must ride out. Only retryable ones: with 12 attempts a request fails for good with
/// probability 0.2^12, so every valid row must be delivered, and the mock's store must match exactly.
fn faults(vendor: Vendor) -> Vec<Fault> {
    let mut faults = vec![
        Fault::too_many_requests(None),
        Fault::status(500),
        Fault::status(502),
        Fault::status(503),
        Fault::status(408),
        Fault::DropConnection,
        Fault::Delay(Duration::from_millis(20)),
        Fault::StoreThenFail(AfterStore::DropConnection),
        Fault::StoreThenFail(AfterStore::Status(503)),
    ];
    if vendor == Vendor::Tencent {
        // Busy, rate limited per minute, and a replayed nonce (retried at once with a fresh one).
        faults.extend([
            Fault::tencent(10000),
            Fault::tencent(11017),
            Fault::tencent(12100),
        ]);
    }
    faults
}

async fn mock(seed: u64) -> MockServer {
    let config = MockConfig::default()
        .with_rate_limit(None)
        .with_random_faults(
            Vendor::Tencent,
            RandomFaults::new(FAULT_RATE, faults(Vendor::Tencent), seed),
        )
        .with_random_faults(
            Vendor::Shopline,
            RandomFaults::new(FAULT_RATE, faults(Vendor::Shopline), seed + 1),
        );
    MockServer::start_with(config).await
}

fn retry() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(12)
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(20))
}

/// Every 97th row is odd: a Tencent row's current price is above its list price (invalid), a Shopline row's
/// send count is negative (valid: the document gives counts no minimum).
fn invalid(i: usize) -> bool {
    i % 97 == 41
}

fn tencent_rows(n: usize) -> Vec<SalesInfo> {
    (0..n)
        .map(|i| {
            let list = 1_000 + (i as i64 * 37) % 9_000;
            let current = if invalid(i) { list + 1 } else { list - 10 };
            let promotion = SkuPromotion::builder()
                .external_promotion_id(format!("P-{i}"))
                .promotion_price(Yuan::from_cents(current - 1).unwrap())
                .build();
            let price = Price::builder()
                .current_price(Yuan::from_cents(current).unwrap())
                .sku_price(Yuan::from_cents(list).unwrap())
                .sku_promotions(vec![promotion])
                .build();
            SalesInfo::builder()
                .external_store_id(format!("store-{}", i % 40))
                .seller_id(format!("seller-{}", i % 13))
                .external_sku_id(format!("SKU-{i:07}"))
                .price(price)
                .stock(
                    Stock::builder()
                        .sku_stock_status(SkuStockStatus::InStock)
                        .build(),
                )
                .build()
        })
        .collect()
}

fn shopline_rows(n: usize) -> Vec<FlowData> {
    (0..n)
        .map(|i| {
            let at = TimestampMillis::new(1_672_365_600_000 + (i as i64 % 24) * 3_600_000).unwrap();
            let node = FlowNodeData::builder()
                .node_id(format!("node-{i}"))
                .occurred_on(at)
                .has_send_num(10)
                .has_delivery_num(9)
                .buyer_num(1)
                .order_num(1)
                .order_amount(990)
                .open_rate("41.5".parse::<PercentRate>().unwrap())
                .build();
            FlowData::builder()
                .flow_id(format!("flow-{i:07}"))
                .occurred_on(at)
                .order_amount(990)
                .order_num(1)
                .send_count(if invalid(i) { -1 } else { 10 })
                .trigger_num(12)
                .flow_node_data_list(vec![node])
                .build()
        })
        .collect()
}

/// What a soak run saw, for the assertions and the log.
struct Seen {
    requests: usize,
    faulted: usize,
    delivered: usize,
    rejected: usize,
}

fn faulted(mock: &MockServer, vendor: Vendor) -> (usize, usize) {
    let requests = mock.requests_to(vendor);
    let faulted = requests.iter().filter(|r| r.fault.is_some()).count();
    (requests.len(), faulted)
}

async fn soak_tencent(rows: usize, seed: u64) -> Seen {
    let mock = mock(seed).await;
    let client = TencentClient::builder()
        .base_url(mock.url())
        .access_token(DEFAULT_TENCENT_TOKEN)
        .no_pacing()
        .retry(retry())
        .timeout(Duration::from_secs(10))
        .batch_concurrency(4)
        .build()
        .unwrap();
    let items = tencent_rows(rows);
    let envelope = SalesinfoAddRequest::builder()
        .account_id(11)
        .user_action_set_id(22)
        .data_set_id(33)
        .salesinfo(Vec::new())
        .build();
    let report = client
        .sync_all::<SalesinfoAdd>(&envelope, items.clone())
        .await;

    report.assert_accounts_for(rows);
    assert_eq!(report.total(), rows);
    let failed: Vec<_> = report.failed().map(|(i, e)| (i, e.to_string())).collect();
    assert!(
        failed.is_empty(),
        "{} failed: {:?}",
        failed.len(),
        &failed[..failed.len().min(3)]
    );
    let rejected: BTreeSet<usize> = report.rejected().map(|(i, _)| i).collect();
    let expected: BTreeSet<usize> = (0..rows).filter(|&i| invalid(i)).collect();
    assert_eq!(rejected, expected);
    for (index, violations) in report.rejected() {
        let pointers: Vec<_> = violations.iter().map(|v| v.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [format!("/salesinfo/{index}/price/current_price")]
        );
    }

    // The mock holds exactly the delivered rows, each as sent.
    let delivered: BTreeMap<String, &SalesInfo> = report
        .delivered()
        .map(|(i, _)| (items[i].external_sku_id.clone(), &items[i]))
        .collect();
    assert_eq!(delivered.len(), rows - expected.len());
    let records = mock.tencent_salesinfo_records();
    assert_eq!(records.len(), delivered.len());
    for record in &records {
        assert_eq!((record.account_id, record.data_set_id), (11, 33));
        let sent = delivered
            .get(&record.item.external_sku_id)
            .unwrap_or_else(|| {
                panic!(
                    "the mock holds {}, never delivered",
                    record.item.external_sku_id
                )
            });
        assert_eq!(&record.item, *sent);
    }
    let (requests, faulted) = faulted(&mock, Vendor::Tencent);
    Seen {
        requests,
        faulted,
        delivered: delivered.len(),
        rejected: rejected.len(),
    }
}

async fn soak_shopline(rows: usize, seed: u64) -> Seen {
    let mock = mock(seed).await;
    let client = ShoplineClient::builder()
        .base_url(mock.url())
        .access_token(DEFAULT_SHOPLINE_TOKEN)
        .no_pacing()
        .retry(retry())
        .timeout(Duration::from_secs(10))
        .batch_concurrency(4)
        .build()
        .unwrap();
    let items = shopline_rows(rows);
    let envelope = BatchSyncFlowDataRequest::builder()
        .app_key("app-key-1")
        .store_id("1658921299465")
        .source_type("crm")
        .flow_data_list(Vec::new())
        .build();
    let report = client
        .sync_all::<BatchSyncFlowData>(&envelope, items.clone())
        .await;

    report.assert_accounts_for(rows);
    let failed: Vec<_> = report.failed().map(|(i, e)| (i, e.to_string())).collect();
    assert!(
        failed.is_empty(),
        "{} failed: {:?}",
        failed.len(),
        &failed[..failed.len().min(3)]
    );
    let rejected: BTreeSet<usize> = report.rejected().map(|(i, _)| i).collect();
    assert_eq!(rejected, BTreeSet::new());

    let delivered: BTreeMap<String, &FlowData> = report
        .delivered()
        .map(|(i, _)| (items[i].flow_id.clone(), &items[i]))
        .collect();
    assert_eq!(delivered.len(), rows);
    let odd = (0..rows).filter(|&i| invalid(i)).count();
    assert!(odd > 0);
    let records = mock.shopline_flow_records();
    assert_eq!(records.len(), delivered.len());
    for record in &records {
        assert_eq!(record.store_id, "1658921299465");
        let sent = delivered
            .get(&record.flow.flow_id)
            .unwrap_or_else(|| panic!("the mock holds {}, never delivered", record.flow.flow_id));
        assert_eq!(&record.flow, *sent);
    }
    let negative = records.iter().filter(|r| r.flow.send_count < 0).count();
    assert_eq!(
        negative, odd,
        "every row with a negative send count is stored as sent"
    );
    assert_eq!(mock.counts().shopline_nodes, delivered.len());
    let (requests, faulted) = faulted(&mock, Vendor::Shopline);
    Seen {
        requests,
        faulted,
        delivered: delivered.len(),
        rejected: rejected.len(),
    }
}

fn log(platform: &str, rows: usize, seen: &Seen, started: Instant) {
    eprintln!(
        "soak {platform}: {rows} rows in {:.2?}: {} delivered, {} rejected, 0 failed; {} requests, {} faulted ({:.1}%)",
        started.elapsed(),
        seen.delivered,
        seen.rejected,
        seen.requests,
        seen.faulted,
        100.0 * seen.faulted as f64 / seen.requests as f64
    );
}

/// The faults did happen, at about the configured rate (a fifth of the requests, retries included; the
/// bounds are 4 standard deviations wide for 100 requests, far tighter in share for thousands).
fn assert_faulted(seen: &Seen) {
    let share = seen.faulted as f64 / seen.requests as f64;
    let spread = 4.0 * (FAULT_RATE * (1.0 - FAULT_RATE) / seen.requests as f64).sqrt();
    assert!(
        (share - FAULT_RATE).abs() < spread,
        "{} of {} requests faulted",
        seen.faulted,
        seen.requests
    );
}

async fn soak(rows: usize) {
    let started = Instant::now();
    let seen = soak_tencent(rows, 7).await;
    log("tencent", rows, &seen, started);
    assert_faulted(&seen);

    let started = Instant::now();
    let seen = soak_shopline(rows, 11).await;
    log("shopline", rows, &seen, started);
    assert_faulted(&seen);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soak_5k_rows_with_20_percent_faults() {
    soak(5_000).await;
}

/// Long in a debug build: `cargo test --release -p salesync --test integration -- --ignored soak::`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "100,000 rows per platform: run with `cargo test --release -p salesync --test integration -- --ignored soak::`"]
async fn soak_100k_rows_with_20_percent_faults() {
    soak(100_000).await;
}
