//! `salesync mock`: the embedded mock of both platforms on a local port, until Ctrl-C, so that `push` (or any
//! client) can be tried without credentials; with `--stores` and `--accounts`, a fleet of Shopline stores and
//! Tencent accounts, each with its own token (and, for a store, its own bucket).

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use salesync_mock::{
    AfterStore, Fault, FleetCounts, MockConfig, MockServer, RandomFaults, TenantCounts, Vendor,
    DEFAULT_SHOPLINE_TOKEN, DEFAULT_TENCENT_TOKEN,
};

/// Arguments of `salesync mock`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1", value_name = "IP")]
    pub addr: IpAddr,

    /// Port to listen on (0 picks a free one)
    #[arg(long, default_value_t = 8080)]
    pub port: u16,

    /// Turn off Shopline's leaky bucket (4 requests/s, burst 40, per app and store)
    #[arg(long)]
    pub no_rate_limit: bool,

    /// Share of requests (0 to 1) that get a random fault: 429, 500, 503, a dropped connection, or records
    /// stored and then the connection dropped
    #[arg(long, default_value_t = 0.0, value_name = "RATE")]
    pub fault_rate: f64,

    /// Seed of the random faults
    #[arg(long, default_value_t = 1)]
    pub seed: u64,

    /// Milliseconds every answer is held back, as a remote platform's round trip would be
    #[arg(long, default_value_t = 0, value_name = "MS")]
    pub latency_ms: u64,

    /// Also serve N Shopline stores, store-00001 to store-N, each at <url>/stores/<handle> with the token
    /// token-<handle> and a bucket of its own
    #[arg(long, default_value_t = 0, value_name = "N", value_parser = clap::value_parser!(u32).range(..=MAX_TENANTS))]
    pub stores: u32,

    /// Serve N Tencent accounts, account_id 1 to N, each with the access token token-account-<id in 5 digits>;
    /// any other account_id is then refused with 12203
    #[arg(long, default_value_t = 0, value_name = "N", value_parser = clap::value_parser!(u32).range(..=MAX_TENANTS))]
    pub accounts: u32,
}

/// Most stores or accounts the flags register: far beyond any test, short of exhausting memory by a typo.
const MAX_TENANTS: i64 = 1_000_000;

/// The handle of the `i`th store `--stores` registers (from 1): `store-00001`.
fn store_handle(i: u32) -> String {
    format!("store-{i:05}")
}

/// A registered store's token: `token-store-00001`. The mock's test values, not secrets.
fn store_token(handle: &str) -> String {
    format!("token-{handle}")
}

/// The token of account `id` that `--accounts` registers: `token-account-00001`.
fn account_token(id: u32) -> String {
    format!("token-account-{id:05}")
}

/// Runs the mock until Ctrl-C; gives the exit code.
pub fn run(args: &Args) -> u8 {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            let _ = writeln!(
                std::io::stderr(),
                "salesync mock: cannot start the async runtime: {err}"
            );
            return 2;
        }
    };
    runtime.block_on(serve(args))
}

async fn serve(args: &Args) -> u8 {
    let mut config = MockConfig::default().with_latency(Duration::from_millis(args.latency_ms));
    if args.no_rate_limit {
        config = config.with_rate_limit(None);
    }
    config = config
        .with_shopline_stores((1..=args.stores).map(|i| {
            let handle = store_handle(i);
            let token = store_token(&handle);
            (handle, token)
        }))
        .with_tencent_accounts((1..=args.accounts).map(|id| (i64::from(id), account_token(id))));
    let rate = args.fault_rate.clamp(0.0, 1.0);
    if rate > 0.0 {
        let faults = vec![
            Fault::too_many_requests(None),
            Fault::status(500),
            Fault::status(503),
            Fault::DropConnection,
            Fault::StoreThenFail(AfterStore::DropConnection),
        ];
        for vendor in [Vendor::Shopline, Vendor::Tencent] {
            config = config
                .with_random_faults(vendor, RandomFaults::new(rate, faults.clone(), args.seed));
        }
    }
    let addr = SocketAddr::new(args.addr, args.port);
    let mock = match MockServer::start_on(addr, config).await {
        Ok(mock) => mock,
        Err(err) => {
            let _ = writeln!(
                std::io::stderr(),
                "salesync mock: cannot listen on {addr}: {err}"
            );
            return 2;
        }
    };
    let url = mock.url();
    // The mock's own test credentials: public, not secrets.
    let mut banner = format!(
        "salesync mock: Shopline and Tencent on {url} (Ctrl-C to stop)\n\
         \x20 export SALESYNC_BASE_URL={url}\n\
         \x20 export SALESYNC_SHOPLINE_TOKEN={DEFAULT_SHOPLINE_TOKEN}\n\
         \x20 export SALESYNC_TENCENT_ACCESS_TOKEN={DEFAULT_TENCENT_TOKEN}\n"
    );
    banner.push_str(&fleet_banner(&url, args));
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(banner.as_bytes())
        .and_then(|()| stdout.flush());
    drop(stdout);
    let _ = tokio::signal::ctrl_c().await;
    let counts = mock.counts();
    let requests = mock.requests().len();
    let tenants = (args.stores > 0 || args.accounts > 0).then(|| mock.tenant_counts());
    mock.shutdown().await;
    println!(
        "salesync mock: stopped after {requests} requests; it held {} Tencent salesinfo items, {} Shopline flows and {} flow nodes",
        counts.tencent_salesinfo, counts.shopline_flows, counts.shopline_nodes
    );
    if let Some(tenants) = tenants {
        println!("{}", fleet_summary(&tenants));
    }
    0
}

/// How to reach the stores and accounts the flags registered; empty without them, so the banner of a plain
/// `salesync mock` stays four lines.
fn fleet_banner(url: &str, args: &Args) -> String {
    let mut text = String::new();
    if args.stores > 0 {
        let (first, last) = (store_handle(1), store_handle(args.stores));
        text.push_str(&format!(
            "  {} Shopline store(s), {first} to {last}: base URL {url}/stores/<handle>, token token-<handle>\n\
             \x20   export SALESYNC_BASE_URL={url}/stores/{first} SALESYNC_SHOPLINE_TOKEN={}\n",
            args.stores,
            store_token(&first),
        ));
    }
    if args.accounts > 0 {
        text.push_str(&format!(
            "  {} Tencent account(s), account_id 1 to {}: access token token-account-<id in 5 digits>; any other \
             account_id gets 12203\n\
             \x20   export SALESYNC_TENCENT_ACCESS_TOKEN={}   # push with --account-id 1\n",
            args.accounts,
            args.accounts,
            account_token(1),
        ));
    }
    text
}

/// One line of what the stores and accounts got, for the end of a fleet test run by hand.
fn fleet_summary(tenants: &FleetCounts) -> String {
    let stores: TenantCounts = tenants.stores.values().sum();
    let accounts: TenantCounts = tenants.accounts.values().sum();
    format!(
        "salesync mock: {} stores accepted {} requests ({} bucket refusals, {} rate-limited, {} refused \
         credentials); {} accounts accepted {} ({} rate-limited, {} refused credentials)",
        tenants.stores.len(),
        stores.accepted,
        stores.bucket_refused,
        stores.rate_limited,
        stores.refused,
        tenants.accounts.len(),
        accounts.accepted,
        accounts.rate_limited,
        accounts.refused,
    )
}
