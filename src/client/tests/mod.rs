//! The clients over real HTTP on loopback, against a tiny stub (the full mock of both platforms lives in
//! `mock/` and has its own tests).

mod capture;
mod redaction;
mod shopline;
mod stub;
mod tencent;
mod user_agent;

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use crate::client::{RetryPolicy, Secret, TokenFuture, TokenProvider};
use crate::shopline::batch_sync_flow_data::{BatchSyncFlowDataRequest, FlowData, TimestampMillis};
use crate::tencent::salesinfo_add::{
    Price, SalesInfo, SalesinfoAddRequest, SkuStockStatus, Stock, Yuan,
};
use crate::Decimal;

/// A token provider that hands out `token-1`, `token-2`, ... one per question.
struct Rotating(AtomicU32);

impl TokenProvider for Rotating {
    fn token(&self) -> TokenFuture<'_> {
        let n = self.0.fetch_add(1, Ordering::SeqCst) + 1;
        Box::pin(async move { Ok(Secret::new(format!("token-{n}"))) })
    }
}

/// Fast retries for tests: `attempts` attempts, 1..8 ms apart, 10 s in all.
fn quick(attempts: u32) -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(attempts)
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(8))
        .deadline(Some(Duration::from_secs(10)))
}

fn flow(id: &str) -> FlowData {
    FlowData::builder()
        .flow_id(id)
        .occurred_on(TimestampMillis::new(1_700_000_000_000).unwrap())
        .order_amount(1200)
        .order_num(3)
        .send_count(10)
        .trigger_num(5)
        .build()
}

fn shopline_request(flows: usize) -> BatchSyncFlowDataRequest {
    BatchSyncFlowDataRequest::builder()
        .app_key("app-key-in-body")
        .store_id("1658921299465")
        .source_type("smartpush-app")
        .flow_data_list(
            (0..flows)
                .map(|i| flow(&format!("flow-{i}")))
                .collect::<Vec<_>>(),
        )
        .build()
}

fn sales_item(sku: &str) -> SalesInfo {
    let price = Price::builder()
        .current_price(Yuan::from_cents(890).unwrap())
        .sku_price(Yuan::new(Decimal::from_i64(10)).unwrap())
        .build();
    SalesInfo::builder()
        .external_store_id("store-1")
        .external_sku_id(sku)
        .price(price)
        .stock(
            Stock::builder()
                .sku_stock_status(SkuStockStatus::InStock)
                .build(),
        )
        .build()
}

fn tencent_request(items: usize) -> SalesinfoAddRequest {
    SalesinfoAddRequest::builder()
        .account_id(111)
        .user_action_set_id(222)
        .data_set_id(333)
        .salesinfo(
            (0..items)
                .map(|i| sales_item(&format!("sku-{i}")))
                .collect::<Vec<_>>(),
        )
        .build()
}

/// Calls and `sync_all` can be spawned on a multi-threaded runtime, and clients shared across tasks.
#[allow(dead_code)]
fn futures_are_send(shopline: crate::ShoplineClient, tencent: crate::TencentClient) {
    fn send<T: Send>(_: T) {}
    fn share<T: Send + Sync + Clone>(_: &T) {}
    share(&shopline);
    share(&tencent);
    let request = shopline_request(1);
    send(shopline.call::<crate::shopline::batch_sync_flow_data::BatchSyncFlowData>(&request));
    send(
        shopline.sync_all::<crate::shopline::batch_sync_flow_data::BatchSyncFlowData>(
            &request,
            Vec::new(),
        ),
    );
    let request = tencent_request(1);
    send(tencent.call::<crate::tencent::salesinfo_add::SalesinfoAdd>(&request));
    send(tencent.sync_all::<crate::tencent::salesinfo_add::SalesinfoAdd>(&request, Vec::new()));
}
