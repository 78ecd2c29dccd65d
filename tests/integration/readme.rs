//! Every Rust snippet of the README, compiled and run: each ```rust block of README.md is the body of one
//! test below, between `// README:begin` and `// README:end`, character for character (after removing the
//! test's indentation). `the_readme_snippets_are_these_tests` fails when a snippet and its test differ, so
//! the README cannot drift from code that runs. The snippets talk to the embedded mock, never the internet.

use std::error::Error;

type Result = std::result::Result<(), Box<dyn Error>>;

#[test]
fn the_models() -> Result {
    // README:begin
    use salesync::tencent::salesinfo_add::{
        Price, SalesInfo, SalesinfoAddRequest, SkuStockStatus, Stock, Yuan,
    };
    use salesync::Validate;

    let price = Price::builder()
        .current_price("8.9".parse::<Yuan>()?) // checked when built: "12.999" or "8,90" is an error here
        .sku_price(Yuan::from_cents(1000)?)
        .build();
    let item = SalesInfo::builder()
        .external_store_id("store-1")
        .external_sku_id("sku-1")
        .seller_id("seller-1") // optional: the value itself, or leave the setter out
        .price(price)
        .stock(
            Stock::builder()
                .sku_stock_status(SkuStockStatus::InStock)
                .build(),
        )
        .build();
    let request = SalesinfoAddRequest::builder()
        .account_id(1111111111)
        .user_action_set_id(1111111111)
        .data_set_id(1111111111)
        .salesinfo(vec![item])
        .build();
    // Every violation at once, each with its JSON pointer:
    request.validate()?;
    // README:end
    Ok(())
}

#[tokio::test]
async fn the_clients() -> Result {
    // README:begin
    use salesync::shopline::batch_sync_flow_data::{
        BatchSyncFlowDataRequest, FlowData, TimestampMillis,
    };
    use salesync::tencent::salesinfo_add::{
        Price, SalesInfo, SalesinfoAdd, SalesinfoAddRequest, SkuStockStatus, Stock, Yuan,
    };
    use salesync::{ShoplineClient, TencentClient};
    use salesync_mock::{MockServer, DEFAULT_SHOPLINE_TOKEN, DEFAULT_TENCENT_TOKEN};

    // The embedded mock stands in for both platforms; without `base_url`, calls go to the real ones.
    let mock = MockServer::start().await;
    let shopline = ShoplineClient::builder()
        .base_url(mock.url()) // or .store("my-store")
        .access_token(DEFAULT_SHOPLINE_TOKEN) // or .token_provider(Arc::new(MyProvider))
        .build()?;
    let flow = FlowData::builder()
        .flow_id("flow-1")
        .occurred_on(TimestampMillis::new(1_672_365_600_000)?)
        .order_amount(34_400) // minor units: 344.00
        .order_num(5)
        .send_count(120)
        .trigger_num(130)
        .build();
    let request = BatchSyncFlowDataRequest::builder()
        .app_key("app-key")
        .store_id("1658921299465")
        .source_type("smartpush-app")
        .flow_data_list(vec![flow])
        .build();
    let response = shopline.batch_sync_flow_data(&request).await?;
    println!(
        "accepted, traceId {:?}, {} attempt(s)",
        response.trace_id, response.attempts
    );

    let tencent = TencentClient::builder()
        .base_url(mock.url())
        .access_token(DEFAULT_TENCENT_TOKEN)
        .build()?;
    let envelope = SalesinfoAddRequest::builder()
        .account_id(1111111111)
        .user_action_set_id(1111111111)
        .data_set_id(1111111111)
        .salesinfo(vec![])
        .build();
    let price = Price::builder()
        .current_price(Yuan::from_cents(890)?)
        .sku_price(Yuan::from_cents(1000)?)
        .build();
    let stock = Stock::builder()
        .sku_stock_status(SkuStockStatus::InStock)
        .build();
    let items = (0..250).map(|i| {
        SalesInfo::builder()
            .external_store_id("store-1")
            .external_sku_id(format!("sku-{i}"))
            .price(price.clone())
            .stock(stock.clone())
            .build()
    });
    let report = tencent.sync_all::<SalesinfoAdd>(&envelope, items).await; // any number of items
    report.assert_accounts_for(250); // delivered + rejected + failed: nothing is dropped
    println!(
        "{} requests: {}",
        report.requests_sent(),
        serde_json::to_string(&report.outcomes()[0])?
    );
    // README:end
    assert!(report.is_success());
    Ok(())
}

#[tokio::test]
async fn the_stream() -> Result {
    // README:begin
    use futures_util::StreamExt;
    use salesync::client::{Row, SyncEvent, SyncOptions};
    use salesync::tencent::salesinfo_add::{
        Price, SalesInfo, SalesinfoAdd, SalesinfoAddRequest, SkuStockStatus, Stock, Yuan,
    };
    use salesync::TencentClient;
    use salesync_mock::{MockServer, DEFAULT_TENCENT_TOKEN};

    let mock = MockServer::start().await;
    let tencent = TencentClient::builder()
        .base_url(mock.url())
        .access_token(DEFAULT_TENCENT_TOKEN)
        .build()?;
    let envelope = SalesinfoAddRequest::builder()
        .account_id(1111111111)
        .user_action_set_id(1111111111)
        .data_set_id(1111111111)
        .salesinfo(vec![])
        .build();
    let price = Price::builder()
        .current_price(Yuan::from_cents(890)?)
        .sku_price(Yuan::from_cents(1000)?)
        .build();
    let stock = Stock::builder()
        .sku_stock_status(SkuStockStatus::InStock)
        .build();
    // Any stream of rows (a database cursor, a file, a channel); each key comes back with its row's fate.
    let rows = futures_util::stream::iter((0..1000).map(move |line| {
        Row {
            key: line,
            item: SalesInfo::builder()
                .external_store_id("store-1")
                .external_sku_id(format!("sku-{line}"))
                .price(price.clone())
                .stock(stock.clone())
                .build(),
            bytes: 0,
        }
    }));
    let options = SyncOptions::default().concurrency(4);
    let mut events = tencent.sync_stream::<SalesinfoAdd, _, _>(envelope, rows, options);
    let mut delivered = 0;
    while let Some(event) = events.next().await {
        match event {
            SyncEvent::Delivered { keys, .. } => delivered += keys.len(),
            SyncEvent::Rejected { key, violations } => eprintln!("row {key}: {violations}"),
            SyncEvent::Refused { key, error } => eprintln!("row {key} refused: {error}"),
            SyncEvent::Failed { keys, error } => {
                eprintln!("{} rows to resend: {error}", keys.len())
            }
            _ => {}
        }
    }
    assert_eq!((delivered, events.requests()), (1000, 20));
    // README:end
    Ok(())
}

#[tokio::test]
async fn the_errors() -> Result {
    // README:begin
    use salesync::tencent::salesinfo_add::{SalesinfoAdd, SalesinfoAddRequest};
    use salesync::{ErrorClass, TencentClient};
    use salesync_mock::{Fault, MockServer, Vendor, DEFAULT_TENCENT_TOKEN};

    let mock = MockServer::start().await;
    mock.push_fault(Vendor::Tencent, Fault::tencent(11018)); // the daily call limit
    let tencent = TencentClient::builder()
        .base_url(mock.url())
        .access_token(DEFAULT_TENCENT_TOKEN)
        .build()?;
    let request: SalesinfoAddRequest = serde_json::from_value(serde_json::json!({
        "account_id": 1111111111, "user_action_set_id": 1111111111, "data_set_id": 1111111111,
        "salesinfo": [{"external_store_id": "store-1", "external_sku_id": "sku-1",
            "price": {"current_price": 8.9, "sku_price": 10}, "stock": {"sku_stock_status": 1}}]
    }))?;
    let error = tencent.call::<SalesinfoAdd>(&request).await.unwrap_err();
    assert_eq!(error.class(), ErrorClass::DailyLimit);
    assert!(!error.is_retryable() && error.class().stops_every_request());
    assert_eq!((error.code(), error.attempts()), (Some(11018), 1));
    // One line: `tencent API error 11018 (HTTP 200): ..., trace_id: ...`
    println!("{error}");
    // One JSON object: `{"kind":"api","class":"daily_limit","retryable":false,...}`
    println!("{}", serde_json::to_string(&error)?);
    // README:end
    Ok(())
}

#[tokio::test]
async fn the_http_stack() -> Result {
    // README:begin
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;

    use salesync::reqwest;
    use salesync::TencentClient;

    let http = reqwest::Client::builder()
        .user_agent("acme-sync/2.1") // sent as it is: salesync adds no agent of its own to your client
        .proxy(reqwest::Proxy::all("http://proxy.internal:3128")?)
        .redirect(reqwest::redirect::Policy::none()) // never carry the access token elsewhere
        .build()?;
    let failed_attempts = Arc::new(AtomicU64::new(0));
    let counter = failed_attempts.clone();
    let tencent = TencentClient::builder()
        .access_token(std::env::var("TENCENT_ACCESS_TOKEN").unwrap_or_else(|_| "token".into()))
        .http_client(http)
        .on_attempt(move |attempt| {
            if attempt.error.is_some() {
                counter.fetch_add(1, Ordering::Relaxed);
            }
        })
        .build()?;
    // README:end
    drop(tencent);
    assert_eq!(failed_attempts.load(Ordering::Relaxed), 0);
    Ok(())
}

#[tokio::test]
async fn the_mock() -> Result {
    // README:begin
    use std::time::Duration;

    use salesync::shopline::batch_sync_flow_data::{
        BatchSyncFlowDataRequest, FlowData, TimestampMillis,
    };
    use salesync_mock::{Fault, MockServer, Vendor, DEFAULT_SHOPLINE_TOKEN};

    let mock = MockServer::start().await;
    mock.push_fault(
        Vendor::Shopline,
        Fault::too_many_requests(Some(Duration::from_secs(1))),
    );
    let client = salesync::ShoplineClient::builder()
        .base_url(mock.url())
        .access_token(DEFAULT_SHOPLINE_TOKEN)
        .build()?;
    let flow = FlowData::builder()
        .flow_id("flow-1")
        .occurred_on(TimestampMillis::new(1_672_365_600_000)?)
        .order_amount(0)
        .order_num(0)
        .send_count(1)
        .trigger_num(1)
        .build();
    let request = BatchSyncFlowDataRequest::builder()
        .app_key("app-key")
        .store_id("1658921299465")
        .source_type("smartpush-app")
        .flow_data_list(vec![flow])
        .build();
    let response = client.batch_sync_flow_data(&request).await?; // 429, a 1 s wait, then accepted
    assert_eq!(response.attempts, 2);
    assert_eq!(mock.counts().shopline_flows, 1);
    assert_eq!(mock.requests()[0].status, Some(429));
    // README:end
    Ok(())
}

/// The ```rust blocks of the README, each as its lines.
fn readme_snippets() -> Vec<String> {
    let readme = include_str!("../../README.md");
    let mut snippets = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in readme.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```rust") => current = Some(Vec::new()),
            (Some(lines), "```") => {
                snippets.push(lines.join("\n"));
                current = None;
            }
            (Some(lines), _) => lines.push(line),
            (None, _) => {}
        }
    }
    snippets
}

/// The regions of this file between the markers, their common indentation removed.
fn test_regions() -> Vec<String> {
    let source = include_str!("readme.rs");
    let mut regions = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in source.lines() {
        match (&mut current, line.trim()) {
            (None, "// README:begin") => current = Some(Vec::new()),
            (Some(lines), "// README:end") => {
                let indent = lines
                    .iter()
                    .filter(|l| !l.trim().is_empty())
                    .map(|l| l.len() - l.trim_start().len())
                    .min()
                    .unwrap_or(0);
                let dedented: Vec<&str> = lines
                    .iter()
                    .map(|l| l.get(indent..).unwrap_or(""))
                    .collect();
                regions.push(dedented.join("\n"));
                current = None;
            }
            (Some(lines), _) => lines.push(line),
            (None, _) => {}
        }
    }
    regions
}

#[test]
fn the_readme_snippets_are_these_tests() {
    let snippets = readme_snippets();
    let regions = test_regions();
    assert!(!snippets.is_empty());
    for snippet in &snippets {
        assert!(
            regions.contains(snippet),
            "a README snippet is not a test of tests/integration/readme.rs (copy it between README markers):\n{snippet}"
        );
    }
    for region in &regions {
        assert!(
            snippets.contains(region),
            "a test region of tests/integration/readme.rs is not in the README (or differs from it):\n{region}"
        );
    }
}
