//! `salesync mock`: the embedded mock of both platforms on a local port, until Ctrl-C, so that `push` (or any
//! client) can be tried without credentials.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use salesync_mock::{
    AfterStore, Fault, MockConfig, MockServer, RandomFaults, Vendor, DEFAULT_SHOPLINE_TOKEN,
    DEFAULT_TENCENT_TOKEN,
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
    let banner = format!(
        "salesync mock: Shopline and Tencent on {url} (Ctrl-C to stop)\n\
         \x20 export SALESYNC_BASE_URL={url}\n\
         \x20 export SALESYNC_SHOPLINE_TOKEN={DEFAULT_SHOPLINE_TOKEN}\n\
         \x20 export SALESYNC_TENCENT_ACCESS_TOKEN={DEFAULT_TENCENT_TOKEN}\n"
    );
    let mut stdout = std::io::stdout().lock();
    let _ = stdout
        .write_all(banner.as_bytes())
        .and_then(|()| stdout.flush());
    drop(stdout);
    let _ = tokio::signal::ctrl_c().await;
    let counts = mock.counts();
    let requests = mock.requests().len();
    mock.shutdown().await;
    println!(
        "salesync mock: stopped after {requests} requests; it held {} Tencent salesinfo items, {} Shopline flows and {} flow nodes",
        counts.tencent_salesinfo, counts.shopline_flows, counts.shopline_nodes
    );
    0
}
