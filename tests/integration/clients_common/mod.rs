//! Helpers shared by the end-to-end client tests (`tests/clients_*.rs`): the real clients against the real
//! embedded mock (`salesync-mock`) on 127.0.0.1, with distinctive credentials so a leak is easy to spot.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use salesync::client::{RetryPolicy, ShoplineClientBuilder, TencentClientBuilder};
use salesync::shopline::batch_sync_flow_data::{
    BatchSyncFlowDataRequest, FlowData, TimestampMillis,
};
use salesync::tencent::salesinfo_add::{
    Price, SalesInfo, SalesinfoAddRequest, SkuStockStatus, Stock, Yuan,
};
use salesync::{Decimal, ShoplineClient, TencentClient};
use salesync_mock::{MockConfig, MockServer, RecordedRequest};

/// The Shopline bearer token the mock accepts.
pub const SHOPLINE_TOKEN: &str = "shopline-tok-Zq7x9Kp2Lm4Nv8Rw";
/// The Tencent access token the mock accepts.
pub const TENCENT_TOKEN: &str = "tencent-acc-Yt3Hb6Fd1Gs5Jk0W";
/// The Shopline app key: in every Shopline body, and in the `appkey` header of signed calls.
pub const APP_KEY: &str = "appkey-Qw9Er8Ty7Ui6Op5Ax";
/// The Shopline app secret of signed calls.
pub const APP_SECRET: &str = "appsecret-Df3Gh2Jk1Lz0Xc";
/// Every secret above: none may appear in any error, `Debug` output or log line.
pub const SECRETS: [&str; 4] = [SHOPLINE_TOKEN, TENCENT_TOKEN, APP_KEY, APP_SECRET];

pub const STORE_ID: &str = "1658921299465";
pub const SHOPLINE_PATH: &str = "/admin/openapi/v20260301/sales/flow/batch_sync_flow_data.json";
pub const TENCENT_PATH: &str = "/v1.3/salesinfo/add";
pub const ACCOUNT_ID: i64 = 111_111;
pub const USER_ACTION_SET_ID: i64 = 222_222;
pub const DATA_SET_ID: i64 = 333_333;

/// The mock with our tokens and no leaky bucket (tests that exercise the bucket turn it back on).
pub fn mock_config() -> MockConfig {
    MockConfig::default()
        .with_shopline_tokens([SHOPLINE_TOKEN])
        .with_tencent_tokens([TENCENT_TOKEN])
        .with_rate_limit(None)
}

pub async fn mock() -> MockServer {
    MockServer::start_with(mock_config()).await
}

/// Fast retries: `attempts` attempts, 1..8 ms apart (full jitter), 20 s in all.
pub fn quick(attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(attempts)
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(8))
        .deadline(Some(Duration::from_secs(20)))
}

/// A Shopline client for the mock: our token, quick retries (5 attempts), no client-side pacing, 5 s per attempt.
pub fn shopline(mock: &MockServer) -> ShoplineClientBuilder {
    ShoplineClient::builder()
        .base_url(mock.url())
        .access_token(SHOPLINE_TOKEN)
        .retry(quick(5))
        .no_pacing()
        .timeout(Duration::from_secs(5))
}

/// A Tencent client for the mock: our token, quick retries (5 attempts), no client-side pacing, 5 s per attempt.
pub fn tencent(mock: &MockServer) -> TencentClientBuilder {
    TencentClient::builder()
        .base_url(mock.url())
        .access_token(TENCENT_TOKEN)
        .retry(quick(5))
        .no_pacing()
        .timeout(Duration::from_secs(5))
}

/// Flow `i`: its natural key in the mock is `(STORE_ID, flow-i, occurred_on)`.
pub fn flow(i: usize) -> FlowData {
    FlowData::builder()
        .flow_id(format!("flow-{i}"))
        .occurred_on(TimestampMillis::new(1_700_000_000_000 + i as i64).unwrap())
        .order_amount(100 * i as i64)
        .order_num(1)
        .send_count(10)
        .trigger_num(4)
        .build()
}

pub fn shopline_envelope() -> BatchSyncFlowDataRequest {
    shopline_request(Vec::new())
}

pub fn shopline_request(flows: Vec<FlowData>) -> BatchSyncFlowDataRequest {
    BatchSyncFlowDataRequest::builder()
        .app_key(APP_KEY)
        .store_id(STORE_ID)
        .source_type("smartpush-app")
        .flow_data_list(flows)
        .build()
}

/// Flows `range` in one request.
pub fn flows(range: std::ops::Range<usize>) -> Vec<FlowData> {
    range.map(flow).collect()
}

/// Item `i`: its natural key in the mock is `(ACCOUNT_ID, DATA_SET_ID, store-1, sku-i)`.
pub fn sales_item(i: usize) -> SalesInfo {
    SalesInfo::builder()
        .external_store_id("store-1")
        .external_sku_id(format!("sku-{i}"))
        .price(
            Price::builder()
                .current_price(Yuan::from_cents(890 + i as i64).unwrap())
                .sku_price(Yuan::new(Decimal::from_i64(100)).unwrap())
                .build(),
        )
        .stock(
            Stock::builder()
                .sku_stock_status(SkuStockStatus::InStock)
                .build(),
        )
        .build()
}

/// An item the schema refuses: its current price is above its list price (`x-compare`).
pub fn overpriced_item(i: usize) -> SalesInfo {
    let mut item = sales_item(i);
    item.price.current_price = Yuan::new(Decimal::from_i64(120)).unwrap();
    item
}

pub fn tencent_envelope() -> SalesinfoAddRequest {
    tencent_request(Vec::new())
}

pub fn tencent_request(items: Vec<SalesInfo>) -> SalesinfoAddRequest {
    SalesinfoAddRequest::builder()
        .account_id(ACCOUNT_ID)
        .user_action_set_id(USER_ACTION_SET_ID)
        .data_set_id(DATA_SET_ID)
        .salesinfo(items)
        .build()
}

pub fn items(range: std::ops::Range<usize>) -> Vec<SalesInfo> {
    range.map(sales_item).collect()
}

/// Waits until every request in the log has been answered or dropped: a `Delay` fault keeps the mock working
/// (and then storing) after the client gave up, so the store is final only once the log has settled.
pub async fn settle(mock: &MockServer) -> Vec<RecordedRequest> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let log = mock.requests();
        if log.iter().all(|r| r.status.is_some() || r.dropped) {
            return log;
        }
        assert!(
            Instant::now() < deadline,
            "the mock never finished: {log:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// SKUs the mock holds for our account and data set.
pub fn stored_skus(mock: &MockServer) -> BTreeSet<String> {
    mock.tencent_salesinfo_records()
        .into_iter()
        .map(|record| {
            assert_eq!(
                (record.account_id, record.data_set_id),
                (ACCOUNT_ID, DATA_SET_ID)
            );
            assert_eq!(record.item.external_store_id, "store-1");
            record.item.external_sku_id
        })
        .collect()
}

/// Flow ids the mock holds for our store.
pub fn stored_flows(mock: &MockServer) -> BTreeSet<String> {
    mock.shopline_flow_records()
        .into_iter()
        .map(|record| {
            assert_eq!(record.store_id, STORE_ID);
            record.flow.flow_id
        })
        .collect()
}

/// The `external_sku_id`s in a logged Tencent request body.
pub fn skus_in(request: &RecordedRequest) -> Vec<String> {
    let body = request.body_json().expect("a JSON body");
    body["salesinfo"]
        .as_array()
        .expect("a salesinfo array")
        .iter()
        .map(|item| item["external_sku_id"].as_str().unwrap().to_owned())
        .collect()
}

/// The `flow_id`s in a logged Shopline request body.
pub fn flows_in(request: &RecordedRequest) -> Vec<String> {
    let body = request.body_json().expect("a JSON body");
    body["flow_data_list"]
        .as_array()
        .expect("a flow_data_list array")
        .iter()
        .map(|flow| flow["flow_id"].as_str().unwrap().to_owned())
        .collect()
}

/// Seconds since the epoch of a log entry's arrival.
pub fn epoch_seconds(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// An error's `Display` and `Debug`, and those of each of its causes.
pub fn error_report(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = format!("{error}\n{error:?}");
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(&format!("\n{cause}\n{cause:?}"));
        source = cause.source();
    }
    text
}

/// Panics if `text` holds any of our secrets.
pub fn assert_no_secret(what: &str, text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{what} leaks `{secret}`:\n{text}");
    }
}
