//! The fleet over the mock: many stores and accounts behind one object, each with its own token, envelope
//! and pace; rows in any order; every row out exactly once, tagged with its tenant; a refused tenant stops
//! alone; memory bounded by the options whatever the order of the rows.

use crate::clients_common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clients_common::*;
use futures_util::StreamExt;
use salesync::client::{
    Fleet, FleetEvent, FleetOptions, FleetRow, Pace, Row, Shopline, SyncEvent, SyncOptions, Tenant,
    TenantId, Tencent,
};
use salesync::shopline::batch_sync_flow_data::{BatchSyncFlowData, BatchSyncFlowDataRequest};
use salesync::tencent::salesinfo_add::{SalesinfoAdd, SalesinfoAddRequest};
use salesync::ErrorClass;
use salesync_mock::{MockConfig, MockServer};

/// What became of each row, by tenant.
#[derive(Default, Debug)]
struct Fates {
    of: BTreeMap<(String, usize), String>,
    requests_by_tenant: BTreeMap<String, usize>,
}

impl Fates {
    fn record(&mut self, event: FleetEvent<usize>) {
        let tenant = event.tenant.to_string();
        let mut mark = |key: usize, fate: String| {
            let previous = self.of.insert((tenant.clone(), key), fate);
            assert!(previous.is_none(), "row {key} of {tenant} came out twice");
        };
        match event.event {
            SyncEvent::Rejected { key, violations } => {
                let rules: Vec<&str> = violations.iter().map(|v| v.rule).collect();
                mark(key, format!("rejected:{}", rules.join(",")));
            }
            SyncEvent::Delivered { keys, .. } => {
                *self.requests_by_tenant.entry(tenant.clone()).or_default() += 1;
                keys.into_iter()
                    .for_each(|key| mark(key, "delivered".to_owned()));
            }
            SyncEvent::Refused { key, .. } => mark(key, "refused".to_owned()),
            SyncEvent::Failed { keys, error } => {
                let fate = format!("failed:{}", error.class().as_str());
                keys.into_iter().for_each(|key| mark(key, fate.clone()));
            }
            SyncEvent::Unsent { keys } => keys
                .into_iter()
                .for_each(|key| mark(key, "unsent".to_owned())),
            _ => unreachable!("no other event"),
        }
    }

    fn count(&self, tenant: &str, fate: &str) -> usize {
        self.of
            .iter()
            .filter(|((t, _), f)| t == tenant && f.as_str() == fate)
            .count()
    }
}

fn store_token(store: &str) -> String {
    format!("shopline-tok-{store}-Zq7x9Kp2")
}

/// The store's `store_id` member: a number of its own per store.
fn store_id(store: &TenantId) -> String {
    let n: u64 = store.bytes().map(u64::from).sum();
    format!("16589{n:08}")
}

fn store_envelope(store: &TenantId) -> BatchSyncFlowDataRequest {
    let mut envelope = shopline_envelope();
    envelope.store_id = store_id(store);
    envelope
}

fn account_envelope(account: &TenantId) -> SalesinfoAddRequest {
    let mut envelope = tencent_envelope();
    envelope.account_id = account.parse().expect("accounts are numbers");
    envelope
}

fn shopline_fleet(mock: &MockServer, stores: &[&str]) -> Fleet<Shopline> {
    let fleet = Fleet::<Shopline>::builder()
        .base_url(mock.url())
        .retry(quick(3))
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    for store in stores {
        fleet
            .add(Tenant::new(*store).access_token(store_token(store)))
            .unwrap();
    }
    fleet
}

/// Rows `0..per_tenant` of every tenant, one tenant after the other for each index (the worst order for
/// batching: every tenant has a batch open at once).
fn interleaved<T>(
    tenants: &[String],
    per_tenant: usize,
    item: impl Fn(usize) -> T,
    bytes: usize,
) -> Vec<FleetRow<usize, T>> {
    (0..per_tenant)
        .flat_map(|i| tenants.iter().map(move |tenant| (i, tenant)))
        .map(|(i, tenant)| FleetRow {
            tenant: TenantId::from(tenant.as_str()),
            row: Row {
                key: i,
                item: item(i),
                bytes,
            },
        })
        .collect()
}

#[tokio::test]
async fn stores_get_their_own_rows_token_and_envelope_and_unknown_stores_are_rejected() {
    let stores = ["store-a", "store-b", "store-c"];
    let mock = MockServer::start_with(
        MockConfig::default().with_shopline_tokens(stores.iter().map(|s| store_token(s))),
    )
    .await;
    let fleet = shopline_fleet(&mock, &stores);
    let mut names: Vec<String> = stores.iter().map(|s| s.to_string()).collect();
    names.push("store-x".to_owned());
    let rows = interleaved(&names, 45, flow, 100);
    let options = FleetOptions::default().sync(SyncOptions::default().batch_rows(20));
    let mut events = fleet.sync_stream::<BatchSyncFlowData, _, _, _>(
        store_envelope,
        futures_util::stream::iter(rows),
        options,
    );
    let mut fates = Fates::default();
    while let Some(event) = events.next().await {
        fates.record(event);
    }
    for store in stores {
        assert_eq!(fates.count(store, "delivered"), 45, "{fates:?}");
        // 45 rows in batches of 20: three requests each.
        assert_eq!(fates.requests_by_tenant[store], 3);
    }
    assert_eq!(fates.count("store-x", "rejected:tenant"), 45);
    assert_eq!(fates.of.len(), 4 * 45);
    assert!(events.stopped_tenants().next().is_none());
    // Each request carried its store's token and envelope; the mock keeps each store's flows apart.
    let sent = settle(&mock).await;
    assert_eq!(sent.len(), 9);
    for request in &sent {
        assert_eq!(request.status, Some(200));
        let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
        let id = body["store_id"].as_str().unwrap();
        let store = stores
            .iter()
            .find(|s| store_id(&TenantId::from(**s)) == id)
            .unwrap();
        let expected = format!("Bearer {}", store_token(store));
        assert_eq!(request.header("authorization"), Some(expected.as_str()));
    }
    let by_store: BTreeSet<(String, String)> = mock
        .shopline_flow_records()
        .into_iter()
        .map(|record| (record.store_id, record.flow.flow_id))
        .collect();
    assert_eq!(by_store.len(), 3 * 45);
}

#[tokio::test]
async fn a_store_whose_token_is_refused_stops_alone() {
    let good = ["store-a", "store-b"];
    let mock = MockServer::start_with(
        MockConfig::default().with_shopline_tokens(good.iter().map(|s| store_token(s))),
    )
    .await;
    let fleet = shopline_fleet(&mock, &["store-a", "store-b", "store-refused"]);
    let names: Vec<String> = ["store-a", "store-refused", "store-b"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    // Two batches of a store in flight at once.
    let sync = SyncOptions::default().batch_rows(10).concurrency(2);
    let options = FleetOptions::default().sync(sync);
    let mut events = fleet.sync_stream::<BatchSyncFlowData, _, _, _>(
        store_envelope,
        futures_util::stream::iter(interleaved(&names, 60, flow, 100)),
        options,
    );
    let mut fates = Fates::default();
    while let Some(event) = events.next().await {
        fates.record(event);
    }
    for store in good {
        assert_eq!(fates.count(store, "delivered"), 60, "{fates:?}");
    }
    assert_eq!(fates.count("store-refused", "failed:token_rejected"), 60);
    // Every row of the batches halted with it came out too: none is still held.
    assert_eq!(events.held_bytes(), 0);
    let error = events.stopped("store-refused").expect("stopped");
    assert_eq!(error.class(), ErrorClass::TokenRejected);
    assert!(events.stopped("store-a").is_none());
    // The refused store sent no more than the batches it had in flight when the first answer came (2), of
    // its six; no token appears in what the error says.
    let refused = settle(&mock)
        .await
        .iter()
        .filter(|request| request.status == Some(401))
        .count();
    assert!((1..=2).contains(&refused), "{refused} requests refused");
    assert!(!error.to_string().contains("shopline-tok-"), "{error}");
}

#[tokio::test]
async fn accounts_interleaved_row_by_row_stay_within_the_memory_bounds() {
    let mock = mock().await;
    let fleet = Fleet::<Tencent>::builder()
        .base_url(mock.url())
        .retry(quick(3))
        .no_pacing()
        .build()
        .unwrap();
    let accounts: Vec<String> = (0..300).map(|n| (700_000 + n).to_string()).collect();
    for account in &accounts {
        fleet
            .add(Tenant::new(account.as_str()).access_token(TENCENT_TOKEN))
            .unwrap();
    }
    let (row_bytes, held_limit) = (200, 200 * 64);
    let options = FleetOptions::default()
        .open_batches(25)
        .held_bytes(held_limit);
    let mut rows = interleaved(&accounts, 6, sales_item, row_bytes);
    // One invalid row: rejected with its position in the whole input.
    let bad = FleetRow {
        tenant: TenantId::from(accounts[3].as_str()),
        row: Row {
            key: 99,
            item: overpriced_item(99),
            bytes: row_bytes,
        },
    };
    rows.insert(1000, bad);
    let mut events = fleet.sync_stream::<SalesinfoAdd, _, _, _>(
        account_envelope,
        futures_util::stream::iter(rows),
        options,
    );
    let mut fates = Fates::default();
    let mut most_held = 0;
    while let Some(event) = events.next().await {
        if let SyncEvent::Rejected { violations, .. } = &event.event {
            let pointer = &violations.iter().next().unwrap().pointer;
            assert!(pointer.starts_with("/salesinfo/1000/price"), "{pointer}");
        }
        most_held = most_held.max(events.held_bytes());
        fates.record(event);
    }
    assert!(most_held <= held_limit + row_bytes, "{most_held}");
    assert_eq!(events.held_bytes(), 0);
    let delivered = fates.of.values().filter(|f| *f == "delivered").count();
    assert_eq!(delivered, 300 * 6);
    assert_eq!(
        fates.count(&accounts[3], "rejected:x-compare"),
        1,
        "{fates:?}"
    );
    // Every account's six rows reached the mock under its own account id.
    let by_account: BTreeSet<(i64, String)> = mock
        .tencent_salesinfo_records()
        .into_iter()
        .map(|record| (record.account_id, record.item.external_sku_id))
        .collect();
    assert_eq!(by_account.len(), 300 * 6);
}

#[tokio::test]
async fn the_wire_limit_holds_for_the_whole_fleet() {
    let mock = MockServer::start_with(mock_config().with_latency(Duration::from_millis(60))).await;
    let fleet = Fleet::<Tencent>::builder()
        .base_url(mock.url())
        .retry(quick(3))
        .no_pacing()
        .concurrency(2)
        .build()
        .unwrap();
    let accounts: Vec<String> = (0..8).map(|n| (800_000 + n).to_string()).collect();
    for account in &accounts {
        fleet
            .add(Tenant::new(account.as_str()).access_token(TENCENT_TOKEN))
            .unwrap();
    }
    let started = Instant::now();
    let mut events = fleet.sync_stream::<SalesinfoAdd, _, _, _>(
        account_envelope,
        futures_util::stream::iter(interleaved(&accounts, 1, sales_item, 200)),
        FleetOptions::default(),
    );
    let mut fates = Fates::default();
    while let Some(event) = events.next().await {
        fates.record(event);
    }
    assert_eq!(fates.of.len(), 8);
    // Eight requests of at least 60 ms, two at a time: at least four rounds.
    assert!(
        started.elapsed() >= Duration::from_millis(4 * 60),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(events.requests(), 8);
}

#[tokio::test]
async fn each_tenant_keeps_its_own_pace_and_tells_it_by_name() {
    let mock = mock().await;
    let paced: Arc<Mutex<BTreeSet<String>>> = Arc::default();
    let heard = paced.clone();
    let fleet = Fleet::<Tencent>::builder()
        .base_url(mock.url())
        .retry(quick(3))
        .pace(Pace::per_second(20, 1))
        .on_pace(move |tenant, _state| {
            heard.lock().unwrap().insert(tenant.to_string());
        })
        .build()
        .unwrap();
    for account in ["900001", "900002"] {
        fleet
            .add(Tenant::new(account).access_token(TENCENT_TOKEN))
            .unwrap();
    }
    let response = fleet
        .call::<SalesinfoAdd>("900001", &tencent_request(items(0..2)))
        .await
        .unwrap();
    assert_eq!(response.status, 200);
    fleet
        .call::<SalesinfoAdd>("900002", &tencent_request(items(2..4)))
        .await
        .unwrap();
    let heard: Vec<String> = paced.lock().unwrap().iter().cloned().collect();
    assert_eq!(heard, ["900001", "900002"]);
    assert!(fleet.pace_state("900001").is_some());
    let unknown = fleet
        .call::<SalesinfoAdd>("900003", &tencent_request(items(0..1)))
        .await
        .unwrap_err();
    assert!(
        unknown.to_string().contains("no tenant `900003`"),
        "{unknown}"
    );
}

#[test]
fn tenants_are_checked_and_their_tokens_never_shown() {
    let fleet = Fleet::<Shopline>::builder()
        .base_url("http://127.0.0.1:9/stores/{tenant}")
        .build()
        .unwrap();
    fleet
        .add(Tenant::new("store-a").access_token(SHOPLINE_TOKEN))
        .unwrap();
    let client = fleet.client("store-a").unwrap();
    assert_eq!(client.base_url(), "http://127.0.0.1:9/stores/store-a");
    for bad in ["a/b", "..", "", "x?y"] {
        let error = fleet
            .add(Tenant::new(bad).access_token(SHOPLINE_TOKEN))
            .unwrap_err();
        assert!(
            error.to_string().contains("cannot go into a URL"),
            "{error}"
        );
    }
    let missing = fleet.add(Tenant::new("store-b")).unwrap_err();
    assert!(missing.to_string().contains("store-b"), "{missing}");
    assert_eq!(fleet.len(), 1);
    for text in [
        format!("{fleet:?}"),
        format!("{client:?}"),
        format!("{:?}", Tenant::new("s").access_token(SHOPLINE_TOKEN)),
    ] {
        assert_no_secret("fleet debug", &text);
    }
    // The default base URL is the store's own host.
    let real = Fleet::<Shopline>::builder().build().unwrap();
    real.add(Tenant::new("My-Store").access_token("t")).unwrap();
    assert_eq!(
        real.client("My-Store").unwrap().base_url(),
        "https://my-store.myshopline.com"
    );
    assert!(real.remove("My-Store") && real.is_empty());
}

/// The fleet's stream can be driven from a spawned task.
#[test]
fn the_stream_is_send() {
    fn send<T: Send>(_: &T) {}
    let fleet = Fleet::<Tencent>::builder().build().unwrap();
    let rows = futures_util::stream::iter(Vec::<FleetRow<usize, _>>::new());
    let stream = fleet.sync_stream::<SalesinfoAdd, usize, _, _>(
        account_envelope,
        rows,
        FleetOptions::default(),
    );
    send(&stream);
}

#[tokio::test]
async fn every_store_keeps_under_its_own_bucket() {
    let stores = ["store-a", "store-b", "store-c"];
    let limit = salesync_mock::RateLimit {
        per_second: 40.0,
        burst: 10,
    };
    let mock = MockServer::start_with(
        MockConfig::default()
            .with_shopline_tokens(stores.iter().map(|s| store_token(s)))
            .with_rate_limit(Some(limit)),
    )
    .await;
    let fleet = Fleet::<Shopline>::builder()
        .base_url(mock.url())
        .retry(quick(3))
        .pace(Pace::per_second(40, 9))
        .build()
        .unwrap();
    for store in stores {
        fleet
            .add(Tenant::new(store).access_token(store_token(store)))
            .unwrap();
    }
    let names: Vec<String> = stores.iter().map(|s| s.to_string()).collect();
    // One row per request: 30 requests per store, three times its bucket.
    let options = FleetOptions::default().sync(SyncOptions::default().batch_rows(1).concurrency(2));
    let mut events = fleet.sync_stream::<BatchSyncFlowData, _, _, _>(
        store_envelope,
        futures_util::stream::iter(interleaved(&names, 30, flow, 100)),
        options,
    );
    let mut fates = Fates::default();
    while let Some(event) = events.next().await {
        fates.record(event);
    }
    for store in stores {
        assert_eq!(fates.count(store, "delivered"), 30, "{fates:?}");
    }
    let statuses: Vec<Option<u16>> = settle(&mock).await.iter().map(|r| r.status).collect();
    assert_eq!(statuses.len(), 90);
    assert!(statuses.iter().all(|s| *s == Some(200)), "{statuses:?}");
}

#[tokio::test]
async fn finishing_early_accounts_for_every_row_read() {
    let mock = mock().await;
    let fleet = Fleet::<Tencent>::builder()
        .base_url(mock.url())
        .retry(quick(3))
        .no_pacing()
        .build()
        .unwrap();
    let accounts: Vec<String> = (0..5).map(|n| (600_000 + n).to_string()).collect();
    for account in &accounts {
        fleet
            .add(Tenant::new(account.as_str()).access_token(TENCENT_TOKEN))
            .unwrap();
    }
    // 25 rows per account so far, and more may come: a batch of 20 each is full, 5 rows each wait in open ones.
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    for row in interleaved(&accounts, 25, sales_item, 200) {
        tx.send(row).unwrap();
    }
    let rows = tokio_stream_of(rx);
    let options = FleetOptions::default().sync(SyncOptions::default().batch_rows(20));
    let mut events = fleet.sync_stream::<SalesinfoAdd, _, _, _>(account_envelope, rows, options);
    let mut fates = Fates::default();
    while let Some(event) = events.next().await {
        if matches!(event.event, SyncEvent::Delivered { .. }) && fates.of.is_empty() {
            events.finish();
        }
        fates.record(event);
    }
    drop(tx);
    let delivered = fates.of.values().filter(|f| *f == "delivered").count();
    let unsent = fates.of.values().filter(|f| *f == "unsent").count();
    assert_eq!(
        (delivered, unsent, fates.of.len()),
        (100, 25, 125),
        "{fates:?}"
    );
    assert_eq!(events.held_bytes(), 0);
    assert_eq!(mock.tencent_salesinfo_records().len(), delivered);
}

fn tokio_stream_of<T>(
    mut rx: tokio::sync::mpsc::UnboundedReceiver<T>,
) -> impl futures_util::Stream<Item = T> {
    futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))
}

/// The mock's stores on their own routes (`/stores/{handle}`), as the platform's stores are on their own hosts:
/// a frozen store (402) stops alone, and each store's rows land in that store.
#[tokio::test]
async fn stores_on_their_own_routes_and_a_frozen_store_stops_alone() {
    let stores = ["store-a", "store-b", "store-frozen"];
    let mock = MockServer::start_with(
        MockConfig::default()
            .with_shopline_stores(stores.iter().map(|s| (s.to_string(), store_token(s)))),
    )
    .await;
    assert!(mock.refuse_store("store-frozen", 402));
    let fleet = Fleet::<Shopline>::builder()
        .base_url(format!("{}/stores/{{tenant}}", mock.url()))
        .retry(quick(3))
        .build()
        .unwrap();
    for store in stores {
        fleet
            .add(Tenant::new(store).access_token(store_token(store)))
            .unwrap();
    }
    let names: Vec<String> = stores.iter().map(|s| s.to_string()).collect();
    let mut events = fleet.sync_stream::<BatchSyncFlowData, _, _, _>(
        store_envelope,
        futures_util::stream::iter(interleaved(&names, 30, flow, 100)),
        FleetOptions::default(),
    );
    let mut fates = Fates::default();
    while let Some(event) = events.next().await {
        fates.record(event);
    }
    assert_eq!(fates.count("store-frozen", "failed:account_rejected"), 30);
    let error = events.stopped("store-frozen").unwrap();
    assert_eq!(error.class(), ErrorClass::AccountRejected);
    for store in ["store-a", "store-b"] {
        assert_eq!(fates.count(store, "delivered"), 30, "{fates:?}");
        assert_eq!(mock.shopline_flows_of(store).len(), 30);
        assert_eq!(mock.store_counts(store).unwrap().bucket_refused, 0);
    }
    assert!(mock.shopline_flows_of("store-frozen").is_empty());
}
