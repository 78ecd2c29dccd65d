//! The pace survives the process and holds under faults.
//!
//! Against a platform that enforces Shopline's bucket (4 requests/s, 40 at most), a second push right after
//! the first, and a push killed and restarted at once, draw no rate-limit answers; without the pace file the
//! same second push does.
//!
//! Under 15% injected faults (`Fault::mix`: 429 with `Retry-After`, the bucket's own refusal, 503, requests
//! held past the attempt timeout, a busy code), a push keeps within 1.3x of the least time the documented limit
//! allows for the requests the platform received, retries included ([`Limit::documented`]), and a push killed
//! and restarted keeps as close to it as a fresh one, with no bucket 429 (at most one at the scaled rate, where
//! scheduling jitter on shared cores is a whole period: `Scenario::refusals_allowed`). Those runs scale the platform's
//! time down tenfold (the same 40-deep bucket draining at 40/s, `Retry-After` of 100 ms; the client's pace,
//! backoff and timeout scaled alike: `--pace-scale 10`), so each ratio is measured in a few seconds;
//! `realistic_rate_runs_keep_within_1_3x_of_the_documented_time` (ignored) runs them at the real rate:
//! `cargo test -p salesync-cli --test push_pace -- --ignored --nocapture` (about two minutes).
//!
//! `PUSH_PACE_SEED=n` runs the fault runs with another seed (to see the spread of the ratio);
//! `PUSH_PACE_TIMELINE=FILE` writes each fault run's requests (arrival, answer, fault) to `FILE`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime};

use salesync_mock::{
    Fault, MockConfig, MockServer, RandomFaults, RateLimit, RecordedRequest, Vendor,
    DEFAULT_SHOPLINE_TOKEN, DEFAULT_TENCENT_TOKEN,
};
use serde_json::{json, Value};

const SHOPLINE: &str = "shopline.batch_sync_flow_data";
const TENCENT: &str = "tencent.salesinfo_add";
const STORE: &str = "1658921299465";
const APP_KEY: &str = "app-key-1";

/// The tests of this file measure time: one at a time, so that they do not take each other's cores.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A scratch directory of its own for each test.
fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("push-pace-{test}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

/// The mock with Shopline's bucket on (its default), on a runtime of its own.
struct Mock {
    server: MockServer,
    _runtime: tokio::runtime::Runtime,
}

impl Mock {
    fn start() -> Mock {
        let config = MockConfig::default();
        assert!(config.rate_limit.is_some(), "the bucket is on by default");
        Mock::start_with(config)
    }

    fn start_with(config: MockConfig) -> Mock {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let server = runtime.block_on(MockServer::start_with(config));
        Mock {
            server,
            _runtime: runtime,
        }
    }

    /// Shopline requests answered so far, and how many of them were 429s.
    fn answered(&self) -> (usize, usize) {
        let requests = self.server.requests_to(Vendor::Shopline);
        let limited = requests.iter().filter(|r| r.status == Some(429)).count();
        (requests.len(), limited)
    }
}

/// `count` flows named `{prefix}-{n}`, one per line.
fn flows(dir: &Path, prefix: &str, count: usize) -> PathBuf {
    let file = dir.join(format!("{prefix}.jsonl"));
    let lines: String = (0..count)
        .map(|n| {
            json!({
                "flow_id": format!("{prefix}-{n}"),
                "occurred_on": 1_672_365_600_000_u64,
                "send_count": 10,
                "trigger_num": 12,
                "order_num": 1,
                "order_amount": 1990,
            })
            .to_string()
                + "\n"
        })
        .collect();
    fs::write(&file, lines).unwrap();
    file
}

/// One request per row at the platform's default pace, with the pace files in `pace_dir`.
fn push_command(mock: &Mock, file: &Path, pace_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_salesync"));
    command
        .args(["push", SHOPLINE])
        .arg(file)
        .args(["--base-url", &mock.server.url()])
        .args(["--json", "--progress", "log", "--batch-size", "1"])
        .args(["--store-id", STORE, "--source-type", "crm"])
        .arg("--pace-dir")
        .arg(pace_dir)
        .env_remove("SALESYNC_BASE_URL")
        .env("SALESYNC_SHOPLINE_TOKEN", DEFAULT_SHOPLINE_TOKEN)
        .env("SALESYNC_SHOPLINE_APP_KEY", APP_KEY)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

fn push(mock: &Mock, file: &Path, pace_dir: &Path) -> (i32, Value) {
    let output = push_command(mock, file, pace_dir).output().unwrap();
    summary_of(&output)
}

fn summary_of(output: &Output) -> (i32, Value) {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let summary = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|err| panic!("summary is not JSON ({err}): {stdout}\nstderr: {stderr}"));
    (output.status.code().unwrap_or(-1), summary)
}

#[test]
fn two_pushes_to_one_store_back_to_back_draw_no_rate_limit_answers() {
    let _serial = one_at_a_time();
    let mock = Mock::start();
    let dir = scratch("back-to-back");
    let pace_dir = dir.join("state");

    // The first fills the bucket (a burst of 39, then 4 a second); the second starts at once.
    let first = flows(&dir, "first", 45);
    let (code, summary) = push(&mock, &first, &pace_dir);
    assert_eq!((code, &summary["sent"]), (0, &json!(45)), "{summary}");
    let second = flows(&dir, "second", 10);
    let started = Instant::now();
    let (code, summary) = push(&mock, &second, &pace_dir);
    assert_eq!((code, &summary["sent"]), (0, &json!(10)), "{summary}");
    assert_eq!(mock.answered(), (55, 0), "a rate-limit answer was drawn");
    // It waited for the bucket to drain: ten requests at 4 a second into a full bucket.
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );

    // The control: the same second push without the pace file opens with a burst into the full bucket, and
    // the platform answers it with 429s (retried: every row still arrives).
    let third = flows(&dir, "third", 10);
    let (code, summary) = push(&mock, &third, &dir.join("fresh-state"));
    assert_eq!((code, &summary["sent"]), (0, &json!(10)), "{summary}");
    let (requests, limited) = mock.answered();
    assert!(
        limited > 0,
        "{requests} requests, none rate limited: the control proves nothing"
    );
    assert_eq!(mock.server.shopline_flows().len(), 65);
}

#[test]
fn a_push_killed_and_restarted_at_once_draws_no_rate_limit_answers() {
    let _serial = one_at_a_time();
    let mock = Mock::start();
    let dir = scratch("killed");
    let pace_dir = dir.join("state");
    let file = flows(&dir, "daily", 60);

    // Killed (SIGKILL: nothing is saved on the way out) once the burst is through.
    let mut child = push_command(&mock, &file, &pace_dir).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while mock.answered().0 < 42 {
        assert!(
            Instant::now() < deadline,
            "the first push did not get going"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    let killed = child.wait_with_output().unwrap();
    assert!(!killed.status.success(), "it ended before it was killed");
    let (sent_before, _) = mock.answered();

    // Restarted at once: the checkpoint skips what was confirmed, the pace file holds the bucket back.
    let (code, summary) = push(&mock, &file, &pace_dir);
    assert_eq!(code, 0, "{summary}");
    let (requests, limited) = mock.answered();
    assert_eq!(limited, 0, "{requests} requests, {limited} rate limited");
    assert!(requests > sent_before, "the restart sent nothing");
    assert_eq!(mock.server.shopline_flows().len(), 60, "{summary}");
}

// Pushes under faults, measured against the documented limit.

/// A platform's documented limit, `scale` times faster: the yardstick of a paced run.
#[derive(Debug, Clone, Copy)]
struct Limit {
    /// Requests that go at once into an empty bucket.
    burst: f64,
    /// Requests drained a second.
    per_second: f64,
}

impl Limit {
    /// Shopline: a leaky bucket of 40 that drains 4 requests a second, per app and store.
    fn shopline(scale: f64) -> Limit {
        Limit {
            burst: 40.0,
            per_second: 4.0 * scale,
        }
    }

    /// Tencent: 1,000 calls a minute per interface, and no documented burst. A per-minute count would let
    /// any 196 calls go at once; but not knowing how the platform counts its minute, a client that must never
    /// pass 1,000 in any minute spreads them at 60 ms, with the small burst it allows itself (10). That
    /// spread is the budget.
    fn tencent(scale: f64) -> Limit {
        Limit {
            burst: 10.0,
            per_second: 1000.0 / 60.0 * scale,
        }
    }

    /// The least time `requests` take from a bucket that holds `level` already: what fits goes at once, each
    /// other request waits one drain period: `max(0, requests - (burst - level)) / per_second`. For Shopline's
    /// 195 from an empty bucket, (195 - 40) / 4 s = 38.75 s (the "about 49 s" is 195 / 4, the time
    /// without the burst); for Tencent's 196, (196 - 10) × 60 ms = 11.16 s.
    fn documented(&self, requests: usize, level: f64) -> Duration {
        let room = (self.burst - level).max(0.0);
        Duration::from_secs_f64((requests as f64 - room).max(0.0) / self.per_second)
    }
}

/// Faulted requests, as in the issue.
const FAULT_RATE: f64 = 0.15;
/// Requests of each push, as in the issue (retries come on top).
const SHOPLINE_REQUESTS: usize = 195;
const TENCENT_REQUESTS: usize = 196;
/// The bound of the issue: a paced push under faults within 1.3x of the documented time.
const WITHIN: f64 = 1.3;
/// The scale of the fast runs.
const FAST: f64 = 10.0;

/// `default`, or `PUSH_PACE_SEED`.
fn seed(default: u64) -> u64 {
    std::env::var("PUSH_PACE_SEED")
        .ok()
        .and_then(|seed| seed.parse().ok())
        .unwrap_or(default)
}

/// One push under faults: the platform's time `scale` times faster, 15% of requests faulted with a seed.
#[derive(Debug, Clone, Copy)]
struct Scenario {
    vendor: Vendor,
    scale: f64,
    seed: u64,
}

impl Scenario {
    fn limit(&self) -> Limit {
        match self.vendor {
            Vendor::Shopline => Limit::shopline(self.scale),
            Vendor::Tencent => Limit::tencent(self.scale),
        }
    }

    /// Bucket refusals a run may draw: none at the real rate. At a tenth of it, one period is 25 ms and the
    /// client's headroom is one request, so a request held that long between taking its place and reaching
    /// the bucket (two cores shared with other work) can overflow it by one; a pacing fault draws many.
    fn refusals_allowed(&self) -> usize {
        usize::from(self.scale > 1.0)
    }

    /// `real` seconds of the real platform, scaled.
    fn seconds(&self, real: f64) -> Duration {
        Duration::from_secs_f64(real / self.scale)
    }

    /// The mock: Shopline's bucket at the scaled rate, `Retry-After` sent exactly, and the mix of faults with
    /// the real platform's times scaled: `Retry-After: 1`, requests held 4 s (the client gives up at 2 s).
    fn mock(&self) -> Mock {
        let faults = Fault::mix(self.vendor, self.seconds(1.0), self.seconds(4.0));
        let bucket = RateLimit {
            per_second: 4.0 * self.scale,
            burst: 40,
        };
        let config = MockConfig::default()
            .with_rate_limit(Some(bucket))
            .with_exact_retry_after(true)
            .with_random_faults(
                self.vendor,
                RandomFaults::new(FAULT_RATE, faults, self.seed),
            );
        Mock::start_with(config)
    }

    /// Rows for `requests` batches: 20 flows a request (Shopline), 10 items (Tencent).
    fn rows(&self, dir: &Path, prefix: &str, requests: usize) -> PathBuf {
        match self.vendor {
            Vendor::Shopline => flows(dir, prefix, requests * 20),
            Vendor::Tencent => items(dir, prefix, requests * 10),
        }
    }

    /// `salesync push` at the platform's default pace, scaled, with the pace files in `pace_dir`: 4 requests
    /// in flight, an attempt timeout of 2 s, a first backoff of 500 ms (scaled), 8 attempts.
    fn command(&self, mock: &Mock, file: &Path, pace_dir: &Path) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_salesync"));
        let scale = self.scale.to_string();
        let timeout = self.seconds(2.0).as_secs_f64().to_string();
        let backoff = self.seconds(0.5).as_millis().to_string();
        command
            .args(["push", self.endpoint()])
            .arg(file)
            .args(["--base-url", &mock.server.url()])
            .args(["--json", "--progress", "log", "--concurrency", "4"])
            .args(["--pace-scale", &scale, "--timeout", &timeout])
            .args(["--retry-backoff-ms", &backoff, "--max-attempts", "8"])
            .arg("--pace-dir")
            .arg(pace_dir)
            .env_remove("SALESYNC_BASE_URL")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        match self.vendor {
            Vendor::Shopline => command
                .args(["--batch-size", "20"])
                .args(["--store-id", STORE, "--source-type", "crm"])
                .env("SALESYNC_SHOPLINE_TOKEN", DEFAULT_SHOPLINE_TOKEN)
                .env("SALESYNC_SHOPLINE_APP_KEY", APP_KEY),
            Vendor::Tencent => command
                .args(["--batch-size", "10"])
                .args(["--account-id", "11", "--user-action-set-id", "22"])
                .args(["--data-set-id", "33"])
                .env("SALESYNC_TENCENT_ACCESS_TOKEN", DEFAULT_TENCENT_TOKEN),
        };
        command
    }

    fn endpoint(&self) -> &'static str {
        match self.vendor {
            Vendor::Shopline => SHOPLINE,
            Vendor::Tencent => TENCENT,
        }
    }

    /// The bucket's level now (Tencent's budget is not a bucket the mock keeps: 0).
    fn level(&self, mock: &Mock) -> f64 {
        match self.vendor {
            Vendor::Shopline => mock
                .server
                .shopline_bucket_level(APP_KEY, STORE)
                .unwrap_or(0.0),
            Vendor::Tencent => 0.0,
        }
    }

    /// Runs `command` to its end and measures it against the documented time.
    fn measure(&self, mock: &Mock, mut command: Command) -> Measured {
        let before = mock.server.requests_to(self.vendor).len();
        let level = self.level(mock);
        let started = Instant::now();
        let output = command.output().unwrap();
        let ended = SystemTime::now();
        let process = started.elapsed();
        let (code, summary) = summary_of(&output);
        let log = mock.server.requests_to(self.vendor);
        let run = &log[before.min(log.len())..];
        write_timeline(run);
        // From the first request the platform received to the end of the push: the process's start (a
        // debug binary loading, the input opened) does not scale with the platform's time.
        let elapsed = run.first().map_or(process, |first| {
            ended.duration_since(first.received_at).unwrap_or(process)
        });
        Measured {
            code,
            summary,
            refusals_allowed: self.refusals_allowed(),
            elapsed,
            process,
            documented: self.limit().documented(run.len(), level),
            level,
            requests: run.len(),
            faulted: run.iter().filter(|r| r.fault.is_some()).count(),
            bucket_429s: run.iter().filter(|r| is_bucket_refusal(r)).count(),
        }
    }
}

/// A refusal of the platform's own limit (not an injected fault): Shopline's 429, Tencent's 11017.
fn is_bucket_refusal(request: &RecordedRequest) -> bool {
    request.fault.is_none() && (request.status == Some(429) || request.tencent_code == Some(11017))
}

/// With `PUSH_PACE_TIMELINE=FILE`, the run's requests to `FILE`: seconds since the first, answer, fault.
fn write_timeline(run: &[RecordedRequest]) {
    let (Some(path), Some(first)) = (std::env::var_os("PUSH_PACE_TIMELINE"), run.first()) else {
        return;
    };
    let lines: String = run
        .iter()
        .map(|r| {
            let at = r.received_at.duration_since(first.received_at);
            let at = at.unwrap_or_default().as_secs_f64();
            format!(
                "{at:8.3} {:?} {:?} {:?}\n",
                r.status, r.tencent_code, r.fault
            )
        })
        .collect();
    fs::write(path, lines).unwrap();
}

/// A push measured.
#[derive(Debug)]
struct Measured {
    code: i32,
    summary: Value,
    /// [`Scenario::refusals_allowed`].
    refusals_allowed: usize,
    /// From the first request the platform received to the end of the push.
    elapsed: Duration,
    /// From the start of the process to its end.
    process: Duration,
    documented: Duration,
    /// The bucket's level when the push started.
    level: f64,
    /// Requests the platform received, retries included.
    requests: usize,
    faulted: usize,
    bucket_429s: usize,
}

impl Measured {
    fn ratio(&self) -> f64 {
        self.elapsed.as_secs_f64() / self.documented.as_secs_f64()
    }

    /// One line for the test's output (and BENCHMARKS.md).
    fn report(&self, what: &str) -> String {
        format!(
            "{what}: {} requests ({} faulted, {} bucket refusals), bucket at {:.1} to start: {:.2} s ({:.2} s with the process's start), documented {:.2} s, ratio {:.3}",
            self.requests,
            self.faulted,
            self.bucket_429s,
            self.level,
            self.elapsed.as_secs_f64(),
            self.process.as_secs_f64(),
            self.documented.as_secs_f64(),
            self.ratio()
        )
    }

    /// Every row arrived, no bucket refused a request, and there were faults to weather.
    fn assert_delivered(&self, what: &str, rows: usize) {
        let report = self.report(what);
        assert_eq!(self.code, 0, "{report}\n{}", self.summary);
        assert_eq!(self.summary["failed"], 0, "{report}\n{}", self.summary);
        assert_eq!(self.summary["read"], json!(rows), "{}", self.summary);
        assert!(self.bucket_429s <= self.refusals_allowed, "{report}");
        assert!(self.faulted > 0, "no fault: {report}");
    }
}

/// `count` Tencent items `{prefix}-{n}`, one per line.
fn items(dir: &Path, prefix: &str, count: usize) -> PathBuf {
    let file = dir.join(format!("{prefix}.jsonl"));
    let lines: String = (0..count)
        .map(|n| {
            json!({
                "external_store_id": "store-1",
                "external_sku_id": format!("{prefix}-{n}"),
                "product_type": 1,
                "price": {"current_price": 8.9, "sku_price": 10},
                "stock": {"sku_stock_status": 1, "stock_total": 100},
            })
            .to_string()
                + "\n"
        })
        .collect();
    fs::write(&file, lines).unwrap();
    file
}

/// A fresh push of `requests` batches under faults, into an empty bucket: every row delivered, no bucket
/// refusal.
fn fresh_push(scenario: Scenario, test: &str, requests: usize) -> Measured {
    let mock = scenario.mock();
    let dir = scratch(test);
    let file = scenario.rows(&dir, "rows", requests);
    let run = scenario.measure(&mock, scenario.command(&mock, &file, &dir.join("state")));
    let rows = match scenario.vendor {
        Vendor::Shopline => requests * 20,
        Vendor::Tencent => requests * 10,
    };
    eprintln!("{}", run.report(test));
    run.assert_delivered(test, rows);
    run
}

/// Starts `command` and kills it (SIGKILL: nothing saved on the way out) once the platform has received
/// `requests` of its requests.
fn kill_after(mock: &Mock, vendor: Vendor, mut command: Command, requests: usize) {
    let mut child = command.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while mock.server.requests_to(vendor).len() < requests {
        assert!(Instant::now() < deadline, "the push did not get going");
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap();
    let killed = child.wait_with_output().unwrap();
    assert!(!killed.status.success(), "it ended before it was killed");
}

/// A Shopline push killed half-way (in the bucket's steady state, the bucket full) and restarted at once,
/// then a fresh push of as many requests as the restart made. The restart opens into the bucket its
/// predecessor filled (its documented time counts that: no room for a burst), draws no bucket 429 (but for
/// [`Scenario::refusals_allowed`]), and keeps
/// as close to its documented time as the fresh push keeps to its own.
fn killed_and_restarted(scenario: Scenario, test: &str) -> (Measured, Measured) {
    let mock = scenario.mock();
    let dir = scratch(test);
    let pace_dir = dir.join("state");
    let file = scenario.rows(&dir, "rows", SHOPLINE_REQUESTS);
    let command = scenario.command(&mock, &file, &pace_dir);
    kill_after(&mock, scenario.vendor, command, SHOPLINE_REQUESTS / 2);
    let restart = scenario.measure(&mock, scenario.command(&mock, &file, &pace_dir));
    eprintln!("{}", restart.report(&format!("{test}: restart")));
    assert_eq!(restart.code, 0, "{}", restart.summary);
    assert!(
        restart.bucket_429s <= restart.refusals_allowed,
        "{}",
        restart.report("restart")
    );
    assert!(
        restart.level > 20.0,
        "{}",
        restart.report("the bucket is empty")
    );
    assert_eq!(mock.server.shopline_flows().len(), SHOPLINE_REQUESTS * 20);
    let batches = restart.summary["requests"].as_u64().unwrap_or(0) as usize;
    let fresh = fresh_push(scenario, &format!("{test}-fresh"), batches);
    (restart, fresh)
}

/// The restart is within the bound, and not slower than the fresh push: its ratio no more than the fresh
/// one's (or 1, whichever is more) and a tenth (one fault's tail in a run of half the length).
fn assert_no_slower(restart: &Measured, fresh: &Measured) {
    let report = format!("{}\n{}", restart.report("restart"), fresh.report("fresh"));
    assert!(restart.ratio() <= WITHIN, "{report}");
    assert!(restart.ratio() <= fresh.ratio().max(1.0) + 0.1, "{report}");
}

#[test]
fn a_shopline_push_under_faults_keeps_within_1_3x_of_the_bucket_time() {
    let _serial = one_at_a_time();
    let scenario = Scenario {
        vendor: Vendor::Shopline,
        scale: FAST,
        seed: seed(7),
    };
    let run = fresh_push(scenario, "shopline-faults", SHOPLINE_REQUESTS);
    assert!(run.ratio() <= WITHIN, "{}", run.report("shopline"));
}

/// Three seeds, the median within the bound and none far beyond it. Tencent's budget for 196 requests is
/// short (11.2 s, 1.1 s here), so one run's ratio is partly luck: a batch that meets two or three faults in a
/// row near the end adds its waits (a timeout, `Retry-After`, backoff) to the run, up to a fifth of it; the
/// median is what the pace decides (16 seeds measured: 1.00 to 1.30, median 1.12; BENCHMARKS.md).
#[test]
fn a_tencent_push_under_faults_keeps_within_1_3x_of_the_minute_budget() {
    let _serial = one_at_a_time();
    let mut ratios: Vec<f64> = [7, 8, 9]
        .into_iter()
        .map(|default| {
            let scenario = Scenario {
                vendor: Vendor::Tencent,
                scale: FAST,
                seed: seed(default),
            };
            fresh_push(scenario, "tencent-faults", TENCENT_REQUESTS).ratio()
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    assert!(ratios[1] <= WITHIN, "{ratios:?}");
    assert!(ratios[2] <= 1.5, "{ratios:?}");
}

#[test]
fn a_shopline_push_killed_and_restarted_under_faults_is_no_slower_than_a_fresh_one() {
    let _serial = one_at_a_time();
    let scenario = Scenario {
        vendor: Vendor::Shopline,
        scale: FAST,
        seed: seed(11),
    };
    let (restart, fresh) = killed_and_restarted(scenario, "shopline-killed");
    assert_no_slower(&restart, &fresh);
}

/// The same at the platforms' real rates: Shopline's 4 requests/s with a bucket of 40, Tencent's 1,000 calls
/// a minute, `Retry-After: 1`, 2 s attempt timeouts. About two minutes; its numbers are in BENCHMARKS.md.
#[test]
#[ignore = "real rates: about two minutes"]
fn realistic_rate_runs_keep_within_1_3x_of_the_documented_time() {
    let _serial = one_at_a_time();
    let at_real_rate = |vendor, default| Scenario {
        vendor,
        scale: 1.0,
        seed: seed(default),
    };
    let shopline = fresh_push(
        at_real_rate(Vendor::Shopline, 7),
        "real-shopline",
        SHOPLINE_REQUESTS,
    );
    let tencent = fresh_push(
        at_real_rate(Vendor::Tencent, 7),
        "real-tencent",
        TENCENT_REQUESTS,
    );
    let (restart, fresh) = killed_and_restarted(at_real_rate(Vendor::Shopline, 11), "real-killed");
    assert!(
        shopline.ratio() <= WITHIN,
        "{}",
        shopline.report("shopline")
    );
    assert!(tencent.ratio() <= WITHIN, "{}", tencent.report("tencent"));
    assert_no_slower(&restart, &fresh);
}
