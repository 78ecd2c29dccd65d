//! Every Rust snippet of the README and of the guides in `docs/`, compiled and run: each ```rust block of
//! README.md or of a `docs/*.md` file is the body of one test below, between `// FILE:begin` and `// FILE:end`
//! (FILE the snippet's file, e.g. `// docs/clients.md:begin`), character for character after removing the
//! test's indentation. `the_snippets_are_these_tests` fails when a block has no test or a test no block, so
//! the documents cannot drift from code that runs; `the_relative_links_resolve` fails on a link between the
//! documents to a file or heading that does not exist. The snippets talk to the embedded mock, never the
//! internet. (The rustdoc's examples are doc tests: `cargo test --doc -p salesync`.)

use std::collections::BTreeSet;
use std::error::Error;
use std::path::{Path, PathBuf};

type Result = std::result::Result<(), Box<dyn Error>>;

// README.md

#[test]
fn the_models() -> Result {
    // README.md:begin
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
    // README.md:end
    Ok(())
}

#[tokio::test]
async fn the_clients() -> Result {
    // README.md:begin
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
    // README.md:end
    assert!(report.is_success());
    Ok(())
}

// docs/models.md

#[test]
fn money_and_checks() -> Result {
    // docs/models.md:begin
    use salesync::runtime::check::check_batched;
    use salesync::tencent::salesinfo_add::{SalesinfoAdd, Yuan};

    // Money is exact: a `Yuan` keeps the digits it was given and refuses what its schema refuses.
    let price: Yuan = "8.9".parse()?;
    assert_eq!(price.to_cents(), Some(890));
    assert_eq!(format!("{price} {price:.2}"), "8.9 8.90");
    let error = "12.999".parse::<Yuan>().unwrap_err();
    assert_eq!(
        error.to_string(),
        "Yuan: must have at most 2 decimal place(s), 12.999 has 3 [x-decimalPlaces]"
    );

    // A body as text (a file, a queue message): every problem of every item in one pass, at its JSON pointer.
    let body = r#"{"account_id": 1111111111, "user_action_set_id": 1111111111, "data_set_id": 1111111111,
      "salesinfo": [
        {"external_store_id": "store-1", "external_sku_id": "sku-1",
         "price": {"current_price": 12, "sku_price": 10}, "stock": {"sku_stock_status": 1}},
        {"external_store_id": "store-1", "external_sku_id": "sku-2",
         "price": {"current_price": "8,90", "sku_price": 10}}
      ]}"#;
    let found: Vec<String> = check_batched::<SalesinfoAdd>(body)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        found,
        [
            "/salesinfo/0/price/current_price: current_price (12) must be <= sku_price (10) [x-compare]",
            "/salesinfo/1/stock: `stock` is required [required]",
            "/salesinfo/1/price/current_price: invalid type: string \"8,90\", expected a number [type]",
        ]
    );
    // docs/models.md:end
    Ok(())
}

// docs/clients.md

#[tokio::test]
async fn the_stream() -> Result {
    // docs/clients.md:begin
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
    // docs/clients.md:end
    Ok(())
}

#[tokio::test]
async fn the_http_stack() -> Result {
    // docs/clients.md:begin
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
    // docs/clients.md:end
    drop(tencent);
    assert_eq!(failed_attempts.load(Ordering::Relaxed), 0);
    Ok(())
}

// docs/mock.md

#[tokio::test]
async fn the_mock() -> Result {
    // docs/mock.md:begin
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
    // docs/mock.md:end
    Ok(())
}

#[tokio::test]
async fn many_stores_and_accounts() -> Result {
    // docs/mock.md:begin
    use salesync::shopline::batch_sync_flow_data::{
        BatchSyncFlowDataRequest, FlowData, TimestampMillis,
    };
    use salesync_mock::{MockConfig, MockServer};

    let config = MockConfig::default()
        .with_shopline_stores([("alpha", "token-alpha"), ("beta", "token-beta")])
        .with_tencent_accounts([(1, "token-1"), (2, "token-2")]);
    let mock = MockServer::start_with(config).await;
    mock.refuse_store("beta", 423); // beta's store is locked; alpha goes on

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
    for (handle, token) in [("alpha", "token-alpha"), ("beta", "token-beta")] {
        let client = salesync::ShoplineClient::builder()
            .base_url(mock.store_url(handle)) // http://127.0.0.1:<port>/stores/<handle>
            .access_token(token)
            .build()?;
        let answer = client.batch_sync_flow_data(&request).await;
        assert_eq!(answer.is_ok(), handle == "alpha");
    }
    assert_eq!(mock.shopline_flows_of("alpha").len(), 1);
    let counts = mock.tenant_counts();
    assert_eq!(counts.stores["alpha"].accepted, 1);
    assert_eq!(counts.stores["beta"].refused, 1);
    assert_eq!(counts.total().bucket_refused, 0);
    // docs/mock.md:end
    Ok(())
}

// The checks.

/// The workspace root (this crate's manifest directory).
fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The documents whose ```rust blocks are tests: README.md and every guide in docs/, by path from the root.
fn documents_with_snippets() -> Vec<String> {
    let mut guides: Vec<String> = std::fs::read_dir(root().join("docs"))
        .expect("docs/")
        .map(|entry| {
            entry
                .expect("docs/ entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(".md"))
        .map(|name| format!("docs/{name}"))
        .collect();
    guides.sort();
    let mut documents = vec!["README.md".to_owned()];
    documents.extend(guides);
    documents
}

fn read(relative: &str) -> String {
    let path = root().join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

/// The ```rust blocks of a Markdown text, each as its lines joined.
fn rust_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<Vec<&str>> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```rust") => current = Some(Vec::new()),
            (Some(lines), "```") => {
                blocks.push(lines.join("\n"));
                current = None;
            }
            (Some(lines), _) => lines.push(line),
            (None, _) => {}
        }
    }
    blocks
}

/// The regions of this file between `// FILE:begin` and `// FILE:end`, as (FILE, text without the common
/// indentation).
fn test_regions() -> Vec<(String, String)> {
    let source = include_str!("readme.rs");
    let mut regions = Vec::new();
    let mut current: Option<(&str, Vec<&str>)> = None;
    for line in source.lines() {
        let marker = line.trim().strip_prefix("// ");
        let begin = marker.and_then(|m| m.strip_suffix(":begin"));
        let end = marker.and_then(|m| m.strip_suffix(":end"));
        match (&mut current, begin, end) {
            (None, Some(file), _) => current = Some((file, Vec::new())),
            (Some((file, lines)), _, Some(ended)) => {
                assert_eq!(
                    *file, ended,
                    "a region of {file} ends with the marker of {ended}"
                );
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
                regions.push((file.to_string(), dedented.join("\n")));
                current = None;
            }
            (Some((file, _)), Some(_), _) => panic!("a region of {file} is not closed"),
            (Some((_, lines)), None, None) => lines.push(line),
            (None, _, _) => {}
        }
    }
    assert!(current.is_none(), "the last region is not closed");
    regions
}

#[tokio::test]
async fn a_fleet_of_accounts() -> Result {
    // docs/clients.md:begin
    use std::collections::BTreeMap;

    use futures_util::StreamExt;
    use salesync::client::{
        Fleet, FleetOptions, FleetRow, Row, SyncEvent, Tenant, TenantId, Tencent,
    };
    use salesync::tencent::salesinfo_add::{
        Price, SalesInfo, SalesinfoAdd, SalesinfoAddRequest, SkuStockStatus, Stock, Yuan,
    };
    use salesync_mock::{MockServer, DEFAULT_TENCENT_TOKEN};

    let mock = MockServer::start().await;
    // One connection pool and at most 32 requests on the wire for every account; each account keeps its own pace.
    let fleet = Fleet::<Tencent>::builder()
        .base_url(mock.url())
        .concurrency(32)
        .build()?;
    for account in 1_000_001..=1_000_100_i64 {
        // Each account's own token (here the mock's), or `.token_provider(..)` to refresh it.
        fleet.add(Tenant::new(account).access_token(DEFAULT_TENCENT_TOKEN))?;
    }
    // The envelope of an account's requests, asked once, when its first row comes.
    let envelope = |account: &TenantId| {
        SalesinfoAddRequest::builder()
            .account_id(account.parse::<i64>().unwrap_or_default())
            .user_action_set_id(1111111111)
            .data_set_id(1111111111)
            .salesinfo(vec![])
            .build()
    };
    let price = Price::builder()
        .current_price(Yuan::from_cents(890)?)
        .sku_price(Yuan::from_cents(1000)?)
        .build();
    let stock = Stock::builder()
        .sku_stock_status(SkuStockStatus::InStock)
        .build();
    // Rows of every account, in any order, each naming its account.
    let rows = futures_util::stream::iter((0..1000_i64).map(move |line| {
        FleetRow {
            tenant: TenantId::from(1_000_001 + line % 100),
            row: Row {
                key: line,
                item: SalesInfo::builder()
                    .external_store_id("store-1")
                    .external_sku_id(format!("sku-{line}"))
                    .price(price.clone())
                    .stock(stock.clone())
                    .build(),
                bytes: 0,
            },
        }
    }));
    let mut events =
        fleet.sync_stream::<SalesinfoAdd, _, _, _>(envelope, rows, FleetOptions::default());
    let mut delivered: BTreeMap<TenantId, usize> = BTreeMap::new();
    while let Some(fleet_event) = events.next().await {
        let account = fleet_event.tenant;
        match fleet_event.event {
            SyncEvent::Delivered { keys, .. } => {
                *delivered.entry(account).or_default() += keys.len()
            }
            SyncEvent::Failed { keys, error } => {
                eprintln!("{account}: {} rows to resend: {error}", keys.len())
            }
            other => eprintln!("{account}: {other:?}"),
        }
    }
    assert_eq!(delivered.len(), 100);
    assert!(delivered.values().all(|&rows| rows == 10));
    assert!(events.stopped_tenants().next().is_none());
    // docs/clients.md:end
    Ok(())
}

#[tokio::test]
async fn a_fleet_of_stores() -> Result {
    // README.md:begin
    use salesync::client::{Fleet, Shopline, Tenant};
    use salesync::shopline::batch_sync_flow_data::{
        BatchSyncFlowData, BatchSyncFlowDataRequest, FlowData, TimestampMillis,
    };
    use salesync_mock::{MockConfig, MockServer};

    // Two stores of the mock, each on a route of its own, with its own token and bucket.
    let stores = [("store-1", "token-1"), ("store-2", "token-2")];
    let mock = MockServer::start_with(MockConfig::default().with_shopline_stores(stores)).await;
    // One object, one connection pool for every store; each store keeps its own pace (its bucket).
    let fleet = Fleet::<Shopline>::builder()
        .base_url(format!("{}/stores/{{tenant}}", mock.url())) // default: https://{tenant}.myshopline.com
        .build()?;
    for (store, token) in stores {
        fleet.add(Tenant::new(store).access_token(token))?;
    }
    let flow = FlowData::builder()
        .flow_id("5598349859474639045")
        .occurred_on(TimestampMillis::new(1_700_000_000_000)?)
        .order_amount(1990)
        .order_num(1)
        .send_count(10)
        .trigger_num(12)
        .build();
    let request = BatchSyncFlowDataRequest::builder()
        .app_key("app-key")
        .store_id("1001")
        .source_type("crm")
        .flow_data_list(vec![flow])
        .build();
    fleet.call::<BatchSyncFlowData>("store-2", &request).await?;
    assert_eq!(mock.shopline_flows_of("store-2").len(), 1);
    // README.md:end
    Ok(())
}

#[test]
fn the_snippets_are_these_tests() {
    let documents = documents_with_snippets();
    let snippets: Vec<(String, String)> = documents
        .iter()
        .flat_map(|file| {
            rust_blocks(&read(file))
                .into_iter()
                .map(move |block| (file.clone(), block))
        })
        .collect();
    let regions = test_regions();
    assert!(snippets.iter().any(|(file, _)| file == "README.md"));
    for (file, snippet) in &snippets {
        assert!(
            regions.contains(&(file.clone(), snippet.clone())),
            "a ```rust block of {file} is not a test of tests/integration/readme.rs (copy it between `// {file}:begin` \
             and `// {file}:end`):\n{snippet}"
        );
    }
    for (file, region) in &regions {
        assert!(
            documents.contains(file),
            "tests/integration/readme.rs has a region of {file}, which is neither README.md nor a docs/*.md guide"
        );
        assert!(
            snippets.contains(&(file.clone(), region.clone())),
            "a test region of tests/integration/readme.rs is not a ```rust block of {file} (or differs from it):\n{region}"
        );
    }
}

/// The documents that link to each other, by path from the root.
fn linked_documents() -> Vec<String> {
    let mut documents = documents_with_snippets();
    documents.extend(
        [
            "schemas/README.md",
            "mock/README.md",
            "BENCHMARKS.md",
            "CHANGELOG.md",
        ]
        .map(String::from),
    );
    documents
}

/// The anchors GitHub gives a Markdown text's headings: lowercased, punctuation but `-` and `_` dropped,
/// spaces as `-`, a repeated heading suffixed `-1`, `-2`, ...
fn anchors(markdown: &str) -> BTreeSet<String> {
    let mut anchors = BTreeSet::new();
    let mut fenced = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        }
        let Some(heading) = line.strip_prefix('#') else {
            continue;
        };
        if fenced {
            continue;
        }
        let text = heading.trim_start_matches('#').trim();
        let slug: String = text
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        let mut unique = slug.clone();
        let mut n = 0;
        while !anchors.insert(unique.clone()) {
            n += 1;
            unique = format!("{slug}-{n}");
        }
    }
    anchors
}

/// The targets of a Markdown text's inline links `[text](target)`, outside fenced code blocks.
fn link_targets(markdown: &str) -> Vec<String> {
    let mut targets = Vec::new();
    let mut fenced = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let mut rest = line;
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(close) = after.find(')') else { break };
            targets.push(after[..close].to_owned());
            rest = &after[close..];
        }
    }
    targets
}

#[test]
fn the_relative_links_resolve() {
    let mut broken = Vec::new();
    for document in linked_documents() {
        let text = read(&document);
        let base = Path::new(&document).parent().unwrap_or(Path::new(""));
        for target in link_targets(&text) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (path, anchor) = match target.split_once('#') {
                Some((path, anchor)) => (path, Some(anchor)),
                None => (target.as_str(), None),
            };
            let file: PathBuf = if path.is_empty() {
                PathBuf::from(&document)
            } else {
                base.join(path)
            };
            let full = root().join(&file);
            if !full.exists() {
                broken.push(format!(
                    "{document}: ({target}): no file {}",
                    file.display()
                ));
                continue;
            }
            if let Some(anchor) = anchor {
                let linked = std::fs::read_to_string(&full).unwrap_or_default();
                if !anchors(&linked).contains(anchor) {
                    broken.push(format!(
                        "{document}: ({target}): no heading #{anchor} in {}",
                        file.display()
                    ));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}
