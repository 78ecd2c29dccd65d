//! The fleet: what a tenant costs at rest, and many tenants' rows sent through one `Fleet` against the same
//! rows sent as one tenant.
//!
//!     cargo bench -p salesync-bench --bench fleet
//!
//! 1. Bytes per idle tenant: the growth of resident memory per tenant added to a `Fleet` (`IDLE`, default
//!    100,000 tenants), against separate clients, each with its own connection pool.
//! 2. `TENANTS` (default 10,000) Tencent accounts x `ROWS` rows each (default 10), interleaved row by row (the
//!    worst order for batching), through `Fleet::sync_stream` into the embedded mock, against the same rows
//!    as one account through `Client::sync_stream`. Wall time and requests; no pacing (the mock has no bucket
//!    for Tencent), 64 requests on the wire in both.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use salesync::client::{
    Fleet, FleetOptions, FleetRow, Row, Shopline, SyncEvent, SyncOptions, Tenant, TenantId, Tencent,
};
use salesync::tencent::salesinfo_add::{SalesinfoAdd, SalesinfoAddRequest};
use salesync::{ShoplineClient, TencentClient};
use salesync_bench::fixtures::tencent_item;
use salesync_mock::{MockConfig, MockServer, DEFAULT_TENCENT_TOKEN};

/// The process's resident memory, in bytes (Linux: `VmRSS` of /proc/self/status).
fn rss() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: f64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    kb * 1024.0
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Bytes per tenant of a fleet of `n`, and per client of separate clients: the growth of the resident memory
/// (nothing is dropped in between, so the allocator reuses nothing freed).
fn idle_bytes(n: usize) {
    let token = |i: usize| format!("shpat_{i:032}");
    let start = rss();
    let fleet = Fleet::<Shopline>::builder().build().unwrap();
    let empty = rss();
    for i in 0..n {
        let tenant = Tenant::new(format!("store-{i:06}")).access_token(token(i));
        fleet.add(tenant).unwrap();
    }
    let shopline = (rss() - empty) / n as f64;
    let tencent_fleet = Fleet::<Tencent>::builder().build().unwrap();
    let empty_tencent = rss();
    for i in 0..n {
        let tenant = Tenant::new(TenantId::from(1_000_000 + i as i64)).access_token(token(i));
        tencent_fleet.add(tenant).unwrap();
    }
    let tencent = (rss() - empty_tencent) / n as f64;
    let separate_before = rss();
    let clients: Vec<ShoplineClient> = (0..1000)
        .map(|i| {
            ShoplineClient::builder()
                .store(format!("store-{i:06}"))
                .access_token(token(i))
                .build()
                .unwrap()
        })
        .collect();
    let separate = (rss() - separate_before) / clients.len() as f64;
    println!("| what | resident bytes per tenant |");
    println!("| --- | ---: |");
    println!("| `Fleet<Shopline>`, {n} stores added | {shopline:.0} |");
    println!("| `Fleet<Tencent>`, {n} accounts added | {tencent:.0} |");
    println!("| a separate `ShoplineClient` each (its own connection pool), 1,000 built | {separate:.0} |");
    println!("(an empty fleet: {:.0} bytes)", empty - start);
    drop((fleet, tencent_fleet, clients));
}

fn envelope(account: &TenantId) -> SalesinfoAddRequest {
    SalesinfoAddRequest::builder()
        .account_id(account.parse::<i64>().unwrap_or_default())
        .user_action_set_id(1111111111)
        .data_set_id(1111111111)
        .salesinfo(vec![])
        .build()
}

/// How the rows of the fleet run are ordered.
#[derive(Clone, Copy)]
enum Order {
    /// Row 0 of every tenant, then row 1 of every tenant, ...
    Interleaved,
    /// Every row of tenant 0, then every row of tenant 1, ... (an export sorted by store).
    Grouped,
}

async fn fleet_run(
    mock: &MockServer,
    tenants: usize,
    rows: usize,
    order: Order,
    options: FleetOptions,
) -> (Duration, usize, usize) {
    let fleet = Fleet::<Tencent>::builder()
        .base_url(mock.url())
        .no_pacing()
        .concurrency(64)
        .build()
        .unwrap();
    for t in 0..tenants {
        let tenant = Tenant::new(TenantId::from(1_000_000 + t as i64));
        fleet
            .add(tenant.access_token(DEFAULT_TENCENT_TOKEN))
            .unwrap();
    }
    let input = futures_util::stream::iter((0..rows * tenants).map(move |n| {
        let (t, i) = match order {
            Order::Interleaved => (n % tenants, n / tenants),
            Order::Grouped => (n / rows, n % rows),
        };
        FleetRow {
            tenant: TenantId::from(1_000_000 + t as i64),
            row: Row {
                key: (),
                item: tencent_item(i * tenants + t),
                bytes: 300,
            },
        }
    }));
    let started = Instant::now();
    let mut events = fleet.sync_stream::<SalesinfoAdd, _, _, _>(envelope, input, options);
    let mut delivered = 0;
    while let Some(event) = events.next().await {
        match event.event {
            SyncEvent::Delivered { keys, .. } => delivered += keys.len(),
            other => panic!("{other:?}"),
        }
    }
    (started.elapsed(), delivered, events.requests())
}

async fn one_tenant_run(mock: &MockServer, total: usize) -> (Duration, usize, usize) {
    let client = TencentClient::builder()
        .base_url(mock.url())
        .access_token(DEFAULT_TENCENT_TOKEN)
        .no_pacing()
        .build()
        .unwrap();
    let input = futures_util::stream::iter((0..total).map(|i| Row {
        key: (),
        item: tencent_item(i),
        bytes: 300,
    }));
    let started = Instant::now();
    let mut events = client.sync_stream::<SalesinfoAdd, _, _>(
        envelope(&TenantId::from(1_000_000)),
        input,
        SyncOptions::default().concurrency(64),
    );
    let mut delivered = 0;
    while let Some(event) = events.next().await {
        match event {
            SyncEvent::Delivered { keys, .. } => delivered += keys.len(),
            other => panic!("{other:?}"),
        }
    }
    (started.elapsed(), delivered, events.requests())
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let tenants = env_usize("TENANTS", 10_000);
    let rows = env_usize("ROWS", 10);
    idle_bytes(env_usize("IDLE", 100_000));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let config = MockConfig::default().with_request_log_limit(1000);
        let mock = MockServer::start_with(config).await;
        println!();
        println!("| run | rows | requests | wall time | rows/s |");
        println!("| --- | ---: | ---: | ---: | ---: |");
        let defaults = FleetOptions::default();
        let roomy = FleetOptions::default()
            .open_batches(tenants)
            .held_bytes(tenants * rows * 300);
        let runs = [
            ("grouped by account, default bounds", Order::Grouped, defaults),
            ("interleaved row by row, default bounds", Order::Interleaved, defaults),
            ("interleaved, bounds that hold every row", Order::Interleaved, roomy),
        ];
        for (what, order, options) in runs {
            let (time, delivered, requests) = fleet_run(&mock, tenants, rows, order, options).await;
            assert_eq!(delivered, tenants * rows);
            println!(
                "| `Fleet`: {tenants} accounts x {rows} rows, {what} | {delivered} | {requests} | {:.2} s | {:.0} |",
                time.as_secs_f64(),
                delivered as f64 / time.as_secs_f64()
            );
            mock.reset();
        }
        let (time, delivered, requests) = one_tenant_run(&mock, tenants * rows).await;
        println!(
            "| one `Client`: the same rows as one account | {delivered} | {requests} | {:.2} s | {:.0} |",
            time.as_secs_f64(),
            delivered as f64 / time.as_secs_f64()
        );
    });
}
