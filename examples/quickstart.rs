//! The main job, offline: `cargo run --example quickstart`.
//!
//! Starts the embedded mock of both platforms on 127.0.0.1, builds typed requests for both, sends them through
//! the real clients (one answered first with a 429, then retried), shows that a request breaking the
//! document's rules is refused before it is sent, syncs a batch larger than one request holds, and prints what
//! happened.
//!
//! With real credentials in the environment it targets the real platforms instead:
//! - Shopline: `SALESYNC_SHOPLINE_STORE` (the store handle), `SALESYNC_SHOPLINE_TOKEN`,
//!   `SALESYNC_SHOPLINE_APP_KEY`, `SALESYNC_SHOPLINE_STORE_ID`;
//! - Tencent: `SALESYNC_TENCENT_ACCESS_TOKEN`, `SALESYNC_TENCENT_ACCOUNT_ID`,
//!   `SALESYNC_TENCENT_USER_ACTION_SET_ID`, `SALESYNC_TENCENT_DATA_SET_ID`.

use std::env;
use std::error::Error as StdError;
use std::time::Duration;

use salesync::shopline::batch_sync_flow_data::{
    BatchSyncFlowData, BatchSyncFlowDataRequest, FlowData, FlowNodeData, PercentRate,
    TimestampMillis,
};
use salesync::tencent::salesinfo_add::{
    Price, ProductType, SalesInfo, SalesinfoAdd, SalesinfoAddRequest, SkuStockStatus, Stock,
    TargetUrlProps, Yuan,
};
use salesync::{ShoplineClient, TencentClient};
use salesync_mock::{Fault, MockServer, Vendor, DEFAULT_SHOPLINE_TOKEN, DEFAULT_TENCENT_TOKEN};

type Result<T> = std::result::Result<T, Box<dyn StdError>>;

/// Where the calls go: the embedded mock, or the real platforms when credentials are set.
struct Target {
    shopline: ShoplineClient,
    tencent: TencentClient,
    shopline_envelope: (String, String),
    tencent_ids: (i64, i64, i64),
    mock: Option<MockServer>,
}

#[tokio::main]
async fn main() -> Result<()> {
    let target = target().await?;
    match &target.mock {
        Some(mock) => println!("embedded mock of both platforms on {}\n", mock.url()),
        None => println!("real platforms: credentials found in the environment\n"),
    }
    shopline(&target).await?;
    tencent(&target).await?;
    if let Some(mock) = target.mock {
        let counts = mock.counts();
        println!("\nthe mock now holds {counts:?}");
        mock.shutdown().await;
    }
    Ok(())
}

async fn target() -> Result<Target> {
    if let (Ok(store), Ok(token), Ok(access_token)) = (
        env::var("SALESYNC_SHOPLINE_STORE"),
        env::var("SALESYNC_SHOPLINE_TOKEN"),
        env::var("SALESYNC_TENCENT_ACCESS_TOKEN"),
    ) {
        let id = |name: &str| -> Result<i64> { Ok(env::var(name)?.parse()?) };
        return Ok(Target {
            shopline: ShoplineClient::builder()
                .store(store)
                .access_token(token)
                .build()?,
            tencent: TencentClient::builder()
                .access_token(access_token)
                .build()?,
            shopline_envelope: (
                env::var("SALESYNC_SHOPLINE_APP_KEY")?,
                env::var("SALESYNC_SHOPLINE_STORE_ID")?,
            ),
            tencent_ids: (
                id("SALESYNC_TENCENT_ACCOUNT_ID")?,
                id("SALESYNC_TENCENT_USER_ACTION_SET_ID")?,
                id("SALESYNC_TENCENT_DATA_SET_ID")?,
            ),
            mock: None,
        });
    }
    let mock = MockServer::start().await;
    Ok(Target {
        shopline: ShoplineClient::builder()
            .base_url(mock.url())
            .access_token(DEFAULT_SHOPLINE_TOKEN)
            .build()?,
        tencent: TencentClient::builder()
            .base_url(mock.url())
            .access_token(DEFAULT_TENCENT_TOKEN)
            .build()?,
        shopline_envelope: (
            "ee89294e244543bd9422b446de9dece9cf0ea14e".into(),
            "1658921299465".into(),
        ),
        tencent_ids: (1111111111, 1111111111, 1111111111),
        mock: Some(mock),
    })
}

/// One flow with one node, as a marketing tool would report a day of statistics.
fn flow(flow_id: &str, sends: i64) -> FlowData {
    // Newtypes check their schema's rules when built (these two have none: the document types a time only
    // as long, a rate only as string); a constant that broke one would be a bug, hence `expect`.
    let day = TimestampMillis::new(1672365600000).expect("a timestamp");
    let node = FlowNodeData::builder()
        .node_id("5a206848-5e7e-4e50-93de-01bb4d9c7ac5")
        .occurred_on(day)
        .has_send_num(sends)
        .has_delivery_num(sends)
        .buyer_num(3)
        .order_num(4)
        .order_amount(34400)
        .open_rate("56.6".parse::<PercentRate>().expect("a percentage"))
        .click_rate("12.5".parse::<PercentRate>().expect("a percentage"))
        .build();
    FlowData::builder()
        .flow_id(flow_id)
        .occurred_on(day)
        .order_amount(34400)
        .order_num(4)
        .send_count(sends)
        .trigger_num(sends + 2)
        .flow_node_data_list(vec![node])
        .build()
}

async fn shopline(target: &Target) -> Result<()> {
    let (app_key, store_id) = target.shopline_envelope.clone();
    let flows = vec![flow("5598349859474639045", 120)];
    let request = BatchSyncFlowDataRequest::builder()
        .app_key(app_key)
        .store_id(store_id)
        .source_type("smartpush-app")
        .flow_data_list(flows)
        .build();
    if let Some(mock) = &target.mock {
        mock.push_fault(
            Vendor::Shopline,
            Fault::too_many_requests(Some(Duration::from_secs(1))),
        );
        println!("shopline: the mock will answer the first call with 429 Too many request, Retry-After: 1");
    }
    let response = target.shopline.batch_sync_flow_data(&request).await?;
    println!(
        "shopline: batch_sync_flow_data accepted after {} attempt(s), traceId {}",
        response.attempts,
        response.trace_id.as_deref().unwrap_or("-")
    );

    let flows: Vec<FlowData> = (0..250).map(|i| flow(&format!("flow-{i}"), i)).collect();
    let report = target
        .shopline
        .sync_all::<BatchSyncFlowData>(&request, flows)
        .await;
    report.assert_accounts_for(250);
    println!(
        "shopline: sync_all of 250 flows in {} requests: {} delivered, {} rejected, {} failed",
        report.requests_sent(),
        report.delivered().count(),
        report.rejected().count(),
        report.failed().count()
    );
    Ok(())
}

/// One SKU in one store, priced in exact yuan.
fn sku(store: &str, sku: &str, current: &str) -> Result<SalesInfo> {
    let price = Price::builder()
        .current_price(current.parse::<Yuan>()?)
        .sku_price("10".parse::<Yuan>()?)
        .build();
    Ok(SalesInfo::builder()
        .external_store_id(store)
        .external_sku_id(sku)
        .product_type(ProductType::Normal)
        .price(price)
        .stock(
            Stock::builder()
                .sku_stock_status(SkuStockStatus::InStock)
                .build(),
        )
        .build())
}

/// A salesinfo/add request for the target's account, data source and data set.
fn salesinfo(target: &Target, items: Vec<SalesInfo>) -> SalesinfoAddRequest {
    let (account_id, user_action_set_id, data_set_id) = target.tencent_ids;
    SalesinfoAddRequest::builder()
        .account_id(account_id)
        .user_action_set_id(user_action_set_id)
        .data_set_id(data_set_id)
        .salesinfo(items)
        .build()
}

async fn tencent(target: &Target) -> Result<()> {
    let item = sku("MRYXBJN-SHIFUOYING", "HB-P-fcmjsb280g", "8.9")?;
    let request = salesinfo(target, vec![item]);
    let response = target.tencent.salesinfo_add(&request).await?;
    println!(
        "\ntencent: salesinfo_add accepted (code {:?}) after {} attempt(s)",
        response.body.code, response.attempts
    );

    // Two rules of the document broken at once: the current price above the list price (current_price需≤
    // sku_price), and an H5 landing page over its 100 bytes.
    let mut too_dear = sku("MRYXBJN-SHIFUOYING", "HB-P-dear", "12")?;
    let landing = format!("https://example.com/p/{}", "HB-P-dear-".repeat(9));
    too_dear.target_url_props = Some(TargetUrlProps::builder().url_h5(landing).build());
    let invalid = salesinfo(target, vec![too_dear]);
    match target.tencent.salesinfo_add(&invalid).await {
        Err(err) => println!(
            "tencent: invalid request refused before sending:\n  {}",
            shown(&err)
        ),
        Ok(_) => println!("tencent: unexpectedly accepted an invalid request"),
    }

    let items: Vec<SalesInfo> = (0..120)
        .map(|i| sku(&format!("store-{}", i % 3), &format!("sku-{i}"), "9.99"))
        .collect::<Result<_>>()?;
    let report = target
        .tencent
        .sync_all::<SalesinfoAdd>(&request, items)
        .await;
    report.assert_accounts_for(120);
    println!(
        "tencent: sync_all of 120 SKUs in {} requests: {} delivered, {} rejected, {} failed",
        report.requests_sent(),
        report.delivered().count(),
        report.rejected().count(),
        report.failed().count()
    );
    Ok(())
}

/// An error for a person: a validation error's violations one per line (`{:#}`), anything else as it is.
fn shown(err: &salesync::Error) -> String {
    match err.violations() {
        Some(violations) => format!("invalid request, not sent: {violations:#}"),
        None => err.to_string(),
    }
}
